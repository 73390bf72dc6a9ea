//! The core's top-level modules import one another without a cycle: a module can be read, tested
//! and moved knowing only the modules below it. The test reads `src/**/*.rs`, takes every
//! `crate::<module>` path in code (comments, strings and test modules left out), and fails on
//! the first cycle it finds, naming it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Whether a raw string (`r"`, `r#"`, `br"`) starts at `chars[i]`, the `r`.
fn raw_string_starts(chars: &[char], i: usize) -> bool {
    let before = |k: usize| i.checked_sub(k).and_then(|j| chars.get(j)).copied();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let prefix_ok = !word(before(1)) || (before(1) == Some('b') && !word(before(2)));
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    prefix_ok && chars.get(j) == Some(&'"')
}

/// Code without comments, and with every string and character literal emptied.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && raw_string_starts(&chars, i) {
            // A raw string: r"...", r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A character literal ('a', '\n', '\u{1}'), or a lifetime ('a).
            if at(i + 1) == '\\' {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if at(i + 2) == '\'' {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `code` without its test modules (`#[cfg(test)] mod name { ... }`, or any `cfg` naming `test`).
fn without_tests(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(start) = rest.find("#[cfg(") {
        let attr_end = match rest[start..].find(")]") {
            Some(e) => start + e + 2,
            None => break,
        };
        let attr = &rest[start..attr_end];
        let after = rest[attr_end..].trim_start();
        let is_test = attr
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w == "test");
        if is_test && after.starts_with("mod ") {
            out.push_str(&rest[..start]);
            let body_start = attr_end + (rest[attr_end..].len() - after.len());
            // `mod name;` (a file of its own, skipped by name) or `mod name { ... }`.
            let semi = after.find(';');
            let brace = after.find('{');
            match (semi, brace) {
                (Some(s), Some(b)) if s < b => {
                    rest = &rest[body_start + s + 1..];
                }
                (Some(s), None) => rest = &rest[body_start + s + 1..],
                (_, Some(b)) => {
                    let mut depth = 0;
                    let mut end = after.len();
                    for (k, ch) in after[b..].char_indices() {
                        match ch {
                            '{' => depth += 1,
                            '}' => {
                                depth -= 1;
                                if depth == 0 {
                                    end = b + k + 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    rest = &rest[body_start + end..];
                }
                (None, None) => break,
            }
        } else {
            out.push_str(&rest[..attr_end]);
            rest = &rest[attr_end..];
        }
    }
    out.push_str(rest);
    out
}

/// The top-level modules `code` names with `crate::<module>` or `crate::{<module>, ...}`.
fn uses(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = BTreeSet::new();
    for (k, _) in code.match_indices("crate::") {
        if code[..k].ends_with('$') {
            continue;
        }
        let after = &code[k + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // The first segment of each path at the group's top level.
            let mut depth = 0;
            let mut start = true;
            for (j, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        start = false;
                        found.insert(ident(&group[j..]));
                    }
                    _ => {}
                }
            }
        } else {
            found.insert(ident(after));
        }
    }
    found.retain(|m| modules.contains(m));
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every top-level module's imports of the others, read from the sources under `src`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    let modules: BTreeSet<String> = code_only(&lib)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            Some(
                l.strip_prefix("mod ")?
                    .trim_end_matches(';')
                    .trim()
                    .to_owned(),
            )
        })
        .filter(|m| m != "prelude")
        .collect();
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for file in files {
        let relative = file.strip_prefix(src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        let is_test = file.file_stem().is_some_and(|s| s == "tests");
        if !modules.contains(&top) || is_test {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let code = without_tests(&code_only(&text));
        for used in uses(&code, &modules) {
            if used != top {
                edges.get_mut(&top).unwrap().insert(used);
            }
        }
    }
    edges
}

/// A cycle in the graph, as the modules along it, if there is one.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut c = path[i..].to_vec();
            c.push(m.to_owned());
            return Some(c);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_owned());
        for next in edges.get(m).into_iter().flatten() {
            if let Some(c) = visit(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for m in edges.keys() {
        if let Some(c) = visit(m, edges, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_core_has_no_import_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    assert!(edges.len() > 10, "modules read from lib.rs: {edges:?}");
    if let Some(c) = cycle(&edges) {
        panic!(
            "import cycle between the core's modules: {}",
            c.join(" -> ")
        );
    }
}

/// The reader sees what it must and nothing else: paths in code, groups, not comments, strings
/// or test modules; and a cycle is found.
#[test]
fn the_reader_and_the_check_can_fail() {
    let modules: BTreeSet<String> = ["call", "telephony", "phone", "config"]
        .map(str::to_owned)
        .into();
    let code = r##"
        //! Uses [`crate::config`] in a comment.
        use crate::{phone::E164, telephony::{self, Provider}};
        /* crate::config */
        fn f() -> crate::call::CallRecord { let s = "crate::config"; let r = r#"crate::config"#; let c = '"'; todo!() }
        #[cfg(test)]
        mod tests { use crate::config::SiteConfig; fn g() { let x = "}"; } }
        fn h<'a>(x: &'a str) {}
    "##;
    let got = uses(&without_tests(&code_only(code)), &modules);
    let want: BTreeSet<String> = ["call", "phone", "telephony"].map(str::to_owned).into();
    assert_eq!(got, want);

    let edges = |pairs: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in pairs {
            g.entry((*a).to_owned())
                .or_default()
                .insert((*b).to_owned());
            g.entry((*b).to_owned()).or_default();
        }
        g
    };
    // (edges, cycle found)
    type Row<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>);
    let table: [Row<'_>; 3] = [
        (&[("a", "b"), ("b", "c"), ("a", "c")], None),
        (
            &[("a", "b"), ("b", "c"), ("c", "a")],
            Some("a -> b -> c -> a"),
        ),
        (&[("x", "y"), ("y", "y")], Some("y -> y")),
    ];
    for (pairs, want) in table {
        assert_eq!(
            cycle(&edges(pairs)).map(|c| c.join(" -> ")).as_deref(),
            want,
            "{pairs:?}"
        );
    }
}
