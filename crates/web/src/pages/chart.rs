//! The home's charts as inline SVG, drawn on the server: a donut of counts (open cases by
//! priority, projects by status) or horizontal bars of averages (resolution time by priority),
//! each slice in its picklist color. The template adds a text alternative and a data table, so
//! the figures reach screen readers too.

use atrium_app::customer::home::{Figure, Slice};

use super::i18n::Tr;

/// The donut's outer and inner radius, in the 100 × 100 view box.
const OUTER: f64 = 48.0;
const INNER: f64 = 30.0;

/// One drawn part of a chart, with its legend text.
#[derive(Debug, Clone)]
pub struct Mark {
    /// The SVG path (donut) of a slice; empty for bars.
    pub path: String,
    /// A bar's width in percent of the widest; 0 for donuts.
    pub width: f64,
    pub color: String,
    pub label: String,
    /// The figure as the page writes it (`12`, `3.5 hours`).
    pub figure: String,
}

/// A chart ready to draw.
#[derive(Debug, Clone)]
pub struct Chart {
    pub name: String,
    pub title: String,
    /// Donut (counts) or bars (averages).
    pub donut: bool,
    pub marks: Vec<Mark>,
    /// The sum of the counts, shown in the donut's hole.
    pub total: String,
    /// The whole chart as one sentence, for `aria-label`.
    pub summary: String,
}

fn point(angle: f64, radius: f64) -> (f64, f64) {
    (50.0 + radius * angle.sin(), 50.0 - radius * angle.cos())
}

/// The ring segment from `start` to `end` (radians, clockwise from the top).
fn segment(start: f64, end: f64) -> String {
    // A full ring cannot be one arc (its ends coincide): draw it as two halves.
    if end - start >= std::f64::consts::TAU - 1e-9 {
        let half = start + std::f64::consts::PI;
        return format!("{} {}", segment(start, half), segment(half, end));
    }
    let large = i32::from(end - start > std::f64::consts::PI);
    let (x1, y1) = point(start, OUTER);
    let (x2, y2) = point(end, OUTER);
    let (x3, y3) = point(end, INNER);
    let (x4, y4) = point(start, INNER);
    format!(
        "M{x1:.3} {y1:.3}A{OUTER} {OUTER} 0 {large} 1 {x2:.3} {y2:.3}\
         L{x3:.3} {y3:.3}A{INNER} {INNER} 0 {large} 0 {x4:.3} {y4:.3}Z"
    )
}

fn figure(tr: &Tr, slice: &Slice) -> String {
    match slice.value {
        Figure::Count(n) => tr.number(n),
        Figure::Average(hours) => tr.with(
            "hours",
            &[("value", super::i18n::Arg::Text(tr.decimal(hours)))],
        ),
    }
}

fn amount(slice: &Slice) -> f64 {
    match slice.value {
        Figure::Count(n) => n as f64,
        Figure::Average(v) => v,
    }
}

impl Chart {
    pub fn new(tr: &Tr, name: &str, slices: &[Slice]) -> Chart {
        let title = tr.t(&format!("chart-{name}"));
        let donut = slices.iter().all(|s| matches!(s.value, Figure::Count(_)));
        let sum: f64 = slices.iter().map(amount).sum();
        let widest = slices.iter().map(amount).fold(0.0, f64::max);
        let mut angle = 0.0;
        let marks = slices
            .iter()
            .filter(|s| amount(s) > 0.0)
            .map(|slice| {
                let value = amount(slice);
                let (path, width) = if donut {
                    let end = angle + std::f64::consts::TAU * value / sum;
                    let path = segment(angle, end);
                    angle = end;
                    (path, 0.0)
                } else {
                    (String::new(), 100.0 * value / widest)
                };
                Mark {
                    path,
                    width,
                    color: slice.color.clone(),
                    label: slice.label.clone(),
                    figure: figure(tr, slice),
                }
            })
            .collect::<Vec<_>>();
        let parts: Vec<String> = marks
            .iter()
            .map(|m| format!("{}: {}", m.label, m.figure))
            .collect();
        let summary = if parts.is_empty() {
            format!("{title}. {}", tr.t("chart-empty"))
        } else {
            format!("{title}. {}.", parts.join("; "))
        };
        Chart {
            name: name.to_owned(),
            title,
            donut,
            total: tr.number(sum.round() as i64),
            marks,
            summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(label: &str, value: Figure) -> Slice {
        Slice {
            label: label.into(),
            value,
            color: "#e03131".into(),
            unit: None,
        }
    }

    #[test]
    fn a_donut_closes_its_ring_and_says_its_figures() {
        let tr = Tr::default();
        let chart = Chart::new(
            &tr,
            "open_cases_by_priority",
            &[
                slice("High", Figure::Count(3)),
                slice("Low", Figure::Count(1)),
                slice("Medium", Figure::Count(0)),
            ],
        );
        assert!(chart.donut);
        assert_eq!(chart.marks.len(), 2, "empty slices are not drawn");
        assert_eq!(chart.total, "4");
        assert!(
            chart.marks[0].path.contains(" 1 1 "),
            "3/4 of a ring is a large arc"
        );
        assert!(chart.summary.contains("High: 3; Low: 1"));
        let whole = Chart::new(
            &tr,
            "projects_by_status",
            &[slice("Open", Figure::Count(5))],
        );
        assert_eq!(
            whole.marks[0].path.matches('M').count(),
            2,
            "a full ring in two halves"
        );
    }

    #[test]
    fn bars_are_measured_against_the_widest() {
        let de = Tr::of("de").expect("de");
        let chart = Chart::new(
            &de,
            "case_resolution_time_by_priority",
            &[
                slice("High", Figure::Average(2.5)),
                slice("Low", Figure::Average(10.0)),
            ],
        );
        assert!(!chart.donut);
        assert_eq!(chart.marks[0].width, 25.0);
        assert_eq!(chart.marks[0].figure, "2,5 Stunden");
    }
}
