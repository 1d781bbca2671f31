//! The repository explains itself: every rule ID the code, tests, website or docs cite is
//! defined in docs/rules.md, and every `docs/...` page they name exists.

use deploy_checks::repo_root;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const SKIP: &[&str] = &["target", "node_modules", ".git", ".venv", "screenshots"];
const TEXT: &[&str] = &[
    "rs", "js", "css", "html", "yaml", "md", "toml", "txt", "sh", "mk", "py",
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if !SKIP.contains(&name.as_str()) {
                files(&p, out);
            }
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| TEXT.contains(&x))
            || name == "Makefile"
        {
            out.push(p);
        }
    }
}

/// `R-WORD-N` tokens in `text`.
fn rule_ids(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < b.len() {
        if b[i] == b'R' && b[i + 1] == b'-' && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let mut j = i + 2;
            while j < b.len() && b[j].is_ascii_uppercase() {
                j += 1;
            }
            if j > i + 2 && j < b.len() && b[j] == b'-' {
                let mut k = j + 1;
                while k < b.len() && b[k].is_ascii_digit() {
                    k += 1;
                }
                if k > j + 1 {
                    out.push(text[i..k].to_owned());
                    i = k;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

/// `docs/<name>.md` references in `text`.
fn doc_refs(text: &str) -> Vec<String> {
    text.match_indices("docs/")
        .filter_map(|(i, _)| {
            let rest = &text[i..];
            let end = rest.find(".md")? + 3;
            let name = &rest[..end];
            name[5..end - 3]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c == '_')
                .then(|| name.to_owned())
        })
        .collect()
}

/// What the repository's text files cite (as `cited` finds it) and `exists` does not know,
/// each with the file that cites it.
fn cited_but_missing(
    root: &Path,
    cited: fn(&str) -> Vec<String>,
    exists: impl Fn(&str) -> bool,
) -> BTreeSet<String> {
    let mut all = Vec::new();
    files(root, &mut all);
    let mut missing = BTreeSet::new();
    for f in &all {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for c in cited(&text) {
            if !exists(&c) {
                missing.insert(format!(
                    "{c} (in {})",
                    f.strip_prefix(root).unwrap().display()
                ));
            }
        }
    }
    missing
}

#[test]
fn every_rule_id_cited_is_defined_in_docs_rules() {
    let root = repo_root();
    let rules = std::fs::read_to_string(root.join("docs/rules.md")).unwrap();
    let defined: BTreeSet<String> = rules
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .flat_map(rule_ids)
        .collect();
    assert!(
        defined.len() >= 48,
        "docs/rules.md defines {} rules",
        defined.len()
    );
    let missing = cited_but_missing(&root, rule_ids, |id| defined.contains(id));
    assert!(
        missing.is_empty(),
        "cited but not defined in docs/rules.md: {missing:?}"
    );
}

#[test]
fn every_docs_page_cited_exists() {
    let root = repo_root();
    let missing = cited_but_missing(&root, doc_refs, |r| root.join(r).is_file());
    assert!(missing.is_empty(), "cited but missing: {missing:?}");
}

#[test]
fn the_scanners_find_what_they_should() {
    assert_eq!(
        rule_ids("see R-RENEW-3, R-HOLD-10; not XR-A-1 or R-1"),
        vec!["R-RENEW-3", "R-HOLD-10"]
    );
    assert_eq!(
        doc_refs("(docs/table-design.md #3) and docs/README"),
        vec!["docs/table-design.md"]
    );
}
