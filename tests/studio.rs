//! `schoolsite studio`: editing in the browser, on this computer only,
//! with every write refused unless it comes from the studio's own page
//! with this run's token, and every finding the build's own.

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `schoolsite studio`, stopped when dropped.
struct Studio {
    child: Child,
    /// The name it answers to (`studio-….localhost`).
    host: String,
    port: u16,
    /// Where the site's preview is served (another origin).
    preview_port: u16,
    /// The address it printed to open first (with this run's key).
    launch: String,
    /// `name=value` of the session cookie opening it gave.
    cookie: String,
    /// Everything it printed (stdout and stderr), line by line.
    output: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Studio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Studio {
    fn start(site: &Site) -> Studio {
        Studio::start_as(site, None)
    }

    /// Started by someone whose home folder is `home` (their keys).
    fn start_as(site: &Site, home: Option<&std::path::Path>) -> Studio {
        let mut command = Command::new(env!("CARGO_BIN_EXE_schoolsite"));
        if let Some(home) = home {
            command.env("HOME", home);
        }
        let mut child = command
            .args(["studio", "--port", "0", "--today", "2026-11-24", "--root"])
            .arg(site.root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start studio");
        let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let errors = std::sync::Arc::clone(&output);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                errors.lock().unwrap().push(line);
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut next_line = || {
            lines
                .next()
                .expect("studio stopped before saying where it serves")
                .expect("read")
        };
        let launch = loop {
            let line = next_line();
            if let Some(rest) = line.strip_prefix("studio on ") {
                break rest.split(' ').next().unwrap().to_string();
            }
        };
        let preview = next_line();
        let name_and_port = |url: &str| -> (String, u16) {
            let host_port = url
                .strip_prefix("http://")
                .unwrap()
                .split('/')
                .next()
                .unwrap();
            let (name, port) = host_port.rsplit_once(':').unwrap();
            (name.to_string(), port.parse().unwrap())
        };
        let (host, port) = name_and_port(&launch);
        let (preview_host, preview_port) =
            name_and_port(preview.strip_prefix("preview on ").expect(&preview));
        // A name made for the run, which a browser takes to this computer.
        assert!(
            host.starts_with("studio-") && host.ends_with(".localhost") && host.len() > 30,
            "{launch}"
        );
        assert_eq!(preview_host, host);
        assert_ne!(port, preview_port, "the preview is another origin");
        let printed = std::sync::Arc::clone(&output);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                printed.lock().unwrap().push(line);
            }
        });
        let mut studio = Studio {
            child,
            host,
            port,
            preview_port,
            launch,
            cookie: String::new(),
            output,
        };
        studio.cookie = studio.open();
        studio
    }

    /// Opens the printed address as the browser does: the session cookie
    /// it sets (`name=value`).
    fn open(&self) -> String {
        let path = self.launch.splitn(4, '/').nth(3).unwrap();
        let opened = self.get_without_session(&format!("/{path}"));
        assert_eq!(opened.status, 303, "{}", opened.head);
        let cookie = opened
            .head
            .lines()
            .find_map(|l| l.strip_prefix("Set-Cookie: "))
            .expect("a session cookie");
        cookie.split(';').next().unwrap().to_string()
    }

    /// GET with no session (as another person on this computer would).
    fn get_without_session(&self, path: &str) -> Answer {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.at(self.port)
        );
        self.send(req.as_bytes())
    }

    /// `name:port`, as a browser writes it in `Host` and `Origin`.
    fn at(&self, port: u16) -> String {
        format!("{}:{port}", self.host)
    }

    /// What it has printed so far.
    fn printed(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    fn send(&self, request: &[u8]) -> Answer {
        self.try_send(request).expect("an answer")
    }

    /// None when the server closed the connection without an answer.
    fn try_send(&self, request: &[u8]) -> Option<Answer> {
        self.try_send_to(self.port, request)
    }

    fn try_send_to(&self, port: u16, request: &[u8]) -> Option<Answer> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let _ = stream.write_all(request);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = head.split(' ').nth(1)?.parse().ok()?;
        Some(Answer {
            status,
            head,
            body: String::from_utf8_lossy(&raw[split + 4..]).into_owned(),
        })
    }

    fn get_bytes(&self, path: &str) -> Vec<u8> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n\r\n",
            self.at(self.port),
            self.cookie
        )
        .unwrap();
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("an answer");
        raw[split + 4..].to_vec()
    }

    fn get(&self, path: &str) -> Answer {
        let req = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n\r\n",
            self.at(self.port),
            self.cookie
        );
        self.send(req.as_bytes())
    }

    /// POSTs `fields` as a form, with `headers` added.
    fn post(&self, path: &str, fields: &[(&str, &str)], headers: &[String]) -> Answer {
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut req = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            self.at(self.port),
            self.cookie,
            body.len()
        );
        for h in headers {
            req.push_str(h);
            req.push_str("\r\n");
        }
        req.push_str("\r\n");
        req.push_str(&body);
        self.send(req.as_bytes())
    }

    /// POSTs as the studio's own page does (a browser sends these).
    fn post_same_origin(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.post(
            path,
            fields,
            &[
                format!("Origin: http://{}", self.at(self.port)),
                "Sec-Fetch-Site: same-origin".to_string(),
            ],
        )
    }

    /// POSTs a multipart form: text fields, then a file.
    fn upload(&self, fields: &[(&str, &str)], file_name: &str, bytes: &[u8]) -> Answer {
        self.try_upload(fields, file_name, bytes)
            .expect("an answer")
    }

    fn try_upload(&self, fields: &[(&str, &str)], file_name: &str, bytes: &[u8]) -> Option<Answer> {
        let boundary = "----schoolsite-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            write!(
                body,
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            )
            .unwrap();
        }
        write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .unwrap();
        body.extend_from_slice(bytes);
        write!(body, "\r\n--{boundary}--\r\n").unwrap();
        let mut req = format!(
            "POST /studio/upload HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
            self.at(self.port),
            self.cookie,
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(&body);
        self.try_send(&req)
    }

    /// This run's token and the form's version, from a page's forms.
    fn token(&self) -> String {
        hidden(&self.get("/studio/").body, "token")
    }
}

/// `s` as the studio puts it in an address.
fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The value of the first hidden field `name` in `page`.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[at..].split('"').next().unwrap().to_string()
}

/// A small school: a news section, one post with a photo (declared, with
/// a comment in its photos.toml), and three pupils, one of whom withdrew
/// consent.
fn school() -> Site {
    let site = Site::new();
    site.write(
        "consent/register.csv",
        "id,legal_forename,legal_surname,group,leaving_date,consent_date,withdrawn,never_publish,website_group,website_individual,website_named_first_name\n\
         1001,Oliver,Okafor,Year 5,,2026-09-01,no,no,yes,yes,no\n\
         1002,Amelia,Hartley,Year 5,,2026-09-01,no,no,yes,yes,no\n\
         1003,Zoe,Oliphant,Year 2,,2026-09-01,2026-10-01,no,yes,yes,no\n",
    );
    site.write(
        "content/news/_index.md",
        "+++\ntitle = \"News\"\nsort_by = \"date\"\n+++\n",
    );
    site.write(
        "content/news/2026-11-06-garden/index.md",
        "+++\ntitle = \"Autumn garden\"\ndate = 2026-11-06\n+++\n\n![Bulbs ready for planting](bulbs.jpg)\n",
    );
    site.write(
        "content/news/2026-11-06-garden/bulbs.jpg",
        plain_jpeg(64, 48),
    );
    site.write(
        "content/news/2026-11-06-garden/photos.toml",
        "# Checked by Mrs Ashworth, 6 November.\n[[photo]]\nfile = \"bulbs.jpg\"\nnobody = true # just the bulbs\n",
    );
    site
}

