//! Which event each function gets, from the SAM template: an HttpApi route, or the `Input`
//! its schedule sends (a job with typed input refuses any other).

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

/// Each scheduled function's first schedule `Input`, where the template names one.
pub fn template_schedule_inputs(template: &Path) -> Result<BTreeMap<String, String>, String> {
    let doc = deploy_checks::parse_yaml(template)?;
    let functions = deploy_checks::template_functions(&doc)?;
    Ok(functions
        .iter()
        .filter_map(|f| {
            let input = f.schedule_inputs.iter().flatten().next()?;
            Some((function_name(f), input.clone()))
        })
        .collect())
}

/// A GET route of the function if it has one (it needs no request body), else its first;
/// without routes, what its schedule sends.
pub fn event_for(
    name: &str,
    routes: &BTreeMap<String, Vec<Route>>,
    inputs: &BTreeMap<String, String>,
) -> EventSpec {
    let mine = routes.get(name).map(Vec::as_slice).unwrap_or_default();
    match mine.iter().find(|(m, _)| m == "GET").or(mine.first()) {
        Some((method, path)) => EventSpec::http(method, path),
        None => match inputs.get(name) {
            Some(input) => EventSpec::Input(input.clone()),
            None => EventSpec::Scheduled,
        },
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
  ExpiryFunction:
    Type: AWS::Serverless::Function
    Metadata: {BuildProperties: {Binary: hold-expiry}}
    Properties:
      Events:
        Sweep: {Type: ScheduleV2, Properties: {ScheduleExpression: cron(0 1 * * ? *), Input: '{"sweep": {}}'}}
"#;

    #[test]
    fn events_come_from_the_template() {
        let path =
            std::env::temp_dir().join(format!("emulator-{}-template.yaml", std::process::id()));
        std::fs::write(&path, TEMPLATE).unwrap();
        let routes = template_routes(&path);
        let inputs = template_schedule_inputs(&path);
        let _ = std::fs::remove_file(&path);
        let (routes, inputs) = (routes.unwrap(), inputs.unwrap());
        assert_eq!(
            routes.keys().collect::<Vec<_>>(),
            ["due-reminders", "hold-expiry", "holds", "session"]
        );
        // The first route when there is no GET, a GET wherever it stands, else scheduled.
        assert_eq!(
            event_for("session", &routes, &inputs).to_string(),
            "http:POST:/api/session"
        );
        assert_eq!(
            event_for("holds", &routes, &inputs).to_string(),
            "http:GET:/api/me/holds"
        );
        assert_eq!(
            event_for("due-reminders", &routes, &inputs),
            EventSpec::Scheduled
        );
        assert_eq!(
            event_for("elsewhere", &routes, &inputs),
            EventSpec::Scheduled
        );
        // A schedule's Input is what the job is sent.
        let sweep = event_for("hold-expiry", &routes, &inputs);
        assert_eq!(sweep.to_string(), r#"scheduled:{"sweep": {}}"#);
        assert_eq!(sweep.payload().unwrap(), r#"{"sweep": {}}"#);
        assert_eq!(sweep.to_string().parse::<EventSpec>().unwrap(), sweep);
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
