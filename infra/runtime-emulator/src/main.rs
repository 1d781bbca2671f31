//! A tiny local Lambda Runtime API and the cold-start bench built on it.
//!
//! `runtime-emulator serve --bootstrap PATH [--event http:GET:/api/catalog/titles/X | scheduled | FILE] [--aws-stub 1]`
//!     runs one bootstrap against one event and prints the timings and the response.
//! `runtime-emulator bench --bin-dir DIR --routes FILE --functions a,b --baseline hello-lambda ...`
//!     measures every function (median of --runs) and prints a markdown table.
//!
//! Only the std library: this must build in seconds next to the real workspace.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const API: &str = "/2018-06-01/runtime";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("serve") => serve(&Opts::parse(&args[1..])),
        Some("bench") => bench(&Opts::parse(&args[1..])),
        _ => {
            eprintln!(
                "usage: runtime-emulator serve|bench [--key value]...  (see the top of main.rs)"
            );
            2
        }
    };
    std::process::exit(code);
}

// ---------------------------------------------------------------- options

struct Opts(BTreeMap<String, String>);

impl Opts {
    fn parse(args: &[String]) -> Opts {
        let mut m = BTreeMap::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.strip_prefix("--") {
                Some(k) => {
                    let v = it.next().cloned().unwrap_or_default();
                    m.insert(k.to_string(), v);
                }
                None => eprintln!("ignoring stray argument {a}"),
            }
        }
        Opts(m)
    }
    fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str).filter(|s| !s.is_empty())
    }
    fn get_or<'a>(&'a self, k: &str, d: &'a str) -> &'a str {
        self.get(k).unwrap_or(d)
    }
}

// ---------------------------------------------------------------- events

/// An API Gateway HTTP API (payload 2.0) event for one route.
fn http_event(method: &str, route_path: &str) -> String {
    let mut path = String::new();
    let mut params = Vec::new();
    for seg in route_path.split('/').filter(|s| !s.is_empty()) {
        path.push('/');
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let v = sample_param(name);
            params.push(format!("{}:{}", json_str(name), json_str(v)));
            path.push_str(v);
        } else {
            path.push_str(seg);
        }
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let body = if method == "GET" || method == "DELETE" {
        "null".to_string()
    } else {
        json_str("{}")
    };
    let route_key = format!("{method} {route_path}");
    let path_params = if params.is_empty() {
        "null".to_string()
    } else {
        format!("{{{}}}", params.join(","))
    };
    format!(
        concat!(
            "{{\"version\":\"2.0\",\"routeKey\":{rk},\"rawPath\":{p},\"rawQueryString\":\"\",",
            "\"headers\":{{\"accept\":\"application/json\",\"content-type\":\"application/json\",",
            "\"host\":\"abc123.execute-api.ap-northeast-1.amazonaws.com\",\"user-agent\":\"coldstart-bench\",",
            "\"x-forwarded-for\":\"127.0.0.1\",\"x-forwarded-proto\":\"https\"}},",
            "\"requestContext\":{{\"accountId\":\"123456789012\",\"apiId\":\"abc123\",",
            "\"domainName\":\"abc123.execute-api.ap-northeast-1.amazonaws.com\",\"domainPrefix\":\"abc123\",",
            "\"http\":{{\"method\":{m},\"path\":{p},\"protocol\":\"HTTP/1.1\",\"sourceIp\":\"127.0.0.1\",",
            "\"userAgent\":\"coldstart-bench\"}},\"requestId\":\"bench-req\",\"routeKey\":{rk},",
            "\"stage\":\"$default\",\"time\":\"01/Jan/2026:00:00:00 +0000\",\"timeEpoch\":{t}}},",
            "\"pathParameters\":{pp},\"body\":{b},\"isBase64Encoded\":false}}"
        ),
        rk = json_str(&route_key),
        p = json_str(&path),
        m = json_str(method),
        t = now.as_millis(),
        pp = path_params,
        b = body,
    )
}