/// Every file under `content/` with its bytes.
fn content(site: &Site) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    walk(&site.path("content"))
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn the_studio_never_listens_on_the_network() {
    let site = school();
    // Nor on another loopback address, which a browser would not take the
    // studio's `….localhost` name to.
    for interface in ["0.0.0.0", "192.168.1.20", "::", "127.0.0.2"] {
        let run = site.run(&["studio", "--port", "0", "--interface", interface]);
        assert_eq!(run.code, 2, "{interface}: {}", run.all());
        assert!(
            run.stderr.contains("only listens on this computer")
                && run.stderr.contains("schoolsite serve --interface"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_page_another_website_asks_for_is_not_shown_or_worked_on() {
    let site = school();
    let studio = Studio::start(&site);
    let token = studio.token();
    let ask = |site_header: &str| {
        studio.send(
            format!(
                "GET /studio/approve HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n{site_header}\r\n",
                studio.at(studio.port),
                studio.cookie
            )
            .as_bytes(),
        )
    };
    // An image, frame or link on another website's page pointing here.
    for header in [
        "Sec-Fetch-Site: cross-site\r\n",
        "Sec-Fetch-Site: same-site\r\n",
        "Sec-Fetch-Site: none\r\nSec-Fetch-Site: none\r\n",
    ] {
        let answer = ask(header);
        assert_eq!(answer.status, 403, "{header}: {}", answer.body);
        assert!(!answer.body.contains(&token), "{header}");
        assert!(
            answer.body.contains("asked for by another website"),
            "{}",
            answer.body
        );
    }
    // The near misses: the studio's own pages, an address typed or a
    // bookmark, and a client that sends no such header.
    for header in [
        "Sec-Fetch-Site: same-origin\r\n",
        "Sec-Fetch-Site: none\r\n",
        "",
    ] {
        let answer = ask(header);
        assert_eq!(answer.status, 200, "{header}: {}", answer.body);
        assert!(answer.body.contains(&token), "{header}");
    }
}

#[test]
fn only_the_person_who_started_the_studio_gets_in() {
    let site = school();
    let mut studio = Studio::start(&site);
    let token = studio.token();
    let before = content(&site);
    // Another person logged in to this computer: no session, the address
    // without its key, a wrong key, the key twice, or another run's
    // cookie. Nothing is shown, nor the token.
    let key = studio.launch.split("?key=").nth(1).unwrap().to_string();
    let path = "/studio/approve";
    let (name, value) = studio.cookie.split_once('=').unwrap();
    let other_port = format!("{name}-{}={value}", studio.port + 1);
    let wrong_value = format!("{name}={}", "0".repeat(value.len()));
    for (ask, cookie) in [
        (path.to_string(), String::new()),
        ("/studio/".to_string(), String::new()),
        ("/studio/?key=".to_string(), String::new()),
        (
            format!("/studio/?key={}", "0".repeat(key.len())),
            String::new(),
        ),
        (format!("/studio/?key={key}&key={key}"), String::new()),
        (path.to_string(), other_port),
        (path.to_string(), wrong_value),
        (path.to_string(), format!("{name}={}", &value[1..])),
    ] {
        let answer = studio.send(
            format!(
                "GET {ask} HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\n\r\n",
                studio.at(studio.port)
            )
            .as_bytes(),
        );
        assert_eq!(answer.status, 403, "{ask} {cookie}: {}", answer.body);
        assert!(
            answer.body.contains("open it from the whole address"),
            "{}",
            answer.body
        );
        assert!(!answer.body.contains(&token) && !answer.head.contains("Set-Cookie"));
    }
    // Their POST with the right token (had they seen it) changes nothing.
    let edit = studio.get(&format!("/studio/edit?page={GARDEN}"));
    let version = hidden(&edit.body, "version");
    let fields = [
        ("token", token.as_str()),
        ("page", GARDEN),
        ("version", version.as_str()),
        ("title", "Changed"),
        ("body", "Changed"),
    ];
    let session = std::mem::take(&mut studio.cookie);
    let refused = studio.post_same_origin("/studio/edit", &fields);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(content(&site), before);
    // Nor do they see the preview, served apart from the studio.
    let site_page = |studio: &Studio, cookie: &str| {
        studio
            .try_send_to(
                studio.preview_port,
                format!(
                    "GET /news/ HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\n\r\n",
                    studio.at(studio.preview_port)
                )
                .as_bytes(),
            )
            .unwrap()
    };
    let page = site_page(&studio, "");
    assert_eq!(page.status, 403, "{}", page.head);
    assert!(!page.body.contains("Autumn garden"));
    // The near miss: the person who started it opened the printed
    // address. The key leaves the address bar at once, and the cookie
    // is for this run only: no expiry, never read by a script, never
    // sent from another site's page.
    let opened = studio.get_without_session(&format!("/studio/?key={key}"));
    assert_eq!(opened.status, 303);
    assert!(
        opened.head.contains("\r\nLocation: /studio/\r\n"),
        "{}",
        opened.head
    );
    let set = opened
        .head
        .lines()
        .find_map(|l| l.strip_prefix("Set-Cookie: "))
        .unwrap()
        .to_ascii_lowercase();
    assert!(set.starts_with("schoolsite-studio="), "{set}");
    for part in ["; httponly", "; samesite=strict", "; path=/"] {
        assert!(set.contains(part), "{set}");
    }
    assert!(
        !set.contains("expires") && !set.contains("max-age"),
        "{set}"
    );
    assert!(session.eq_ignore_ascii_case(set.split(';').next().unwrap()));
    studio.cookie = session;
    let page = site_page(&studio, &studio.cookie);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Autumn garden"), "{}", page.body);
    let saved = studio.post_same_origin("/studio/edit", &fields);
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_ne!(content(&site), before, "the session's save was made");
    // Opened from another website's page, even with the key, it is not.
    let from_elsewhere = studio.send(
        format!(
            "GET /studio/?key={key} HTTP/1.1\r\nHost: {}\r\nSec-Fetch-Site: cross-site\r\n\r\n",
            studio.at(studio.port)
        )
        .as_bytes(),
    );
    assert_eq!(from_elsewhere.status, 403);
    assert!(!from_elsewhere.head.contains("Set-Cookie"));
}

#[test]
fn the_preview_is_another_origin_so_a_theme_script_cannot_drive_the_studio() {
    let site = school();
    let studio = Studio::start(&site);
    let preview = format!("http://{}", studio.at(studio.preview_port));
    // The studio's pages frame and link the preview at its own address.
    let edit = studio.get(&format!("/studio/edit?page={GARDEN}")).body;
    assert!(
        edit.contains(&format!(
            "<iframe class=\"preview\" src=\"{preview}/news/garden/\""
        )),
        "{edit}"
    );
    // The site's addresses on the studio's port lead there, and serve
    // nothing of the site themselves.
    let moved = studio.get("/news/garden/");
    assert_eq!(moved.status, 303, "{}", moved.head);
    assert!(
        moved
            .head
            .contains(&format!("Location: {preview}/news/garden/")),
        "{}",
        moved.head
    );
    assert!(!moved.body.contains("Autumn garden"));
    // A request for no path (`OPTIONS *`) is sent nowhere.
    let star = studio.send(
        format!(
            "OPTIONS * HTTP/1.1\r\nHost: {}\r\n\r\n",
            studio.at(studio.port)
        )
        .as_bytes(),
    );
    assert_eq!(star.status, 404, "{}", star.head);
    assert!(!star.head.contains("Location"), "{}", star.head);
    // A script in a preview page runs on the preview's origin: a browser
    // marks what it asks of the studio `same-site` with the preview's
    // `Origin`, and the studio refuses both, the session cookie
    // notwithstanding.
    let read = studio.send(
        format!(
            "GET /studio/approve HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nSec-Fetch-Site: same-site\r\n\r\n",
            studio.at(studio.port), studio.cookie
        )
        .as_bytes(),
    );
    assert_eq!(read.status, 403);
    let token = studio.token();
    let post = studio.post(
        "/studio/approve/build",
        &[("token", &token)],
        &[
            format!("Origin: {preview}"),
            "Sec-Fetch-Site: same-site".into(),
        ],
    );
    assert_eq!(post.status, 403, "{}", post.body);
    assert!(!site.path(".schoolsite/manifest.json").exists());
}

#[test]
fn a_post_from_another_site_or_without_the_token_changes_nothing() {
    let site = school();
    let studio = Studio::start(&site);
    let token = studio.token();
    let page = "news/2026-11-06-garden/index.md";
    let edit = studio.get(&format!("/studio/edit?page={page}"));
    assert_eq!(edit.status, 200, "{}", edit.body);
    let version = hidden(&edit.body, "version");
    let before = content(&site);
    let save = |token: &str| {
        vec![
            ("token", token.to_string()),
            ("page", page.to_string()),
            ("version", version.clone()),
            ("title", "Changed".to_string()),
            ("body", "Changed".to_string()),
        ]
    };
    let as_pairs = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    type Fields = Vec<(&'static str, String)>;
    let cases: Vec<(Fields, Vec<String>)> = vec![
        // Another website's page, with the right token even.
        (save(&token), vec!["Origin: http://evil.example".into()]),
        (save(&token), vec!["Origin: null".into()]),
        (save(&token), vec!["Sec-Fetch-Site: cross-site".into()]),
        (save(&token), vec!["Sec-Fetch-Site: same-site".into()]),
        // No token, a wrong one, an empty one.
        (as_pairs(&save(&token)[1..]), vec![]),
        (save("0000"), vec![]),
        (save(""), vec![]),
    ];
    for (fields, headers) in cases {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for path in [
            "/studio/edit",
            "/studio/new",
            "/studio/delete",
            "/studio/restore",
            "/studio/photo",
            "/studio/photo/search",
            "/studio/people",
            "/studio/approve",
            "/studio/approve/build",
            "/studio/publish",
        ] {
            let answer = studio.post(path, &pairs, &headers);
            assert_eq!(answer.status, 403, "{path} {headers:?}: {}", answer.body);
        }
    }
    // A Host that is not this computer (DNS rebinding) is refused first.
    let rebinding = format!(
        "POST /studio/edit HTTP/1.1\r\nHost: evil.example:{}\r\nContent-Length: 0\r\n\r\n",
        studio.port
    );
    assert_eq!(studio.send(rebinding.as_bytes()).status, 403);
    // And a page read through such a name would give away the token: it
    // is not answered either, nor through an address with a user in it.
    // Nor through this computer's usual names: a browser keeps a cookie
    // for the name that set it, so the studio's goes to its own name only.
    for host in [
        "evil.example",
        "127.0.0.1.evil.example",
        "localhost.evil.example",
        "127.0.0.1",
        "localhost",
        "[::1]",
        "studio-000000000000000000000000.localhost",
        &format!("{}.evil.example", studio.host),
        &format!("x.{}", studio.host),
    ] {
        let read = format!(
            "GET /studio/ HTTP/1.1\r\nHost: {host}:{}\r\nCookie: {}\r\n\r\n",
            studio.port, studio.cookie
        );
        let answer = studio.send(read.as_bytes());
        assert_eq!(answer.status, 403, "{host}");
        assert_eq!(answer.body, "forbidden", "{host}");
        assert!(!answer.body.contains(&token), "{host}");
    }
    // The near miss: by its own name, the same request is answered.
    let own = format!(
        "GET /studio/ HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n\r\n",
        studio.at(studio.port),
        studio.cookie
    );
    let answer = studio.send(own.as_bytes());
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.contains(&token));
    let two_hosts = format!(
        "GET /studio/ HTTP/1.1\r\nHost: {}\r\nHost: evil.example:{}\r\n\r\n",
        studio.at(studio.port),
        studio.port
    );
    let answer = studio.send(two_hosts.as_bytes());
    assert!(
        answer.status == 403 || answer.status == 400,
        "{}",
        answer.status
    );
    assert!(!answer.body.contains(&token));
    let absolute = format!(
        "GET http://evil.example/studio/ HTTP/1.1\r\nHost: {}\r\n\r\n",
        studio.at(studio.port)
    );
    let answer = studio.send(absolute.as_bytes());
    assert_eq!(answer.status, 403);
    assert!(!answer.body.contains(&token));
    // Methods other than GET and POST change nothing.
    let put = format!(
        "PUT /studio/edit HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\n\r\n",
        studio.at(studio.port)
    );
    assert_eq!(studio.send(put.as_bytes()).status, 405);
    // An upload without the token writes nothing.
    let upload = studio.upload(
        &[("token", "wrong"), ("page", page), ("alt", "A photo")],
        "photo.jpg",
        &plain_jpeg(32, 32),
    );
    assert_eq!(upload.status, 403, "{}", upload.body);
    assert_eq!(content(&site), before, "a refused request changed a file");
    assert!(!site.path(".schoolsite/bin").exists());
    // Nothing was built for approval, approved or published.
    for made in ["public", "approvals", ".schoolsite/manifest.json"] {
        assert!(!site.path(made).exists(), "{made}");
    }
}

#[test]
fn studio_pages_set_no_cookie_and_load_nothing_from_elsewhere_but_the_preview() {
    let site = school();
    site.write(
        "content/news/2026-10-01-harvest.md",
        "+++\ntitle = \"Harvest\"\n+++\n\nTins.\n",
    );
    let studio = Studio::start(&site);
    for path in [
        "/studio/",
        "/studio/edit?page=news/2026-11-06-garden/index.md",
        "/studio/photo?file=news/2026-11-06-garden/bulbs.jpg",
        "/studio/bin",
        "/studio/findings",
        "/studio/media",
    ] {
        let answer = studio.get(path);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        let head = answer.head.to_ascii_lowercase();
        assert!(!head.contains("set-cookie"), "{path}");
        // Not no-referrer, which makes a browser post the studio's own
        // forms with `Origin: null` (refused); nothing goes to others.
        assert!(head.contains("referrer-policy: same-origin"), "{path}");
        assert!(
            head.contains("content-security-policy: default-src 'self'"),
            "{path}: {head}"
        );
        // The only address written out in full is the preview's.
        let preview = format!("http://{}/", studio.at(studio.preview_port));
        assert!(
            !answer.body.replace(&preview, "/").contains("http://")
                && !answer.body.contains("https://"),
            "{path}"
        );
        assert!(
            head.contains(&format!(
                "frame-src http://{};",
                studio.at(studio.preview_port)
            )),
            "{path}: {head}"
        );
        // Every input has a label.
        for id in answer.body.split("<input id=\"").skip(1) {
            let id = id.split('"').next().unwrap();
            assert!(
                answer.body.contains(&format!("for=\"{id}\"")),
                "{path}: {id} has no label"
            );
        }
    }
    // The one script: from the binary, nothing from elsewhere, and what
    // it adds to the page is there for it (drop zone, page list).
    let js = studio.get("/studio/assets/studio.js");
    assert_eq!(js.status, 200);
    assert!(js.head.to_ascii_lowercase().contains("text/javascript"));
    for elsewhere in ["http:", "https:", "//cdn", "import ", "eval("] {
        assert!(!js.body.contains(elsewhere), "{elsewhere}");
    }
    for feature in ["\"drop\"", "ArrowLeft", "pointerdown", "q.dataset.people"] {
        assert!(js.body.contains(feature), "{feature}");
    }
    let garden = studio.get(&format!("/studio/edit?page={GARDEN}")).body;
    // A date in the front matter is shown in its field; one only in the
    // file's name is said beside it.
    assert!(
        garden.contains("name=\"date\" type=\"date\" value=\"2026-11-06\"")
            && !garden.contains("from its file name"),
        "{garden}"
    );
    let harvest = studio
        .get("/studio/edit?page=news/2026-10-01-harvest.md")
        .body;
    assert!(
        harvest.contains("(from its file name: 2026-10-01;"),
        "{harvest}"
    );
    assert!(
        garden.contains(
            "<select id=\"photo-pick\"><option>bulbs.jpg</option><option value=\"\">A new one"
        ),
        "{garden}"
    );
    let edit = studio.get("/studio/edit?page=news/_index.md").body;
    assert!(
        edit.contains("<select id=\"photo-pick\"><option value=\"\">A new one"),
        "{edit}"
    );
    assert!(
        edit.contains("<option value=\"@/news/2026-11-06-garden/index.md\">Autumn garden</option>")
            && edit.contains("id=\"upload-status\""),
        "{edit}"
    );
    assert_eq!(studio.get("/studio/edit?page=../config.toml").status, 404);
    assert_eq!(studio.get("/studio/edit?page=news/nothing.md").status, 404);
}

#[test]
fn a_news_post_is_created_edited_and_checked_by_the_build() {
    let site = school();
    let studio = Studio::start(&site);
    let token = studio.token();
    let created = studio.post_same_origin(
        "/studio/new",
        &[
            ("token", &token),
            ("title", "Sports day!"),
            ("section", "news"),
            ("date", "2026-11-25"),
            ("body", "Races on the field."),
        ],
    );
    assert_eq!(created.status, 303, "{}", created.body);
    let rel = "news/2026-11-25-sports-day.md";
    let to = created
        .head
        .lines()
        .find_map(|l| {
            l.strip_prefix("location: ")
                .or(l.strip_prefix("Location: "))
        })
        .expect("where to")
        .to_string();
    assert_eq!(to, format!("/studio/edit?page={}&created=true", enc(rel)));
    assert!(studio.get(&to).body.contains("Created as a draft"), "{to}");
    let text = site.read(&format!("content/{rel}"));
    assert!(
        text.contains("title = \"Sports day!\"\ndate = 2026-11-25\ndraft = true\n")
            && text.contains("Races on the field."),
        "{text}"
    );
    // A title naming a pupil in full would name the file: refused.
    let named = studio.post_same_origin(
        "/studio/new",
        &[
            ("token", &token),
            ("title", "Oliver Okafor wins"),
            ("section", "news"),
            ("date", ""),
        ],
    );
    assert_eq!(named.status, 422);
    assert!(
        named
            .body
            .contains("may hold no pupil&#39;s name, not even a first name")
            || named
                .body
                .contains("may hold no pupil's name, not even a first name"),
        "{}",
        named.body
    );
    assert!(!named.body.contains("Okafor"));
    assert!(!site.path("content/news/oliver-okafor-wins.md").exists());
    // The build's own rule decides, so a middle word, a first name alone
    // or a possessive does not get a name into a file name.
    for title in [
        "Oliver James Okafor wins",
        "Well done Oliver",
        "Okafor's day",
    ] {
        let refused = studio.post_same_origin(
            "/studio/new",
            &[
                ("token", &token),
                ("title", title),
                ("section", "news"),
                ("date", ""),
            ],
        );
        assert_eq!(refused.status, 422, "{title}: {}", refused.body);
    }
    let news: Vec<_> = std::fs::read_dir(site.path("content/news"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_lowercase())
        .collect();
    assert!(
        news.iter()
            .all(|n| !n.contains("oliver") && !n.contains("okafor")),
        "{news:?}"
    );
    let reversed = studio.post_same_origin(
        "/studio/new",
        &[
            ("token", &token),
            ("title", "Well done, Okafor Oliver"),
            ("section", "news"),
            ("date", ""),
        ],
    );
    assert_eq!(reversed.status, 422, "{}", reversed.body);
    assert!(
        !site
            .path("content/news/well-done-okafor-oliver.md")
            .exists()
    );

    // Edited with a pupil's full name in the text: the build's names rule
    // says so beside the form, pointed at the text.
    let version = hidden(
        &studio.get(&format!("/studio/edit?page={rel}")).body,
        "version",
    );
    let fields = |version: &str, body: &'static str| {
        vec![
            ("token", token.clone()),
            ("page", rel.to_string()),
            ("version", version.to_string()),
            ("title", "Sports day".to_string()),
            ("date", "2026-11-25".to_string()),
            ("event_title", "Sports day".to_string()),
            ("event_start", "2026-11-26".to_string()),
            ("event_end", String::new()),
            ("event_location", "The field".to_string()),
            ("body", body.to_string()),
        ]
    };
    let pairs = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let post = |v: Vec<(&'static str, String)>| {
        let p: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
        studio.post_same_origin("/studio/edit", &p)
    };
    let saved = post(pairs(&fields(
        &version,
        "Well done to Oliver Okafor, who won the race.",
    )));
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(
        saved
            .body
            .contains("Saved. The findings below are from a build"),
        "{}",
        saved.body
    );
    assert!(
        saved.body.contains(", rule name-on-page)"),
        "{}",
        saved.body
    );
    assert!(
        saved.body.contains("Oliver O.") && saved.body.contains("href=\"#body\""),
        "{}",
        saved.body
    );
    // Nor does the studio print the full name (it prints the findings of
    // each build, masked).
    let printed = studio.printed();
    assert!(printed.contains("Oliver O."), "{printed}");
    assert!(!printed.contains("Okafor"), "{printed}");
    let text = site.read(&format!("content/{rel}"));
    assert!(
        text.contains(
            "[[events]]\ntitle = \"Sports day\"\nstart = 2026-11-26\nlocation = \"The field\""
        ),
        "{text}"
    );
    assert!(!text.contains("draft"), "{text}");

    // Fixed: the finding goes.
    let version = hidden(&saved.body, "version");
    let fixed = post(pairs(&fields(
        &version,
        "Well done to Oliver, who won the race.",
    )));
    assert!(
        fixed.body.contains("Nothing to fix on this page"),
        "{}",
        fixed.body
    );

    // Changed on disk since the form was opened: not overwritten, both shown.
    site.write(
        &format!("content/{rel}"),
        "+++\ntitle = \"Edited elsewhere\"\n+++\n\nTheirs.\n",
    );
    let stale = post(pairs(&fields(&version, "Mine.")));
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("Theirs.") && stale.body.contains("Mine."));
    assert!(
        site.read(&format!("content/{rel}"))
            .contains("Edited elsewhere")
    );
}

#[test]
fn a_deleted_page_goes_to_the_bin_and_comes_back() {
    let site = school();
    let studio = Studio::start(&site);
    let token = studio.token();
    let gone = studio.post_same_origin(
        "/studio/delete",
        &[
            ("token", &token),
            ("page", "news/2026-11-06-garden/index.md"),
        ],
    );
    assert_eq!(gone.status, 303);
    assert!(!site.path("content/news/2026-11-06-garden").exists());
    let bin = studio.get("/studio/bin").body;
    assert!(bin.contains("content/news/2026-11-06-garden"), "{bin}");
    let entry = hidden(&bin, "entry");
    // Someone made a page in its place meanwhile: restoring it would
    // overwrite theirs, so it is refused, and both stay as they are.
    site.write(
        "content/news/2026-11-06-garden/index.md",
        "+++\ntitle = \"A new garden post\"\n+++\n",
    );
    let blocked =
        studio.post_same_origin("/studio/restore", &[("token", &token), ("entry", &entry)]);
    assert_eq!(blocked.status, 409, "{}", blocked.body);
    assert!(
        blocked
            .body
            .contains("is already there: move it away first"),
        "{}",
        blocked.body
    );
    assert!(
        site.read("content/news/2026-11-06-garden/index.md")
            .contains("A new garden post")
    );
    assert!(studio.get("/studio/bin").body.contains(&entry));
    std::fs::remove_dir_all(site.path("content/news/2026-11-06-garden")).unwrap();
    // The near miss: with the place free, it comes back whole.
    let back = studio.post_same_origin("/studio/restore", &[("token", &token), ("entry", &entry)]);
    assert_eq!(back.status, 303);
    assert!(
        site.path("content/news/2026-11-06-garden/bulbs.jpg")
            .exists()
    );
    assert!(
        site.read("content/news/2026-11-06-garden/photos.toml")
            .starts_with("# Checked by Mrs Ashworth")
    );
    // Only the site's own pages can be deleted, and only bin entries
    // restored.
    let before = content(&site);
    for (path, field, value) in [
        ("/studio/delete", "page", "../config.toml"),
        ("/studio/delete", "page", "news/nothing.md"),
        ("/studio/restore", "entry", "../../config.toml"),
    ] {
        let answer = studio.post_same_origin(path, &[("token", &token), (field, value)]);
        assert_eq!(answer.status, 404, "{path} {value}: {}", answer.body);
    }
    assert_eq!(content(&site), before);
    assert!(site.path("config.toml").exists());
}

#[test]
fn the_bin_is_emptied_only_of_what_was_shown_and_only_when_confirmed() {
    let site = school();
    site.write("content/about.md", "+++\ntitle = \"About\"\n+++\n\nUs.\n");
    site.write(
        "content/news/fair.md",
        "+++\ntitle = \"Fair\"\n+++\n\nFun.\n",
    );
    let studio = Studio::start(&site);
    let token = studio.token();
    let binned = |page: &str| {
        let gone = studio.post_same_origin("/studio/delete", &[("token", &token), ("page", page)]);
        assert_eq!(gone.status, 303, "{}", gone.body);
    };
    binned(GARDEN);
    binned("about.md");
    let entries = |site: &Site| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(site.path(".schoolsite/bin"))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let bin = studio.get("/studio/bin").body;
    assert!(
        bin.contains("Delete for good") && bin.contains("Empty the bin"),
        "{bin}"
    );
    let shown: Vec<String> = bin
        .split("name=\"entry\" value=\"")
        .skip(1)
        .map(|r| r.split('"').next().unwrap().to_string())
        .collect();
    // Emptying asks first, naming what goes, and deletes nothing yet.
    let mut fields: Vec<(&str, &str)> = vec![("token", &token)];
    fields.extend(shown.iter().map(|e| ("entry", e.as_str())));
    let before = entries(&site);
    let asked = studio.post_same_origin("/studio/bin/delete", &fields);
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        asked.body.contains("cannot be restored")
            && asked.body.contains("content/news/2026-11-06-garden")
            && asked.body.contains("content/about.md"),
        "{}",
        asked.body
    );
    assert_eq!(entries(&site), before, "asking deleted something");
    // Meanwhile another page is binned: the confirmation deletes only
    // what it named.
    binned("news/fair.md");
    let mut sure = fields.clone();
    sure.push(("sure", "yes"));
    let done = studio.post_same_origin("/studio/bin/delete", &sure);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("Deleted for good: 2 items."),
        "{}",
        done.body
    );
    let left = bin::list_of(&site);
    assert_eq!(left, vec!["news/fair.md".to_string()]);
    // Its folder and its note only: nothing of the deleted is kept.
    assert_eq!(entries(&site).len(), 2, "{:?}", entries(&site));
    assert!(!site.path("content/news/2026-11-06-garden").exists());
    assert!(site.path("config.toml").exists() && site.path("content/news/_index.md").exists());
    // Posted again (a double click): nothing more goes.
    let again = studio.post_same_origin("/studio/bin/delete", &sure);
    assert_eq!(again.status, 404, "{}", again.body);
    assert_eq!(bin::list_of(&site), left);
    // Only bin entries: nothing else on the disk can be named.
    for forged in ["..", "../content", "../../config.toml", ""] {
        let answer = studio.post_same_origin(
            "/studio/bin/delete",
            &[("token", &token), ("entry", forged), ("sure", "yes")],
        );
        assert_eq!(answer.status, 404, "{forged}: {}", answer.body);
    }
    assert!(site.path("config.toml").exists() && site.path("content").exists());
    assert_eq!(bin::list_of(&site), left);
}

mod bin {
    /// Where each thing in the bin came from (its `.from` notes).
    pub fn list_of(site: &super::Site) -> Vec<String> {
        let mut from: Vec<String> = std::fs::read_dir(site.path(".schoolsite/bin"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".from"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .collect();
        from.sort();
        from
    }
}

const GARDEN: &str = "news/2026-11-06-garden/index.md";
const GARDEN_DIR: &str = "content/news/2026-11-06-garden";
const GARDEN_BULBS: &str = "news/2026-11-06-garden/bulbs.jpg";

/// The files in the garden post's folder.
fn garden_files(site: &Site) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.path(GARDEN_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_phone_photo_is_uploaded_declared_and_checked() {
    let site = school();
    let studio = Studio::start(&site);
    let token = studio.token();
    // A phone photo named after a pupil, with GPS and a face tag.
    let uploaded = studio.upload(
        &[
            ("token", &token),
            ("page", GARDEN),
            ("alt", "Children planting bulbs"),
        ],
        "amelia-hartley-planting.jpg",
        &jpeg_with_everything(64, 48),
    );
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let new: Vec<String> = garden_files(&site)
        .into_iter()
        .filter(|n| n.starts_with("photo-"))
        .collect();
    assert_eq!(new.len(), 1, "{:?}", garden_files(&site));
    let file = &new[0];
    assert!(
        uploaded
            .body
            .contains(&format!("![Children planting bulbs]({file})")),
        "{}",
        uploaded.body
    );
    assert!(!uploaded.body.to_lowercase().contains("amelia"));
    assert!(
        !studio.printed().to_lowercase().contains("hartley"),
        "{}",
        studio.printed()
    );
    // The studio shows it as the build would publish it: cleaned.
    let shown = studio.get_bytes(&format!(
        "/studio/photo/image?file=news/2026-11-06-garden/{file}"
    ));
    assert!(shown.starts_with(&[0xFF, 0xD8]));
    for gone in [
        &b"Amelia Testperson"[..],
        b"motion photo",
        b"A parent's phone",
    ] {
        assert!(
            !shown.windows(gone.len()).any(|w| w == gone),
            "{}",
            String::from_utf8_lossy(gone)
        );
    }

    // Put into the page: the build says no one is declared in it.
    let edit = studio.get(&format!("/studio/edit?page={GARDEN}"));
    let version = hidden(&edit.body, "version");
    let body =
        format!("![Bulbs ready for planting](bulbs.jpg)\n\n![Children planting bulbs]({file})\n");
    let saved = studio.post_same_origin(
        "/studio/edit",
        &[
            ("token", &token),
            ("page", GARDEN),
            ("version", &version),
            ("title", "Autumn garden"),
            ("date", "2026-11-06"),
            ("body", &body),
        ],
    );
    assert!(saved.body.contains("Must be fixed"), "{}", saved.body);
    assert!(saved.body.contains(file.as_str()));
    // The finding links to the photo it is about, and the page's list of
    // photos says which needs attention (the declared one does not).
    let photo_link = format!(
        "href=\"/studio/photo?file={}\"",
        enc(&format!("news/2026-11-06-garden/{file}"))
    );
    assert!(
        saved
            .body
            .contains(&format!("{photo_link}>Go to the photo</a>")),
        "{}",
        saved.body
    );
    assert!(
        saved.body.contains(&format!(
            "{photo_link}>Who is in {file}</a> <span class=\"tag error\">1 to fix"
        )),
        "{}",
        saved.body
    );
    assert!(
        saved.body.contains("Who is in bulbs.jpg</a></li>"),
        "{}",
        saved.body
    );
    // The list of every photo and file puts it first, with the page it
    // is on; the declared one after it, with nothing to fix.
    let media = studio.get("/studio/media").body;
    let (first, second) = (
        media.find(&format!(">news/2026-11-06-garden/{file}</a>")),
        media.find(">news/2026-11-06-garden/bulbs.jpg</a>"),
    );
    assert!(first.is_some() && first < second, "{media}");
    let row = media
        .split("<tr>")
        .find(|r| r.contains(file.as_str()))
        .unwrap();
    assert!(
        row.contains("1 to fix") && row.contains(&format!("{GARDEN}</a>")),
        "{row}"
    );
    let bulbs = media
        .split("<tr>")
        .find(|r| r.contains("bulbs.jpg"))
        .unwrap();
    assert!(!bulbs.contains("to fix"), "{bulbs}");
    // The whole site's findings are one click away, each linked to where
    // it is fixed.
    let all = studio.get("/studio/findings").body;
    assert!(
        all.contains("is not declared")
            && all.contains(&format!(
                "href=\"/studio/edit?page={}\">Edit the page</a>",
                enc(GARDEN)
            )),
        "{all}"
    );

    // Typing part of a first name offers pupils, masked, with their consent.
    let found = studio
        .post_same_origin("/studio/people", &[("token", &token), ("q", "oli")])
        .body;
    assert!(
        found.contains("Oliver O., Year 5") && found.contains("person limited"),
        "{found}"
    );
    assert!(
        found.contains("Zoe O., Year 2") && found.contains("person blocked"),
        "{found}"
    );
    assert!(!found.contains("Okafor") && !found.contains("Oliphant"));
    // What is typed is never put in an address (it may be a full name),
    // and the register is not searched for a page without the token.
    assert_eq!(studio.get("/studio/people?q=oli").status, 405);
    let stranger = studio.post("/studio/people", &[("q", "oli")], &[]);
    assert_eq!(stranger.status, 403);
    assert!(!stranger.body.contains("Oliver"));
    let searched = studio.post_same_origin(
        "/studio/photo/search",
        &[("token", &token), ("file", GARDEN_BULBS), ("q", "zoe")],
    );
    assert!(
        searched.body.contains("Zoe O., Year 2") && !searched.body.contains("q=zoe"),
        "{}",
        searched.body
    );

    // A pupil whose consent was withdrawn is refused, with why.
    let photo = format!("news/2026-11-06-garden/{file}");
    let page = studio.get(&format!("/studio/photo?file={photo}"));
    assert_eq!(page.status, 200, "{}", page.body);
    // The photo's own page says what the build found about it, though the
    // finding is reported at the line of the page that shows it.
    assert!(
        page.body.contains("Findings for this photo") && page.body.contains("is not declared"),
        "{}",
        page.body
    );
    let bulbs = studio.get("/studio/photo?file=news/2026-11-06-garden/bulbs.jpg");
    assert!(!bulbs.body.contains("is not declared"), "{}", bulbs.body);
    let toml_version = hidden(&page.body, "version");
    let before = site.read(&format!("{GARDEN_DIR}/photos.toml"));
    let refused = studio.post_same_origin(
        "/studio/photo",
        &[
            ("token", &token),
            ("file", &photo),
            ("version", &toml_version),
            ("who", "people"),
            ("person", "1003"),
        ],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Zoe O., Year 2: may not be in photos"),
        "{}",
        refused.body
    );
    assert_eq!(site.read(&format!("{GARDEN_DIR}/photos.toml")), before);

    let unblurred = studio.get_bytes(&format!("/studio/photo/image?file={}", enc(&photo)));
    // Two pupils picked: saved beside the school's comments, and the
    // finding goes.
    let declared = studio.post_same_origin(
        "/studio/photo",
        &[
            ("token", &token),
            ("file", &photo),
            ("version", &toml_version),
            ("who", "people"),
            ("person", "1001"),
            ("person", "1002"),
            ("focus", "group"),
            ("blur_left", "10"),
            ("blur_top", "20"),
            ("blur_width", "15"),
            ("blur_height", "15"),
        ],
    );
    assert_eq!(declared.status, 200, "{}", declared.body);
    assert!(declared.body.contains("Saved."), "{}", declared.body);
    let toml = site.read(&format!("{GARDEN_DIR}/photos.toml"));
    assert!(toml.starts_with("# Checked by Mrs Ashworth, 6 November.\n[[photo]]\nfile = \"bulbs.jpg\"\nnobody = true # just the bulbs\n"), "{toml}");
    assert!(toml.contains(&format!("file = \"{file}\"\npeople = [\"1001\", \"1002\"]\nfocus = \"group\"\nblur = [{{ left = 10, top = 20, width = 15, height = 15 }}]")), "{toml}");
    let after = studio.get(&format!("/studio/edit?page={GARDEN}")).body;
    assert!(after.contains("Nothing to fix on this page"), "{after}");
    // The photo is now shown as it will be published: the part to blur
    // pixelated, the rest as it was.
    let blurred = studio.get_bytes(&format!("/studio/photo/image?file={}", enc(&photo)));
    let (before, now) = (decode(&unblurred), decode(&blurred));
    assert_eq!(before.dimensions(), now.dimensions());
    // The test photo's green rises about 5 a pixel downwards; a pixelated
    // block is flat. The average step from one pixel to the one below, in
    // the 4 × 5 pixels from (x, y): inside the part (10% to 25% across,
    // 20% to 35% down, pixelated in blocks of 8 from (6, 9)), and far
    // from it.
    let step = |img: &image::RgbImage, x0: u32, y0: u32| {
        let steps: Vec<f64> = (x0..x0 + 4)
            .flat_map(|x| (y0..y0 + 5).map(move |y| (x, y)))
            .map(|(x, y)| {
                f64::from(img.get_pixel(x, y + 1).0[1].abs_diff(img.get_pixel(x, y).0[1]))
            })
            .collect();
        steps.iter().sum::<f64>() / steps.len() as f64
    };
    assert!(step(&before, 8, 10) > 4.0, "{}", step(&before, 8, 10));
    assert!(step(&now, 8, 10) < 2.5, "{}", step(&now, 8, 10));
    assert!(step(&now, 44, 30) > 4.0, "{}", step(&now, 44, 30));
}

#[test]
fn an_upload_that_cannot_be_taken_writes_nothing() {
    let site = school();
    site.write(
        "config.toml",
        format!("{CONFIG}\n[video]\nmax_size_mb = 3\n[images]\nmax_file_mb = 1\n"),
    );
    let studio = Studio::start(&site);
    let token = studio.token();
    let before = content(&site);
    let config = site.read("config.toml");
    let fields = [
        ("token", token.as_str()),
        ("page", GARDEN),
        ("alt", "A photo"),
    ];
    let jpeg = jpeg_with_everything(32, 32);
    // A name with folders in it.
    for name in ["../../config.toml", "..\\..\\config.toml", ".hidden.jpg"] {
        let answer = studio.upload(&fields, name, &jpeg);
        assert_eq!(answer.status, 422, "{name}: {}", answer.body);
        assert!(answer.body.contains("not a file name"), "{}", answer.body);
    }
    // An iPhone photo (HEIC) and a Word document: refused with what to do.
    let mut heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    heic.resize(4096, 0);
    let answer = studio.upload(&fields, "IMG_0001.HEIC", &heic);
    assert_eq!(answer.status, 422);
    assert!(answer.body.contains("What to do:"), "{}", answer.body);
    let word = b"PK\x03\x04[Content_Types].xml word/document.xml".to_vec();
    let answer = studio.upload(&fields, "letter.docx", &word);
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains("What to do:") && answer.body.contains("export it as PDF"),
        "{}",
        answer.body
    );
    // No description: nothing saved.
    let answer = studio.upload(
        &[("token", &token), ("page", GARDEN), ("alt", "")],
        "photo.jpg",
        &jpeg,
    );
    assert_eq!(answer.status, 422);
    assert!(
        answer.body.contains("Describe the photo first"),
        "{}",
        answer.body
    );
    // A description far longer than a description: not read on.
    let long = "x".repeat(100_000);
    let answer = studio.upload(
        &[("token", &token), ("page", GARDEN), ("alt", &long)],
        "photo.jpg",
        &jpeg,
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.contains("more than it should"),
        "{}",
        answer.body
    );
    // A page that is not one of the site's.
    let answer = studio.upload(
        &[("token", &token), ("page", "../consent/x.md"), ("alt", "x")],
        "photo.jpg",
        &jpeg,
    );
    assert_eq!(answer.status, 422);
    // Over the limit: just over (the sanitiser's check) and far over (the
    // server stops reading).
    // A photo over the photo limit, though under the upload limit (set
    // by clips): refused as the build would refuse it.
    let mut photo = jpeg.clone();
    photo.resize(2_000_000, 0);
    let answer = studio.upload(&fields, "big.jpg", &photo);
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.contains("more than the 1 MB"),
        "{}",
        answer.body
    );
    for size in [1_020_000, 6_000_000] {
        let mut big = jpeg.clone();
        big.resize(size, 0);
        if let Some(answer) = studio.try_upload(&fields, "big.jpg", &big) {
            assert!(
                answer.status == 422 || answer.status == 413,
                "{size}: {}",
                answer.status
            );
            assert!(
                answer.status == 413 || answer.body.contains("MB"),
                "{}",
                answer.body
            );
        }
    }
    assert_eq!(
        content(&site),
        before,
        "a refused upload left something behind"
    );
    assert_eq!(site.read("config.toml"), config);
}

#[test]
fn no_full_name_in_any_address_the_studio_links_to() {
    let site = school();
    // A page written outside the studio whose title names a pupil in full
    // (the build refuses it; the studio shows it to be fixed).
    site.write(
        "content/news/cup.md",
        "+++\ntitle = \"Oliver Okafor wins the cup\"\ndraft = true\n+++\n\nWell done.\n",
    );
    let studio = Studio::start(&site);
    let mut seen = std::collections::BTreeSet::new();
    let mut queue = vec![
        "/studio/".to_string(),
        format!("/studio/photo?file={GARDEN_BULBS}"),
    ];
    // Searching shows pupils masked, and their names in no address.
    let token = studio.token();
    for q in ["o", "a", "Okafor", "Year 5"] {
        let found = studio
            .post_same_origin("/studio/people", &[("token", &token), ("q", q)])
            .body;
        assert!(found.contains("Year"), "{q}: {found}");
        for surname in ["Okafor", "Hartley", "Oliphant"] {
            assert!(!found.contains(surname), "{q}: {found}");
        }
    }
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) || seen.len() > 60 {
            continue;
        }
        let body = studio.get(&path).body;
        // The title bar goes into the browser's history, a file.
        let title = body
            .split("<title>")
            .nth(1)
            .unwrap_or("")
            .split("</title>")
            .next();
        assert!(
            !title.unwrap_or("").to_lowercase().contains("okafor"),
            "{title:?} on {path}"
        );
        for attr in ["href=\"", "src=\"", "action=\"", "data-people=\""] {
            for rest in body.split(attr).skip(1) {
                let url = rest.split('"').next().unwrap().replace("&amp;", "&");
                let lower = url.to_lowercase();
                for surname in ["okafor", "hartley", "oliphant"] {
                    assert!(!lower.contains(surname), "{url} on {path}");
                }
                if url.starts_with("/studio/")
                    && !url.contains("/assets/")
                    && !url.contains("/image")
                {
                    queue.push(url);
                }
            }
        }
    }
    assert!(seen.len() > 5, "{seen:?}");
    // The near miss: inside the page, to the member of staff, it is shown.
    assert!(seen.iter().any(|p| p.contains("cup")), "{seen:?}");
    let edit = studio.get("/studio/edit?page=news/cup.md").body;
    assert!(
        edit.contains("value=\"Oliver Okafor wins the cup\""),
        "{edit}"
    );
}

