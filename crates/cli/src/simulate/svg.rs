//! The size table as an SVG line chart: the share of calls attributed to the right session with
//! confidence 1.0 against the pool size, for the engine and the two naive strategies, with the
//! Erlang-B size and the 99 % line marked. Hand-written SVG: a few elements, no dependency.

use std::fmt::Write;

use super::Row;

/// Texts the chart needs besides the figures.
pub struct Labels {
    /// The fixed-hold strategy's name.
    pub fixed: String,
    /// What was simulated.
    pub title: String,
}

/// A line of the chart: its name, its colour, and its points (pool size, share in %).
type Series<'a> = (&'a str, &'a str, Vec<(usize, f64)>);

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 220.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The chart, as an SVG document.
pub fn chart(rows: &[Row], erlang: usize, labels: &Labels) -> String {
    let mut svg = String::new();
    let _ = write_chart(&mut svg, rows, erlang, labels);
    svg
}

fn write_chart(svg: &mut String, rows: &[Row], erlang: usize, labels: &Labels) -> std::fmt::Result {
    let series: [Series; 3] = [
        (
            "engine",
            "#1b6ac9",
            rows.iter()
                .map(|r| (r.size, r.engine.share(r.engine.right)))
                .collect(),
        ),
        (
            &labels.fixed,
            "#d9822b",
            rows.iter()
                .map(|r| (r.size, r.fixed.share(r.fixed.right)))
                .collect(),
        ),
        (
            "round-robin reuse",
            "#7a7a7a",
            rows.iter()
                .map(|r| (r.size, r.round_robin.share(r.round_robin.right)))
                .collect(),
        ),
    ];
    let min_size = rows.iter().map(|r| r.size).min().unwrap_or(0).min(erlang) as f64;
    let max_size = rows.iter().map(|r| r.size).max().unwrap_or(1).max(erlang) as f64;
    let span = (max_size - min_size).max(1.0);
    let lowest = series
        .iter()
        .flat_map(|(_, _, points)| points.iter().map(|&(_, y)| y))
        .fold(100.0f64, f64::min);
    // The y axis starts at a multiple of 10 below the lowest figure.
    let y0 = ((lowest / 10.0).floor() * 10.0).clamp(0.0, 90.0);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |size: f64| LEFT + (size - min_size) / span * plot_w;
    let y = |share: f64| TOP + (100.0 - share) / (100.0 - y0) * plot_h;

    writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">"#
    )?;
    writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#)?;
    writeln!(
        svg,
        r#"<text x="{LEFT}" y="22" font-size="14">Calls attributed to the right visit with confidence 1.0 — {}</text>"#,
        escape(&labels.title)
    )?;
    // Grid and y labels.
    let mut share = y0;
    while share <= 100.0 + 1e-9 {
        let yy = y(share);
        writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e5e5e5"/>"##,
            LEFT + plot_w
        )?;
        writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{share:.0}%</text>"#,
            LEFT - 6.0,
            yy + 4.0
        )?;
        share += if 100.0 - y0 > 40.0 { 10.0 } else { 5.0 };
    }
    // X labels: every row's size, thinned to about ten.
    let every = rows.len().div_ceil(10).max(1);
    for r in rows.iter().step_by(every) {
        writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x(r.size as f64),
            TOP + plot_h + 18.0,
            r.size
        )?;
    }
    writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">numbers in the pool</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 10.0
    )?;
    writeln!(
        svg,
        r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#999"/>"##
    )?;
    // The 99% line and the Erlang-B size.
    if y0 < 99.0 {
        writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#2a9d3a" stroke-dasharray="2 3"/>"##,
            y(99.0),
            LEFT + plot_w
        )?;
    }
    let ex = x(erlang as f64);
    writeln!(
        svg,
        r##"<line x1="{ex:.1}" y1="{TOP}" x2="{ex:.1}" y2="{:.1}" stroke="#b02a2a" stroke-dasharray="6 4"/>"##,
        TOP + plot_h
    )?;
    writeln!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" fill="#b02a2a">Erlang-B 1%: {erlang}</text>"##,
        ex + 4.0,
        TOP + 14.0
    )?;
    // The series.
    for (i, (name, colour, points)) in series.iter().enumerate() {
        let path: Vec<String> = points
            .iter()
            .map(|&(size, share)| format!("{:.1},{:.1}", x(size as f64), y(share.max(y0))))
            .collect();
        writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
            path.join(" ")
        )?;
        for &(size, share) in points {
            writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}"/>"#,
                x(size as f64),
                y(share.max(y0))
            )?;
        }
        let ly = TOP + 20.0 + 22.0 * i as f64;
        let lx = LEFT + plot_w + 16.0;
        writeln!(
            svg,
            r#"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="2"/>"#,
            lx + 20.0
        )?;
        writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            lx + 26.0,
            ly + 4.0,
            escape(name)
        )?;
    }
    let ly = TOP + 20.0 + 22.0 * 3.0;
    let lx = LEFT + plot_w + 16.0;
    writeln!(
        svg,
        r##"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="#2a9d3a" stroke-dasharray="2 3"/>"##,
        lx + 20.0
    )?;
    writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}">99%</text>"#,
        lx + 26.0,
        ly + 4.0
    )?;
    writeln!(svg, "</svg>")
}

#[cfg(test)]
mod tests {
    use super::super::strategy::Figures;
    use super::*;

    #[test]
    fn draws_every_series_and_marker() {
        let f = |right| Figures {
            calls: 100,
            right,
            ..Figures::default()
        };
        let rows: Vec<Row> = (0..5)
            .map(|i| Row {
                size: 100 + 10 * i,
                engine: f(95 + i as u64),
                fixed: f(80 + i as u64),
                round_robin: f(70 + i as u64),
            })
            .collect();
        let svg = chart(
            &rows,
            120,
            &Labels {
                fixed: "fixed hold 15 min".into(),
                title: "a <test>".into(),
            },
        );
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 15);
        assert!(svg.contains("Erlang-B 1%: 120"));
        assert!(svg.contains("a &lt;test&gt;"), "titles are escaped");
    }
}
