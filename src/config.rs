//! `config.toml`: the school's details, the theme, and the menu.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "config.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "no {CONFIG_FILE} in {0}: is this a schoolsite site? (`schoolsite init DIR` makes a new one)"
    )]
    Missing(PathBuf),
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid UTF-8 text: save it as UTF-8")]
    Encoding { path: PathBuf },
    #[error("{path}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The site configuration, read from `config.toml` at the site root.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The site's title, shown in the browser tab and the header.
    pub title: String,
    /// Where the site is published, e.g. `https://www.example.sch.uk`.
    pub base_url: String,
    /// One sentence about the school, for search engines and feeds.
    #[serde(default)]
    pub description: String,
    /// The language of the site's pages (the `lang` attribute).
    #[serde(default = "default_language")]
    pub language: String,
    /// The theme under `themes/` to build with.
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The school's public contact details: only general ones.
    pub school: School,
    /// Other email addresses and phone numbers pages may show.
    #[serde(default)]
    pub contact: Contact,
    /// The site's main navigation.
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    /// How photos are published.
    #[serde(default)]
    pub images: Images,
    /// How video and audio are published.
    #[serde(default)]
    pub video: Video,
    /// Limits for published documents (PDFs).
    #[serde(default)]
    pub documents: Documents,
    /// How the consent register is applied.
    #[serde(default)]
    pub consent: Consent,
    /// How close and face-on a published photo of pupils may be.
    #[serde(default)]
    pub photos: Photos,
    /// How pupils' names are looked for.
    #[serde(default)]
    pub names: Names,
    /// What raw HTML in Markdown may use.
    #[serde(default)]
    pub markdown: Markdown,
    /// What the site asks of crawlers.
    #[serde(default)]
    pub robots: Robots,
    /// What the generated accessibility statement says.
    #[serde(default)]
    pub accessibility: Accessibility,
    /// Which statutory publishing list applies, and what does not apply
    /// to this school. Required: a school must say which list it follows.
    #[serde(default)]
    pub statutory: Option<Statutory>,
    /// The people whose signature lets the site be published (made with
    /// `schoolsite keygen`).
    #[serde(default)]
    pub approvers: Vec<Approver>,
    /// Where the studio's Publish button publishes to.
    #[serde(default)]
    pub publish: PublishTarget,
    /// Anything else templates want, as in Zola.
    #[serde(default)]
    pub extra: toml::Table,
    /// The file's text, for pointing findings at a line.
    #[serde(skip)]
    text: String,
}

/// The `[images]` table: sizes and limits for published photos.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Images {
    /// Widths of the smaller copies offered to browsers (`srcset`).
    pub widths: Vec<u32>,
    /// Longest edge, in pixels, of any published photo that may show
    /// pupils; larger photos are scaled down and the original withheld.
    pub max_pupil_long_edge: u32,
    /// JPEG quality of scaled copies, 1–100.
    pub quality: u8,
    /// Keep embedded colour profiles (ICC) so colours show correctly.
    pub keep_icc: bool,
    /// Refuse images with more pixels than this (decompression bombs).
    pub max_pixels: u64,
    /// Refuse image files larger than this, in megabytes, before they
    /// are read: a bound on memory whatever the file holds.
    pub max_file_mb: u64,
}

impl Default for Images {
    fn default() -> Self {
        Images {
            widths: vec![480, 960, 1600],
            max_pupil_long_edge: 1600,
            quality: 82,
            keep_icc: true,
            max_pixels: 100_000_000,
            max_file_mb: 100,
        }
    }
}

/// The `[publish]` table: the folder the web server serves, for the
/// studio's Publish button (the command line gives `publish --to DIR`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublishTarget {
    /// Relative to the site's folder, or absolute; never inside it
    /// (`publish` refuses that, as it does for `--to`).
    pub to: Option<PathBuf>,
}

/// The `[documents]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Documents {
    /// The largest PDF the site publishes, in megabytes; larger ones are
    /// refused before they are read (a bound on memory).
    pub max_size_mb: u64,
}

impl Default for Documents {
    fn default() -> Self {
        Documents { max_size_mb: 100 }
    }
}