/// `schoolsite keygen` for `name`, run by someone whose home is `home`,
/// listing them in `site`'s config.toml.
fn keygen(home: &std::path::Path, site: &std::path::Path, name: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_schoolsite"))
        .env("HOME", home)
        .args(["keygen", "--name", name, "--root"])
        .arg(site)
        .output()
        .expect("keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_office_writes_a_post_with_a_photo_and_the_headteacher_approves_and_publishes_it() {
    let site = school();
    let home = tempfile::tempdir().unwrap();
    let www = tempfile::tempdir().unwrap();
    let stranger = tempfile::tempdir().unwrap();
    site.write(
        "config.toml",
        format!("{CONFIG}\n[publish]\nto = {:?}\n", www.path().join("site")),
    );
    keygen(home.path(), site.root(), "Head Teacher");
    // A key that config.toml does not list, in the same keys folder.
    keygen(home.path(), stranger.path(), "Someone Else");
    let studio = Studio::start_as(&site, Some(home.path()));
    let token = studio.token();

    // The office: a post with a phone photo of two pupils.
    let created = studio.post_same_origin(
        "/studio/new",
        &[
            ("token", &token),
            ("title", "Sports day"),
            ("section", "news"),
            ("date", "2026-11-20"),
        ],
    );
    assert_eq!(created.status, 303);
    let rel = "news/2026-11-20-sports-day.md";
    let uploaded = studio.upload(
        &[("token", &token), ("page", rel), ("alt", "The relay race")],
        "millie-relay.jpg",
        &jpeg_with_everything(64, 48),
    );
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let snippet = hidden_input(&uploaded.body, "snippet");
    let file = snippet
        .split('(')
        .nth(1)
        .unwrap()
        .trim_end_matches(')')
        .to_string();
    let version = hidden(
        &studio.get(&format!("/studio/edit?page={rel}")).body,
        "version",
    );
    let saved = studio.post_same_origin(
        "/studio/edit",
        &[
            ("token", &token),
            ("page", rel),
            ("version", &version),
            ("title", "Sports day"),
            ("date", "2026-11-20"),
            ("body", &format!("A great day.\n\n{snippet}\n")),
        ],
    );
    assert!(saved.body.contains("Must be fixed"), "{}", saved.body);
    let photo = format!("news/{file}");
    let toml_version = hidden(
        &studio.get(&format!("/studio/photo?file={photo}")).body,
        "version",
    );
    let declared = studio.post_same_origin(
        "/studio/photo",
        &[
            ("token", &token),
            ("file", &photo),
            ("version", &toml_version),
            ("who", "people"),
            ("person", "1001"),
            ("person", "1002"),
        ],
    );
    assert_eq!(declared.status, 200, "{}", declared.body);
    let after = studio.get(&format!("/studio/edit?page={rel}")).body;
    assert!(after.contains("Nothing to fix on this page"), "{after}");

    // The headteacher: build, read the preview, approve, publish.
    let approve = studio.get("/studio/approve");
    assert!(approve.body.contains("Build the site"), "{}", approve.body);
    let built = studio.post_same_origin("/studio/approve/build", &[("token", &token)]);
    assert_eq!(built.status, 200, "{}", built.body);
    assert!(
        built.body.contains("Built ") && built.body.contains("head-teacher.key"),
        "{}",
        built.body
    );
    let build = hidden(&built.body, "build");
    assert_eq!(build.len(), 64, "{}", built.body);
    assert!(
        built
            .body
            .contains(&format!("/studio/approve/preview?build={build}"))
    );
    let preview = studio.get(&format!("/studio/approve/preview?build={build}"));
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.head.contains("default-src 'none'"),
        "{}",
        preview.head
    );
    assert!(
        preview.body.contains("1001") && !preview.body.contains("Okafor"),
        "{}",
        preview.body
    );

    // Keys outside the folder, and keys config.toml does not list: refused,
    // with the command line's reasons.
    let outside = studio.post_same_origin(
        "/studio/approve",
        &[("token", &token), ("key", "../../etc/passwd.key")],
    );
    assert_eq!(outside.status, 422);
    let stranger = studio.post_same_origin(
        "/studio/approve",
        &[("token", &token), ("key", "someone-else.key")],
    );
    assert_eq!(stranger.status, 422, "{}", stranger.body);
    assert!(
        stranger
            .body
            .contains("is not one of the approvers in config.toml"),
        "{}",
        stranger.body
    );
    // Publishing before approving is refused.
    let early = studio.post_same_origin("/studio/publish", &[("token", &token)]);
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(!www.path().join("site/index.html").exists());

    // A build made after the headteacher opened the page (a colleague's,
    // or the command line's) is not what they read: its preview and its
    // approval from that page are refused.
    let read = build.clone();
    let post = site.read(&format!("content/{rel}"));
    site.write(
        &format!("content/{rel}"),
        format!("{post}\nOne more line.\n"),
    );
    let rebuilt = studio.post_same_origin("/studio/approve/build", &[("token", &token)]);
    assert_ne!(hidden(&rebuilt.body, "build"), read, "{}", rebuilt.body);
    let stale = studio.post_same_origin(
        "/studio/approve",
        &[
            ("token", &token),
            ("key", "head-teacher.key"),
            ("build", &read),
        ],
    );
    assert_eq!(stale.status, 422, "{}", stale.body);
    assert!(
        stale.body.contains("the site was built again"),
        "{}",
        stale.body
    );
    assert_eq!(
        studio
            .get(&format!("/studio/approve/preview?build={read}"))
            .status,
        409
    );
    // The near miss: the build read is the last one, and is signed.
    let built = studio.post_same_origin("/studio/approve/build", &[("token", &token)]);
    let build = hidden(&built.body, "build");
    let approved = studio.post_same_origin(
        "/studio/approve",
        &[
            ("token", &token),
            ("key", "head-teacher.key"),
            ("build", &build),
        ],
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert!(
        approved.body.contains("Approved build"),
        "{}",
        approved.body
    );
    let published = studio.post_same_origin("/studio/publish", &[("token", &token)]);
    assert_eq!(published.status, 200, "{}", published.body);
    assert!(
        published.body.contains("Published build"),
        "{}",
        published.body
    );

    // The published photo: a hashed name, no metadata.
    let media: Vec<std::path::PathBuf> = walk(&www.path().join("site/media"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jpg"))
        .collect();
    assert!(!media.is_empty());
    for path in &media {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            !name.contains("millie") && !name.contains("photo-"),
            "{name}"
        );
        let bytes = std::fs::read(path).unwrap();
        for gone in [
            &b"Amelia Testperson"[..],
            b"motion photo",
            b"A parent's phone",
            b"Exif\0\0MM",
        ] {
            assert!(
                !bytes.windows(gone.len()).any(|w| w == gone),
                "{name}: {}",
                String::from_utf8_lossy(gone)
            );
        }
    }
}

/// The value of the input with id `id`.
fn hidden_input(page: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\" value=\"");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {id} in {page}"))
        + marker.len();
    page[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
}

#[test]
fn a_form_posted_twice_saves_once_and_a_real_change_is_still_refused() {
    let site = school();
    let studio = Studio::start(&site);
    let token = studio.token();
    // A new post, the button pressed twice: one page, both answers lead
    // to it.
    let new = [
        ("token", token.as_str()),
        ("title", "Harvest festival"),
        ("section", "news"),
        ("date", "2026-11-26"),
    ];
    let first = studio.post_same_origin("/studio/new", &new);
    let second = studio.post_same_origin("/studio/new", &new);
    assert_eq!((first.status, second.status), (303, 303), "{}", second.body);
    let rel = "news/2026-11-26-harvest-festival.md";
    let posts = std::fs::read_dir(site.path("content/news"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("harvest")
        })
        .count();
    assert_eq!(posts, 1);

    // Saved twice from the same form: the second is not taken for
    // someone else's change.
    let version = hidden(
        &studio.get(&format!("/studio/edit?page={rel}")).body,
        "version",
    );
    let save = |body: &str| {
        studio.post_same_origin(
            "/studio/edit",
            &[
                ("token", &token),
                ("page", rel),
                ("version", &version),
                ("title", "Harvest festival"),
                ("date", "2026-11-26"),
                ("body", body),
            ],
        )
    };
    assert_eq!(save("Thank you for the tins.").status, 200);
    let again = save("Thank you for the tins.");
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.body.contains("Saved."), "{}", again.body);
    // The near miss: the same stale form with different text is refused.
    let other = save("Something else.");
    assert_eq!(other.status, 409, "{}", other.body);
    assert!(
        site.read(&format!("content/{rel}"))
            .contains("Thank you for the tins.")
    );

    // A photo sent twice: one file.
    let fields = [
        ("token", token.as_str()),
        ("page", GARDEN),
        ("alt", "Bulbs"),
    ];
    let jpeg = jpeg_with_everything(40, 30);
    assert_eq!(studio.upload(&fields, "a.jpg", &jpeg).status, 200);
    let twice = studio.upload(&fields, "a.jpg", &jpeg);
    assert_eq!(twice.status, 200, "{}", twice.body);
    assert!(
        twice.body.contains("already beside the page"),
        "{}",
        twice.body
    );
    let photos: Vec<String> = garden_files(&site)
        .into_iter()
        .filter(|n| n.starts_with("photo-"))
        .collect();
    assert_eq!(photos.len(), 1, "{photos:?}");

    // Who is in it, saved twice from the same form.
    let photo = format!("news/2026-11-06-garden/{}", photos[0]);
    let toml_version = hidden(
        &studio.get(&format!("/studio/photo?file={photo}")).body,
        "version",
    );
    let declare = |person: &str| {
        studio.post_same_origin(
            "/studio/photo",
            &[
                ("token", &token),
                ("file", &photo),
                ("version", &toml_version),
                ("who", "people"),
                ("person", person),
            ],
        )
    };
    assert_eq!(declare("1001").status, 200);
    let toml = site.read(&format!("{GARDEN_DIR}/photos.toml"));
    let again = declare("1001");
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.body.contains("Saved."), "{}", again.body);
    assert_eq!(site.read(&format!("{GARDEN_DIR}/photos.toml")), toml);
    // The near miss: a different choice from the stale form is refused.
    let other = declare("1002");
    assert_eq!(other.status, 409, "{}", other.body);
    assert!(
        other
            .body
            .contains("Not saved: someone else changed who is in the photos here"),
        "{}",
        other.body
    );
    // Both versions are shown: what would have been written, and what is
    // there now.
    let (mine, theirs) = other.body.split_once("id=\"theirs\"").unwrap();
    assert!(mine.contains("&quot;1002&quot;"), "{mine}");
    assert!(
        theirs.contains("&quot;1001&quot;") && !theirs.contains("1002"),
        "{theirs}"
    );
    assert_eq!(site.read(&format!("{GARDEN_DIR}/photos.toml")), toml);
}

