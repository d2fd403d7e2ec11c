//! Starter pages for the items every school needs and schoolsite can
//! write from config.toml: the accessibility statement and the privacy
//! notice. They are published (a starter is better than nothing) and
//! flagged until the school writes its own.

use super::{INDEX_PATH, Item};
use crate::config::Config;

/// A page made by schoolsite, not written by the school.
#[derive(Debug, Clone)]
pub struct GeneratedPage {
    /// The checklist item it stands in for.
    pub key: String,
    /// Its address on the site (`/statutory-information/privacy-notice/`).
    pub path: String,
    pub title: String,
    pub description: String,
    /// The page's text, as Markdown.
    pub markdown: String,
}

pub(super) fn page(item: &Item, config: &Config, today: chrono::NaiveDate) -> GeneratedPage {
    let school = &config.school;
    let (description, markdown) = match item.key.as_str() {
        "accessibility-statement" => (
            format!(
                "How accessible the {} website is, and how to tell us about a problem.",
                school.name
            ),
            accessibility_statement(config, today),
        ),
        _ => (
            format!("How the {} website uses personal information.", school.name),
            privacy_notice(config),
        ),
    };
    GeneratedPage {
        key: item.key.clone(),
        path: format!("{INDEX_PATH}{}/", item.key),
        title: item.title.clone(),
        description,
        markdown,
    }
}

fn contact(config: &Config) -> String {
    let s = &config.school;
    format!(
        "- email: [{email}](mailto:{email})\n- telephone: {phone}\n- post: {name}, {address}\n",
        email = s.email,
        phone = s.phone,
        name = s.name,
        address = s.address,
    )
}

/// The statement, in the structure and with the required sentences of
/// GOV.UK's sample accessibility statement for a public sector website.
fn accessibility_statement(config: &Config, today: chrono::NaiveDate) -> String {
    use crate::config::Compliance;
    let name = &config.school.name;
    let site = config.base();
    let a = &config.accessibility;
    let (status, because) = match a.status {
        Compliance::Full => ("fully compliant", String::new()),
        Compliance::Partial => (
            "partially compliant",
            ", due to the non-compliances and exemptions listed below".to_string(),
        ),
        Compliance::Not => (
            "not compliant",
            ". The non-accessible sections are listed below".to_string(),
        ),
    };
    let list = |items: &[String], none: &str| -> String {
        if items.is_empty() {
            format!("{none}\n")
        } else {
            items.iter().map(|i| format!("- {i}\n")).collect()
        }
    };
    let date = |d: &Option<toml::value::Datetime>| {
        d.as_ref().map_or_else(
            || "[date to be filled in: set it in config.toml under [accessibility]]".to_string(),
            ToString::to_string,
        )
    };
    format!(
        "This accessibility statement applies to the {name} website at {site}.\n\n\
This website is run by {name}. We want as many people as possible to be able to use this website. For example, that means you should be able to:\n\n\
- change colours, contrast levels and fonts using browser or device settings;\n\
- zoom in up to 400% without the text spilling off the screen;\n\
- navigate most of the website using a keyboard or speech recognition software;\n\
- listen to most of the website using a screen reader;\n\
- read every page without JavaScript.\n\n\
We've also made the website text as simple as possible to understand.\n\n\
[AbilityNet](https://mcmw.abilitynet.org.uk/) has advice on making your device easier to use if you have a disability.\n\n\
## How accessible this website is\n\n\
{how}\n\n\
## Feedback and contact information\n\n\
If you need information on this website in a different format, like an accessible PDF, large print, easy read, an audio recording or braille, contact the school office:\n\n\
{contact}\n\
We'll consider your request and get back to you within 10 school days.\n\n\
## Reporting accessibility problems with this website\n\n\
We're always looking to improve the accessibility of this website. If you find any problems not listed on this page or think we're not meeting accessibility requirements, contact the school office as above.\n\n\
## Enforcement procedure\n\n\
The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the 'accessibility regulations'). If you're not happy with how we respond to your complaint, contact the [Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/).\n\n\
## Technical information about this website's accessibility\n\n\
{name} is committed to making its website accessible, in accordance with the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.\n\n\
### Compliance status\n\n\
This website is {status} with the [Web Content Accessibility Guidelines version 2.2](https://www.w3.org/TR/WCAG22/) AA standard{because}.\n\n\
## Non-accessible content\n\n\
The content listed below is non-accessible for the following reasons.\n\n\
### Non-compliance with the accessibility regulations\n\n\
{non_compliance}\n\
### Disproportionate burden\n\n\
{burden}\n\
### Content that's not within the scope of the accessibility regulations\n\n\
{scope}\n\
## Preparation of this accessibility statement\n\n\
This statement was prepared on {prepared}. It was last reviewed on {reviewed}.\n\n\
This website was last tested on {today}. The test was carried out by {name}, by the checks the website's publishing tool (schoolsite) makes every time the website is built: every page is checked to have a title, every image a text alternative, every video captions, every link within the website a page that exists, and nothing loaded from other websites; documents whose text a screen reader cannot read are listed for the school to replace. Every page is tested, not a sample.\n",
        how = if a.status == Compliance::Full {
            "This website is fully accessible.".to_string()
        } else {
            "We know some parts of this website are not fully accessible: they are listed under \"Non-accessible content\" below.".to_string()
        },
        contact = contact(config),
        non_compliance = list(
            &a.non_compliance,
            "We know of no content that fails the accessibility regulations."
        ),
        burden = list(
            &a.disproportionate_burden,
            "We are not claiming that any accessibility problem would be a disproportionate burden to fix."
        ),
        scope = list(
            &a.out_of_scope,
            "We know of no content outside the scope of the accessibility regulations."
        ),
        prepared = date(&a.prepared_on),
        reviewed = date(
            a.reviewed_on
                .as_ref()
                .map_or(&a.prepared_on, |_| &a.reviewed_on)
        ),
    )
}