/// The `[video]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Video {
    /// The largest video or audio file the site publishes, in megabytes
    /// (parents watch on phones, often on slow connections).
    pub max_size_mb: u64,
}

impl Default for Video {
    fn default() -> Self {
        Video { max_size_mb: 200 }
    }
}

/// The `[consent]` table: how long consent lasts and how far ahead the
/// build warns.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Consent {
    /// Months a consent lasts after it is given or renewed (schools renew
    /// every year).
    pub validity_months: u32,
    /// Days ahead that a photo which must come down (a leaver, an expiring
    /// consent) is flagged with a warning.
    pub warn_days: u32,
    /// What happens when a photo shows clearly more faces than people
    /// declared: "warn" (the default), "error" or "off".
    pub faces: FaceCheck,
    /// How many faces beyond those declared are let pass before the
    /// check speaks (a face in a poster, a false detection). A photo
    /// declared as showing nobody gets no tolerance.
    pub face_tolerance: u32,
}

impl Default for Consent {
    fn default() -> Self {
        Consent {
            validity_months: 12,
            warn_days: 30,
            faces: FaceCheck::Warn,
            face_tolerance: 1,
        }
    }
}

/// The `[photos]` table: what the build says of a photo of pupils that is
/// a face-on close-up, the kind of photo safeguarding advice asks schools
/// not to publish. Faces are only detected (found and sized), never
/// identified.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Photos {
    /// What happens when a photo that declares a pupil shows a face-on
    /// close-up: "warn" (the default), "error" or "off".
    pub identifiable: FaceCheck,
    /// A face towards the camera is a close-up when its height is at
    /// least this percentage of the photo's short edge…
    pub close_up_percent: u32,
    /// …and at least this many pixels in the published photo.
    pub close_up_pixels: u32,
}

impl Default for Photos {
    fn default() -> Self {
        Photos {
            identifiable: FaceCheck::Warn,
            close_up_percent: 10,
            close_up_pixels: 64,
        }
    }
}

/// The `[names]` table.
/// `[markdown]`: raw HTML in pages is limited to text, structure and
/// links; a site may add elements and attributes a theme may use
/// (`allow_html = ["style", "form"]`), never past what the gate admits.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Markdown {
    pub allow_html: Vec<String>,
}

/// `[accessibility]`: what the generated accessibility statement says,
/// in the GOV.UK sample statement's terms. The defaults describe what a
/// school site built by schoolsite is, and what it cannot vouch for.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Accessibility {
    /// "full", "partial" or "not": how far the site meets WCAG 2.2 AA.
    pub status: Compliance,
    /// When the statement was first prepared and last reviewed.
    pub prepared_on: Option<toml::value::Datetime>,
    pub reviewed_on: Option<toml::value::Datetime>,
    /// The three lists of the sample's "Non-accessible content".
    pub non_compliance: Vec<String>,
    pub disproportionate_burden: Vec<String>,
    pub out_of_scope: Vec<String>,
}