#[test]
fn the_publish_button_refuses_what_the_command_line_refuses() {
    let site = school();
    let home = tempfile::tempdir().unwrap();
    // Where config.toml says to publish: inside the site's own folder.
    site.write(
        "config.toml",
        format!("{CONFIG}\n[publish]\nto = \"www\"\n"),
    );
    keygen(home.path(), site.root(), "Head Teacher");
    let studio = Studio::start_as(&site, Some(home.path()));
    let token = studio.token();
    let built = studio.post_same_origin("/studio/approve/build", &[("token", &token)]);
    assert_eq!(built.status, 200, "{}", built.body);
    let approved = studio.post_same_origin(
        "/studio/approve",
        &[
            ("token", &token),
            ("key", "head-teacher.key"),
            ("build", &hidden(&built.body, "build")),
        ],
    );
    assert_eq!(approved.status, 200, "{}", approved.body);
    let published = studio.post_same_origin("/studio/publish", &[("token", &token)]);
    assert_eq!(published.status, 422, "{}", published.body);
    assert!(
        published.body.contains("is inside the site&#39;s folder")
            || published.body.contains("is inside the site's folder"),
        "{}",
        published.body
    );
    assert!(!site.path("www").exists());
    // The same build, published by the command line to the same place:
    // the same refusal.
    let www = site.path("www");
    let cli = site.run(&["publish", "--to", www.to_str().unwrap()]);
    assert_ne!(cli.code, 0);
    assert!(
        cli.all().contains("is inside the site's folder"),
        "{}",
        cli.all()
    );
}