fn sample_param(name: &str) -> &'static str {
    match name {
        "card_number" => "1000001",
        "bib_id" => "X",
        _ => "bench-id",
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// `http:METHOD:/path`, `scheduled`, or a file holding the event JSON.
fn event_from_spec(spec: &str) -> Result<String, String> {
    if spec == "scheduled" {
        return Ok("{}".into());
    }
    if let Some(rest) = spec.strip_prefix("http:") {
        let (m, p) = rest.split_once(':').ok_or("http:METHOD:/path expected")?;
        return Ok(http_event(m, p));
    }
    std::fs::read_to_string(spec).map_err(|e| format!("{spec}: {e}"))
}

// ---------------------------------------------------------------- minimal HTTP/1.1

struct Req {
    method: String,
    path: String,
    body: Vec<u8>,
}

fn read_req(r: &mut BufReader<TcpStream>) -> Option<Req> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut len = 0usize;
    let mut chunked = false;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            if k == "content-length" {
                len = v.parse().ok()?;
            } else if k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked") {
                chunked = true;
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut sz = String::new();
            r.read_line(&mut sz).ok()?;
            let n = usize::from_str_radix(sz.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk).ok()?;
            if n == 0 {
                // Trailers are not expected; the final CRLF has been read.
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        body.resize(len, 0);
        r.read_exact(&mut body).ok()?;
    }
    Some(Req { method, path, body })
}

fn write_resp(
    s: &mut TcpStream,
    status: &str,
    headers: &[(&str, String)],
    body: &str,
) -> std::io::Result<()> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    s.write_all(out.as_bytes())
}

// ---------------------------------------------------------------- one cold start

enum Ev {
    Next(Instant),
    Response(Instant, String),
    InvokeError(Instant, String),
    InitError(Instant, String),
}

struct Emulator {
    port: u16,
    rx: Receiver<Ev>,
    done: Arc<AtomicBool>,
}

/// Serves one event on 127.0.0.1:<ephemeral>; later `next` polls are held open.
fn start_emulator(event: String, function_name: String) -> std::io::Result<Emulator> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let (tx, rx) = channel();
    let done = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicBool::new(false));
    let event = Arc::new(event);
    let d = done.clone();
    thread::spawn(move || {
        for conn in listener.incoming() {
            if d.load(Ordering::SeqCst) {
                break;
            }
            let Ok(conn) = conn else { continue };
            let (tx, d, served, event, fname) = (
                tx.clone(),
                d.clone(),
                served.clone(),
                event.clone(),
                function_name.clone(),
            );
            thread::spawn(move || handle_conn(conn, tx, d, served, event, fname));
        }
    });
    Ok(Emulator { port, rx, done })
}

