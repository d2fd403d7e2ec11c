//! `schoolsite serve`: the site from memory on 127.0.0.1, rebuilt when a
//! file is saved, the findings in the browser while the build is blocked,
//! and public/ never touched.

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `schoolsite serve`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    /// The address it listens on.
    ip: &'static str,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: &Site) -> Server {
        Server::start_on(site, "127.0.0.1")
    }

    fn start_on(site: &Site, ip: &'static str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_schoolsite"))
            .args(["serve", "--port", "0", "--today", "2026-11-24"])
            .args(["--interface", ip, "--root"])
            .arg(site.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            let line = lines
                .next()
                .expect("serve stopped before saying where it serves")
                .expect("read");
            if let Some(rest) = line.strip_prefix("serving http://") {
                let host_port = rest.split('/').next().unwrap();
                assert!(host_port.starts_with(&format!("{ip}:")), "{line}");
                break host_port.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        // Keep reading its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, port, ip }
    }

    /// GET `path` with `headers`: (status, headers, body).
    fn get(&self, path: &str, headers: &[&str]) -> (u16, String, Vec<u8>) {
        let mut req = format!("GET {path} HTTP/1.1\r\nHost: {}:{}\r\n", self.ip, self.port);
        for h in headers {
            req.push_str(h);
            req.push_str("\r\n");
        }
        req.push_str("\r\n");
        self.raw(&req).expect("a response")
    }

    /// Sends `request` exactly as given: (status, headers, body), or
    /// None when the server closed the connection without an answer.
    fn raw(&self, request: &str) -> Option<(u16, String, Vec<u8>)> {
        let mut stream = TcpStream::connect((self.ip, self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        // The server may stop reading a request it refuses half-way.
        let _ = stream.write_all(request.as_bytes());
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = head.split(' ').nth(1)?.parse().ok()?;
        Some((status, head, raw[split + 4..].to_vec()))
    }

    fn page(&self, path: &str) -> (u16, String) {
        let (status, _, body) = self.get(path, &[]);
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    /// Waits (up to 20 s) until `path` satisfies `ok`.
    fn wait_for(&self, path: &str, ok: impl Fn(u16, &str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, body) = self.page(path);
            if ok(status, &body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "gave up waiting; last answer {status}: {body}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A header's value in a response head, by name in any case.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The reload event stream, opened: what it has sent so far.
struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    fn open(server: &Server) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        write!(
            stream,
            "GET /__schoolsite/reload HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            server.port
        )
        .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut events = Events {
            stream,
            seen: String::new(),
        };
        events.wait_for(|s| s.contains("retry: 1000"));
        assert!(
            header(&events.seen, "content-type") == Some("text/event-stream"),
            "{}",
            events.seen
        );
        events
    }

    /// Reads (up to 20 s) until what was sent satisfies `ok`.
    fn wait_for(&mut self, ok: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut buf = [0; 4096];
        while !ok(&self.seen) {
            assert!(
                Instant::now() < deadline,
                "gave up waiting for the event stream: {}",
                self.seen
            );
            match self.stream.read(&mut buf) {
                Ok(0) => panic!("the event stream closed: {}", self.seen),
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(_) => {}
            }
        }
    }

    /// The builds it announced (`data: N`), in order.
    fn builds(&self) -> Vec<u64> {
        self.seen
            .lines()
            .filter_map(|l| l.strip_prefix("data: ")?.trim().parse().ok())
            .collect()
    }
}

#[test]
fn serves_rebuilds_and_shows_findings_while_blocked() {
    let site = Site::example();
    let server = Server::start(&site);

    let (status, home) = server.page("/");
    assert_eq!(status, 200);
    assert!(home.contains("Larkspur Lane"));
    // Live reload comes as a script file, which the pages' Content
    // Security Policy allows (a script written into the page it refuses).
    assert!(
        home.contains("<script src=\"/__schoolsite/reload.js\"></script>"),
        "live reload"
    );
    let (status, _, script) = server.get("/__schoolsite/reload.js", &[]);
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&script).contains("new EventSource(\"/__schoolsite/reload\")"));
    assert_eq!(server.page("/no-such-page/").0, 404);
    let (status, head, _) = server.get("/news", &[]);
    assert_eq!(status, 301);
    assert!(head.contains("Location: /news/"));
    // Another website cannot reach it through a name pointing here.
    let (status, _, _) = server.get("/", &["Host: attacker.example"]);
    assert_eq!(status, 403);
    // Video answers range requests, as browsers ask for it.
    let film = server.page("/news/autumn-garden/").1;
    let clip = film
        .split("src=\"")
        .find_map(|s| s.split('"').next().filter(|u| u.ends_with(".mp4")))
        .expect("a video");
    let (status, head, body) = server.get(clip, &["Range: bytes=0-99"]);
    assert_eq!(status, 206, "{head}");
    assert_eq!(body.len(), 100);
    assert_eq!(&body[4..8], b"ftyp");

    // A half-saved page blocks the build: the browser shows why, told by
    // the reload stream that there is a new build.
    let mut events = Events::open(&server);
    let before = events.builds().last().copied().unwrap_or(0);
    let about = site.read("content/about.md");
    site.write("content/about.md", &about[..20]);
    events.wait_for(|s| s.contains("data: "));
    let announced = events.builds();
    assert!(
        announced.last().is_some_and(|&n| n > before),
        "{}",
        events.seen
    );
    let blocked = server.wait_for("/about/", |_, b| b.contains("The site is not built"));
    assert!(
        blocked.contains("content/about.md") && blocked.contains("front matter"),
        "{blocked}"
    );
    assert!(
        blocked.contains("/__schoolsite/reload.js"),
        "the findings page reloads itself"
    );
    // Every page shows the findings; files are not served at all.
    let (status, other) = server.page("/news/");
    assert_eq!(status, 200);
    assert!(other.contains("The site is not built"), "{other}");
    let (status, _, _) = server.get(clip, &[]);
    assert_eq!(status, 503);

    // An undeclared photo: named under the photos that cannot be published.
    site.write("content/about.md", &about);
    site.write(
        "content/news/2026-11-06-autumn-garden/extra.jpg",
        plain_jpeg(64, 64),
    );
    let page = site.read("content/news/2026-11-06-autumn-garden/index.md");
    site.write(
        "content/news/2026-11-06-autumn-garden/index.md",
        format!("{page}\n![Children planting bulbs](extra.jpg)\n"),
    );
    let blocked = server.wait_for("/", |_, b| {
        b.contains("Photos and files that cannot be published")
    });
    assert!(
        blocked.contains("extra.jpg") && blocked.contains("photo-undeclared"),
        "{blocked}"
    );

    // Fixed: the site is back, rebuilt from the image cache.
    site.write("content/news/2026-11-06-autumn-garden/index.md", &page);
    let back = server.wait_for("/about/", |s, b| s == 200 && !b.contains("not built"));
    assert!(back.contains("<h1>"));

    assert!(!site.path("public").exists(), "serve never writes public/");
}

#[test]
fn answers_ranges_and_refuses_strangers_escapes_and_hostile_clients() {
    let site = Site::example();
    let server = Server::start(&site);
    let port = server.port;

    // Byte ranges of a clip: exactly those bytes, with where they are.
    let film = server.page("/news/autumn-garden/").1;
    let clip = film
        .split("src=\"")
        .find_map(|s| s.split('"').next().filter(|u| u.ends_with(".mp4")))
        .expect("a video");
    let (status, head, whole) = server.get(clip, &[]);
    assert_eq!(status, 200, "{head}");
    let total = whole.len();
    assert!(total > 1000);
    assert_eq!(
        header(&head, "content-length"),
        Some(total.to_string().as_str())
    );
    assert_eq!(header(&head, "accept-ranges"), Some("bytes"));
    assert_eq!(header(&head, "content-type"), Some("video/mp4"));
    for (range, from, to) in [
        ("bytes=0-99".to_string(), 0, 99),
        ("bytes=100-199".to_string(), 100, 199),
        ("bytes=-10".to_string(), total - 10, total - 1),
        (format!("bytes={}-", total - 5), total - 5, total - 1),
        // An end past the file stops at its end.
        (format!("bytes=1000-{}", total * 2), 1000, total - 1),
    ] {
        let (status, head, body) = server.get(clip, &[&format!("Range: {range}")]);
        assert_eq!(status, 206, "{range}: {head}");
        assert_eq!(body, &whole[from..=to], "{range}");
        assert_eq!(
            header(&head, "content-range"),
            Some(format!("bytes {from}-{to}/{total}").as_str()),
            "{range}"
        );
        assert_eq!(
            header(&head, "content-length"),
            Some((to - from + 1).to_string().as_str())
        );
    }
    // Wholly past the end: 416, saying how long the file is.
    for range in [
        format!("bytes={total}-"),
        format!("bytes={}-{}", total + 10, total + 20),
    ] {
        let (status, head, body) = server.get(clip, &[&format!("Range: {range}")]);
        assert_eq!(status, 416, "{range}: {head}");
        assert_eq!(
            header(&head, "content-range"),
            Some(format!("bytes */{total}").as_str())
        );
        assert!(body.is_empty());
    }
    // Several ranges, or nonsense: the whole file, as the standard allows.
    for range in ["bytes=0-1,5-6", "bytes=9-3", "lines=1-2", "bytes=x-"] {
        let (status, _, body) = server.get(clip, &[&format!("Range: {range}")]);
        assert_eq!((status, body.len()), (200, total), "{range}");
    }
    // HEAD: the length, without the bytes.
    let (status, head, body) = server
        .raw(&format!(
            "HEAD {clip} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        ))
        .expect("an answer");
    assert_eq!(status, 200);
    assert_eq!(
        header(&head, "content-length"),
        Some(total.to_string().as_str())
    );
    assert!(body.is_empty());
    let (status, head, body) = server
        .raw(&format!(
            "HEAD /about/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        ))
        .expect("an answer");
    assert_eq!(status, 200);
    assert_eq!(
        header(&head, "content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(body.is_empty());
    // Security headers, on pages as on everything else.
    let (_, head, _) = server.get("/about/", &[]);
    assert_eq!(header(&head, "x-content-type-options"), Some("nosniff"));
    assert_eq!(header(&head, "cache-control"), Some("no-store"));
    // Only GET and HEAD.
    let (status, _, _) = server
        .raw(&format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"
        ))
        .expect("an answer");
    assert_eq!(status, 405);

    // Hosts: this computer's names only (DNS rebinding).
    for host in [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
    ] {
        let (status, _, body) = server
            .raw(&format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n"))
            .expect("an answer");
        assert_eq!(status, 403, "{host}");
        assert!(!String::from_utf8_lossy(&body).contains("Larkspur"));
    }
    for request in [
        // No Host at all.
        "GET / HTTP/1.0\r\n\r\n".to_string(),
        // An absolute address elsewhere, whatever the Host says.
        format!("GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
        // Two Hosts.
        format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n\r\n"),
    ] {
        let status = server.raw(&request).map(|r| r.0);
        assert!(
            matches!(status, Some(400 | 403) | None),
            "{request:?}: {status:?}"
        );
    }
    for host in [format!("localhost:{port}"), format!("[::1]:{port}")] {
        let (status, _, _) = server
            .raw(&format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n"))
            .expect("an answer");
        assert_eq!(status, 200, "{host}");
    }

    // No address reaches a file the build did not publish.
    let config = site.read("config.toml");
    let marker = config.lines().find(|l| l.contains('=')).expect("a setting");
    for path in [
        "/../config.toml",
        "/%2e%2e/config.toml",
        "/%2E%2E%2Fconfig.toml",
        "/..%2fconfig.toml",
        "/news/../../config.toml",
        "/news/%2e%2e/%2e%2e/config.toml",
        "/config.toml",
        "/content/about.md",
        "/consent/register.csv",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/.schoolsite/",
        "/news/%00",
    ] {
        let answer = server.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        ));
        let Some((status, _, body)) = answer else {
            continue;
        };
        let body = String::from_utf8_lossy(&body);
        assert!(matches!(status, 400 | 404), "{path}: {status}");
        assert!(!body.contains(marker) && !body.contains("root:"), "{path}");
    }

    // A huge header is refused, and the server goes on answering.
    let huge = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Long: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let status = server.raw(&huge).map(|r| r.0);
    assert!(matches!(status, Some(431) | None), "{status:?}");
    let many: String = (0..500).map(|i| format!("X-{i}: {i}\r\n")).collect();
    let status = server
        .raw(&format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{many}\r\n"
        ))
        .map(|r| r.0);
    assert!(matches!(status, Some(431) | None), "{status:?}");
    assert_eq!(server.page("/").0, 200);

    // Clients that never finish their request hold up no one, and are
    // dropped: one that sends nothing, and one that trickles a header
    // line at a time (the time limit is for the whole request head).
    let idle: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connect"))
        .collect();
    let trickle = std::thread::spawn(move || {
        let started = Instant::now();
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        let mut line = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
        while started.elapsed() < Duration::from_secs(40) {
            if stream.write_all(line.as_bytes()).is_err() {
                return Some(started.elapsed());
            }
            line = "X-Slow: 1\r\n".to_string();
            std::thread::sleep(Duration::from_millis(300));
        }
        None
    });
    let asked = Instant::now();
    let (status, home) = server.page("/");
    assert_eq!(status, 200);
    assert!(home.contains("Larkspur Lane"));
    assert!(
        asked.elapsed() < Duration::from_secs(5),
        "{:?}",
        asked.elapsed()
    );
    let dropped = trickle.join().expect("the trickling client");
    assert!(
        dropped.is_some_and(|d| d < Duration::from_secs(25)),
        "a client trickling its headers was still connected after {dropped:?}"
    );
    for mut stream in idle {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buf = [0; 64];
        // Closed (or reset) by now: well past the time limit.
        assert!(
            !matches!(stream.read(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut),
            "an idle connection is still open"
        );
    }
    assert!(!site.path("public").exists(), "serve never writes public/");
}

/// Linux gives this computer all of 127.0.0.0/8 (macOS and Windows only
/// 127.0.0.1 unless configured).
#[cfg(target_os = "linux")]
#[test]
fn served_on_another_loopback_address_it_answers_that_address_only() {
    let site = Site::new();
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\n\nWelcome.\n",
    );
    let server = Server::start_on(&site, "127.0.0.2");
    let (status, body) = server.page("/");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Welcome."), "{body}");
    // The near miss: a name that is not this computer is still refused.
    for host in ["127.0.0.2.evil.example", "evil.example", "128.0.0.2"] {
        let (status, _, _) = server
            .raw(&format!(
                "GET / HTTP/1.1\r\nHost: {host}:{}\r\n\r\n",
                server.port
            ))
            .expect("an answer");
        assert_eq!(status, 403, "{host}");
    }
}