#[test]
fn a_form_shown_again_after_a_refusal_still_refuses_a_change_made_since_it_was_opened() {
    let site = school();
    site.write(
        "content/policies/_index.md",
        "+++\ntitle = \"Policies\"\n+++\n",
    );
    let mine = "+++\ntitle = \"Uniform\"\n+++\n\nBlue jumpers.\n";
    site.write("content/policies/uniform.md", mine);
    let studio = Studio::start(&site);
    let token = studio.token();
    let rel = "policies/uniform.md";
    let opened = hidden(
        &studio.get(&format!("/studio/edit?page={rel}")).body,
        "version",
    );
    // A colleague saves while this form is open.
    let theirs = "+++\ntitle = \"Uniform\"\n+++\n\nBlue jumpers; PE kit on Tuesdays.\n";
    site.write(&format!("content/{rel}"), theirs);
    let save = |version: &str, weight: &str| {
        studio.post_same_origin(
            "/studio/edit",
            &[
                ("token", &token),
                ("page", rel),
                ("version", version),
                ("title", "Uniform"),
                ("weight", weight),
                ("body", "Blue or grey jumpers.\n"),
            ],
        )
    };
    // A mistake first: the form comes back still standing for the
    // version it was opened at, not the colleague's.
    let refused = save(&opened, "second");
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(hidden(&refused.body, "version"), opened);
    // Fixed and saved from that form: the colleague's change is not
    // overwritten, and both versions are shown.
    let again = save(&hidden(&refused.body, "version"), "2");
    assert!(again.body.contains("PE kit on Tuesdays"), "{}", again.body);
    assert!(
        again.body.contains("Blue or grey jumpers"),
        "{}",
        again.body
    );
    assert_eq!(site.read(&format!("content/{rel}")), theirs);
    // The near miss: a form opened after the change saves.
    let fresh = hidden(
        &studio.get(&format!("/studio/edit?page={rel}")).body,
        "version",
    );
    assert_eq!(save(&fresh, "2").status, 200);
    assert!(
        site.read(&format!("content/{rel}"))
            .contains("Blue or grey jumpers")
    );
}

