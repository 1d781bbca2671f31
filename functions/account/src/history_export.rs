//! GET /api/me/reading-history/export: the whole reading history as one CSV file (R-HIST-1):
//! RFC 4180 with CRLF line ends, UTF-8 with a byte order mark (so spreadsheet programs open
//! it as Japanese), the header `書名,著者,貸出日,返却日`, dates `YYYY-MM-DD`, and a `'` before a
//! cell that would start with `=`, `+`, `-` or `@` (the formula guard).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use mypage::app::history;
use mypage::domain::HistoryEntry;
use mypage::http::Patron;
use mypage::{App, Error};

const HEADER: [&str; 4] = ["書名", "著者", "貸出日", "返却日"];

/// One cell: guarded against formulas, quoted when it holds a comma, a quote or a line end.
fn cell(raw: &str, out: &mut String) {
    let guarded = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&guarded.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&guarded);
    }
}

fn row<'a>(cells: impl IntoIterator<Item = &'a str>, out: &mut String) {
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell(c, out);
    }
    out.push_str("\r\n");
}

pub fn csv(entries: &[HistoryEntry]) -> String {
    let mut out = String::from("\u{feff}");
    row(HEADER, &mut out);
    for e in entries {
        let (out_on, back_on) = (e.checked_out_on.to_string(), e.returned_on.to_string());
        row(
            [e.title.as_str(), e.author.as_str(), &out_on, &back_on],
            &mut out,
        );
    }
    out
}

pub async fn handle(State(app): State<App>, Patron(caller): Patron) -> Result<Response, Error> {
    let entries = history::export(&app, &caller).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"reading-history.csv\"",
            ),
        ],
        csv(&entries),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_hist_1_cells_are_quoted_and_guarded() {
        let mut out = String::new();
        row(
            [
                "a,b",
                "say \"hi\"",
                "=SUM(A1)",
                "line\nbreak",
                "-1",
                "@x",
                "+1",
            ],
            &mut out,
        );
        assert_eq!(
            out,
            "\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),\"line\nbreak\",'-1,'@x,'+1\r\n"
        );
        assert!(csv(&[]).starts_with("\u{feff}書名,著者,貸出日,返却日\r\n"));
    }
}
