//! Which event each function gets, from the HttpApi events of the SAM template.

use crate::events::EventSpec;
use deploy_checks::{Route, TemplateFunction};
use std::collections::BTreeMap;
use std::path::Path;

/// The directory cargo lambda puts a bootstrap in is named after the binary.
fn function_name(f: &TemplateFunction) -> String {
    f.binary
        .clone()
        .or_else(|| {
            let uri = f.code_uri.as_deref()?;
            Some(Path::new(uri).file_name()?.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| f.logical_id.clone())
}

/// Each function's HttpApi routes, in template order.
pub fn template_routes(template: &Path) -> Result<BTreeMap<String, Vec<Route>>, String> {
    let doc = deploy_checks::parse_yaml(template)?;
    let functions = deploy_checks::template_functions(&doc)?;
    Ok(functions
        .iter()
        .map(|f| {
            let routes = f.http_routes.iter().map(|(r, _auth)| r.clone()).collect();
            (function_name(f), routes)
        })
        .collect())
}

/// A GET route of the function if it has one (it needs no request body), else its first.
pub fn event_for(name: &str, routes: &BTreeMap<String, Vec<Route>>) -> EventSpec {
    let mine = routes.get(name).map(Vec::as_slice).unwrap_or_default();
    match mine.iter().find(|(m, _)| m == "GET").or(mine.first()) {
        Some((method, path)) => EventSpec::http(method, path),
        None => EventSpec::Scheduled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  SessionFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: rust-cargolambda, BuildProperties: {Binary: session}}
    Properties:
      CodeUri: functions/session
      Events:
        Login: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: POST, Path: /api/session}}
        Logout: {Type: HttpApi, Properties: {ApiId: !Ref Api, Method: DELETE, Path: /api/session}}
  HoldsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/holds
      Events:
        Cancel: {Type: HttpApi, Properties: {Method: delete, Path: '/api/me/holds/{hold_id}'}}
        List: {Type: HttpApi, Properties: {Method: GET, Path: /api/me/holds}}
  RemindersFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: due-reminders}}
    Properties:
      Events:
        Daily: {Type: ScheduleV2, Properties: {ScheduleExpression: cron(0 0 * * ? *)}}
"#;

    #[test]
    fn events_come_from_the_template() {
        let path =
            std::env::temp_dir().join(format!("emulator-{}-template.yaml", std::process::id()));
        std::fs::write(&path, TEMPLATE).unwrap();
        let routes = template_routes(&path);
        let _ = std::fs::remove_file(&path);
        let routes = routes.unwrap();
        assert_eq!(
            routes.keys().collect::<Vec<_>>(),
            ["due-reminders", "holds", "session"]
        );
        // The first route when there is no GET, a GET wherever it stands, else scheduled.
        assert_eq!(
            event_for("session", &routes).to_string(),
            "http:POST:/api/session"
        );
        assert_eq!(
            event_for("holds", &routes).to_string(),
            "http:GET:/api/me/holds"
        );
        assert_eq!(event_for("due-reminders", &routes), EventSpec::Scheduled);
        assert_eq!(event_for("elsewhere", &routes), EventSpec::Scheduled);
    }

    #[test]
    fn the_project_template_has_http_and_scheduled_functions() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let routes = template_routes(&path).unwrap();
        assert!(routes.values().any(|r| !r.is_empty()));
        assert!(routes.values().any(|r| r.is_empty()));
        for (name, rs) in &routes {
            for (m, p) in rs {
                assert!(p.starts_with('/') && !m.is_empty(), "{name}: {m} {p}");
            }
        }
    }
}