#[test]
fn a_policy_page_has_its_review_dates_as_date_fields_and_a_bad_date_saves_nothing() {
    let site = school();
    site.write(
        "content/policies/_index.md",
        "+++\ntitle = \"Policies\"\n+++\n",
    );
    let policy = "+++\ntitle = \"Behaviour\"\nweight = 2\nstatutory = \"behaviour-policy\" # the DfE's name\nlast_reviewed = 2026-10-05\nnext_review = 2027-10-04\napproved_by = \"Governors\"\n+++\n\nBe kind.\n";
    site.write("content/policies/behaviour.md", policy);
    let studio = Studio::start(&site);
    let token = studio.token();
    let rel = "policies/behaviour.md";
    let edit = studio.get(&format!("/studio/edit?page={rel}")).body;
    for field in [
        "id=\"last_reviewed\" name=\"last_reviewed\" type=\"date\" value=\"2026-10-05\"",
        "id=\"next_review\" name=\"next_review\" type=\"date\" value=\"2027-10-04\"",
        "id=\"approved_by\" name=\"approved_by\" value=\"Governors\"",
        "id=\"weight\" name=\"weight\" inputmode=\"numeric\" value=\"2\"",
    ] {
        assert!(edit.contains(field), "{field} in {edit}");
    }
    let version = hidden(&edit, "version");
    let save = |next: &str, weight: &str| {
        studio.post_same_origin(
            "/studio/edit",
            &[
                ("token", &token),
                ("page", rel),
                ("version", &version),
                ("title", "Behaviour"),
                ("description", "How we expect everyone to behave."),
                ("weight", weight),
                ("last_reviewed", "2026-11-20"),
                ("next_review", next),
                ("approved_by", "Governors"),
                ("statutory", "behaviour-policy"),
                ("body", "Be kind.\n"),
            ],
        )
    };
    // A date that is not a date, an order that is not a number: nothing
    // saved, each linked to its field, what was typed kept.
    let bad = save("4th October", "second");
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body
            .contains("href=\"#next_review\">Next review: give a date")
            && bad
                .body
                .contains("href=\"#weight\">Order: give a whole number"),
        "{}",
        bad.body
    );
    assert!(
        bad.body
            .contains("value=\"How we expect everyone to behave.\"")
    );
    assert_eq!(site.read(&format!("content/{rel}")), policy);
    // The near miss: proper values are saved, the statutory key and its
    // comment kept.
    let good = save("2027-11-19", "3");
    assert_eq!(good.status, 200, "{}", good.body);
    let text = site.read(&format!("content/{rel}"));
    assert!(
        edit.contains("<option value=\"behaviour-policy\" selected>"),
        "{edit}"
    );
    for line in [
        "statutory = \"behaviour-policy\" # the DfE's name\n",
        "last_reviewed = 2026-11-20\n",
        "next_review = 2027-11-19\n",
        "weight = 3\n",
        "description = \"How we expect everyone to behave.\"\n",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
}

