//! Pictures for the page (a company's logo): JPEG embedded as it is (the PDF's DCT filter
//! decodes it), PNG decoded and embedded as deflated pixels with its transparency as a soft
//! mask. Other formats, and anything that does not decode, yield nothing.

use std::collections::BTreeMap;
use std::io::Cursor;

use printpdf::{
    DictItem, ExternalStream, ExternalXObject, Px, RawImage, RawImageData, RawImageFormat, XObject,
};

/// A decoded picture, ready to place.
pub(crate) struct Picture {
    pub xobject: XObject,
    pub width: usize,
    pub height: usize,
}

/// Larger pictures are refused (a logo is small; this bounds memory and time).
const MAX_SIDE: usize = 8000;
/// PNG pixels are reduced to at most this many on the longer side (a logo is printed a few
/// centimetres wide; this is well above print resolution for it).
const MAX_KEPT_SIDE: usize = 800;

/// `bytes` as a picture, whatever `mime` claims: the format is read from the bytes.
pub(crate) fn decode(bytes: &[u8], _mime: &str) -> Option<Picture> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else {
        None
    }
}

fn name(s: &str) -> DictItem {
    DictItem::Name(s.as_bytes().to_vec())
}

/// The size and colour components of a JPEG, from its frame header; and whether it carries
/// Adobe's marker (whose CMYK data is stored inverted).
fn jpeg_header(bytes: &[u8]) -> Option<(usize, usize, u8, bool)> {
    let mut i = 2;
    let mut adobe = false;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7) {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if len < 2 || i + 2 + len > bytes.len() {
            return None;
        }
        let segment = &bytes[i + 4..i + 2 + len];
        match marker {
            0xEE if segment.starts_with(b"Adobe") => adobe = true,
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                if segment.len() < 6 || segment[0] != 8 {
                    return None;
                }
                let height = usize::from(u16::from_be_bytes([segment[1], segment[2]]));
                let width = usize::from(u16::from_be_bytes([segment[3], segment[4]]));
                return Some((width, height, segment[5], adobe));
            }
            0xD9 | 0xDA => return None,
            _ => {}
        }
        i += 2 + len;
    }
    None
}

fn jpeg(bytes: &[u8]) -> Option<Picture> {
    let (width, height, components, adobe) = jpeg_header(bytes)?;
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return None;
    }
    let color_space = match components {
        1 => "DeviceGray",
        3 => "DeviceRGB",
        4 => "DeviceCMYK",
        _ => return None,
    };
    let mut dict = BTreeMap::from([
        ("Type".to_owned(), name("XObject")),
        ("Subtype".to_owned(), name("Image")),
        ("Width".to_owned(), DictItem::Int(width as i64)),
        ("Height".to_owned(), DictItem::Int(height as i64)),
        ("ColorSpace".to_owned(), name(color_space)),
        ("BitsPerComponent".to_owned(), DictItem::Int(8)),
        ("Filter".to_owned(), name("DCTDecode")),
    ]);
    if components == 4 && adobe {
        let decode = [1, 0, 1, 0, 1, 0, 1, 0].map(DictItem::Int).to_vec();
        dict.insert("Decode".to_owned(), DictItem::Array(decode));
    }
    Some(Picture {
        xobject: XObject::External(ExternalXObject {
            stream: ExternalStream {
                dict,
                content: bytes.to_vec(),
                compress: false,
            },
            width: Some(Px(width)),
            height: Some(Px(height)),
            dpi: None,
        }),
        width,
        height,
    })
}

