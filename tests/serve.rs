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
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: &Site) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_schoolsite"))
            .args(["serve", "--port", "0", "--today", "2026-11-24", "--root"])
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
                assert!(host_port.starts_with("127.0.0.1:"), "{line}");
                break host_port.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        // Keep reading its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, port }
    }

    /// GET `path` with `headers`: (status, headers, body).
    fn get(&self, path: &str, headers: &[&str]) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        let mut req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n", self.port);
        for h in headers {
            req.push_str(h);
            req.push_str("\r\n");
        }
        req.push_str("\r\n");
        stream.write_all(req.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, head, raw[split + 4..].to_vec())
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

    // A half-saved page blocks the build: the browser shows why.
    let about = site.read("content/about.md");
    site.write("content/about.md", &about[..20]);
    let blocked = server.wait_for("/about/", |_, b| b.contains("The site is not built"));
    assert!(
        blocked.contains("content/about.md") && blocked.contains("front matter"),
        "{blocked}"
    );
    assert!(
        blocked.contains("/__schoolsite/reload.js"),
        "the findings page reloads itself"
    );

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
