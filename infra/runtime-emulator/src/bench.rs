//! `bench`: every bootstrap once per round, baseline first, median of the rounds, and a
//! markdown table held against the targets.

use crate::cold_start::{run_once, RunCfg};
use crate::events::EventSpec;
use crate::template::{event_for, template_routes, template_schedule_inputs};
use clap::builder::BoolishValueParser;
use clap::{value_parser, Args};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Directory with NAME/bootstrap for each function.
    #[arg(long, default_value = "target/lambda-build/lambda")]
    bin_dir: PathBuf,
    /// Directory with NAME.zip, for the zip size column.
    #[arg(long)]
    zip_dir: Option<PathBuf>,
    /// The SAM template: a function's HttpApi events choose its HTTP event (a GET route if
    /// it has one, else its first); a function without any gets its schedule's `Input`.
    #[arg(long)]
    template: Option<PathBuf>,
    /// The bare function the others are compared with; it gets the scheduled event.
    #[arg(long, default_value = "hello-lambda")]
    baseline: String,
    /// Functions to measure, comma-separated (bootstrap directory names).
    #[arg(long, value_delimiter = ',')]
    functions: Vec<String>,
    /// Rounds; the table shows each function's median.
    #[arg(long, default_value_t = 5, value_parser = value_parser!(u32).range(1..))]
    runs: u32,
    /// Seconds one cold start may take.
    #[arg(long, default_value_t = 15)]
    timeout: u64,
    /// Memory sizes, `name=MB,...`; 256 for the others.
    #[arg(long, value_delimiter = ',', value_parser = parse_memory)]
    memory: Vec<(String, u32)>,
    /// `VAR:fn1+fn2,...`: VAR of our environment reaches only fn1 and fn2, as in template.yaml.
    #[arg(long, value_delimiter = ',', value_parser = parse_scoped)]
    scoped_env: Vec<(String, Vec<String>)>,
    /// Point the bootstraps at the instant AWS stub (0 or 1).
    #[arg(long, num_args = 0..=1, default_value = "0", default_missing_value = "1",
          value_parser = BoolishValueParser::new())]
    aws_stub: bool,
    /// Directory for each function's output, NAME.log.
    #[arg(long)]
    log_dir: Option<PathBuf>,
    /// Also write the table here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// What answered the AWS calls, for the table's caption.
    #[arg(long, default_value = "as given by AWS_ENDPOINT_URL")]
    backend_label: String,
    /// Targets: init as a multiple of the baseline's, zip size, peak RSS.
    #[arg(long, default_value_t = 2.0)]
    max_init_ratio: f64,
    #[arg(long, default_value_t = 5_000_000)]
    max_zip_bytes: u64,
    #[arg(long, default_value_t = 30_720)]
    max_rss_kib: u64,
    /// Exit 1 if a function misses a target (0 or 1).
    #[arg(long, num_args = 0..=1, default_value = "0", default_missing_value = "1",
          value_parser = BoolishValueParser::new())]
    strict: bool,
}

fn parse_memory(s: &str) -> Result<(String, u32), String> {
    let (name, mb) = s.split_once('=').ok_or("expected name=MB")?;
    let mb = mb.trim().parse().map_err(|e| format!("{s}: {e}"))?;
    Ok((name.trim().to_string(), mb))
}

fn parse_scoped(s: &str) -> Result<(String, Vec<String>), String> {
    let (var, fns) = s.split_once(':').ok_or("expected VAR:fn1+fn2")?;
    let fns = fns.split('+').map(|f| f.trim().to_string()).collect();
    Ok((var.trim().to_string(), fns))
}

/// One function across the rounds.
struct Plan {
    name: String,
    spec: EventSpec,
    event: String,
    bootstrap: PathBuf,
    zip_bytes: Option<u64>,
    log: Option<PathBuf>,
    memory_mb: u32,
    drop_env: Vec<String>,
    inits: Vec<f64>,
    resps: Vec<f64>,
    rsss: Vec<f64>,
    outcome: String,
    failed: bool,
}

/// The medians of one function, as the table shows them.
pub struct Row {
    pub name: String,
    pub event: String,
    pub zip_bytes: Option<u64>,
    pub init_ms: Option<f64>,
    pub resp_ms: Option<f64>,
    pub rss_kib: Option<u64>,
    pub outcome: String,
}

