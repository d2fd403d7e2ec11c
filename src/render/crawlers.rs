//! AI crawlers: the one list of the crawlers that gather pages and images
//! to train AI models, which the default theme's `robots.txt` turns away
//! (search engines are still let in), and the response headers a build
//! can write for hosts that read them. Guidance of 2026 on identifiable
//! photos of pupils asks schools to keep them out of such collections.
//!
//! A crawler that ignores `robots.txt` is not stopped by it: this is a
//! request, honoured by the operators listed, not a lock.

use super::RenderedPage;

/// The user-agent tokens of crawlers that collect pages or images for
/// training AI models, with who runs them. Each operator documents its
/// token; update the list here (and only here) as operators add or rename
/// theirs. Search crawlers (Googlebot, Bingbot, Applebot) are not on it:
/// the operators who also train models have separate tokens for that
/// (`Google-Extended`, `Applebot-Extended`).
pub const AI_CRAWLERS: &[(&str, &str)] = &[
    ("GPTBot", "OpenAI"),
    ("ClaudeBot", "Anthropic"),
    ("anthropic-ai", "Anthropic"),
    (
        "Google-Extended",
        "Google (AI training; Googlebot still indexes for search)",
    ),
    (
        "Applebot-Extended",
        "Apple (AI training; Applebot still indexes for search)",
    ),
    (
        "CCBot",
        "Common Crawl (a dataset many models are trained on)",
    ),
    ("PerplexityBot", "Perplexity"),
    ("Bytespider", "ByteDance"),
    ("meta-externalagent", "Meta"),
    ("FacebookBot", "Meta"),
    ("Amazonbot", "Amazon"),
    ("cohere-ai", "Cohere"),
    ("cohere-training-data-crawler", "Cohere"),
    ("Diffbot", "Diffbot"),
    ("omgili", "Webz.io"),
    ("Webzio-Extended", "Webz.io"),
    ("Timpibot", "Timpi"),
    ("ImagesiftBot", "ImageSift (images)"),
    (
        "img2dataset",
        "img2dataset (downloads images for training sets)",
    ),
    ("AI2Bot", "Allen Institute for AI"),
    ("Ai2Bot-Dolma", "Allen Institute for AI"),
    ("YouBot", "You.com"),
    ("PanguBot", "Huawei"),
];

/// What pages ask of AI systems, in robots meta tags and headers: not to
/// use the page or its images for training.
pub const NO_AI: &str = "noai, noimageai";

/// The tokens, for the `ai_crawlers` template variable.
pub fn tokens() -> Vec<&'static str> {
    AI_CRAWLERS.iter().map(|(t, _)| *t).collect()
}

/// The header files `[robots] headers` asks for: `_headers` (Netlify,
/// Cloudflare Pages) and `.htaccess` (Apache), each sending
/// `X-Robots-Tag: noai, noimageai` with every file, photos included.
pub fn header_files(wanted: &[crate::config::HeaderFile]) -> Vec<RenderedPage> {
    use crate::config::HeaderFile;
    wanted
        .iter()
        .map(|w| {
            let (output, text) = match w {
                HeaderFile::Netlify => (
                    "_headers",
                    format!("/*\n  X-Robots-Tag: {NO_AI}\n"),
                ),
                HeaderFile::Apache => (
                    ".htaccess",
                    format!("<IfModule mod_headers.c>\n  Header set X-Robots-Tag \"{NO_AI}\"\n</IfModule>\n"),
                ),
            };
            RenderedPage {
                path: format!("/{output}"),
                output: output.to_string(),
                html: text,
                source: None,
                derived: true,
                repeats: false,
            }
        })
        .collect()
}
