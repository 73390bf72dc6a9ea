//! Stage 2 of the referrer tables: turns the data in `crates/core/data/` (our own rows in
//! `ours.tsv`, and `matomo.tsv`, the snapshot of Matomo's searchengine-and-social-list that
//! `scripts/referrer-lists.py` writes) into `src/classify/sources/table.rs`.
//!
//! `cargo test` checks that the committed table is what the data says (the test fails, naming the
//! command, when someone edits the data without regenerating, or the table by hand);
//! `scripts/referrer-tables` (`DNI_WRITE_TABLES=1`) writes it. Pure and fast: no network, no
//! upstream files, only the two snapshots.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// The table's flags, as `sources.rs` reads them.
const SUB: u8 = 1;
const TAGS: u8 = 2;
const NEEDS_TERM: u8 = 4;

const CATEGORIES: &[(&str, &str)] = &[
    ("search", "Search"),
    ("social", "Social"),
    ("video", "Video"),
    ("shopping", "Shopping"),
    ("webmail", "Webmail"),
    ("ai", "Ai"),
];

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

fn table_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/classify/sources/table.rs")
}

#[test]
fn generated_table_is_current() {
    let read = |name: &str| {
        std::fs::read_to_string(data_dir().join(name))
            .unwrap_or_else(|e| panic!("reading data/{name}: {e}"))
    };
    let generated = match generate(&read("ours.tsv"), &read("matomo.tsv")) {
        Ok(table) => table,
        Err(e) => panic!("the data in crates/core/data/ is not valid: {e}"),
    };
    if std::env::var_os("DNI_WRITE_TABLES").is_some_and(|v| v == "1") {
        std::fs::write(table_path(), &generated.text).expect("writing the table");
        eprintln!("{}", generated.summary);
        return;
    }
    let committed = std::fs::read_to_string(table_path()).unwrap_or_default();
    assert!(
        committed == generated.text,
        "src/classify/sources/table.rs differs from what crates/core/data/ gives: run \
         `scripts/referrer-tables` and commit the result ({})",
        generated.summary
    );
}

/// The generated Rust text, and a line saying what went into it.
struct Generated {
    text: String,
    summary: String,
}

/// One row of the table before it is written.
#[derive(Clone)]
struct Row {
    name: String,
    category: &'static str,
    params: Vec<String>,
    flags: u8,
    ours: bool,
}

fn category(word: &str) -> Option<&'static str> {
    CATEGORIES
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, variant)| *variant)
}

/// Splits `host[/path]`, lower-cases the host, drops one leading `www.` or `m.` (the lookup drops
/// it from the referrer too) and checks the placeholders: `{}` may stand for the first label or
/// for the country domain at the end, not both, nowhere else. Returns (host, path, has placeholder).
fn pattern(text: &str) -> Result<(String, String, bool), String> {
    let (host, path) = match text.find('/') {
        Some(at) => (&text[..at], &text[at..]),
        None => (text, ""),
    };
    let host = host.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .unwrap_or(&host)
        .to_owned();
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2
        || labels.iter().any(|l| {
            l.is_empty()
                || !(*l == "{}"
                    || l.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                    }))
        })
    {
        return Err(format!("not a host pattern: {text:?}"));
    }
    let first = labels[0] == "{}";
    let last = labels[labels.len() - 1] == "{}";
    let inner = labels[1..labels.len() - 1].contains(&"{}");
    if inner || (first && last) {
        return Err(format!(
            "placeholder where the lookup does not try one: {text:?}"
        ));
    }
    if path.contains(['\t', ' ', '?', '#']) {
        return Err(format!("bad path in {text:?}"));
    }
    Ok((host, path.to_owned(), first || last))
}

