//! The API Gateway routes, read from `infra/routes.txt` (the list template.yaml and
//! openapi.yaml are checked against), matched the way API Gateway matches them.

use http::Method;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    pub path: String,
    pub function: String,
}

impl Route {
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Parsed once: every request looks its route up here.
pub fn all() -> &'static [Route] {
    static ROUTES: std::sync::OnceLock<Vec<Route>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(parse)
}

fn parse() -> Vec<Route> {
    include_str!("../../routes.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let method = parts.next()?.parse().ok()?;
            Some(Route {
                method,
                path: parts.next()?.to_owned(),
                function: parts.next()?.to_owned(),
            })
        })
        .collect()
}

/// The path parameters if `path` fits `pattern` (`/api/me/holds/{hold_id}`).
pub fn match_path(pattern: &str, path: &str) -> Option<HashMap<String, String>> {
    let (p, a): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    if p.len() != a.len() {
        return None;
    }
    let mut params = HashMap::new();
    for (want, got) in p.iter().zip(&a) {
        match want.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            Some(name) if !got.is_empty() => {
                let decoded = percent_decode(got)?;
                params.insert(name.to_owned(), decoded);
            }
            Some(_) => return None,
            None if want == got => {}
            None => return None,
        }
    }
    Some(params)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_parses_and_names_a_function() {
        let routes = all();
        assert!(routes.len() >= 23);
        assert!(routes
            .iter()
            .all(|r| r.path.starts_with("/api/") && !r.function.is_empty()));
    }

    #[test]
    fn paths_match_like_api_gateway() {
        let p = match_path("/api/me/holds/{hold_id}", "/api/me/holds/H-abc").unwrap();
        assert_eq!(p["hold_id"], "H-abc");
        assert!(match_path("/api/me/holds/{hold_id}", "/api/me/holds/").is_none());
        assert!(match_path("/api/me/holds/{hold_id}", "/api/me/holds/a/b").is_none());
        assert!(match_path("/api/me/loans", "/api/me/loans")
            .unwrap()
            .is_empty());
        assert_eq!(
            match_path("/api/catalog/titles/{bib_id}", "/api/catalog/titles/A%2DB").unwrap()
                ["bib_id"],
            "A-B"
        );
    }
}

#[cfg(test)]
mod dispatch_tests {
    #[test]
    fn every_route_names_a_function_the_dev_server_dispatches_to() {
        for r in super::all() {
            assert!(
                crate::HTTP_FUNCTIONS.contains(&r.function.as_str()),
                "{} {} -> {}",
                r.method,
                r.path,
                r.function
            );
        }
    }
}