fn handle_conn(
    conn: TcpStream,
    tx: Sender<Ev>,
    done: Arc<AtomicBool>,
    served: Arc<AtomicBool>,
    event: Arc<String>,
    fname: String,
) {
    let _ = conn.set_nodelay(true);
    let Ok(mut w) = conn.try_clone() else { return };
    let mut r = BufReader::new(conn);
    while let Some(req) = read_req(&mut r) {
        let now = Instant::now();
        let body = String::from_utf8_lossy(&req.body).into_owned();
        let ok = r#"{"status":"OK"}"#;
        if req.method == "GET" && req.path == format!("{API}/invocation/next") {
            let _ = tx.send(Ev::Next(now));
            if served.swap(true, Ordering::SeqCst) {
                // Hold the second poll, as Lambda does while the sandbox is frozen.
                while !done.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                + Duration::from_secs(30);
            let headers = [
                ("lambda-runtime-aws-request-id", "bench-0001".to_string()),
                (
                    "lambda-runtime-deadline-ms",
                    deadline.as_millis().to_string(),
                ),
                (
                    "lambda-runtime-invoked-function-arn",
                    format!("arn:aws:lambda:ap-northeast-1:123456789012:function:{fname}"),
                ),
                (
                    "lambda-runtime-trace-id",
                    "Root=1-00000000-000000000000000000000000;Sampled=0".to_string(),
                ),
            ];
            if write_resp(&mut w, "200 OK", &headers, &event).is_err() {
                return;
            }
        } else if req.method == "POST" && req.path.ends_with("/response") {
            let _ = tx.send(Ev::Response(now, body));
            let _ = write_resp(&mut w, "202 Accepted", &[], ok);
        } else if req.method == "POST"
            && req.path.starts_with(&format!("{API}/invocation/"))
            && req.path.ends_with("/error")
        {
            let _ = tx.send(Ev::InvokeError(now, body));
            let _ = write_resp(&mut w, "202 Accepted", &[], ok);
        } else if req.method == "POST" && req.path == format!("{API}/init/error") {
            let _ = tx.send(Ev::InitError(now, body));
            let _ = write_resp(&mut w, "202 Accepted", &[], ok);
        } else {
            let _ = write_resp(
                &mut w,
                "404 Not Found",
                &[],
                r#"{"errorMessage":"unknown path"}"#,
            );
        }
    }
}

struct Sample {
    init_ms: f64,
    resp_ms: Option<f64>,
    rss_kib: Option<u64>,
    outcome: String,
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

struct RunCfg<'a> {
    bootstrap: &'a Path,
    function_name: &'a str,
    memory_mb: &'a str,
    event: &'a str,
    log: Option<&'a Path>,
    timeout: Duration,
    /// Variables of the bench's environment this function does not get (see --scoped-env).
    drop_env: Vec<String>,
}

fn run_once(cfg: &RunCfg) -> Result<(Sample, String), String> {
    let emu = start_emulator(cfg.event.to_string(), cfg.function_name.to_string())
        .map_err(|e| e.to_string())?;
    let mut cmd = Command::new(cfg.bootstrap);
    cmd.env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{}", emu.port))
        .env("AWS_LAMBDA_FUNCTION_NAME", cfg.function_name)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", cfg.memory_mb)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", cfg.function_name),
        )
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env(
            "LAMBDA_TASK_ROOT",
            cfg.bootstrap.parent().unwrap_or(Path::new(".")),
        )
        .stdin(Stdio::null());
    for k in &cfg.drop_env {
        cmd.env_remove(k);
    }
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
    match cfg.log.and_then(|p| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .ok()
    }) {
        Some(f) => {
            let f2 = f.try_clone().map_err(|e| e.to_string())?;
            cmd.stdout(f).stderr(f2);
        }
        None => {
            cmd.stdout(Stdio::null()).stderr(Stdio::null());
        }
    }
    let t0 = Instant::now();
    let mut child: Child = cmd
        .spawn()
        .map_err(|e| format!("{}: {e}", cfg.bootstrap.display()))?;
    let pid = child.id();
    let ms = |t: Instant| (t - t0).as_secs_f64() * 1000.0;
    let mut init_ms = None;
    let mut result = None;
    let give_up = t0 + cfg.timeout;
    while result.is_none() {
        let now = Instant::now();
        if now >= give_up {
            result = Some(("timeout".to_string(), None, String::new()));
            break;
        }
        match emu
            .rx
            .recv_timeout((give_up - now).min(Duration::from_millis(50)))
        {
            Ok(Ev::Next(t)) => {
                init_ms.get_or_insert(ms(t));
            }
            Ok(Ev::Response(t, body)) => result = Some((status_of(&body), Some(ms(t)), body)),
            Ok(Ev::InvokeError(t, body)) => {
                result = Some(("invoke error".into(), Some(ms(t)), body))
            }
            Ok(Ev::InitError(t, body)) => {
                init_ms.get_or_insert(ms(t));
                result = Some(("init error".into(), None, body));
            }
            Err(RecvTimeoutError::Timeout) => {
                if let Ok(Some(st)) = child.try_wait() {
                    result = Some((format!("exited ({st})"), None, String::new()));
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                result = Some(("emulator stopped".into(), None, String::new()))
            }
        }
    }
    // The process is parked in its second `next` poll now: its high-water mark is final.
    let rss_kib = vm_hwm_kib(pid);
    let _ = child.kill();
    let _ = child.wait();
    emu.done.store(true, Ordering::SeqCst);
    let _ = TcpStream::connect(("127.0.0.1", emu.port)); // wake the accept loop
    let (outcome, resp_ms, body) = result.unwrap();
    let init_ms = init_ms.ok_or_else(|| {
        format!(
            "{}: never polled for an event ({outcome})",
            cfg.function_name
        )
    })?;
    Ok((
        Sample {
            init_ms,
            resp_ms,
            rss_kib,
            outcome,
        },
        body,
    ))
}

