//! The source's shape, kept true by a test: the pure core does not depend on drawing or
//! on the shell, drawing keeps no hidden state, and no module reaches itself again
//! through any chain of imports (a circle of any length). Module references are read
//! from the source text (`use` trees and inline `crate::`/`super::` paths, unit tests
//! left out). A child naming its parent counts as an edge; a parent using what lies
//! below it (a `mod.rs` using its own children) does not, as Rust modules do.

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

/// Whether `at` starts a path segment (no identifier character or `::` just before).
fn starts_segment(bytes: &[u8], at: usize) -> bool {
    at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || matches!(bytes[at - 1], b'_' | b':'))
}

/// A path written from the file's own module (`phones::SPEC`, `use data::X`) made
/// explicit (`self::phones::SPEC`); other paths are kept as they are.
fn explicit(path: String, children: &[String]) -> String {
    let first = path.split("::").next().unwrap_or_default();
    if children.iter().any(|c| c == first) {
        format!("self::{path}")
    } else {
        path
    }
}

/// What a file's code refers to, and what it re-exports. `use` trees and inline
/// `crate::`/`super::`/`self::` paths, plus paths into the module's own children
/// (`children`). A `pub use` of a child's item is a re-export, an alias rather than a
/// use: it is returned apart, as (item name, path).
fn referenced_paths(text: &str, children: &[String]) -> (Vec<String>, Vec<(String, String)>) {
    let code = code(text);
    let mut paths = Vec::new();
    let mut reexports = Vec::new();
    for statement in code.split(';') {
        let statement = statement.trim();
        let public_body = ["pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|prefix| statement.strip_prefix(prefix));
        let (public, body) = match public_body {
            Some(body) => (true, Some(body)),
            None => (false, statement.strip_prefix("use ")),
        };
        for path in body
            .map(|b| expand(&b.split_whitespace().collect::<String>()))
            .unwrap_or_default()
        {
            let path = explicit(path, children);
            if public && path.starts_with("self::") {
                let item = path.rsplit("::").next().unwrap_or_default().to_string();
                reexports.push((item, path));
            } else {
                paths.push(path);
            }
        }
    }
    let bytes = code.as_bytes();
    let starts: Vec<String> = ["crate", "super", "self"]
        .iter()
        .map(|s| s.to_string())
        .chain(children.iter().cloned())
        .map(|s| format!("{s}::"))
        .collect();
    for start in &starts {
        let mut from = 0;
        while let Some(at) = code[from..].find(start.as_str()) {
            let at = from + at;
            let end = code[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            if starts_segment(bytes, at) && !in_use_statement(&code, at) {
                paths.push(explicit(code[at..end].to_string(), children));
            }
            from = end.max(at + start.len());
        }
    }
    (paths, reexports)
}

/// Whether the text at `at` is inside a `use` statement (already read as a tree).
fn in_use_statement(code: &str, at: usize) -> bool {
    let start = code[..at].rfind(';').map_or(0, |i| i + 1);
    let before = code[start..at].trim_start();
    ["use ", "pub use ", "pub(crate) use ", "pub(super) use "]
        .iter()
        .any(|prefix| before.starts_with(prefix))
}

/// Items a module re-exports from below it: (module, item) -> the path it aliases.
type Reexports = BTreeMap<(Module, String), String>;

/// The module a path names: the longest prefix that is a module of the crate, followed
/// through a re-export to the module that defines the item.
fn resolve(
    path: &str,
    from: &Module,
    modules: &BTreeSet<Module>,
    reexports: &Reexports,
) -> Option<Module> {
    let mut segments = path.split("::").filter(|s| !s.is_empty());
    let mut target: Module = match segments.next()? {
        "crate" => Vec::new(),
        "super" => from[..from.len().saturating_sub(1)].to_vec(),
        "self" => from.clone(),
        _ => return None,
    };
    let mut found = (!target.is_empty()).then(|| target.clone());
    for segment in segments {
        if segment == "super" {
            target.pop();
            found = Some(target.clone());
            continue;
        }
        let mut child = target.clone();
        child.push(segment.to_string());
        if !modules.contains(&child)
            && let Some(aliased) = reexports.get(&(target.clone(), segment.to_string()))
        {
            return resolve(aliased, &target, modules, reexports).or(found);
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

fn children_of(module: &Module, modules: &BTreeSet<Module>) -> Vec<String> {
    modules
        .iter()
        .filter(|m| m.len() == module.len() + 1 && m[..module.len()] == module[..])
        .filter_map(|m| m.last().cloned())
        .collect()
}

/// Which modules each module refers to. A parent's re-export of a child's item is not
/// a use; a path through it counts as naming the child that defines the item.
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|f| module_of(f)).collect();
    let mut read = Vec::new();
    let mut reexports = Reexports::new();
    for file in &files {
        let from = module_of(file);
        let text = std::fs::read_to_string(file).expect("readable");
        let (paths, aliases) = referenced_paths(&text, &children_of(&from, &modules));
        for (item, path) in aliases {
            reexports.insert((from.clone(), item), path);
        }
        read.push((from, paths));
    }
    let mut graph = BTreeMap::new();
    for (from, paths) in read {
        let targets: BTreeSet<Module> = paths
            .iter()
            .filter_map(|p| resolve(p, &from, &modules, &reexports))
            .filter(|to| *to != from)
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

/// The strongly connected components with more than one module: each is a set of
/// modules every one of which reaches every other through imports.
fn circles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<BTreeSet<Module>> {
    let reach = |start: &Module| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.clone()];
        while let Some(at) = stack.pop() {
            for next in graph.get(&at).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&Module, BTreeSet<Module>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    let mut found: Vec<BTreeSet<Module>> = Vec::new();
    for (module, reached) in &reaches {
        if !reached.contains(*module) || found.iter().any(|c| c.contains(*module)) {
            continue;
        }
        let component: BTreeSet<Module> = reached
            .iter()
            .filter(|other| {
                reaches
                    .get(other)
                    .is_some_and(|back| back.contains(*module))
            })
            .cloned()
            .collect();
        found.push(component);
    }
    found
}

fn edges(pairs: &[(&str, &str)]) -> BTreeMap<Module, BTreeSet<Module>> {
    let module = |path: &str| path.split("::").map(String::from).collect::<Module>();
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (from, to) in pairs {
        graph.entry(module(to)).or_default();
        graph.entry(module(from)).or_default().insert(module(to));
    }
    graph
}

#[test]
fn no_module_reaches_itself_through_imports() {
    let found: Vec<String> = circles(&graph())
        .iter()
        .map(|c| {
            c.iter()
                .map(|m| m.join("::"))
                .collect::<Vec<_>>()
                .join(" ~ ")
        })
        .collect();
    if std::env::var("ARCH_EDGES").is_ok() {
        for (from, to) in graph() {
            for t in to {
                eprintln!("EDGE {} -> {}", from.join("::"), t.join("::"));
            }
        }
    }
    assert!(found.is_empty(), "import circles: {found:#?}");
}

#[test]
fn the_checker_finds_a_circle_of_any_length_and_only_circles() {
    let long = edges(&[
        ("app::a", "app::b"),
        ("app::b", "app::c"),
        ("app::c", "app::d"),
        ("app::d", "app::a"),
        ("app::d", "api"),
    ]);
    let found = circles(&long);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].len(),
        4,
        "the four modules of the circle, api outside it"
    );
    let chain = edges(&[
        ("app::a", "app::b"),
        ("app::b", "app::c"),
        ("app", "app::a"),
    ]);
    assert!(circles(&chain).is_empty(), "a chain is not a circle");
}

#[test]
fn the_reader_finds_references_in_use_trees_and_inline_paths() {
    let text = "use super::{clock::Clock, rows::{PhoneRow, JobRow}};\nuse crate::api::Service; // crate::ui::x in a comment\nfn f() { crate::sanitize::sanitize(\"\"); }";
    let (paths, _) = referenced_paths(text, &[]);
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
        resolve("super::clock::Clock", &from, &modules, &Reexports::new()),
        Some(vec!["app".into(), "clock".into()])
    );
}

#[test]
fn a_parent_using_a_child_is_an_edge_and_its_reexport_is_an_alias() {
    let text =
        "pub mod phones;\npub use phones::PhoneRow;\nuse data::Panes;\nfn spec() { phones::SPEC }";
    let children = ["phones".to_string(), "data".to_string()];
    let (paths, aliases) = referenced_paths(text, &children);
    assert!(
        paths.contains(&"self::phones::SPEC".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"self::data::Panes".to_string()),
        "{paths:?}"
    );
    assert!(
        !paths.contains(&"self::phones::PhoneRow".to_string()),
        "{paths:?}"
    );
    assert_eq!(
        aliases,
        vec![("PhoneRow".to_string(), "self::phones::PhoneRow".to_string())]
    );

    let pane = vec!["app".to_string(), "pane".to_string()];
    let phones = vec!["app".to_string(), "pane".to_string(), "phones".to_string()];
    let modules: BTreeSet<Module> = [vec!["app".to_string()], pane.clone(), phones.clone()].into();
    let reexports: Reexports = [(
        (pane.clone(), "PhoneRow".to_string()),
        "self::phones::PhoneRow".to_string(),
    )]
    .into();
    let from = vec!["app".to_string(), "state".to_string()];
    assert_eq!(
        resolve("crate::app::pane::PhoneRow", &from, &modules, &reexports),
        Some(phones),
        "a path through a re-export names the defining child"
    );
    assert_eq!(
        resolve("crate::app::pane::Pane", &from, &modules, &reexports),
        Some(pane)
    );
}
