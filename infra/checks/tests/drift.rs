//! Fails when the deployed API (template.yaml) and the contract (openapi.yaml) disagree, or
//! when template.yaml and the crates under functions/ do not name the same functions. The
//! functions' routers themselves are checked against template.yaml in `tests/code.rs`.

use deploy_checks::*;
use std::collections::BTreeSet;

fn template() -> Vec<TemplateFunction> {
    let root = repo_root();
    let doc = parse_yaml(&root.join("template.yaml")).unwrap();
    template_functions(&doc).unwrap()
}

fn openapi() -> Vec<Route> {
    let path = std::env::var_os("MYPAGE_OPENAPI")
        .map(Into::into)
        .unwrap_or_else(|| repo_root().join("openapi.yaml"));
    openapi_routes(&parse_yaml(&path).unwrap()).unwrap()
}

fn set_without_dups(name: &str, routes: impl IntoIterator<Item = Route>) -> BTreeSet<Route> {
    let mut set = BTreeSet::new();
    let dups: Vec<String> = routes
        .into_iter()
        .filter(|r| !set.insert(r.clone()))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(dups.is_empty(), "{name} lists these routes twice: {dups:?}");
    set
}

#[test]
fn the_two_route_lists_agree() {
    let tpl = set_without_dups(
        "template.yaml",
        template()
            .into_iter()
            .flat_map(|f| f.http_routes)
            .map(|(r, _)| r),
    );
    let api = set_without_dups("openapi.yaml", openapi());
    let mut problems = Vec::new();
    for (a_name, a, b_name, b) in [
        ("template.yaml", &tpl, "openapi.yaml", &api),
        ("openapi.yaml", &api, "template.yaml", &tpl),
    ] {
        for r in missing(a, b) {
            problems.push(format!("{r}: in {a_name}, not in {b_name}"));
        }
    }
    assert!(
        problems.is_empty(),
        "route drift:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn staff_routes_need_iam_and_the_others_are_open() {
    let mut wrong = Vec::new();
    for f in template() {
        for ((m, p), auth) in f.http_routes {
            let staff = p.starts_with("/api/staff/");
            let ok = match auth.as_deref() {
                Some("AWS_IAM") => staff,
                None | Some("NONE") => !staff,
                Some(_) => false,
            };
            if !ok {
                wrong.push(format!("{m} {p} ({}): authorizer {auth:?}", f.logical_id));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn template_functions_and_function_crates_match() {
    let root = repo_root();
    let crates = function_crates(&root).unwrap();
    let funcs = template();
    let mut problems = Vec::new();
    let mut named = BTreeSet::new();
    for f in &funcs {
        let id = &f.logical_id;
        let Some(bin) = &f.binary else {
            problems.push(format!("{id}: no Metadata.BuildProperties.Binary"));
            continue;
        };
        if !named.insert(bin.clone()) {
            problems.push(format!("{id}: Binary {bin} is used by two functions"));
        }
        match crates.get(bin) {
            None => problems.push(format!("{id}: no crate directory functions/{bin}")),
            Some((pkg, bins)) => {
                if pkg != bin {
                    problems.push(format!("{id}: functions/{bin} is package {pkg}, not {bin}"));
                }
                if !bins.contains(bin) {
                    problems.push(format!(
                        "{id}: functions/{bin} builds no binary named {bin} (has {bins:?})"
                    ));
                }
            }
        }
        let want_uri = format!("functions/{bin}");
        if f.code_uri.as_deref().map(|u| u.trim_end_matches('/')) != Some(want_uri.as_str()) {
            problems.push(format!(
                "{id}: CodeUri {:?}, expected {want_uri}",
                f.code_uri
            ));
        }
        for (what, got, want) in [
            ("Runtime", &f.runtime, "provided.al2023"),
            ("Handler", &f.handler, "bootstrap"),
            ("Metadata.BuildMethod", &f.build_method, "rust-cargolambda"),
        ] {
            if got.as_deref() != Some(want) {
                problems.push(format!("{id}: {what} is {got:?}, expected {want}"));
            }
        }
        if f.http_routes.is_empty() && f.schedules == 0 {
            problems.push(format!("{id}: neither an HttpApi nor a ScheduleV2 event"));
        }
    }
    for dir in crates.keys() {
        if !named.contains(dir) {
            problems.push(format!("functions/{dir} has no function in template.yaml"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_readers_see_tags_and_methods() {
    // Self-test of the readers on a small document, so a parsing regression cannot hide drift.
    let doc: serde_norway::Value = serde_norway::from_str(
        "Globals:\n  Function:\n    Runtime: provided.al2023\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildMethod: rust-cargolambda\n      BuildProperties: {Binary: f}\n    Properties:\n      CodeUri: functions/f\n      Role: !GetAtt R.Arn\n      Environment: {Variables: {T: !Ref Table}}\n      Events:\n        A: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: get, Path: '/x/{id}'}}\n        B: {Type: ScheduleV2, Properties: {ScheduleExpression: !Sub 'cron(0 9 * * ? *)'}}\n",
    )
    .unwrap();
    let f = &template_functions(&doc).unwrap()[0];
    assert_eq!(
        f.http_routes,
        vec![(("GET".into(), "/x/{id}".into()), None)]
    );
    assert_eq!(
        (f.schedules, f.runtime.as_deref(), f.binary.as_deref()),
        (1, Some("provided.al2023"), Some("f"))
    );
    let api: serde_norway::Value =
        serde_norway::from_str("paths:\n  /x:\n    parameters: []\n    get: {}\n    delete: {}\n")
            .unwrap();
    assert_eq!(
        openapi_routes(&api).unwrap(),
        vec![("GET".into(), "/x".into()), ("DELETE".into(), "/x".into())]
    );
}
