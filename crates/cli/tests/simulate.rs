//! `dni simulate` end to end: the real binary, a short scenario, the shape of what it prints, and the
//! engine ahead of the naive strategies.

use std::process::Command;

const ARGS: &[&str] = &[
    "simulate",
    "--visitors-per-hour",
    "120",
    "--days",
    "2",
    "--sizes",
    "30..70:10",
    "--seed",
    "3",
    "--threads",
    "1",
];

fn simulate(extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dni"))
        .args(ARGS)
        .args(extra)
        .output()
        .expect("dni runs");
    assert!(
        out.status.success(),
        "dni simulate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// The table's rows: size, then the six figures of each strategy (right, ambiguous, wrong, none,
/// exhaustion events, utilisation or "-").
fn rows(output: &str) -> Vec<(usize, [Vec<String>; 3])> {
    output
        .lines()
        .filter_map(|line| {
            let mut groups = line.split('|');
            let head: Vec<&str> = groups.next()?.split_whitespace().collect();
            let size = head.first()?.parse().ok()?;
            let cells = |g: Option<&str>| -> Option<Vec<String>> {
                let cells: Vec<String> = g?.split_whitespace().take(6).map(String::from).collect();
                (cells.len() == 6).then_some(cells)
            };
            Some((
                size,
                [
                    cells(groups.next())?,
                    cells(groups.next())?,
                    cells(groups.next())?,
                ],
            ))
        })
        .collect()
}

fn share(cell: &str) -> f64 {
    cell.parse().expect("a percentage")
}

#[test]
fn prints_the_table_and_the_engine_wins_at_every_size() {
    let output = simulate(&[]);
    assert!(
        output.starts_with("dni simulate: 120 visitors/h"),
        "{output}"
    );
    assert!(output.contains("engine settings: idle timeout"), "{output}");
    assert!(output.contains("Erlang-B for 1% blocking:"), "{output}");
    let rows = rows(&output);
    let sizes: Vec<usize> = rows.iter().map(|(size, _)| *size).collect();
    assert_eq!(sizes, [30, 40, 50, 60, 70], "{output}");
    for (size, [engine, fixed, round_robin]) in &rows {
        let right = share(&engine[0]);
        assert!(
            right > share(&fixed[0]) && right > share(&round_robin[0]),
            "size {size}: engine {right} vs {} and {}",
            fixed[0],
            round_robin[0]
        );
        // The four outcomes of a call add up to all calls.
        let total: f64 = engine[..4].iter().map(|c| share(c)).sum();
        assert!((total - 100.0).abs() < 0.05, "size {size}: {total}");
        assert_eq!(
            share(&engine[2]),
            0.0,
            "the engine never names the wrong session"
        );
        assert_eq!(
            round_robin[5], "-",
            "round-robin has no notion of a busy number"
        );
    }
    // More numbers never make the engine worse here, and the largest pool gets every call right.
    let engine: Vec<f64> = rows.iter().map(|(_, g)| share(&g[0][0])).collect();
    assert!(engine.windows(2).all(|w| w[0] <= w[1]), "{engine:?}");
    assert!(engine.last().is_some_and(|&r| r >= 99.0), "{engine:?}");
    assert!(output.contains("engine ahead of both naive strategies at every size: yes"));
}

#[test]
fn the_same_seed_prints_the_same_figures_and_draws_the_chart() {
    let path = std::env::temp_dir().join(format!("dni-simulate-{}.svg", std::process::id()));
    let path_text = path.to_str().expect("a UTF-8 temp path");
    let first = simulate(&["--svg", path_text]);
    let svg = std::fs::read_to_string(&path).expect("the chart was written");
    let _ = std::fs::remove_file(&path);
    assert!(
        svg.starts_with("<svg") && svg.contains("Erlang-B 1%"),
        "{svg}"
    );
    assert_eq!(svg.matches("<polyline").count(), 3);
    let second = simulate(&[]);
    let table = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.starts_with("chart written"))
            .map(String::from)
            .collect()
    };
    assert_eq!(table(&first), table(&second));
    let other = simulate(&["--seed", "4"]);
    assert_ne!(table(&first), table(&other), "another seed, other traffic");
}

#[test]
fn bad_arguments_are_refused_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_dni"))
        .args(["simulate", "--sizes", "50..10"])
        .output()
        .expect("dni runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--sizes"));
}
