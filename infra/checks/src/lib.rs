//! Readers for the two route lists (template.yaml, openapi.yaml) and for the function
//! crates, used by the drift tests and the cold-start bench.

use serde_norway::{Mapping, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// (METHOD, /path) with the method upper-cased.
pub type Route = (String, String);

/// The repository root: `MYPAGE_REPO_ROOT`, else two levels above this crate.
pub fn repo_root() -> PathBuf {
    if let Some(p) = std::env::var_os("MYPAGE_REPO_ROOT") {
        return PathBuf::from(p);
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let here = here.canonicalize().unwrap_or_else(|_| here.to_path_buf());
    here.join("../..").canonicalize().expect("repo root")
}

pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

pub fn parse_yaml(path: &Path) -> Result<Value, String> {
    serde_norway::from_str(&read(path)?)
        .map_err(|e| format!("{} is not valid YAML: {e}", path.display()))
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    untag(v).as_mapping()?.get(Value::String(key.into()))
}

/// Looks through a CloudFormation tag (`!Ref x` parses as Tagged("Ref", "x")).
fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => untag(&t.value),
        other => other,
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    get(v, key).and_then(|x| untag(x).as_str())
}

fn mapping<'a>(v: &'a Value, key: &str) -> Option<&'a Mapping> {
    get(v, key).and_then(|x| untag(x).as_mapping())
}

/// One `AWS::Serverless::Function` of the template.
#[derive(Debug, Clone)]
pub struct TemplateFunction {
    pub logical_id: String,
    pub binary: Option<String>,
    pub code_uri: Option<String>,
    pub runtime: Option<String>,
    pub handler: Option<String>,
    pub build_method: Option<String>,
    /// HttpApi events: route and the authorizer named on it (if any).
    pub http_routes: Vec<(Route, Option<String>)>,
    pub schedules: usize,
    /// The `Input` of each schedule event (None where it names none).
    pub schedule_inputs: Vec<Option<String>>,
}

pub fn template_functions(template: &Value) -> Result<Vec<TemplateFunction>, String> {
    let globals = get(template, "Globals").and_then(|g| get(g, "Function"));
    let resources = mapping(template, "Resources").ok_or("template.yaml has no Resources")?;
    let mut out = Vec::new();
    for (id, res) in resources {
        if str_at(res, "Type") != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = untag(id).as_str().unwrap_or_default().to_string();
        let props = get(res, "Properties").cloned().unwrap_or(Value::Null);
        let prop = |k: &str| {
            str_at(&props, k)
                .or_else(|| globals.and_then(|g| str_at(g, k)))
                .map(String::from)
        };
        let meta = get(res, "Metadata");
        let mut f = TemplateFunction {
            logical_id: id.clone(),
            binary: meta
                .and_then(|m| get(m, "BuildProperties"))
                .and_then(|b| str_at(b, "Binary"))
                .map(String::from),
            code_uri: prop("CodeUri"),
            runtime: prop("Runtime"),
            handler: prop("Handler"),
            build_method: meta
                .and_then(|m| str_at(m, "BuildMethod"))
                .map(String::from),
            http_routes: Vec::new(),
            schedules: 0,
            schedule_inputs: Vec::new(),
        };
        if let Some(events) = mapping(&props, "Events") {
            for (name, ev) in events {
                let p = get(ev, "Properties");
                match str_at(ev, "Type") {
                    Some("HttpApi") => {
                        let p = p.ok_or_else(|| {
                            format!("{id}: HttpApi event {name:?} has no Properties")
                        })?;
                        let method = str_at(p, "Method")
                            .ok_or_else(|| format!("{id}: event {name:?} has no Method"))?;
                        let path = str_at(p, "Path")
                            .ok_or_else(|| format!("{id}: event {name:?} has no Path"))?;
                        let auth = get(p, "Auth")
                            .and_then(|a| str_at(a, "Authorizer"))
                            .map(String::from);
                        f.http_routes
                            .push(((method.to_ascii_uppercase(), path.to_string()), auth));
                    }
                    Some("ScheduleV2") | Some("Schedule") => {
                        f.schedules += 1;
                        f.schedule_inputs
                            .push(p.and_then(|p| str_at(p, "Input")).map(String::from));
                    }
                    _ => {}
                }
            }
        }
        out.push(f);
    }
    Ok(out)
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// Every operation under `paths:` of an OpenAPI document.
pub fn openapi_routes(doc: &Value) -> Result<Vec<Route>, String> {
    let paths = mapping(doc, "paths").ok_or("openapi.yaml has no `paths:`")?;
    let mut out = Vec::new();
    for (path, item) in paths {
        let path = untag(path)
            .as_str()
            .ok_or("a key under paths: is not a string")?;
        let Some(ops) = untag(item).as_mapping() else {
            continue;
        };
        for (m, _) in ops {
            if let Some(m) = untag(m).as_str() {
                if METHODS.contains(&m.to_ascii_lowercase().as_str()) {
                    out.push((m.to_ascii_uppercase(), path.to_string()));
                }
            }
        }
    }
    Ok(out)
}

/// The function crates under `functions/`: directory name -> (package name, bin names).
pub fn function_crates(root: &Path) -> Result<BTreeMap<String, (String, Vec<String>)>, String> {
    let dir = root.join("functions");
    let mut out = BTreeMap::new();
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for e in entries.flatten() {
        let manifest = e.path().join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let doc: toml::Table = read(&manifest)?
            .parse()
            .map_err(|e| format!("{}: {e}", manifest.display()))?;
        let pkg = doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .ok_or_else(|| format!("{}: no package.name", manifest.display()))?
            .to_string();
        let mut bins: Vec<String> = doc
            .get("bin")
            .and_then(|b| b.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|b| b.get("name")?.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        // With no [[bin]] section, src/main.rs builds a binary named after the package.
        if bins.is_empty() && e.path().join("src/main.rs").is_file() {
            bins.push(pkg.clone());
        }
        out.insert(e.file_name().to_string_lossy().into_owned(), (pkg, bins));
    }
    Ok(out)
}

/// Routes in `a` missing from `b`, sorted, as printable lines.
pub fn missing(a: &BTreeSet<Route>, b: &BTreeSet<Route>) -> Vec<String> {
    a.difference(b).map(|(m, p)| format!("{m} {p}")).collect()
}