#[test]
fn a_newsletter_with_photos_in_it_is_declared_like_a_photo_without_blurring() {
    let site = school();
    let studio = Studio::start(&site);
    let token = studio.token();
    let pdf = pdf_newsletter(1, &plain_jpeg(64, 48), 64, 48);
    let uploaded = studio.upload(
        &[
            ("token", &token),
            ("page", GARDEN),
            ("alt", "The November newsletter"),
        ],
        "newsletter-november.pdf",
        &pdf,
    );
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    assert!(
        uploaded.body.contains("Say who is in it"),
        "{}",
        uploaded.body
    );
    let file = garden_files(&site)
        .into_iter()
        .find(|n| n.starts_with("document-"))
        .expect("saved under a neutral name");
    let rel = format!("news/2026-11-06-garden/{file}");
    // Its page offers who is in it, without a photo to draw on.
    let page = studio.get(&format!("/studio/photo?file={}", enc(&rel)));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("This is a clip, a recording or a document")
            && !page.body.contains("id=\"blur\"")
            && !page.body.contains("/studio/photo/image"),
        "{}",
        page.body
    );
    assert_eq!(
        studio
            .get(&format!("/studio/photo/image?file={}", enc(&rel)))
            .status,
        404
    );
    let version = hidden(&page.body, "version");
    let before = site.read(&format!("{GARDEN_DIR}/photos.toml"));
    // Parts to blur are for photos only: refused, nothing written.
    let blurred = studio.post_same_origin(
        "/studio/photo",
        &[
            ("token", &token),
            ("file", &rel),
            ("version", &version),
            ("who", "nobody"),
            ("blur_left", "1"),
            ("blur_top", "1"),
            ("blur_width", "5"),
            ("blur_height", "5"),
        ],
    );
    assert_eq!(blurred.status, 422, "{}", blurred.body);
    assert!(
        blurred.body.contains("Parts can only be blurred in photos"),
        "{}",
        blurred.body
    );
    assert_eq!(site.read(&format!("{GARDEN_DIR}/photos.toml")), before);
    // The near miss: nobody in its pictures, saved.
    let saved = studio.post_same_origin(
        "/studio/photo",
        &[
            ("token", &token),
            ("file", &rel),
            ("version", &version),
            ("who", "nobody"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(
        site.read(&format!("{GARDEN_DIR}/photos.toml"))
            .contains(&format!("file = \"{file}\"\nnobody = true"))
    );
}

#[test]
fn a_page_becomes_statutory_information_only_from_the_list() {
    let site = school();
    site.write(
        "content/policies/_index.md",
        "+++\ntitle = \"Policies\"\n+++\n",
    );
    site.write(
        "content/policies/charging.md",
        "+++\ntitle = \"Charging\"\n+++\n\nTrips are free.\n",
    );
    let studio = Studio::start(&site);
    let token = studio.token();
    let rel = "policies/charging.md";
    let edit = studio.get(&format!("/studio/edit?page={rel}")).body;
    assert!(
        edit.contains("<option value=\"\">Not statutory information</option>")
            && edit.contains("<option value=\"charging-and-remissions-policy\">")
            && !edit.contains("id=\"next_review\""),
        "{edit}"
    );
    let version = hidden(&edit, "version");
    let save = |key: &str| {
        studio.post_same_origin(
            "/studio/edit",
            &[
                ("token", &token),
                ("page", rel),
                ("version", &version),
                ("title", "Charging"),
                ("statutory", key),
                ("body", "Trips are free.\n"),
            ],
        )
    };
    let before = site.read(&format!("content/{rel}"));
    for bad in ["made-up-policy", "behaviour-policy\"\nslug = \"x", "../x"] {
        let refused = save(bad);
        assert_eq!(refused.status, 422, "{bad}: {}", refused.body);
        assert!(
            refused.body.contains(
                "href=\"#statutory\">Statutory information: choose an item from the list"
            ),
            "{}",
            refused.body
        );
        assert_eq!(site.read(&format!("content/{rel}")), before, "{bad}");
    }
    let chosen = save("charging-and-remissions-policy");
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    assert!(
        site.read(&format!("content/{rel}"))
            .contains("statutory = \"charging-and-remissions-policy\"\n")
    );
    // Now a policy page: its review dates are asked for.
    assert!(
        chosen
            .body
            .contains("id=\"next_review\" name=\"next_review\" type=\"date\""),
        "{}",
        chosen.body
    );
}

#[test]
fn the_faces_the_detector_finds_are_outlined_on_the_photo() {
    let site = school();
    site.write(
        "content/news/2026-11-06-garden/group.jpg",
        include_bytes!("fixtures/solvay-1927.jpg"),
    );
    let studio = Studio::start(&site);
    let group = studio.get("/studio/photo?file=news/2026-11-06-garden/group.jpg");
    assert_eq!(group.status, 200, "{}", group.body);
    let boxes = group.body.matches("<rect x=\"").count();
    assert!(boxes >= 10, "{}", group.body);
    assert!(
        group.body.contains(&format!(
            "found {boxes} faces looking at the camera, outlined"
        )),
        "{}",
        group.body
    );
    // The near miss: bulbs, no face, none outlined, and said so.
    let bulbs = studio.get(&format!("/studio/photo?file={GARDEN_BULBS}"));
    assert!(!bulbs.body.contains("<rect"), "{}", bulbs.body);
    assert!(
        bulbs.body.contains("found no faces looking at the camera"),
        "{}",
        bulbs.body
    );
}

#[test]
fn the_pages_list_says_which_page_has_a_photo_that_must_come_down() {
    let site = school();
    let studio = Studio::start(&site);
    let list = studio.get("/studio/").body;
    assert!(!list.contains("a photo must come down"), "{list}");
    drop(studio);
    // A pupil whose parents withdrew consent, declared in the photo (by
    // hand, as the studio would refuse it).
    site.write(
        &format!("{GARDEN_DIR}/photos.toml"),
        "[[photo]]\nfile = \"bulbs.jpg\"\npeople = [\"1003\"]\n",
    );
    let studio = Studio::start(&site);
    let list = studio.get("/studio/").body;
    let row = list
        .split("<tr>")
        .find(|r| r.contains("Autumn garden"))
        .expect("the garden post's row");
    assert!(row.contains("a photo must come down"), "{row}");
    assert!(!list.contains("Oliphant"));
}

/// The school's register with a member of staff in it (by the `role`
/// column), beside two pupils.
fn school_with_staff() -> Site {
    let site = school();
    site.write(
        "consent/register.csv",
        "id,legal_forename,legal_surname,role,group,leaving_date,consent_date,withdrawn,never_publish,website_group,website_individual,website_named_first_name\n\
         1001,Oliver,Okafor,pupil,Year 5,,2026-09-01,no,no,yes,yes,no\n\
         1002,Amelia,Hartley,pupil,Year 5,,2026-09-01,no,no,yes,yes,no\n\
         S01,Rebecca,Ashworth,staff,,,2026-09-01,no,no,yes,yes,no\n",
    );
    site
}

/// The link to the preview of the build the approve page just made.
fn preview_link(page: &str) -> String {
    let at = page
        .find("/studio/approve/preview?build=")
        .unwrap_or_else(|| panic!("no preview in {page}"));
    page[at..].split('"').next().unwrap().to_string()
}

#[test]
fn a_photo_of_adults_only_is_declared_by_their_ids_and_the_approver_sees_adults_only() {
    let site = school_with_staff();
    let studio = Studio::start(&site);
    let token = studio.token();
    let page = studio.get(&format!("/studio/photo?file={GARDEN_BULBS}"));
    assert!(
        page.body.contains("value=\"adults\" id=\"who-adults\""),
        "{}",
        page.body
    );
    let toml_path = format!("{GARDEN_DIR}/photos.toml");
    let before = site.read(&toml_path);
    let version = hidden(&page.body, "version");
    let post = |who: &str, people: &[&str]| {
        let mut fields = vec![
            ("token", token.as_str()),
            ("file", GARDEN_BULBS),
            ("version", version.as_str()),
            ("who", who),
        ];
        fields.extend(people.iter().map(|p| ("person", *p)));
        studio.post_same_origin("/studio/photo", &fields)
    };

    // Near misses: a pupil among the adults, and adults only with no one
    // chosen, save nothing and say why.
    let refused = post("adults", &["S01", "1001"]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("Oliver O., Year 5 is a pupil in the consent register"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("Okafor"));
    let no_one = post("adults", &[]);
    assert_eq!(no_one.status, 422, "{}", no_one.body);
    assert!(
        no_one.body.contains("Choose the adults in the photo"),
        "{}",
        no_one.body
    );
    assert_eq!(site.read(&toml_path), before);

    // The member of staff alone: written as the build reads anyone, by
    // register id (their consent is checked like a pupil's), keeping the
    // school's comment; shown again as adults only.
    let saved = post("adults", &["S01"]);
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Saved."), "{}", saved.body);
    let toml = site.read(&toml_path);
    assert!(
        toml.starts_with("# Checked by Mrs Ashworth, 6 November.\n")
            && toml.contains("file = \"bulbs.jpg\"\npeople = [\"S01\"]")
            && !toml.contains("nobody")
            && !toml.contains("adults"),
        "{toml}"
    );
    assert!(
        saved
            .body
            .contains("value=\"adults\" id=\"who-adults\" checked"),
        "{}",
        saved.body
    );

    // The approver's preview says so.
    let built = studio.post_same_origin("/studio/approve/build", &[("token", &token)]);
    assert_eq!(built.status, 200, "{}", built.body);
    let preview = studio.get(&preview_link(&built.body));
    assert!(
        preview
            .body
            .contains("Adults only, no pupils. An individual photo."),
        "{}",
        preview.body
    );

    // Near miss: a photo with a pupil and the adult is shown as such, and
    // not as adults only.
    let version = hidden(
        &studio
            .get(&format!("/studio/photo?file={GARDEN_BULBS}"))
            .body,
        "version",
    );
    let both = studio.post_same_origin(
        "/studio/photo",
        &[
            ("token", &token),
            ("file", GARDEN_BULBS),
            ("version", &version),
            ("who", "people"),
            ("person", "S01"),
            ("person", "1001"),
        ],
    );
    assert_eq!(both.status, 200, "{}", both.body);
    assert!(
        both.body
            .contains("value=\"people\" id=\"who-people\" checked")
            && !both.body.contains("id=\"who-adults\" checked"),
        "{}",
        both.body
    );
    let built = studio.post_same_origin("/studio/approve/build", &[("token", &token)]);
    let preview = studio.get(&preview_link(&built.body));
    assert!(
        preview
            .body
            .contains("<p>An individual photo. People declared")
            && preview.body.contains("1001 Oliver")
            && !preview.body.contains("Adults only"),
        "{}",
        preview.body
    );
}

#[test]
fn every_file_the_build_asks_a_declaration_of_is_offered_whatever_its_name() {
    let site = school();
    // Names phones and cameras give (.jfif, .jpe, .3gp, .m4v, .qt, .aac),
    // each holding what the build sniffs as a photo, a clip or a
    // recording.
    let mp4 = b"\0\0\0\x18ftypisom\0\0\0\0\0\0\0\x08free".to_vec();
    let files: [(&str, Vec<u8>); 6] = [
        ("old.jfif", plain_jpeg(64, 48)),
        ("scan.jpe", plain_jpeg(64, 48)),
        ("clip.3gp", mp4.clone()),
        ("clip.m4v", mp4),
        ("movie.qt", b"\0\0\0\x14ftypqt  \0\0\0\0qt  ".to_vec()),
        ("voice.aac", b"\0\0\0\x18ftypM4A \0\0\0\0M4A isom".to_vec()),
    ];
    for (name, bytes) in &files {
        site.write(&format!("{GARDEN_DIR}/{name}"), bytes);
    }
    // Near misses: a text file, and a "photo" that is text, are not.
    site.write(&format!("{GARDEN_DIR}/notes.txt"), "Bring wellies.\n");
    site.write(&format!("{GARDEN_DIR}/fake.jpg"), "not a photo at all\n");
    let studio = Studio::start(&site);
    let media = studio.get("/studio/media").body;
    for (name, _) in &files {
        assert!(
            media.contains(&format!(">news/2026-11-06-garden/{name}</a>")),
            "{name}: {media}"
        );
        let page = studio.get(&format!("/studio/photo?file=news/2026-11-06-garden/{name}"));
        assert_eq!(page.status, 200, "{name}: {}", page.body);
    }
    // A photo is shown as one; a clip is not.
    let jfif = studio.get("/studio/photo?file=news/2026-11-06-garden/old.jfif");
    assert!(jfif.body.contains("Who is in this photo"), "{}", jfif.body);
    let clip = studio.get("/studio/photo?file=news/2026-11-06-garden/clip.3gp");
    assert!(clip.body.contains("This is a clip"), "{}", clip.body);
    for name in ["notes.txt", "fake.jpg"] {
        assert!(!media.contains(name), "{name}: {media}");
        let page = studio.get(&format!("/studio/photo?file=news/2026-11-06-garden/{name}"));
        assert_eq!(page.status, 404, "{name}: {}", page.body);
    }
    // The page's own list offers them too.
    let edit = studio.get(&format!("/studio/edit?page={GARDEN}")).body;
    assert!(
        edit.contains("Who is in old.jfif") && edit.contains("Who is in clip.m4v"),
        "{edit}"
    );
    assert!(!edit.contains("Who is in fake.jpg"), "{edit}");

    // A finding about a clip in a folder below the page (not one of its
    // photos) points at the photos, whatever the clip is called.
    drop(studio);
    site.write(
        &format!("{GARDEN_DIR}/old/clip.3gp"),
        b"\0\0\0\x18ftypisom\0\0\0\0\0\0\0\x08free",
    );
    let studio = Studio::start(&site);
    let edit = studio.get(&format!("/studio/edit?page={GARDEN}")).body;
    let finding = edit
        .split("<li")
        .find(|li| li.contains("old/clip.3gp"))
        .unwrap_or_else(|| panic!("no finding about old/clip.3gp: {edit}"));
    assert!(
        finding.contains("href=\"#photos\">Go to the photos"),
        "{finding}"
    );
}

#[test]
fn a_photo_is_shown_only_the_findings_about_its_own_path() {
    let site = school();
    // content/bulbs.jpg, declared; and another photo at
    // content/old/content/bulbs.jpg, whose path ends the same way.
    site.write("content/bulbs.jpg", plain_jpeg(64, 48));
    site.write(
        "content/photos.toml",
        "[[photo]]\nfile = \"bulbs.jpg\"\nnobody = true\n",
    );
    site.write("content/old/content/bulbs.jpg", plain_jpeg(32, 24));
    let studio = Studio::start(&site);
    let all = studio.get("/studio/findings").body;
    // Neither is on a page: each is told so once, on its own page, and
    // not again for the other.
    let unused = "no page refers to this file";
    assert_eq!(all.matches(unused).count(), 2, "{all}");
    let top = studio.get("/studio/photo?file=bulbs.jpg").body;
    assert_eq!(top.matches(unused).count(), 1, "{top}");
    // Near miss: the other one's own page still shows its finding.
    let old = studio.get("/studio/photo?file=old/content/bulbs.jpg").body;
    assert_eq!(old.matches(unused).count(), 1, "{old}");
}

#[test]
fn the_pages_list_asks_who_is_in_a_photo_for_every_rule_of_that_kind() {
    let site = school();
    // An id the register does not know (consent-unknown-person, which
    // the list used not to count).
    site.write(
        &format!("{GARDEN_DIR}/photos.toml"),
        "[[photo]]\nfile = \"bulbs.jpg\"\npeople = [\"9999\"]\n",
    );
    // Near miss: a page whose only finding is of another kind (no
    // title) is not said to need anyone declared.
    site.write(
        "content/news/2026-11-07-note.md",
        "+++\ndate = 2026-11-07\n+++\n\nA note.\n",
    );
    let studio = Studio::start(&site);
    let list = studio.get("/studio/").body;
    let row = |title: &str| {
        list.split("<tr>")
            .find(|r| r.contains(title))
            .unwrap_or_else(|| panic!("no row for {title}: {list}"))
            .to_string()
    };
    let garden = row("Autumn garden");
    assert!(garden.contains("say who is in a photo"), "{garden}");
    assert!(!garden.contains("a photo must come down"), "{garden}");
    let note = row("2026-11-07-note");
    assert!(
        note.contains("warning") && !note.contains("say who is in a photo"),
        "{note}"
    );
}

const CAROLS: &str = "news/2026-12-01-carols.md";
const CAROLS_TEXT: &str = "+++\ntitle = \"Carols\"\ndate = 2026-12-01\n\n# The concert: confirmed with the church.\n[[events]]\ntitle = \"Concert\" # as on the poster\nstart = 2026-12-16T14:00:00\nend = 2026-12-16T15:30:00\ndescription = \"Bring a coat\"\n\n# Rehearsal.\n[[events]]\ntitle = \"Rehearsal\"\nstart = 2026-12-14\n+++\n\nCome and sing.\n";

/// The edit form's fields for the carols page, its events as `rows`
/// (from, title, start, start time, end, end time, location,
/// description), in the order a browser sends them.
fn carols_form(
    token: &str,
    version: &str,
    rows: &[[&str; 8]],
    remove: &[&str],
) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("token", token),
        ("page", CAROLS),
        ("version", version),
        ("title", "Carols"),
        ("date", "2026-12-01"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let names = [
        "event_from",
        "event_title",
        "event_start",
        "event_start_time",
        "event_end",
        "event_end_time",
        "event_location",
        "event_description",
    ];
    for (i, row) in rows.iter().enumerate() {
        for (name, value) in names.iter().zip(row) {
            fields.push((name.to_string(), value.to_string()));
        }
        if remove.contains(&i.to_string().as_str()) {
            fields.push(("event_remove".to_string(), i.to_string()));
        }
    }
    fields.push(("body".to_string(), "Come and sing.\n".to_string()));
    fields
}

/// A line of only `+++` typed into a description (a programme, say)
/// once ended the page's settings there: the page became unreadable, the
/// save answered "No such page", and the studio could no longer open it.
#[test]
fn a_typed_plus_line_in_an_event_keeps_the_page_readable() {
    let site = school();
    site.write(&format!("content/{CAROLS}"), CAROLS_TEXT);
    let studio = Studio::start(&site);
    let token = studio.token();
    let edit = studio.get(&format!("/studio/edit?page={CAROLS}")).body;
    let version = hidden(&edit, "version");
    let programme = "Programme:\r\n+++\r\nCarols and readings";
    let rows = [[
        "0",
        "Concert",
        "2026-12-16",
        "14:00",
        "",
        "15:30",
        "",
        programme,
    ]];
    let fields = carols_form(&token, &version, &rows, &[]);
    let p: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = studio.post_same_origin("/studio/edit", &p);
    assert_eq!(saved.status, 200, "{}", saved.body);
    let text = site.read(&format!("content/{CAROLS}"));
    assert!(
        text.contains("# The concert: confirmed with the church."),
        "{text}"
    );
    // The build reads it, and the description comes back as typed.
    let check = site.run(&["check", "--today", "2026-11-24"]);
    assert!(
        !check.all().contains("front-matter"),
        "{}\n{text}",
        check.all()
    );
    let again = studio.get(&format!("/studio/edit?page={CAROLS}"));
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(
        again.body.contains(
            "name=\"event_description\" rows=\"2\">Programme:\n+++\nCarols and readings</textarea>"
        ),
        "{}",
        again.body
    );
    // The near miss: a page broken by hand is named as unreadable, with
    // the build's line and fix, not "No such page".
    site.write(
        &format!("content/{CAROLS}"),
        "+++\ntitle = \"Carols\"\ndescription = \"\"\"\nA\n+++\nB\"\"\"\n+++\n\nBody\n",
    );
    let broken = studio.get(&format!("/studio/edit?page={CAROLS}"));
    let tries = (0..50)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(200));
            studio.get(&format!("/studio/edit?page={CAROLS}"))
        })
        .find(|a| a.status == 422)
        .unwrap_or(broken);
    assert_eq!(tries.status, 422, "{}", tries.body);
    assert!(
        tries.body.contains("cannot be read at line"),
        "{}",
        tries.body
    );
    let missing = studio.get("/studio/edit?page=news/no-such-page.md");
    assert_eq!(missing.status, 404, "{}", missing.body);
}