fn privacy_notice(config: &Config) -> String {
    let name = &config.school.name;
    format!(
        "This notice explains how the {name} website uses personal information. The school's \
full privacy notices, for pupils, parents and staff, explain how the school uses personal \
information more widely; ask the school office for a copy.\n\n\
## Who is responsible\n\n\
{name} is the data controller for this website. You can contact us about anything in this notice:\n\n\
{contact}\n\
## What this website collects\n\n\
This website does not use cookies, analytics or tracking of any kind, and it does not load \
anything from other websites. It has no forms and no accounts. The server that hosts it may keep \
short-lived technical logs (such as addresses of computers that visit) to keep it running \
securely.\n\n\
## Photographs and names of children\n\n\
We only publish a photograph of a child when their parent or carer has given written consent, \
and we never publish a child's full name with a photograph. Photographs are published without \
any hidden information, such as where they were taken. We remove photographs when consent is \
withdrawn or runs out, and when a child leaves the school.\n\n\
If you want a photograph removed, or want to change or withdraw your consent, please contact the \
school office.\n\n\
## Your rights\n\n\
You have the right to ask for a copy of the information we hold about you, to ask us to correct \
or delete it, and to object to how we use it. If you are unhappy with how we have used your \
information, please tell us first. You can also complain to the \
[Information Commissioner's Office](https://ico.org.uk/make-a-complaint/).\n",
        contact = contact(config),
    )
}

/// The line every starter page written by `schoolsite init` carries
/// until the school replaces its text; a page that still has it is
/// flagged.
pub const STARTER_MARKER: &str =
    "*This is a starter page: the school has not written this information yet.*";

/// A starter page for `item`, for a new site: it declares the item,
/// and says what the school must write.
pub fn starter_page(item: &Item, today: chrono::NaiveDate) -> String {
    let mut out = format!(
        "+++\ntitle = {title:?}\ndescription = {title:?}\nstatutory = {key:?}\nlast_reviewed = {today}\napproved_by = \"\"\n+++\n\n{STARTER_MARKER}\n\nThis page must contain: {contains}\n",
        title = item.title,
        key = item.key,
        contains = item.contains,
    );
    if let Some(link) = item.must_link.first() {
        out.push_str(&format!(
            "\nIt must link to the school's own page on [this DfE service]({link}).\n"
        ));
    }
    if let Some(when) = &item.when {
        out.push_str(&format!("\nWhen: {when}\n"));
    }
    if let Some(applies) = &item.applies {
        out.push_str(&format!(
            "\n{applies} (In config.toml: [statutory.not_applicable] {} = \"why\", then delete this page.)\n",
            item.key
        ));
    }
    out
}
