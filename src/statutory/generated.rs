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

pub(super) fn page(item: &Item, config: &Config) -> GeneratedPage {
    let school = &config.school;
    let (description, markdown) = match item.key.as_str() {
        "accessibility-statement" => (
            format!(
                "How accessible the {} website is, and how to tell us about a problem.",
                school.name
            ),
            accessibility_statement(config),
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

fn accessibility_statement(config: &Config) -> String {
    let name = &config.school.name;
    let site = config.base();
    format!(
        "This statement applies to the {name} website at {site}.\n\n\
## Using this website\n\n\
We want as many people as possible to be able to use this website. You should be able to:\n\n\
- change colours, contrast levels and fonts using your browser or device settings;\n\
- zoom in up to 400% without the text spilling off the screen;\n\
- move around the website using just a keyboard;\n\
- use the website with a screen reader;\n\
- read every page without JavaScript.\n\n\
We have also tried to make the text as simple as possible to understand.\n\n\
## How accessible this website is\n\n\
The website aims to meet the Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA. \
Some documents we publish, such as older PDF letters, may not be fully accessible.\n\n\
## Feedback and contact information\n\n\
If you need information on this website in a different format, such as large print, easy read, \
audio or braille, or if you find a problem with the website, please contact the school office:\n\n\
{contact}\n\
We will reply within 10 school days.\n\n\
## Enforcement procedure\n\n\
The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector \
Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018. If you are not \
happy with how we respond to your complaint, contact the \
[Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/).\n\n\
## Technical information about this website's accessibility\n\n\
The school is committed to making its website accessible, in accordance with the Public Sector \
Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.\n",
        contact = contact(config),
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
