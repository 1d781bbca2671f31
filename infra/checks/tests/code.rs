//! The functions' routers against template.yaml: every route the template gives a function is
//! answered by that function's router (not its 404 or 405), no router answers a route the
//! template gives another function, and every schedule's `Input` is one its function's job
//! takes. A new route is one handler file and one line in a router; this says if the
//! template (or openapi.yaml, by `drift.rs`) was forgotten.

use axum::body::Body;
use deploy_checks::*;
use http::Request;
use mypage::adapters::{embedded, MemoryStore, SystemClock};
use mypage::config::Settings;
use mypage::App;
use std::sync::Arc;
use tower::ServiceExt;

fn routes_of(function: &str) -> Option<axum::Router<App>> {
    Some(match function {
        "session" => session::routes(),
        "account" => account::routes(),
        "loans" => loans::routes(),
        "renewal" => renewal::routes(),
        "holds" => holds::routes(),
        "notifications" => notifications::routes(),
        "ebooks" => ebooks::routes(),
        "catalog" => catalog::routes(),
        "staff" => staff::routes(),
        _ => return None,
    })
}

fn app() -> App {
    let settings = Settings::from_lookup(|_| None).unwrap();
    embedded(
        settings,
        Arc::new(MemoryStore::new()),
        Arc::new(SystemClock),
    )
    .app
}

/// A concrete path for a route template: each `{param}` gets a sample value.
fn sample_path(template: &str) -> String {
    template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                "SAMPLE1234"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Does `router` have this route (whatever it then answers)?
async fn answers(router: axum::Router<App>, (method, path): &Route) -> bool {
    let req = Request::builder()
        .method(method.as_str())
        .uri(sample_path(path))
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let resp = mypage::http::service(router, app())
        .oneshot(req)
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let body = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .unwrap();
    let code = serde_json::from_slice::<serde_json::Value>(&body).unwrap_or_default()["error"]
        ["code"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    !(status == 405 || (status == 404 && code == "not_found"))
}

fn template() -> Vec<TemplateFunction> {
    template_functions(&parse_yaml(&repo_root().join("template.yaml")).unwrap()).unwrap()
}

#[tokio::test]
async fn each_function_answers_exactly_its_routes_in_the_template() {
    let funcs = template();
    let mut problems = Vec::new();
    for f in &funcs {
        let name = f.binary.clone().unwrap_or_default();
        if f.http_routes.is_empty() {
            continue;
        }
        let Some(_) = routes_of(&name) else {
            problems.push(format!("{name}: an HTTP function this test does not know"));
            continue;
        };
        for other in &funcs {
            for (route, _) in &other.http_routes {
                let mine = other.binary == f.binary;
                let has = answers(routes_of(&name).unwrap(), route).await;
                if mine && !has {
                    problems.push(format!(
                        "{} {}: in template.yaml for {name}, not in its router",
                        route.0, route.1
                    ));
                }
                if !mine && has {
                    problems.push(format!(
                        "{} {}: answered by {name}'s router, but template.yaml sends it to {:?}",
                        route.0, route.1, other.binary
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_schedule_input_is_one_its_job_takes() {
    let mut checked = 0;
    for f in template() {
        for input in &f.schedule_inputs {
            let name = f.binary.clone().unwrap_or_default();
            let input = input
                .clone()
                .unwrap_or_else(|| panic!("{name}: a schedule without an Input"));
            let parses = match name.as_str() {
                "due-reminders" => serde_json::from_str::<due_reminders::Input>(&input).is_ok(),
                "new-arrivals" => serde_json::from_str::<new_arrivals::Input>(&input).is_ok(),
                "hold-expiry" => serde_json::from_str::<hold_expiry::Input>(&input).is_ok(),
                "overdue-notices" => serde_json::from_str::<overdue_notices::Input>(&input).is_ok(),
                "history-purge" => serde_json::from_str::<history_purge::Input>(&input).is_ok(),
                other => panic!("{other}: a scheduled function this test does not know"),
            };
            assert!(
                parses,
                "{name}: its schedule's Input {input} does not parse"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 5, "the five daily schedules");
}

#[test]
fn the_table_in_the_template_has_the_indexes_the_code_queries() {
    let doc = parse_yaml(&repo_root().join("template.yaml")).unwrap();
    let gsis = doc["Resources"]["Table"]["Properties"]["GlobalSecondaryIndexes"]
        .as_sequence()
        .expect("the table's GlobalSecondaryIndexes");
    let mut in_template: Vec<(String, String, String)> = gsis
        .iter()
        .map(|g| {
            let key = |kind: &str| {
                g["KeySchema"]
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .find(|k| k["KeyType"].as_str() == Some(kind))
                    .and_then(|k| k["AttributeName"].as_str())
                    .unwrap()
                    .to_owned()
            };
            (
                g["IndexName"].as_str().unwrap().to_owned(),
                key("HASH"),
                key("RANGE"),
            )
        })
        .collect();
    let mut in_code: Vec<(String, String, String)> = mypage::adapters::TableDesign::indexes()
        .into_iter()
        .map(|(n, p, s)| (n.to_owned(), p.to_owned(), s.to_owned()))
        .collect();
    in_template.sort();
    in_code.sort();
    assert_eq!(in_template, in_code);
}