/// "200" for an API Gateway response, "ok" for any other successful payload.
fn status_of(body: &str) -> String {
    let key = "\"statusCode\":";
    match body.find(key) {
        Some(i) => body[i + key.len()..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect(),
        None => "ok".into(),
    }
}

// ---------------------------------------------------------------- serve

fn serve(o: &Opts) -> i32 {
    let Some(bootstrap) = o.get("bootstrap") else {
        eprintln!("serve needs --bootstrap PATH");
        return 2;
    };
    let event = match event_from_spec(o.get_or("event", "scheduled")) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    if let Err(code) = maybe_start_aws_stub(o) {
        return code;
    }
    let log = o.get("log").map(PathBuf::from);
    let cfg = RunCfg {
        bootstrap: Path::new(bootstrap),
        function_name: o.get_or("function-name", "local-function"),
        memory_mb: o.get_or("memory", "256"),
        event: &event,
        log: log.as_deref(),
        timeout: Duration::from_secs(o.get_or("timeout", "15").parse().unwrap_or(15)),
        drop_env: Vec::new(),
    };
    match run_once(&cfg) {
        Ok((s, body)) => {
            println!("init_ms={:.2}", s.init_ms);
            println!(
                "response_ms={}",
                s.resp_ms.map(|v| format!("{v:.2}")).unwrap_or("-".into())
            );
            println!(
                "peak_rss_kib={}",
                s.rss_kib.map(|v| v.to_string()).unwrap_or("-".into())
            );
            println!("outcome={}", s.outcome);
            println!("body={body}");
            i32::from(s.resp_ms.is_none())
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

// ---------------------------------------------------------------- instant AWS stub

/// `--aws-stub 1`: starts the stub and points the bootstraps' AWS_ENDPOINT_URL at it.
fn maybe_start_aws_stub(o: &Opts) -> Result<(), i32> {
    if o.get("aws-stub") != Some("1") {
        return Ok(());
    }
    match start_aws_stub() {
        Ok(port) => {
            std::env::set_var("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"));
            Ok(())
        }
        Err(e) => {
            eprintln!("aws stub: {e}");
            Err(2)
        }
    }
}

/// `--aws-stub`: an AWS endpoint that answers every JSON-protocol call at once with an empty
/// result (an SSM GetParameter with a dummy secret), so init is measured without any backend
/// latency. It is not a fake of any service beyond that.
fn start_aws_stub() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            thread::spawn(move || {
                let _ = conn.set_nodelay(true);
                let Ok(mut w) = conn.try_clone() else { return };
                let mut r = BufReader::new(conn);
                while let Some(req) = read_stub_req(&mut r) {
                    let body = if req.contains("getparameter") {
                        r#"{"Parameter":{"Name":"/stub","Type":"SecureString","Value":"stub-secret-0123456789abcdef0123456789","Version":1}}"#
                    } else {
                        "{}"
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-requestid: stub\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    if w.write_all(head.as_bytes())
                        .and_then(|_| w.write_all(body.as_bytes()))
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Ok(port)
}

/// Reads one request; returns its lower-cased head (enough to see the x-amz-target).
fn read_stub_req(r: &mut BufReader<TcpStream>) -> Option<String> {
    let mut head = String::new();
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let l = line.to_ascii_lowercase();
        if let Some(v) = l.strip_prefix("content-length:") {
            len = v.trim().parse().ok()?;
        }
        head.push_str(&l);
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(head)
}

// ---------------------------------------------------------------- bench

struct Row {
    name: String,
    zip_bytes: Option<u64>,
    init_ms: Option<f64>,
    resp_ms: Option<f64>,
    rss_kib: Option<u64>,
    outcome: String,
    event: String,
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// METHOD /path function, from routes.txt.
fn read_routes(path: &str) -> Result<Vec<(String, String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3).then(|| (f[0].to_string(), f[1].to_string(), f[2].to_string()))
        })
        .collect())
}

/// A GET route of the function if it has one, else its first; none means scheduled.
fn event_spec_for(name: &str, routes: &[(String, String, String)]) -> String {
    let mine: Vec<_> = routes.iter().filter(|r| r.2 == name).collect();
    match mine.iter().find(|r| r.0 == "GET").or(mine.first()) {
        Some(r) => format!("http:{}:{}", r.0, r.1),
        None => "scheduled".into(),
    }
}

fn bench(o: &Opts) -> i32 {
    let bin_dir = PathBuf::from(o.get_or("bin-dir", "target/lambda-build/lambda"));
    let zip_dir = o.get("zip-dir").map(PathBuf::from);
    let baseline = o.get_or("baseline", "hello-lambda").to_string();
    let runs: usize = o.get_or("runs", "5").parse().unwrap_or(5).max(1);
    let timeout = Duration::from_secs(o.get_or("timeout", "15").parse().unwrap_or(15));
    let routes = match o.get("routes").map(read_routes).transpose() {
        Ok(r) => r.unwrap_or_default(),
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let memory: BTreeMap<String, String> = o
        .get_or("memory", "")
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut names: Vec<String> = vec![baseline.clone()];
    names.extend(
        o.get_or("functions", "")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty() && *s != baseline)
            .map(String::from),
    );
    // `VAR:fn1+fn2,VAR2:fn3`: VAR reaches only fn1 and fn2, as in template.yaml.
    let scoped: Vec<(String, Vec<String>)> = o
        .get_or("scoped-env", "")
        .split(',')
        .filter_map(|e| e.split_once(':'))
        .map(|(k, fs)| {
            (
                k.trim().to_string(),
                fs.split('+').map(|f| f.trim().to_string()).collect(),
            )
        })
        .collect();
    if let Err(code) = maybe_start_aws_stub(o) {
        return code;
    }
    let log_dir = o.get("log-dir").map(PathBuf::from);
    if let Some(d) = &log_dir {
        let _ = std::fs::create_dir_all(d);
    }

    // Rounds: every function (baseline first) once per round, so that a machine getting
    // busier or quieter during the bench moves the baseline and the functions alike.
    struct Plan {
        name: String,
        spec: String,
        event: String,
        bootstrap: PathBuf,
        zip_bytes: Option<u64>,
        log: Option<PathBuf>,
        memory_mb: String,
        drop_env: Vec<String>,
        inits: Vec<f64>,
        resps: Vec<f64>,
        rsss: Vec<f64>,
        outcome: String,
        failed: bool,
    }
    let mut plans: Vec<Plan> = names
        .iter()
        .map(|name| {
            let spec = if *name == baseline {
                "scheduled".to_string()
            } else {
                event_spec_for(name, &routes)
            };
            let bootstrap = bin_dir.join(name).join("bootstrap");
            let missing = !bootstrap.exists();
            Plan {
                event: event_from_spec(&spec).expect("built-in event"),
                spec,
                zip_bytes: zip_dir
                    .as_ref()
                    .and_then(|d| std::fs::metadata(d.join(format!("{name}.zip"))).ok())
                    .map(|m| m.len()),
                log: log_dir.as_ref().map(|d| d.join(format!("{name}.log"))),
                memory_mb: memory.get(name).cloned().unwrap_or_else(|| "256".into()),
                drop_env: scoped
                    .iter()
                    .filter(|(_, fs)| !fs.contains(name))
                    .map(|(k, _)| k.clone())
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
                name: name.clone(),
            }
        })
        .collect();
    for round in 0..runs {
        for p in plans.iter_mut().filter(|p| !p.failed) {
            let cfg = RunCfg {
                bootstrap: &p.bootstrap,
                function_name: &p.name,
                memory_mb: &p.memory_mb,
                event: &p.event,
                log: p.log.as_deref(),
                timeout,
                drop_env: p.drop_env.clone(),
            };
            match run_once(&cfg) {
                Ok((s, body)) => {
                    p.inits.push(s.init_ms);
                    if let Some(r) = s.resp_ms {
                        p.resps.push(r);
                    }
                    if let Some(k) = s.rss_kib {
                        p.rsss.push(k as f64);
                    }
                    if round == 0 {
                        eprintln!(
                            "{}: {} -> {} {}",
                            p.name,
                            p.spec,
                            s.outcome,
                            body.chars().take(160).collect::<String>()
                        );
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
            zip_bytes: p.zip_bytes,
            init_ms: median(p.inits),
            resp_ms: median(p.resps),
            rss_kib: median(p.rsss).map(|v| v as u64),
            outcome: p.outcome,
            event: p.spec,
        })
        .collect();

    let max_ratio: f64 = o.get_or("max-init-ratio", "2").parse().unwrap_or(2.0);
    let max_zip: u64 = o
        .get_or("max-zip-bytes", "5000000")
        .parse()
        .unwrap_or(5_000_000);
    let max_rss_kib: u64 = o.get_or("max-rss-kib", "30720").parse().unwrap_or(30_720);
    let base_init = rows.first().and_then(|r| r.init_ms);
    let mut md = String::new();
    md.push_str(&format!(
        "Cold start, median of {runs} rounds (each round runs every bootstrap once; release x86_64 bootstrap under the local Runtime API emulator; \
         AWS backend: {}).\n\
         init = exec to first `next` poll; first response = exec to the posted response.\n\
         Targets: init <= {max_ratio}x {baseline}, zip <= {:.1} MB, peak RSS <= {} MiB.\n\n",
        o.get_or("backend-label", "as given by AWS_ENDPOINT_URL"),
        max_zip as f64 / 1e6,
        max_rss_kib / 1024
    ));
    md.push_str("| function | event | zip (MB) | init (ms) | init / hello | first response (ms) | peak RSS (MiB) | outcome | within targets |\n");
    md.push_str("|---|---|---:|---:|---:|---:|---:|---|---|\n");
    let mut all_ok = true;
    for r in &rows {
        let ratio = match (r.init_ms, base_init) {
            (Some(a), Some(b)) if b > 0.0 => Some(a / b),
            _ => None,
        };
        let mut misses = Vec::new();
        if r.init_ms.is_none() {
            misses.push("no init");
        }
        if r.name != baseline && ratio.is_some_and(|x| x > max_ratio) {
            misses.push("init");
        }
        if r.zip_bytes.is_some_and(|z| z > max_zip) {
            misses.push("zip");
        }
        if r.rss_kib.is_some_and(|k| k > max_rss_kib) {
            misses.push("rss");
        }
        if r.resp_ms.is_none() {
            misses.push("no response");
        }
        all_ok &= misses.is_empty();
        let f = |v: Option<f64>, p: usize| v.map(|x| format!("{x:.p$}")).unwrap_or("-".into());
        md.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            r.name,
            r.event.replace('|', "\\|"),
            f(r.zip_bytes.map(|z| z as f64 / 1e6), 2),
            f(r.init_ms, 2),
            if r.name == baseline {
                "1.00".into()
            } else {
                f(ratio, 2)
            },
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
    print!("{md}");
    if let Some(out) = o.get("out") {
        if let Some(dir) = Path::new(out).parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = std::fs::write(out, &md) {
            eprintln!("{out}: {e}");
        } else {
            eprintln!("wrote {out}");
        }
    }
    if o.get("strict").is_some_and(|v| v == "1") && !all_ok {
        return 1;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(stream: &mut TcpStream, head: &str, body: &str) -> String {
        let msg = format!(
            "{head}\r\nhost: x\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(msg.as_bytes()).unwrap();
        let mut r = BufReader::new(stream.try_clone().unwrap());
        let (mut text, mut len) = (String::new(), 0usize);
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            text.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut b = vec![0; len];
        r.read_exact(&mut b).unwrap();
        text + &String::from_utf8(b).unwrap()
    }

    #[test]
    fn speaks_the_runtime_api_like_a_lambda_client_expects() {
        let emu = start_emulator(
            http_event("GET", "/api/catalog/titles/{bib_id}"),
            "catalog".into(),
        )
        .unwrap();
        let mut s = TcpStream::connect(("127.0.0.1", emu.port)).unwrap();
        let next = request(&mut s, &format!("GET {API}/invocation/next HTTP/1.1"), "");
        assert!(next.starts_with("HTTP/1.1 200"), "{next}");
        for h in [
            "lambda-runtime-aws-request-id: bench-0001",
            "lambda-runtime-deadline-ms:",
            "lambda-runtime-invoked-function-arn:",
        ] {
            assert!(next.contains(h), "missing {h} in {next}");
        }
        assert!(
            next.contains(r#""rawPath":"/api/catalog/titles/X""#)
                && next.contains(r#""pathParameters":{"bib_id":"X"}"#)
        );
        let ack = request(
            &mut s,
            &format!("POST {API}/invocation/bench-0001/response HTTP/1.1"),
            r#"{"statusCode":404}"#,
        );
        assert!(ack.starts_with("HTTP/1.1 202"));
        assert!(matches!(emu.rx.recv().unwrap(), Ev::Next(_)));
        match emu.rx.recv().unwrap() {
            Ev::Response(_, body) => assert_eq!(status_of(&body), "404"),
            _ => panic!("expected a response"),
        }
        emu.done.store(true, Ordering::SeqCst);
    }

    #[test]
    fn events_and_helpers() {
        assert_eq!(event_from_spec("scheduled").unwrap(), "{}");
        let e = event_from_spec("http:POST:/api/staff/patrons/{card_number}/temporary-password")
            .unwrap();
        assert!(
            e.contains(r#""rawPath":"/api/staff/patrons/1000001/temporary-password""#)
                && e.contains(r#""body":"{}""#)
        );
        assert_eq!(e.matches('{').count(), e.matches('}').count());
        assert_eq!(status_of(r#"{"x":1}"#), "ok");
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
        let routes = vec![
            ("POST".into(), "/api/session".into(), "session".into()),
            ("DELETE".into(), "/api/session".into(), "session".into()),
        ];
        assert_eq!(event_spec_for("session", &routes), "http:POST:/api/session");
        assert_eq!(event_spec_for("due-reminders", &routes), "scheduled");
    }
}
