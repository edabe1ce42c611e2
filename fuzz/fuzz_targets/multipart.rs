//! Multipart uploads as the web layer reads them: a request with a fixed boundary and a fuzzed
//! body, delivered in fuzzed chunk sizes, through axum's `Multipart` extractor (multer) into
//! `atrium_web::api::files::read_upload` / `read_form_with_file` with a small size limit.
//! Never panics; an accepted upload respects the limit and has a clean file name.
//!
//! Input: byte 0 picks the function (bit 0) and the limit (the other bits), byte 1 the chunk
//! size (0: the whole body in one chunk), the rest is the body.
#![no_main]

use std::sync::OnceLock;

use atrium_web::api::files::{read_form_with_file, read_upload};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use libfuzzer_sys::fuzz_target;

pub const BOUNDARY: &str = "AtriumFuzzBoundary";
const LIMITS: [usize; 8] = [0, 1, 7, 16, 64, 512, 4096, 2 * 1024 * 1024];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    })
}

fn request(body: &[u8], chunk: usize) -> Request {
    let chunks: Vec<Result<Bytes, std::io::Error>> = if chunk == 0 || body.is_empty() {
        vec![Ok(Bytes::copy_from_slice(body))]
    } else {
        body.chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect()
    };
    Request::builder()
        .method("POST")
        .uri("/upload")
        .header(
            CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from_stream(futures::stream::iter(chunks)))
        .expect("a request")
}

fn check_name(name: &str) {
    assert!(!name.trim().is_empty(), "blank file name");
    assert!(name.chars().count() <= 200, "file name of {} chars", name.chars().count());
    assert!(
        !name.contains(['/', '\\', '"']) && !name.chars().any(char::is_control),
        "unclean file name {name:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let [mode, chunk, body @ ..] = data else {
        return;
    };
    let form = mode & 1 == 1;
    let limit = LIMITS[usize::from(mode >> 1) % LIMITS.len()];
    let request = request(body, usize::from(*chunk));
    runtime().block_on(async move {
        let multipart = Multipart::from_request(request, &())
            .await
            .expect("a multipart/form-data request with a boundary is accepted");
        if form {
            if let Ok((_fields, upload)) = read_form_with_file(multipart, limit).await {
                assert!(upload.bytes.len() <= limit, "{} > {limit}", upload.bytes.len());
                check_name(&upload.name);
            }
        } else if let Ok(upload) = read_upload(multipart, limit).await {
            assert!(upload.bytes.len() <= limit, "{} > {limit}", upload.bytes.len());
            check_name(&upload.name);
            assert!(!upload.mime_type.is_empty());
        }
    });
});