fn png(bytes: &[u8]) -> Option<Picture> {
    let mut decoder =
        png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: 64 << 20 });
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    {
        let info = reader.info();
        let (w, h) = (info.width as usize, info.height as usize);
        if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
            return None;
        }
    }
    let mut buf = vec![0; reader.output_buffer_size()?];
    let frame = reader.next_frame(&mut buf).ok()?;
    let (width, height) = (frame.width as usize, frame.height as usize);
    let channels = match frame.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return None,
    };
    if frame.bit_depth != png::BitDepth::Eight {
        return None;
    }
    // Rows without their padding.
    let row = width * channels;
    let mut pixels = Vec::with_capacity(row * height);
    for y in 0..height {
        let start = y * frame.line_size;
        pixels.extend_from_slice(buf.get(start..start + row)?);
    }
    // A fully opaque alpha channel is dropped (no soft mask needed).
    let mut channels = channels;
    if channels % 2 == 0
        && pixels
            .chunks_exact(channels)
            .all(|p| p[channels - 1] == 255)
    {
        pixels = pixels
            .chunks_exact(channels)
            .flat_map(|p| p[..channels - 1].to_vec())
            .collect();
        channels -= 1;
    }
    let (pixels, width, height) = shrink(pixels, width, height, channels);
    let format = match channels {
        1 => RawImageFormat::R8,
        2 => RawImageFormat::RG8,
        3 => RawImageFormat::RGB8,
        _ => RawImageFormat::RGBA8,
    };
    Some(Picture {
        xobject: XObject::Image(RawImage {
            pixels: RawImageData::U8(pixels),
            width,
            height,
            data_format: format,
            tag: Vec::new(),
        }),
        width,
        height,
    })
}

/// Reduces a picture larger than [`MAX_KEPT_SIDE`] by a whole factor, averaging each square of
/// pixels.
fn shrink(
    pixels: Vec<u8>,
    width: usize,
    height: usize,
    channels: usize,
) -> (Vec<u8>, usize, usize) {
    let factor = width.max(height).div_ceil(MAX_KEPT_SIDE);
    if factor <= 1 {
        return (pixels, width, height);
    }
    let (w, h) = (width.div_ceil(factor), height.div_ceil(factor));
    let mut out = Vec::with_capacity(w * h * channels);
    for y in 0..h {
        for x in 0..w {
            for c in 0..channels {
                let (mut sum, mut n) = (0u32, 0u32);
                for sy in y * factor..((y + 1) * factor).min(height) {
                    for sx in x * factor..((x + 1) * factor).min(width) {
                        sum += u32::from(pixels[(sy * width + sx) * channels + c]);
                        n += 1;
                    }
                }
                out.push(u8::try_from(sum / n.max(1)).unwrap_or(255));
            }
        }
    }
    (out, w, h)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small PNG: a blue bar with a transparent border, `width` × `height` pixels.
    pub(crate) fn sample_png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, width, height);
            encoder.set_color(png::ColorType::Rgba);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().expect("png header");
            let mut data = Vec::new();
            for y in 0..height {
                for x in 0..width {
                    let inside = x > 1 && y > 1 && x + 2 < width && y + 2 < height;
                    data.extend_from_slice(if inside {
                        &[30, 70, 160, 255]
                    } else {
                        &[0, 0, 0, 0]
                    });
                }
            }
            writer.write_image_data(&data).expect("png data");
        }
        out
    }

    /// A 16 × 8 baseline JPEG (orange and blue, 3 components; made once with Pillow).
    pub(crate) const SAMPLE_JPEG: &[u8] = include_bytes!("../testdata/logo.jpg");

    #[test]
    fn png_decodes_with_alpha() {
        let picture = decode(&sample_png(40, 20), "image/png").expect("png");
        assert_eq!((picture.width, picture.height), (40, 20));
        match picture.xobject {
            XObject::Image(image) => assert_eq!(image.data_format, RawImageFormat::RGBA8),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn large_png_is_reduced() {
        let picture = decode(&sample_png(2000, 100), "image/png").expect("png");
        assert!(picture.width <= MAX_KEPT_SIDE, "{}", picture.width);
        assert_eq!(picture.width, 667);
        assert_eq!(picture.height, 34);
    }

    #[test]
    fn jpeg_is_read_from_its_header() {
        let picture = decode(SAMPLE_JPEG, "image/jpeg").expect("jpeg");
        assert_eq!((picture.width, picture.height), (16, 8));
    }

    #[test]
    fn garbage_is_nothing() {
        assert!(decode(b"", "image/png").is_none());
        assert!(decode(b"GIF89a....", "image/gif").is_none());
        assert!(decode(b"\x89PNG\r\n\x1a\nnot really", "image/png").is_none());
        assert!(decode(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 2], "image/jpeg").is_none());
        let mut cut = sample_png(40, 20);
        cut.truncate(cut.len() / 2);
        assert!(decode(&cut, "image/png").is_none());
    }
}