pub async fn bench(a: BenchArgs) -> Result<i32, String> {
    let (routes, inputs) = match &a.template {
        Some(t) => (template_routes(t)?, template_schedule_inputs(t)?),
        None => (BTreeMap::new(), BTreeMap::new()),
    };
    let set_env = crate::aws_stub::endpoint_env(a.aws_stub).await?;
    if let Some(d) = &a.log_dir {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let mut names = vec![a.baseline.clone()];
    for f in a.functions.iter().map(|f| f.trim()) {
        if !f.is_empty() && f != a.baseline && !names.iter().any(|n| n == f) {
            names.push(f.to_string());
        }
    }
    let mut plans = Vec::new();
    for name in names {
        let spec = if name == a.baseline {
            EventSpec::Scheduled
        } else {
            if a.template.is_some() && !routes.contains_key(&name) {
                eprintln!("{name}: not in the template, sending it the scheduled event");
            }
            event_for(&name, &routes, &inputs)
        };
        let bootstrap = a.bin_dir.join(&name).join("bootstrap");
        let missing = !bootstrap.exists();
        plans.push(Plan {
            event: spec.payload()?,
            spec,
            zip_bytes: a
                .zip_dir
                .as_ref()
                .and_then(|d| std::fs::metadata(d.join(format!("{name}.zip"))).ok())
                .map(|m| m.len()),
            log: a.log_dir.as_ref().map(|d| d.join(format!("{name}.log"))),
            memory_mb: a
                .memory
                .iter()
                .rfind(|(n, _)| *n == name)
                .map_or(256, |(_, mb)| *mb),
            drop_env: a
                .scoped_env
                .iter()
                .filter(|(_, fns)| !fns.contains(&name))
                .map(|(var, _)| var.clone())
                .collect(),
            inits: Vec::new(),
            resps: Vec::new(),
            rsss: Vec::new(),
            outcome: if missing {
                format!("missing {}", bootstrap.display())
            } else {
                "not run".into()
            },
            failed: missing,
            bootstrap,
            name,
        });
    }

    // Rounds rather than one function at a time: a machine that gets busier or quieter
    // during the bench moves the baseline and the functions alike.
    for round in 0..a.runs {
        for p in plans.iter_mut().filter(|p| !p.failed) {
            let cfg = RunCfg {
                bootstrap: &p.bootstrap,
                function_name: &p.name,
                memory_mb: p.memory_mb,
                event: &p.event,
                log: p.log.as_deref(),
                timeout: Duration::from_secs(a.timeout),
                drop_env: &p.drop_env,
                set_env: &set_env,
            };
            match run_once(&cfg).await {
                Ok(s) => {
                    p.inits.push(s.init_ms);
                    p.resps.extend(s.resp_ms);
                    p.rsss.extend(s.rss_kib.map(|k| k as f64));
                    if round == 0 {
                        let body: String = s.body.chars().take(160).collect();
                        eprintln!("{}: {} -> {} {body}", p.name, p.spec, s.outcome);
                    }
                    p.outcome = s.outcome;
                }
                Err(e) => {
                    p.outcome = e;
                    p.failed = true;
                }
            }
        }
    }
    let rows: Vec<Row> = plans
        .into_iter()
        .map(|p| Row {
            name: p.name,
            event: p.spec.to_string(),
            zip_bytes: p.zip_bytes,
            init_ms: median(p.inits),
            resp_ms: median(p.resps),
            rss_kib: median(p.rsss).map(|v| v as u64),
            outcome: p.outcome,
        })
        .collect();

    let (md, all_ok) = table(&a, &rows);
    print!("{md}");
    if let Some(out) = &a.out {
        if let Some(dir) = out.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        match std::fs::write(out, &md) {
            Ok(()) => eprintln!("wrote {}", out.display()),
            Err(e) => eprintln!("{}: {e}", out.display()),
        }
    }
    Ok(i32::from(a.strict && !all_ok))
}

pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The markdown table, and whether every function met the targets.
fn table(a: &BenchArgs, rows: &[Row]) -> (String, bool) {
    let base_init = rows.first().and_then(|r| r.init_ms);
    let mut md = format!(
        "Cold start, median of {} rounds (each round runs every bootstrap once; release x86_64 bootstrap under the local Runtime API emulator; \
         AWS backend: {}).\n\
         init = exec to first `next` poll; first response = exec to the posted response.\n\
         Targets: init <= {}x {}, zip <= {:.1} MB, peak RSS <= {} MiB.\n\n",
        a.runs,
        a.backend_label,
        a.max_init_ratio,
        a.baseline,
        a.max_zip_bytes as f64 / 1e6,
        a.max_rss_kib / 1024
    );
    md.push_str("| function | event | zip (MB) | init (ms) | init / hello | first response (ms) | peak RSS (MiB) | outcome | within targets |\n");
    md.push_str("|---|---|---:|---:|---:|---:|---:|---|---|\n");
    let mut all_ok = true;
    for r in rows {
        let is_base = r.name == a.baseline;
        let ratio = match (r.init_ms, base_init) {
            (Some(i), Some(b)) if b > 0.0 => Some(i / b),
            _ => None,
        };
        let mut misses = Vec::new();
        if r.init_ms.is_none() {
            misses.push("no init");
        }
        if !is_base && ratio.is_some_and(|x| x > a.max_init_ratio) {
            misses.push("init");
        }
        if r.zip_bytes.is_some_and(|z| z > a.max_zip_bytes) {
            misses.push("zip");
        }
        if r.rss_kib.is_some_and(|k| k > a.max_rss_kib) {
            misses.push("rss");
        }
        if r.resp_ms.is_none() {
            misses.push("no response");
        }
        all_ok &= misses.is_empty();
        let f = |v: Option<f64>, p: usize| v.map_or("-".into(), |x| format!("{x:.p$}"));
        md.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            r.name,
            r.event.replace('|', "\\|"),
            f(r.zip_bytes.map(|z| z as f64 / 1e6), 2),
            f(r.init_ms, 2),
            if is_base { "1.00".into() } else { f(ratio, 2) },
            f(r.resp_ms, 2),
            f(r.rss_kib.map(|k| k as f64 / 1024.0), 1),
            r.outcome.replace('|', "\\|"),
            if misses.is_empty() {
                "yes".to_string()
            } else {
                format!("no: {}", misses.join(", "))
            },
        ));
    }
    (md, all_ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        bench: BenchArgs,
    }

    fn args(extra: &[&str]) -> BenchArgs {
        let argv = ["bench"].iter().chain(extra);
        Cli::try_parse_from(argv).unwrap().bench
    }

    #[test]
    fn options_parse_as_the_bench_script_passes_them() {
        let a = args(&[
            "--functions",
            "a,b",
            "--memory",
            "a=1024,b=512",
            "--scoped-env",
            "MAIL_FROM:a+b,SECRET:b",
            "--aws-stub",
            "1",
            "--runs",
            "3",
        ]);
        assert_eq!(a.functions, ["a", "b"]);
        assert_eq!(a.memory, [("a".to_string(), 1024), ("b".to_string(), 512)]);
        assert_eq!(
            a.scoped_env[1],
            ("SECRET".to_string(), vec!["b".to_string()])
        );
        assert!(a.aws_stub && !a.strict);
        assert_eq!(a.runs, 3);
        // No function crates yet: an empty list.
        assert!(!args(&["--functions", "", "--aws-stub", "0"]).aws_stub);
        assert!(args(&["--strict"]).strict);
        assert!(Cli::try_parse_from(["bench", "--runs", "0"]).is_err());
        assert!(Cli::try_parse_from(["bench", "--memory", "a:1"]).is_err());
    }

    #[test]
    fn medians_and_the_table() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(vec![]), None);
        let row = |name: &str, init: f64, outcome: &str| Row {
            name: name.into(),
            event: "scheduled".into(),
            zip_bytes: Some(4_000_000),
            init_ms: Some(init),
            resp_ms: Some(init + 0.5),
            rss_kib: Some(10_240),
            outcome: outcome.into(),
        };
        let a = args(&[]);
        let rows = [
            row("hello-lambda", 2.0, "200"),
            row("fast", 3.0, "ok"),
            row("slow", 5.0, "a|b"),
        ];
        let (md, ok) = table(&a, &rows);
        assert!(!ok);
        assert!(
            md.contains(
                "| hello-lambda | `scheduled` | 4.00 | 2.00 | 1.00 | 2.50 | 10.0 | 200 | yes |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| fast | `scheduled` | 4.00 | 3.00 | 1.50 | 3.50 | 10.0 | ok | yes |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| slow | `scheduled` | 4.00 | 5.00 | 2.50 | 5.50 | 10.0 | a\\|b | no: init |"
            ),
            "{md}"
        );
        assert!(md.contains("Targets: init <= 2x hello-lambda, zip <= 5.0 MB, peak RSS <= 30 MiB."));
    }
}
