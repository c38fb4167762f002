//! The layers of `src/` import downwards only (README, "Layers"). Every `crate::…` path
//! in a room's files names the room it reaches; a room may reach only the rooms its row
//! allows. A new arrow that runs up fails here, naming the file and the path.

use std::{collections::BTreeSet, fs, path::Path};

/// Each room of `src/` and the rooms it may import from. Startup (`main.rs` with the
/// binary's `cli/`, and `lib.rs`) may import anything and is not listed.
const ALLOWED: &[(&str, &[&str])] = &[
    ("server", &["config", "store", "domain"]),
    (
        "web",
        &[
            "app", "server", "platform", "shop", "live", "store", "domain", "i18n", "mail",
            "config",
        ],
    ),
    (
        "jobs",
        &[
            "app", "platform", "shop", "live", "store", "domain", "i18n", "mail", "config",
        ],
    ),
    (
        "app",
        &[
            "platform", "shop", "live", "store", "domain", "i18n", "mail", "config",
        ],
    ),
    ("platform", &["domain", "i18n", "config"]),
    ("shop", &["domain", "i18n", "config"]),
    ("live", &["store", "domain", "config"]),
    ("store", &["domain", "i18n", "mail", "config"]),
    ("mail", &["domain", "config"]),
    ("i18n", &["domain"]),
    ("config", &["domain"]),
    ("domain", &[]),
];

#[test]
fn every_room_imports_only_the_rooms_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    let mut rooms_seen = BTreeSet::new();
    for file in rust_files(&src) {
        let rel = file.strip_prefix(&src).unwrap_or(&file);
        let room = room_of(rel);
        if ["main", "cli", "lib"].contains(&room.as_str()) {
            continue;
        }
        rooms_seen.insert(room.clone());
        let Some((_, allowed)) = ALLOWED.iter().find(|(r, _)| *r == room) else {
            wrong.push(format!(
                "{}: room `{room}` has no row in ALLOWED",
                rel.display()
            ));
            continue;
        };
        let text = fs::read_to_string(&file).unwrap_or_default();
        for target in crate_paths(&code_only(&text)) {
            if target != room && !allowed.contains(&target.as_str()) {
                wrong.push(format!(
                    "{}: `{room}` imports `crate::{target}`",
                    rel.display()
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "imports that run up the layers:\n{}",
        wrong.join("\n")
    );
    for (room, _) in ALLOWED {
        assert!(
            rooms_seen.contains(*room),
            "no room `{room}` in src/ any more"
        );
    }
}

#[test]
fn the_checker_sees_an_upward_import() {
    let text = "use crate::{\n    domain::Step,\n    web::{AppState, routes::Routes},\n};\nfn f() { crate::app::x(); }";
    assert_eq!(crate_paths(text), ["app", "domain", "web"]);
    assert_eq!(
        crate_paths("// crate::web::x\nlet s = \"crate::web\";"),
        Vec::<String>::new()
    );
}

/// `src/web/pages/x.rs` and `src/web.rs` are room `web`; `src/lib.rs` is `lib`.
fn room_of(rel: &Path) -> String {
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_owned()
}

fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The text without comments and string literals, so a `crate::` in a doc comment or a
/// message is not an import.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
                out.push_str("\"\"");
            }
            // A char literal ('"', '\\'), not a lifetime ('a).
            '\'' => {
                let mut ahead = chars.clone();
                match (ahead.next(), ahead.next()) {
                    (Some('\\'), _) => {
                        chars.next();
                        chars.next();
                        for c in chars.by_ref() {
                            if c == '\'' {
                                break;
                            }
                        }
                    }
                    (Some(_), Some('\'')) => {
                        chars.next();
                        chars.next();
                    }
                    _ => out.push(c),
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The rooms named by `crate::room…` paths and by the top level of `use crate::{…}`
/// trees, sorted and without repeats.
fn crate_paths(code: &str) -> Vec<String> {
    let code = code_only(code);
    let mut rooms = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(tree) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut word = String::new();
            let mut at_start = true;
            for c in tree.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => at_start = true,
                    c if depth == 0 && at_start && (c.is_alphanumeric() || c == '_') => {
                        word.push(c)
                    }
                    _ if depth == 0 && at_start && !word.is_empty() => {
                        rooms.insert(std::mem::take(&mut word));
                        at_start = false;
                    }
                    _ => {}
                }
            }
            if !word.is_empty() {
                rooms.insert(word);
            }
        } else {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !word.is_empty() {
                rooms.insert(word);
            }
        }
    }
    rooms.remove("self");
    rooms.into_iter().collect()
}
