//! One cold start: exec a bootstrap against a fresh Runtime API and time it.
//! init = exec to the first `next` poll; first response = exec to the posted response.

use crate::events::status_of;
use crate::runtime_api::{Emulator, Ev};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::Command;

pub struct RunCfg<'a> {
    pub bootstrap: &'a Path,
    pub function_name: &'a str,
    pub memory_mb: u32,
    pub event: &'a str,
    /// Appends the bootstrap's stdout and stderr here; without it they are dropped.
    pub log: Option<&'a Path>,
    pub timeout: Duration,
    /// Variables of our environment this function does not get (see `bench --scoped-env`).
    pub drop_env: &'a [String],
    /// Set on the bootstrap over our environment (the AWS stub's endpoint).
    pub set_env: &'a [(String, String)],
}

pub struct Sample {
    pub init_ms: f64,
    pub resp_ms: Option<f64>,
    pub rss_kib: Option<u64>,
    pub outcome: String,
    pub body: String,
}

pub async fn run_once(cfg: &RunCfg<'_>) -> Result<Sample, String> {
    let mut emu = Emulator::start(cfg.event.to_string(), cfg.function_name)
        .await
        .map_err(|e| format!("runtime API: {e}"))?;
    let mut cmd = command(cfg, &emu)?;
    let t0 = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{}: {e}", cfg.bootstrap.display()))?;
    let pid = child.id();
    let ms = |t: Instant| (t - t0).as_secs_f64() * 1000.0;
    let give_up = tokio::time::Instant::from_std(t0 + cfg.timeout);
    let mut init_ms = None;
    let (outcome, resp_ms, body) = loop {
        tokio::select! {
            // What the bootstrap posted before it exited counts first.
            biased;
            ev = emu.events.recv() => match ev {
                Some(Ev::Next(t)) => {
                    init_ms.get_or_insert(ms(t));
                }
                Some(Ev::Response(t, body)) => break (status_of(&body), Some(ms(t)), body),
                Some(Ev::InvokeError(t, body)) => break ("invoke error".into(), Some(ms(t)), body),
                Some(Ev::InitError(t, body)) => {
                    init_ms.get_or_insert(ms(t));
                    break ("init error".into(), None, body);
                }
                None => break ("emulator stopped".into(), None, String::new()),
            },
            st = child.wait() => {
                let outcome = match st {
                    Ok(st) => format!("exited ({st})"),
                    Err(e) => format!("wait: {e}"),
                };
                break (outcome, None, String::new());
            }
            _ = tokio::time::sleep_until(give_up) => break ("timeout".into(), None, String::new()),
        }
    };
    // Once the response is in, the bootstrap only polls again: its high-water mark is final.
    let rss_kib = pid.and_then(vm_hwm_kib);
    let _ = child.kill().await;
    emu.stop();
    let init_ms = init_ms.ok_or_else(|| {
        format!(
            "{}: never polled for an event ({outcome})",
            cfg.function_name
        )
    })?;
    Ok(Sample {
        init_ms,
        resp_ms,
        rss_kib,
        outcome,
        body,
    })
}

/// The environment Lambda gives a function, less `drop_env`.
fn command(cfg: &RunCfg, emu: &Emulator) -> Result<Command, String> {
    let mut cmd = Command::new(cfg.bootstrap);
    let task_root: PathBuf = cfg.bootstrap.parent().unwrap_or(Path::new(".")).into();
    cmd.env("AWS_LAMBDA_RUNTIME_API", emu.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", cfg.function_name)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", cfg.memory_mb.to_string())
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", cfg.function_name),
        )
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("LAMBDA_TASK_ROOT", task_root)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for k in cfg.drop_env {
        cmd.env_remove(k);
    }
    for (k, v) in cfg.set_env {
        cmd.env(k, v);
    }
    // The SDK wants a region and credentials; these stand in unless the caller gave real ones.
    for (k, v) in [
        ("AWS_REGION", "ap-northeast-1"),
        ("AWS_DEFAULT_REGION", "ap-northeast-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_SESSION_TOKEN", "testing"),
    ] {
        if std::env::var_os(k).is_none() {
            cmd.env(k, v);
        }
    }
    match cfg.log {
        Some(path) => {
            let out = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let err = out.try_clone().map_err(|e| e.to_string())?;
            cmd.stdout(out).stderr(err);
        }
        None => {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        }
    }
    Ok(cmd)
}

/// Peak resident set of a live process, from /proc (Linux only).
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_peak_rss() {
        let kib = vm_hwm_kib(std::process::id()).unwrap();
        assert!(kib > 100, "{kib}");
    }

    #[tokio::test]
    async fn a_bootstrap_that_never_polls_is_an_error() {
        let cfg = RunCfg {
            bootstrap: Path::new("true"),
            function_name: "none",
            memory_mb: 128,
            event: "{}",
            log: None,
            timeout: Duration::from_secs(5),
            drop_env: &[],
            set_env: &[],
        };
        let err = run_once(&cfg).await.err().unwrap();
        assert!(
            err.contains("never polled") && err.contains("exited"),
            "{err}"
        );
    }
}