/// How a name in Matomo's list is reported: lower case, `!` dropped, `%2B` read as `+`.
fn matomo_name(name: &str) -> String {
    name.replace("%2B", "+")
        .replace('!', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn generate(ours: &str, matomo: &str) -> Result<Generated, String> {
    let mut rows: BTreeMap<(String, String), Row> = BTreeMap::new();
    let mut aliases: BTreeMap<String, (String, Option<&'static str>)> = BTreeMap::new();
    let mut names: BTreeMap<String, &'static str> = BTreeMap::new();
    // Where our rows come from: `source` rows declare a key, host rows may name one. Each key is
    // used at least once, and no GPL-licensed list may be one (not even for host names).
    let mut declared: BTreeMap<String, usize> = BTreeMap::new();
    for (number, line) in ours.lines().enumerate() {
        let cells: Vec<&str> = line.split('\t').collect();
        if cells[0] != "source" {
            continue;
        }
        let at = |e: String| format!("ours.tsv:{}: {e}", number + 1);
        let [_, key, licence, origin] = cells[..] else {
            return Err(at("a source has 4 cells".into()));
        };
        if key.is_empty() || key == "exact" || licence.is_empty() || origin.is_empty() {
            return Err(at(
                "a source needs a key (not `exact`), a licence and an origin".into(),
            ));
        }
        if licence.to_ascii_lowercase().contains("gpl") {
            return Err(at(format!("source {key:?} is GPL-licensed: not usable")));
        }
        if declared.insert(key.to_owned(), 0).is_some() {
            return Err(at(format!("source {key:?} twice")));
        }
    }
    let mut with_source = 0;

    for (number, line) in ours.lines().enumerate() {
        let at = |e: String| format!("ours.tsv:{}: {e}", number + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        match cells[0] {
            "source" => {}
            "alias" => {
                let [_, upstream, name, cat] = cells[..] else {
                    return Err(at("an alias has 4 cells".into()));
                };
                let cat = match cat {
                    "-" => None,
                    other => Some(category(other).ok_or_else(|| at(format!("{other:?}")))?),
                };
                if aliases
                    .insert(upstream.to_owned(), (name.to_owned(), cat))
                    .is_some()
                {
                    return Err(at(format!("alias {upstream:?} twice")));
                }
            }
            "name" => {
                let [_, name, cat] = cells[..] else {
                    return Err(at("a name has 3 cells".into()));
                };
                let cat = category(cat).ok_or_else(|| at(format!("category {cat:?}")))?;
                if name != name.trim().to_ascii_lowercase() {
                    return Err(at(format!("names are lower case: {name:?}")));
                }
                if names.insert(name.to_owned(), cat).is_some() {
                    return Err(at(format!("name {name:?} twice")));
                }
            }
            word => {
                let cat = category(word).ok_or_else(|| at(format!("unknown row kind {word:?}")))?;
                let [_, name, host, params, ref more @ ..] = cells[..] else {
                    return Err(at("a host row has at least 4 cells".into()));
                };
                // After the parameters: flags (`exact`, `referrer`, space-separated; the cell may
                // be empty), then a declared source's key; each optional.
                let known = |key: &str| declared.contains_key(key);
                let is_flags = |cell: &str| {
                    let words: Vec<&str> = cell.split(' ').filter(|w| !w.is_empty()).collect();
                    let mut sorted = words.clone();
                    sorted.dedup();
                    sorted.len() == words.len()
                        && words.iter().all(|w| matches!(*w, "exact" | "referrer"))
                };
                let (flags, source) = match *more {
                    [] => ("", None),
                    [key] if known(key) => ("", Some(key)),
                    [flags] if !flags.is_empty() && is_flags(flags) => (flags, None),
                    [flags, key] if is_flags(flags) && known(key) => (flags, Some(key)),
                    _ => {
                        return Err(at(format!(
                            "after the parameters: flags (`exact`, `referrer`), then a declared \
                             source; not {more:?}"
                        )))
                    }
                };
                let exact = flags.split(' ').any(|w| w == "exact");
                // `referrer`: the row names a referrer only, not a `utm_source` (GA4 reads tagged
                // links against its own lists, and the row is not from them).
                let tags = if flags.split(' ').any(|w| w == "referrer") {
                    0
                } else {
                    TAGS
                };
                if let Some(key) = source {
                    if let Some(uses) = declared.get_mut(key) {
                        *uses += 1;
                    }
                    with_source += 1;
                }
                let (host, path, placeholder) = pattern(host).map_err(at)?;
                let row = Row {
                    name: if name == "-" {
                        String::new()
                    } else {
                        name.to_owned()
                    },
                    category: cat,
                    params: params.split_whitespace().map(str::to_owned).collect(),
                    flags: tags | if exact || placeholder { 0 } else { SUB },
                    ours: true,
                };
                if rows.insert((host.clone(), path.clone()), row).is_some() {
                    return Err(at(format!("{host}{path} twice")));
                }
            }
        }
    }

    if let Some((key, _)) = declared.iter().find(|(_, uses)| **uses == 0) {
        return Err(format!(
            "ours.tsv: source {key:?} is declared but no row names it"
        ));
    }

    // Matomo's rows: AI assistants first, then social networks, then search engines, so that a
    // host on two of its lists gets the narrower one (chatgpt.com is on both AI and search).
    let mut upstream: Vec<(usize, [&str; 5])> = Vec::new();
    let mut revision = String::new();
    for (number, line) in matomo.lines().enumerate() {
        if let Some(comment) = line.strip_prefix("# ") {
            let word = comment.split(' ').next().unwrap_or_default();
            if revision.is_empty() && word.len() >= 7 && word.bytes().all(|b| b.is_ascii_hexdigit())
            {
                revision = comment.split(';').next().unwrap_or_default().to_owned();
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let [kind, name, host, params, keywordless] = cells[..] else {
            return Err(format!("matomo.tsv:{}: want 5 cells", number + 1));
        };
        upstream.push((number + 1, [kind, name, host, params, keywordless]));
    }
    let rank = |kind: &str| match kind {
        "ai" => 0,
        "social" => 1,
        _ => 2,
    };
    upstream.sort_by_key(|(number, cells)| (rank(cells[0]), *number));

    let (mut merged, mut duplicates, mut unused) = (0, 0, Vec::new());
    for (number, [kind, name, host, params, keywordless]) in upstream {
        let at = |e: String| format!("matomo.tsv:{number}: {e}");
        let (mut cat, search) = match kind {
            "search" => ("Search", true),
            "social" => ("Social", false),
            "ai" => ("Ai", false),
            other => return Err(at(format!("unknown kind {other:?}"))),
        };
        let (host, path, placeholder) = match pattern(host) {
            Ok(p) => p,
            Err(e) => {
                unused.push(e);
                continue;
            }
        };
        let params: Vec<String> = params.split_whitespace().map(str::to_owned).collect();
        let reported = match aliases.get(name) {
            Some((ours, alias_cat)) => {
                cat = alias_cat.unwrap_or(cat);
                ours.clone()
            }
            None => matomo_name(name),
        };
        match rows.get_mut(&(host.clone(), path.clone())) {
            Some(row) if row.ours => {
                // Ours wins; the engine's term parameters are added to ours.
                for p in params {
                    if !row.params.contains(&p) {
                        row.params.push(p);
                    }
                }
                merged += 1;
            }
            Some(_) => duplicates += 1,
            None => {
                let needs_term = search && keywordless != "yes";
                if needs_term && params.is_empty() {
                    // Neither a term parameter we read nor a keyword-less referrer: it never matches.
                    unused.push(format!("{host}{path}: no term parameter but a pattern"));
                    continue;
                }
                let mut flags = if search || placeholder { 0 } else { SUB };
                if needs_term {
                    flags |= NEEDS_TERM;
                }
                if matches!(cat, "Ai" | "Webmail") {
                    // Our departures from GA4 (webmail is Email, AI assistants are named) hold
                    // for a tagged link's source as for the referrer.
                    flags |= TAGS;
                }
                rows.insert(
                    (host, path),
                    Row {
                        name: reported,
                        category: cat,
                        params,
                        flags,
                        ours: false,
                    },
                );
            }
        }
    }

    // The sources, each (name, category, parameters) once.
    let mut sources: Vec<(String, &str, String)> = Vec::new();
    let mut index: BTreeMap<(String, &str, String), usize> = BTreeMap::new();
    let mut hosts = Vec::new();
    for ((host, path), row) in &rows {
        let key = (row.name.clone(), row.category, row.params.join(" "));
        let i = *index.entry(key.clone()).or_insert_with(|| {
            sources.push(key);
            sources.len() - 1
        });
        hosts.push((host, path, i, row.flags));
    }
    if sources.len() > usize::from(u16::MAX) {
        return Err("too many sources for a u16 index".into());
    }

    let mut text = String::new();
    let w = &mut text;
    let _ = writeln!(
        w,
        "// @generated by `scripts/referrer-tables` (crates/core/tests/referrer_tables.rs) from\n\
         // crates/core/data/ours.tsv and crates/core/data/matomo.tsv (Matomo's\n\
         // searchengine-and-social-list, CC0 1.0, at\n\
         // {revision}).\n\
         // Do not edit: edit the data and run the script.\n\
         //\n\
         // {} host patterns, {} sources, {} utm_source names.\n",
        hosts.len(),
        sources.len(),
        names.len()
    );
    let _ = writeln!(
        w,
        "#![allow(unused_imports)] // data without a category's rows must not break the build\n\n\
         use super::Category::{{self, Ai, Search, Shopping, Social, Video, Webmail}};\n\
         use super::{{Host, NEEDS_TERM, SUB, TAGS}};\n"
    );
    let _ = writeln!(
        w,
        "/// The sources: (name, category, search-term parameters), indexed by [`HOSTS`].\n\
         pub(super) const SOURCES: &[(&str, Category, &str)] = &["
    );
    for (name, cat, params) in &sources {
        let _ = writeln!(w, "    ({name:?}, {cat}, {params:?}),");
    }
    let _ = writeln!(
        w,
        "];\n\n/// Host patterns: (host, path, index into [`SOURCES`], flags), sorted by host, then path.\n\
         pub(super) const HOSTS: &[Host] = &["
    );
    for (host, path, i, flags) in &hosts {
        let mut f = Vec::new();
        for (bit, name) in [(SUB, "SUB"), (TAGS, "TAGS"), (NEEDS_TERM, "NEEDS_TERM")] {
            if flags & bit != 0 {
                f.push(name);
            }
        }
        let f = if f.is_empty() {
            "0".to_owned()
        } else {
            f.join(" | ")
        };
        let _ = writeln!(w, "    ({host:?}, {path:?}, {i}, {f}),");
    }
    let _ = writeln!(
        w,
        "];\n\n/// `utm_source` values that name a known source without being a host, sorted.\n\
         pub(super) const NAMES: &[(&str, Category)] = &["
    );
    for (name, cat) in &names {
        let _ = writeln!(w, "    ({name:?}, {cat}),");
    }
    let _ = writeln!(w, "];");

    let summary = format!(
        "{} host patterns ({} from ours.tsv, {with_source} of them with a named source), {} \
         sources, {} names; {merged} of Matomo's rows merged into ours, {duplicates} duplicates \
         dropped, {} unused: {}",
        hosts.len(),
        rows.values().filter(|r| r.ours).count(),
        sources.len(),
        names.len(),
        unused.len(),
        unused.join("; ")
    );
    Ok(Generated { text, summary })
}

/// The generator's rules, on small inputs: a row that cannot pass must fail.
#[test]
fn generator_merges_aliases_and_flags() {
    let ours = "search\tgoogle\tgoogle.{}\tq\n\
                webmail\tgmail\tmail.google.com\t\n\
                social\t-\tblogspot.com\t\texact\n\
                alias\tYouTube\tyoutube\tvideo\n\
                name\tgoogle\tsearch\n";
    let matomo = "# 0123abc 2026-01-01; note\n\
                  search\tGoogle\tgoogle.{}\tq oq\t\n\
                  search\tGoogle\twww.google.com\tq\tyes\n\
                  search\tBing Images\t{}.bing.com/images/search\tq\t\n\
                  search\tNothing\tnothing.example\t\t\n\
                  search\tMiddle\timages.{}.ask.com\tq\t\n\
                  social\tYouTube\tyoutube.com\t\t\n\
                  social\tGoogle%2B\tplus.google.com\t\t\n\
                  ai\tChat!\tchat.example\t\t\n";
    let out = generate(ours, matomo).unwrap().text;
    // (host pattern and path) -> (its source row, its flags), read back from the text.
    let section = |name: &str| -> Vec<&str> {
        let from = out.find(&format!("const {name}")).unwrap();
        out[from..]
            .lines()
            .skip(1)
            .take_while(|l| *l != "];")
            .map(str::trim)
            .collect()
    };
    let (sources, hosts) = (section("SOURCES"), section("HOSTS"));
    let row = |host: &str, path: &str| -> (String, String) {
        let start = format!("({host:?}, {path:?}, ");
        let line = hosts.iter().find(|l| l.starts_with(&start)).unwrap();
        let rest = line[start.len()..].trim_end_matches("),");
        let (i, flags) = rest.split_once(", ").unwrap();
        (
            sources[i.parse::<usize>().unwrap()].to_owned(),
            flags.to_owned(),
        )
    };
    let want = |host: &str, path: &str, source: &str, flags: &str| {
        assert_eq!(
            row(host, path),
            (source.to_owned(), flags.to_owned()),
            "{host}{path}"
        );
    };
    // Ours wins, with the engine's parameters added; a placeholder row is exact; ours count for tags.
    want("google.{}", "", "(\"google\", Search, \"q oq\"),", "TAGS");
    want(
        "mail.google.com",
        "",
        "(\"gmail\", Webmail, \"\"),",
        "SUB | TAGS",
    );
    want("blogspot.com", "", "(\"\", Social, \"\"),", "TAGS");
    // Matomo's search rows are exact, `www.` dropped, keyword-less where the list says so.
    want("google.com", "", "(\"google\", Search, \"q\"),", "0");
    want(
        "{}.bing.com",
        "/images/search",
        "(\"bing images\", Search, \"q\"),",
        "NEEDS_TERM",
    );
    // Social and AI rows cover subdomains; aliases rename and recategorise; AI counts for tags.
    want("youtube.com", "", "(\"youtube\", Video, \"\"),", "SUB");
    want("plus.google.com", "", "(\"google+\", Social, \"\"),", "SUB");
    want("chat.example", "", "(\"chat\", Ai, \"\"),", "SUB | TAGS");
    assert!(out.contains("(\"google\", Search),"), "{out}");
    assert!(out.contains("0123abc 2026-01-01"), "{out}");
    // Unusable rows are left out: no term parameter and no keyword-less flag, a middle placeholder.
    assert!(
        !out.contains("nothing.example") && !out.contains("ask.com"),
        "{out}"
    );
    // Bad data is an error, not a silent skip.
    assert!(generate("search\tx\tnot a host\t\n", "").is_err());
    assert!(generate("video\tx\t{}.x.{}\t\n", "").is_err());
    assert!(generate("alias\tA\ta\tnope\n", "").is_err());
    assert!(generate("name\tGoogle\tsearch\n", "").is_err());
    assert!(generate("search\ta\ta.com\t\nsearch\tb\ta.com\t\n", "").is_err());
    assert!(generate("", "search\tA\ta.com\tq\n").is_err());
    // Sources: declared once, not GPL, used, named after the parameters (after `exact`).
    let src = "source\tk\tMIT\thttps://example.org/list\n";
    assert!(generate(&format!("{src}webmail\tx\tx.example\t\tk\n"), "").is_ok());
    assert!(generate(&format!("{src}webmail\tx\tx.example\t\t\tk\n"), "").is_ok());
    assert!(generate(&format!("{src}webmail\tx\tx.example\t\texact\tk\n"), "").is_ok());
    assert!(generate(&format!("{src}webmail\tx\tx.example\t\tk\texact\n"), "").is_err());
    assert!(generate(&format!("{src}webmail\tx\tx.example\t\tother\n"), "").is_err());
    assert!(generate(&format!("{src}webmail\tx\tx.example\t\n"), "").is_err());
    assert!(generate(&format!("{src}{src}webmail\tx\tx.example\t\tk\n"), "").is_err());
    let flags = format!(
        "{src}search\tx\tx.example\t\texact referrer\tk\nsearch\ty\ty.example\t\treferrer\n"
    );
    let out = generate(&flags, "").unwrap().text;
    assert!(out.contains("(\"x.example\", \"\", 0, 0),"), "{out}");
    assert!(out.contains("(\"y.example\", \"\", 1, SUB),"), "{out}");
    assert!(generate(
        &format!("{src}webmail\tx\tx.example\t\texact exact\tk\n"),
        ""
    )
    .is_err());
    assert!(generate(&format!("{src}webmail\tx\tx.example\t\tloose\tk\n"), "").is_err());
    let gpl = "source\tk\tGPL-3.0\thttps://example.org/list\nwebmail\tx\tx.example\t\tk\n";
    assert!(generate(gpl, "").is_err());
    assert!(generate("source\tk\tMIT\n", "").is_err());
}
