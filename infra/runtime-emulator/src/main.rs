//! A local Lambda Runtime API and the cold-start bench built on it (`make bench-coldstart`).
//!
//! `runtime-emulator serve --bootstrap PATH [--event http:GET:/api/catalog/titles/{bib_id}]`
//!     runs one bootstrap against one event and prints the timings and the response.
//! `runtime-emulator bench --bin-dir DIR --template template.yaml --functions a,b ...`
//!     measures every function (median of --runs) and prints a markdown table.

mod aws_stub;
mod bench;
mod cold_start;
mod events;
mod runtime_api;
mod template;

use clap::builder::BoolishValueParser;
use clap::{Parser, Subcommand};
use cold_start::{run_once, RunCfg};
use events::EventSpec;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    version,
    about = "Local Lambda Runtime API emulator and cold-start bench"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run one bootstrap against one event; print the timings and the response.
    Serve(ServeArgs),
    /// Measure every bootstrap against the baseline; print a markdown table.
    Bench(bench::BenchArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    #[arg(long)]
    bootstrap: PathBuf,
    /// `http:METHOD:/route/{param}`, `scheduled`, or a file of event JSON.
    #[arg(long, default_value = "scheduled")]
    event: EventSpec,
    #[arg(long, default_value = "local-function")]
    function_name: String,
    /// AWS_LAMBDA_FUNCTION_MEMORY_SIZE, in MB.
    #[arg(long, default_value_t = 256)]
    memory: u32,
    /// Append the bootstrap's output here.
    #[arg(long)]
    log: Option<PathBuf>,
    /// Seconds the cold start may take.
    #[arg(long, default_value_t = 15)]
    timeout: u64,
    /// Point the bootstrap at the instant AWS stub (0 or 1).
    #[arg(long, num_args = 0..=1, default_value = "0", default_missing_value = "1",
          value_parser = BoolishValueParser::new())]
    aws_stub: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // One thread is enough: the emulator mostly waits, and the bootstrap under test keeps
    // the other core.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokio: {e}");
            return ExitCode::from(2);
        }
    };
    let code = rt.block_on(async {
        match cli.command {
            Cmd::Serve(a) => serve(a).await,
            Cmd::Bench(a) => bench::bench(a).await,
        }
    });
    match code {
        Ok(c) => ExitCode::from(c as u8),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

async fn serve(a: ServeArgs) -> Result<i32, String> {
    let event = a.event.payload()?;
    let set_env = aws_stub::endpoint_env(a.aws_stub).await?;
    let cfg = RunCfg {
        bootstrap: &a.bootstrap,
        function_name: &a.function_name,
        memory_mb: a.memory,
        event: &event,
        log: a.log.as_deref(),
        timeout: Duration::from_secs(a.timeout),
        drop_env: &[],
        set_env: &set_env,
    };
    match run_once(&cfg).await {
        Ok(s) => {
            let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
            println!("init_ms={:.2}", s.init_ms);
            println!(
                "response_ms={}",
                or_dash(s.resp_ms.map(|v| format!("{v:.2}")))
            );
            println!("peak_rss_kib={}", or_dash(s.rss_kib.map(|v| v.to_string())));
            println!("outcome={}", s.outcome);
            println!("body={}", s.body);
            Ok(i32::from(s.resp_ms.is_none()))
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "runtime-emulator",
            "serve",
            "--bootstrap",
            "b",
            "--event",
            "http:GET:/api/me",
            "--aws-stub",
            "1",
        ])
        .unwrap();
        let Cmd::Serve(a) = cli.command else {
            panic!("serve expected")
        };
        assert_eq!(a.event, EventSpec::http("GET", "/api/me"));
        assert!(a.aws_stub);
        assert_eq!(a.memory, 256);
        assert!(Cli::try_parse_from(["runtime-emulator", "serve"]).is_err());
    }
}
