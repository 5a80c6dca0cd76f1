//! The files of `src/core/mapping` and `src/core/wfm` read bottom-up: base types sit below
//! the behaviour that uses them, so no file reaches a file that reaches it back. A file
//! reaches another through a path: `super::file::..`, `crate::core::<module>::file::..`, or
//! a name the module's `mod.rs` re-exports from that file. Methods defined in one file on a
//! type of another (`impl PresenceState` in `undo.rs`) are not paths and are not counted.
//! Test files (`*_tests.rs`, `*proptests.rs`, `tests/`, inline `mod tests`) are left out:
//! they may see everything.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The names `mod.rs` re-exports (`pub use file::{A, B};`), each with the file it comes from.
fn re_exports(mod_rs: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let text = strip_comments(mod_rs);
    for stmt in text.split(';') {
        let stmt = stmt.trim();
        let Some(rest) = ["pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|p| stmt.strip_prefix(p))
        else {
            continue;
        };
        let Some((file, names)) = rest.split_once("::") else {
            continue;
        };
        for name in names.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !name.is_empty() {
                out.insert(name.to_string(), file.trim().to_string());
            }
        }
    }
    out
}

/// Whole-line comments out (doc links are not imports); the inline test module cut off.
fn strip_comments(src: &str) -> String {
    let mut out = String::new();
    let mut lines = src.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            // Everything from a test module on is test code (they sit at the end of a file).
            if lines.peek().is_some_and(|next| {
                let n = next.trim_start();
                n.starts_with("mod ") || n.starts_with("#[path")
            }) {
                break;
            }
        }
        if !t.starts_with("//") {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The first segment of every path in `group` (`a::X`, `{b::Y, c}` -> a, b, c).
fn heads(group: &str) -> Vec<String> {
    let inner = group.trim().strip_prefix('{').unwrap_or(group.trim());
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut at_start = true;
    let mut word = String::new();
    for c in inner.chars() {
        if c.is_alphanumeric() || c == '_' {
            if at_start {
                word.push(c);
            }
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
            at_start = false;
        }
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => at_start = true,
            _ => {}
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The text after `prefix` up to the end of the path: an identifier, or a brace group.
fn path_after(text: &str) -> &str {
    if text.starts_with('{') {
        let mut depth = 0usize;
        for (i, c) in text.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return &text[..=i];
                    }
                }
                _ => {}
            }
        }
        return text;
    }
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// Which sibling files each file reaches. `files` are (file stem, source) without `mod.rs`.
fn graph(module: &str, mod_rs: &str, files: &[(String, String)]) -> Graph {
    let names: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let exported = re_exports(mod_rs);
    let crate_prefix = format!("crate::core::{module}::");
    let mut g = Graph::new();
    for (name, src) in files {
        let text = strip_comments(src);
        let mut deps = BTreeSet::new();
        for prefix in ["super::", crate_prefix.as_str()] {
            for (i, _) in text.match_indices(prefix) {
                // `super::super::` (a nested module) and `crate::core::mapping::` seen
                // through `super::` are not this file's siblings.
                if prefix == "super::" && text[..i].ends_with("super::") {
                    continue;
                }
                for head in heads(path_after(&text[i + prefix.len()..])) {
                    let target = if names.contains(head.as_str()) {
                        Some(head)
                    } else {
                        exported.get(&head).cloned()
                    };
                    if let Some(t) = target.filter(|t| t != name) {
                        deps.insert(t);
                    }
                }
            }
        }
        g.insert(name.clone(), deps);
    }
    g
}

/// One cycle (`a -> b -> a`), if there is any.
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        g: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(pos) = path.iter().position(|p| p == n) {
            let mut cycle = path[pos..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for n in g.keys() {
        if let Some(c) = visit(n, g, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

fn is_test_file(stem: &str) -> bool {
    stem.ends_with("_tests") || stem.ends_with("proptests")
}

fn module_graph(module: &str) -> Graph {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/core")
        .join(module);
    let mod_rs = fs::read_to_string(dir.join("mod.rs")).expect("mod.rs");
    let mut files = Vec::new();
    for entry in fs::read_dir(&dir).expect("module folder") {
        let path = entry.expect("entry").path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && stem != "mod" && !is_test_file(stem) {
            files.push((stem.to_string(), fs::read_to_string(&path).expect("source")));
        }
    }
    assert!(files.len() > 3, "{module}: expected its files in {dir:?}");
    graph(module, &mod_rs, &files)
}

fn assert_no_cycle(module: &str) {
    let g = module_graph(module);
    if let Some(cycle) = find_cycle(&g) {
        panic!(
            "src/core/{module} has an import cycle: {}. Move the type both need into a file \
             below both (a model, settings or types file), so the files read bottom-up.",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn mapping_files_import_no_cycle() {
    assert_no_cycle("mapping");
}

#[test]
fn wfm_files_import_no_cycle() {
    assert_no_cycle("wfm");
}

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, s)| ((*n).to_string(), (*s).to_string()))
        .collect()
}

#[test]
fn every_kind_of_path_is_an_edge() {
    let mod_rs = "mod a;\npub use b::{Bee, Bop};\npub(crate) use c::Sea;\n";
    let g = graph(
        "m",
        mod_rs,
        &files(&[
            ("a", "use super::b::X;\nfn f(s: &super::c::Y) {}\n"),
            ("b", "use super::{Sea, d::Z};\n"),
            ("c", "use crate::core::m::Bee;\n"),
            ("d", "use super::{\n    a::Q,\n    e::{R, S},\n};\n"),
            (
                "e",
                "// use super::a::X; only a comment\n/// [`super::Bop`]\n",
            ),
        ]),
    );
    let deps = |n: &str| g[n].iter().cloned().collect::<Vec<_>>();
    assert_eq!(deps("a"), ["b", "c"]);
    assert_eq!(deps("b"), ["c", "d"]);
    assert_eq!(deps("c"), ["b"]);
    assert_eq!(deps("d"), ["a", "e"]);
    assert!(deps("e").is_empty());
}

#[test]
fn a_cycle_is_found_and_named() {
    let g = graph(
        "m",
        "pub use settings::Settings;\n",
        &files(&[
            ("model", "use super::Settings;\n"),
            ("settings", "use super::retention::Bounds;\n"),
            ("retention", "use super::model::Model;\n"),
            ("status", "use super::model::Model;\n"),
        ]),
    );
    let cycle = find_cycle(&g).expect("a cycle");
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 4, "{cycle:?}");
    for f in ["model", "settings", "retention"] {
        assert!(cycle.iter().any(|c| c == f), "{cycle:?}");
    }
}

#[test]
fn test_modules_are_left_out() {
    let g = graph(
        "m",
        "",
        &files(&[
            (
                "a",
                "use super::b::X;\n#[cfg(test)]\nmod tests {\n    use super::super::c::Y;\n    use super::*;\n}\n",
            ),
            ("b", "\n#[cfg(test)]\n#[path = \"b_tests.rs\"]\nmod tests;\n"),
            ("c", "use super::a::Z;\n"),
        ]),
    );
    assert_eq!(find_cycle(&g), None);
    assert!(is_test_file("cadence_tests") && is_test_file("undo_proptests"));
}