#[test]
fn every_event_field_is_edited_in_the_form_and_a_bad_time_saves_nothing() {
    let site = school();
    site.write(&format!("content/{CAROLS}"), CAROLS_TEXT);
    let studio = Studio::start(&site);
    let token = studio.token();
    let edit = studio.get(&format!("/studio/edit?page={CAROLS}")).body;
    // Times and descriptions are fields now, not read-only text.
    for shown in [
        "name=\"event_start_time\" type=\"time\" value=\"14:00\"",
        "name=\"event_end_time\" type=\"time\" value=\"15:30\"",
        "name=\"event_description\" rows=\"2\">Bring a coat</textarea>",
        "name=\"event_remove\" value=\"1\"",
    ] {
        assert!(edit.contains(shown), "{shown}: {edit}");
    }
    assert!(!edit.contains("kept as written"), "{edit}");
    let version = hidden(&edit, "version");
    let post = |fields: Vec<(String, String)>| {
        let p: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        studio.post_same_origin("/studio/edit", &p)
    };
    let concert = |start_time: &'static str| {
        [
            "0",
            "Concert",
            "2026-12-16",
            start_time,
            "",
            "19:30",
            "St Mary's",
            "Bring a coat",
        ]
    };
    let rehearsal = ["1", "Rehearsal", "2026-12-14", "", "", "", "", ""];
    let fair = |day: &'static str| ["", "Fair", day, "", "", "", "", "Stalls & games"];

    // Near misses: a time that is no time, a day that is no day, and an
    // end time with no start time save nothing, each naming its field.
    for (rows, field, why) in [
        (
            [concert("25:00"), rehearsal, fair("2026-12-19")],
            "event-0-start-time",
            "Event 1: give the time it starts",
        ),
        (
            [concert("18:00"), rehearsal, fair("2026-02-30")],
            "event-2-start",
            "Event 3: give the day it starts",
        ),
        (
            [concert(""), rehearsal, fair("2026-12-19")],
            "event-0-start-time",
            "Event 1: it has a time it ends, so give the time it starts too",
        ),
    ] {
        let refused = post(carols_form(&token, &version, &rows, &["1"]));
        assert_eq!(refused.status, 422, "{field}: {}", refused.body);
        assert!(
            refused
                .body
                .contains(&format!("<a href=\"#{field}\">{why}")),
            "{field}: {}",
            refused.body
        );
        assert_eq!(site.read(&format!("content/{CAROLS}")), CAROLS_TEXT);
    }

    // The concert moves to the evening and gets a place; the rehearsal is
    // removed; a fair is added. Comments and order stay.
    let saved = post(carols_form(
        &token,
        &version,
        &[concert("18:00"), rehearsal, fair("2026-12-19")],
        &["1"],
    ));
    assert_eq!(saved.status, 200, "{}", saved.body);
    let text = site.read(&format!("content/{CAROLS}"));
    assert!(
        text.starts_with("+++\ntitle = \"Carols\"\ndate = 2026-12-01\n\n# The concert: confirmed with the church.\n[[events]]\ntitle = \"Concert\" # as on the poster\nstart = 2026-12-16T18:00:00\nend = 2026-12-16T19:30:00\ndescription = \"Bring a coat\"\nlocation = \"St Mary's\"\n"),
        "{text}"
    );
    assert!(!text.contains("Rehearsal"), "{text}");
    assert!(
        text.contains(
            "[[events]]\ntitle = \"Fair\"\nstart = 2026-12-19\ndescription = \"Stalls & games\"\n+++"
        ),
        "{text}"
    );
    // The build reads it: nothing to fix about the events.
    assert!(!saved.body.contains("front-matter"), "{}", saved.body);
    assert!(!saved.body.contains("event-dates"), "{}", saved.body);

    // Near miss: an event the build cannot read (a time zone) is not
    // guessed at: the page's events are shown as written, with why, and
    // saving the page leaves them so.
    let zoned = "+++\ntitle = \"Trip\"\ndate = 2026-12-02\n\n[[events]]\ntitle = \"Coach\" # leaves early\nstart = 2026-12-20T07:00:00Z\n+++\n\nTrip.\n";
    site.write("content/news/2026-12-02-trip.md", zoned);
    let edit = studio.get("/studio/edit?page=news/2026-12-02-trip.md").body;
    assert!(
        edit.contains("kept as written, because one cannot be read: event 1 (Coach)")
            && !edit.contains("name=\"event_title\""),
        "{edit}"
    );
    let version = hidden(&edit, "version");
    let saved = studio.post_same_origin(
        "/studio/edit",
        &[
            ("token", &token),
            ("page", "news/2026-12-02-trip.md"),
            ("version", &version),
            ("title", "School trip"),
            ("date", "2026-12-02"),
            ("body", "Trip.\n"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let text = site.read("content/news/2026-12-02-trip.md");
    assert!(
        text.contains(
            "[[events]]\ntitle = \"Coach\" # leaves early\nstart = 2026-12-20T07:00:00Z\n"
        ),
        "{text}"
    );
}

#[test]
fn uploads_a_stopped_studio_left_are_never_built_and_are_removed_at_the_next_start() {
    use schoolsite::studio::scratch::Scratch;
    let site = school();
    let garden = site.path(GARDEN_DIR);
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    // What a studio stopped mid-way leaves: an upload half received (a
    // phone photo, named nothing but its temporary name) and a save not
    // yet swapped in, made as the studio makes them.
    let left = |kind: Scratch, bytes: &[u8]| {
        let mut tmp = kind.create_in(&garden).unwrap();
        tmp.write_all(bytes).unwrap();
        let (file, path) = tmp.keep().unwrap();
        file.set_modified(an_hour_ago).unwrap();
        path
    };
    let upload = left(Scratch::Upload, &jpeg_with_everything(64, 48));
    let save = left(Scratch::Write, b"+++\ntitle = \"Half\"\n");
    // Near misses: a dot-file the studio did not make, and one of its own
    // names changed after this run starts (another run's, in progress).
    site.write(&format!("{GARDEN_DIR}/.upload-notes"), "mine");
    std::fs::File::open(site.path(&format!("{GARDEN_DIR}/.upload-notes")))
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let later = left(Scratch::Upload, b"still arriving");
    std::fs::File::options()
        .write(true)
        .open(&later)
        .unwrap()
        .set_modified(std::time::SystemTime::now() + Duration::from_secs(3600))
        .unwrap();

    // The build passes over them: not content, not published, not a
    // finding.
    let built = site.run(&["build"]);
    assert_eq!(built.code, 0, "{}", built.all());
    assert!(!built.all().contains(".upload-"), "{}", built.all());
    assert!(!built.all().contains(".schoolsite-"), "{}", built.all());
    let published = walk(&site.path("public"));
    assert!(
        published.iter().all(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.contains("upload") && !name.contains(".tmp")
        }),
        "{published:?}"
    );

    let studio = Studio::start(&site);
    assert!(!upload.exists() && !save.exists());
    assert!(site.path(&format!("{GARDEN_DIR}/.upload-notes")).exists());
    assert!(later.exists());
    let list = studio.get("/studio/").body;
    assert!(!list.contains(".upload-"), "{list}");
}

#[test]
fn a_photo_is_shown_the_findings_of_its_own_entry_in_photos_toml() {
    let site = school();
    site.write(&format!("{GARDEN_DIR}/pond.jpg"), plain_jpeg(64, 48));
    // pond.jpg's entry is wrong: one person in a "group" photo.
    site.write(
        &format!("{GARDEN_DIR}/photos.toml"),
        "# Checked by Mrs Ashworth.\n[[photo]]\nfile = \"bulbs.jpg\"\nnobody = true\n\n[[photo]]\nfile = \"pond.jpg\"\npeople = [\"1001\"]\nfocus = \"group\"\n",
    );
    let studio = Studio::start(&site);
    let all = studio.get("/studio/findings").body;
    assert!(all.contains("photos.toml, line 9"), "{all}");
    let pond = studio
        .get("/studio/photo?file=news/2026-11-06-garden/pond.jpg")
        .body;
    assert!(
        pond.contains("Findings for this photo") && pond.contains("focus"),
        "{pond}"
    );
    // Near miss: the other photo in the same photos.toml is not told of
    // pond.jpg's entry.
    let bulbs = studio
        .get("/studio/photo?file=news/2026-11-06-garden/bulbs.jpg")
        .body;
    assert!(!bulbs.contains("Findings for this photo"), "{bulbs}");
}

#[cfg(unix)]
#[test]
fn a_link_out_of_content_is_no_photo_to_the_studio() {
    let site = school();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("elsewhere.jpg"), plain_jpeg(64, 48)).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("elsewhere.jpg"),
        site.path(&format!("{GARDEN_DIR}/linked.jpg")),
    )
    .unwrap();
    let studio = Studio::start(&site);
    for path in [
        "/studio/photo?file=news/2026-11-06-garden/linked.jpg",
        "/studio/photo/image?file=news/2026-11-06-garden/linked.jpg",
    ] {
        assert_eq!(studio.get(path).status, 404, "{path}");
    }
    // Near miss: the photo beside it, in content/, is one.
    assert_eq!(
        studio
            .get(&format!("/studio/photo?file={GARDEN_BULBS}"))
            .status,
        200
    );
}
