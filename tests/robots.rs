//! What the site asks of crawlers: AI-training crawlers are turned away
//! in robots.txt while search engines are let in (read by Python's own
//! robots.txt parser, as a crawler would), every page carries the noai
//! robots values, and the header files are written only when asked for.

mod common;
use common::*;

fn can_fetch(robots: &str, agent: &str) -> Option<bool> {
    let script = "import sys, urllib.robotparser as r\np = r.RobotFileParser()\np.parse(sys.stdin.read().splitlines())\nprint(p.can_fetch(sys.argv[1], 'https://test.example.sch.uk/news/photo.jpg'))";
    let mut child = std::process::Command::new("python3")
        .args(["-c", script, agent])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    use std::io::Write;
    child.stdin.take()?.write_all(robots.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim() == "True")
}

#[test]
fn ai_crawlers_are_turned_away_and_search_engines_let_in() {
    let site = Site::new();
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    let robots = site.read("public/robots.txt");
    let Some(google) = can_fetch(&robots, "Googlebot") else {
        eprintln!("python3 is not installed: skipping the robots.txt reader");
        return;
    };
    assert!(google, "{robots}");
    for search in ["Bingbot", "Applebot", "DuckDuckBot"] {
        assert_eq!(can_fetch(&robots, search), Some(true), "{search}\n{robots}");
    }
    for ai in [
        "GPTBot",
        "ClaudeBot",
        "Google-Extended",
        "CCBot",
        "Applebot-Extended",
        "img2dataset",
    ] {
        assert_eq!(can_fetch(&robots, ai), Some(false), "{ai}\n{robots}");
    }
    for page in site.public_files().iter().filter(|f| f.ends_with(".html")) {
        let html = site.read(&format!("public/{page}"));
        assert!(
            html.contains("<meta name=\"robots\" content=\"noai, noimageai\">"),
            "{page}"
        );
    }
    // No header files unless asked: a host that does not read them would
    // publish them as they are.
    assert!(!site.path("public/_headers").exists());
    assert!(!site.path("public/.htaccess").exists());
}

#[test]
fn header_files_are_written_when_asked_for() {
    let site = Site::new();
    let config = site.read("config.toml");
    site.write(
        "config.toml",
        format!("{config}\n[robots]\nheaders = [\"netlify\", \"apache\"]\n"),
    );
    let run = site.build();
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        site.read("public/_headers"),
        "/*\n  X-Robots-Tag: noai, noimageai\n"
    );
    assert!(
        site.read("public/.htaccess")
            .contains("Header set X-Robots-Tag \"noai, noimageai\"")
    );
    site.write(
        "config.toml",
        format!("{config}\n[robots]\nheaders = [\"nginx\"]\n"),
    );
    let run = site.build();
    assert_eq!(run.code, 2, "{}", run.all());
}
