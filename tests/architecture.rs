//! The source's shape, kept true by a test: the pure core does not depend on drawing or
//! on the shell, drawing keeps no hidden state, and no module imports one that imports
//! it back. Module references are read from the source text (`use` trees and inline
//! `crate::`/`super::` paths, unit tests left out); a parent module and its own children
//! may refer to each other, as Rust modules do.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module: its path from the crate root (`["app", "update"]`).
type Module = Vec<String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(file: &Path) -> Module {
    let relative = file.strip_prefix(src()).expect("under src");
    let mut parts: Module = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The source without comments (line and doc comments; no block comments are used)
/// and without its unit tests (`#[cfg(test)]` modules, at the end of a file), which may
/// use any module.
fn code(text: &str) -> String {
    let text = text.split("\n#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.to_string()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(p.trim()))
        .map(|p| format!("{prefix}{p}"))
        .collect()
}

/// Every `crate::` or `super::` path a file names.
fn referenced_paths(text: &str) -> Vec<String> {
    let code = code(text);
    let mut paths = Vec::new();
    for statement in code.split(';') {
        let statement = statement.trim();
        let body = statement
            .strip_prefix("pub use ")
            .or_else(|| statement.strip_prefix("use "));
        if let Some(body) = body {
            paths.extend(expand(&body.split_whitespace().collect::<String>()));
        }
    }
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(start) {
            let at = from + at;
            let boundary =
                at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
            let end = code[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            if boundary {
                paths.push(code[at..end].to_string());
            }
            from = end.max(at + start.len());
        }
    }
    paths
}

/// The module a path names (the longest prefix that is a module of the crate).
fn resolve(path: &str, from: &Module, modules: &BTreeSet<Module>) -> Option<Module> {
    let mut segments = path.split("::").filter(|s| !s.is_empty());
    let mut target: Module = match segments.next()? {
        "crate" => Vec::new(),
        "super" => from[..from.len().saturating_sub(1)].to_vec(),
        _ => return None,
    };
    let mut found = None;
    for segment in segments {
        if segment == "super" {
            target.pop();
            continue;
        }
        target.push(segment.to_string());
        if modules.contains(&target) {
            found = Some(target.clone());
        } else {
            break;
        }
    }
    found
}

fn is_ancestor(a: &Module, b: &Module) -> bool {
    a.len() < b.len() && b[..a.len()] == a[..]
}

/// Which modules each module refers to, parents and children left out.
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|f| module_of(f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let from = module_of(file);
        let text = std::fs::read_to_string(file).expect("readable");
        let targets: BTreeSet<Module> = referenced_paths(&text)
            .iter()
            .filter_map(|p| resolve(p, &from, &modules))
            .filter(|to| *to != from && !is_ancestor(to, &from) && !is_ancestor(&from, to))
            .collect();
        graph.insert(from, targets);
    }
    graph
}

#[test]
fn the_core_does_not_depend_on_drawing_or_the_shell() {
    let offenders: Vec<String> = graph()
        .into_iter()
        .filter(|(from, _)| from.first().is_some_and(|m| m == "app"))
        .flat_map(|(from, targets)| {
            targets
                .into_iter()
                .filter(|to| matches!(to.first().map(String::as_str), Some("ui" | "dashboard")))
                .map(move |to| format!("{} -> {}", from.join("::"), to.join("::")))
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "app/ imports ui/ or dashboard/: {offenders:?}"
    );
}

#[test]
fn drawing_keeps_no_hidden_state() {
    let mut files = Vec::new();
    rust_files(&src().join("ui"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        assert!(
            !code(&text).contains("thread_local!"),
            "{} keeps state in a thread-local; pass it down explicitly",
            file.display()
        );
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = graph();
    let mut circles = Vec::new();
    for (from, targets) in &graph {
        for to in targets {
            if from < to && graph.get(to).is_some_and(|back| back.contains(from)) {
                circles.push(format!("{} <-> {}", from.join("::"), to.join("::")));
            }
        }
    }
    assert!(circles.is_empty(), "import circles: {circles:#?}");
}

#[test]
fn the_reader_finds_references_in_use_trees_and_inline_paths() {
    let text = "use super::{clock::Clock, rows::{PhoneRow, JobRow}};\nuse crate::api::Service; // crate::ui::x in a comment\nfn f() { crate::sanitize::sanitize(\"\"); }";
    let paths = referenced_paths(text);
    for expected in [
        "super::clock::Clock",
        "super::rows::PhoneRow",
        "crate::api::Service",
        "crate::sanitize::sanitize",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} in {paths:?}"
        );
    }
    assert!(
        !paths.iter().any(|p| p.starts_with("crate::ui")),
        "comments are skipped"
    );
    let modules: BTreeSet<Module> =
        [vec!["app".to_string()], vec!["app".into(), "clock".into()]].into();
    let from = vec!["app".to_string(), "update".to_string()];
    assert_eq!(
        resolve("super::clock::Clock", &from, &modules),
        Some(vec!["app".into(), "clock".into()])
    );
}