impl Default for Accessibility {
    fn default() -> Self {
        Accessibility {
            status: Compliance::Partial,
            prepared_on: None,
            reviewed_on: None,
            non_compliance: vec![
                "Some PDF documents, such as letters to parents, may not be marked up for screen readers (WCAG 2.2 success criteria 1.3.1 and 4.1.2). We are replacing them with web pages as we update them.".into(),
            ],
            disproportionate_burden: Vec::new(),
            out_of_scope: vec![
                "PDFs and other documents published before 28 September 2018 are exempt from the regulations if they are not essential to providing our services.".into(),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compliance {
    Full,
    Partial,
    Not,
}

/// `[robots]`: response headers asking AI systems not to train on the
/// site, for hosts that read a file of headers. Off by default: a host
/// that does not read the file would publish it as a page.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Robots {
    /// `["netlify"]` writes `_headers` (Netlify, Cloudflare Pages);
    /// `["apache"]` writes `.htaccess`.
    pub headers: Vec<HeaderFile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HeaderFile {
    Netlify,
    Apache,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Names {
    /// How a pupil's full name on a page with no photo is reported:
    /// "error" (the default) or "warning" (for schools that name, say,
    /// prize-winners in text). Next to a photo it is always an error.
    pub text_only_pages: TextOnly,
    /// Genuine false positives: a staff member or a historical figure who
    /// shares a pupil's name.
    pub allow: Vec<AllowedName>,
    /// What a page with a photo of a pupil may say of them: their first
    /// name where their parents consented to it ("full-name", the
    /// default: only full names are refused), or no name at all
    /// ("any-name": every name of a pupil in the photo is refused).
    pub near_photos: NearPhotos,
    /// Whether a forename's initial with the surname ("O. Okafor") is a
    /// full name: "full-name" (the default) or "allowed".
    pub initial_and_surname: InitialAndSurname,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NearPhotos {
    #[default]
    FullName,
    AnyName,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InitialAndSurname {
    #[default]
    FullName,
    Allowed,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TextOnly {
    #[default]
    Error,
    Warning,
}

/// One allow-list entry: this name may appear on this page, for this
/// reason. Every use is listed in the report.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedName {
    /// The page's source file (`content/history.md`) or address (`/history/`).
    pub page: String,
    /// The full name as it appears.
    pub name: String,
    /// Why it is not a pupil's name here.
    pub reason: String,
}

/// One `[[approvers]]` entry: a person who may approve a build for
/// publishing, and their public key.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Approver {
    pub name: String,
    /// Their role ("Headteacher"), shown in approvals and the audit log.
    pub role: String,
    /// `ed25519:` and 64 hex digits.
    pub public_key: String,
}

/// The `[statutory]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Statutory {
    /// The DfE list the school follows.
    pub profile: Profile,
    /// Days ahead that a review falling due is flagged with a warning.
    #[serde(default = "default_statutory_warn_days")]
    pub warn_days: u32,
    /// Items that do not apply to this school, each with the reason
    /// (shown on the statutory information page).
    #[serde(default)]
    pub not_applicable: std::collections::BTreeMap<String, String>,
    /// Items published elsewhere (the council's admissions pages, the
    /// trust's website): item → the document's address.
    #[serde(default)]
    pub external: std::collections::BTreeMap<String, String>,
    /// The date of the school's most recent Ofsted inspection: the
    /// Ofsted report page is due for an update once the report is out.
    #[serde(default)]
    pub inspected: Option<toml::value::Datetime>,
    /// How many people the school's employer (the governing body or the
    /// trust) employs: items that apply only to larger employers, such
    /// as pay gap reporting, are not applicable below their threshold.
    #[serde(default)]
    pub employees: Option<u32>,
}

fn default_statutory_warn_days() -> u32 {
    30
}

/// Which list of statutory information applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// "What maintained schools must publish online".
    Maintained,
    /// "What academies, free schools and colleges should publish online".
    Academy,
    /// No DfE list (an independent school, or one outside England).
    None,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Maintained => "maintained",
            Profile::Academy => "academy",
            Profile::None => "none",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FaceCheck {
    Warn,
    Error,
    Off,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct School {
    pub name: String,
    pub address: String,
    pub phone: String,
    /// The general office address; never a person's own.
    pub email: String,
}

/// The `[contact]` table: besides the school's own address and number
/// (`[school]`), the email addresses and phone numbers pages and
/// documents may show: other general school ones (admissions@…) and
/// organisations' helplines. Never a person's own.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Contact {
    pub emails: Vec<String>,
    pub phones: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MenuItem {
    pub name: String,
    /// `@/path/to/page.md` (checked like any internal link) or a site path
    /// such as `/`.
    pub url: String,
}

fn default_language() -> String {
    "en-GB".to_string()
}

fn default_theme() -> String {
    "schoolsite".to_string()
}

/// The most `config.toml` may hold (a site's is a few KB).
pub const MAX_CONFIG_BYTES: u64 = 1_000_000;

impl Config {
    /// Reads and validates `config.toml` under `root`.
    pub fn load(root: &Path) -> Result<Config, ConfigError> {
        let path = root.join(CONFIG_FILE);
        let bytes = match crate::media::read_text(&path, MAX_CONFIG_BYTES) {
            Ok(b) => b,
            Err(crate::media::TextError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::Missing(root.to_path_buf()));
            }
            Err(crate::media::TextError::Io(source)) => {
                return Err(ConfigError::Read { path, source });
            }
            Err(e) => {
                return Err(ConfigError::Invalid {
                    message: format!(
                        "{e}, more than the {} MB a config file may hold: a site's config is a few KB; keep only the settings in it",
                        MAX_CONFIG_BYTES / 1_000_000
                    ),
                    path,
                });
            }
        };
        let text =
            String::from_utf8(bytes).map_err(|_| ConfigError::Encoding { path: path.clone() })?;
        Config::parse(&text, &path)
    }

    /// Parses config text; `path` is only used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            line: e.span().map(|s| line_of(text, s.start)),
            message: e.message().to_string(),
        })?;
        config.validate(path)?;
        config.text = text.to_string();
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://")) {
            return Err(invalid(format!(
                "base_url {:?} must start with https:// (it is the address the site is published at)",
                self.base_url
            )));
        }
        if self.theme.is_empty() || self.theme.starts_with('.') || self.theme.contains(['/', '\\'])
        {
            return Err(invalid(format!(
                "theme {:?} must be the name of a folder under themes/",
                self.theme
            )));
        }
        let images = &self.images;
        if !(1..=100).contains(&images.quality) {
            return Err(invalid(format!(
                "[images] quality = {} must be between 1 and 100 (82 is a good choice)",
                images.quality
            )));
        }
        if images.max_pupil_long_edge < 100 || images.widths.contains(&0) {
            return Err(invalid(
                "[images] max_pupil_long_edge must be at least 100 and every width more than 0"
                    .to_string(),
            ));
        }
        if !(1..=120).contains(&self.consent.validity_months) {
            return Err(invalid(format!(
                "[consent] validity_months = {} must be between 1 and 120 (12 is usual: consent is renewed every year)",
                self.consent.validity_months
            )));
        }
        if !(1..=100).contains(&self.photos.close_up_percent) || self.photos.close_up_pixels == 0 {
            return Err(invalid(format!(
                "[photos] close_up_percent = {} must be between 1 and 100, and close_up_pixels = {} more than 0 (10 and 64 are the defaults)",
                self.photos.close_up_percent, self.photos.close_up_pixels
            )));
        }
        if let Some(a) = self.names.allow.iter().find(|a| a.reason.trim().is_empty()) {
            return Err(invalid(format!(
                "[[names.allow]] for {:?} on {} needs a reason (who they are: a member of staff, a historical figure…)",
                a.name, a.page
            )));
        }
        Ok(())
    }

    /// The line of `key = …` inside `[table]` of the config file (the
    /// table's header line when the key is not written there; 1 when
    /// neither is).
    pub fn key_line(&self, table: &str, key: &str) -> usize {
        let header = format!("[{table}]");
        let mut in_table = table.is_empty();
        let mut header_line = None;
        for (i, line) in self.text.lines().enumerate() {
            let t = line.trim();
            if t.starts_with('[') {
                in_table = t == header;
                if in_table {
                    header_line = Some(i + 1);
                }
                continue;
            }
            if in_table
                && let Some((k, _)) = t.split_once('=')
                && k.trim().trim_matches(['"', '\'']) == key
            {
                return i + 1;
            }
        }
        header_line.unwrap_or(1)
    }

    /// The base URL without a trailing slash.
    pub fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }
}

/// 1-based line number of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
title = "T"
base_url = "https://example.sch.uk/"
[school]
name = "N"
address = "A"
phone = "P"
email = "office@example.sch.uk"
"#;

    #[test]
    fn parses_minimal_config_with_defaults() {
        let c = Config::parse(GOOD, Path::new("config.toml")).unwrap();
        assert_eq!(c.theme, "schoolsite");
        assert_eq!(c.language, "en-GB");
        assert_eq!(c.base(), "https://example.sch.uk");
    }

    #[test]
    fn unknown_key_names_line() {
        let text = format!("{GOOD}\n[school2]\nx = 1\n");
        let err = Config::parse(&text, Path::new("config.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("config.toml line 10"), "{msg}");
        assert!(msg.contains("school2"), "{msg}");
    }

    #[test]
    fn theme_cannot_escape_themes_dir() {
        let text = GOOD.replace("title = \"T\"", "title = \"T\"\ntheme = \"../x\"");
        assert!(Config::parse(&text, Path::new("c")).is_err());
    }
}
