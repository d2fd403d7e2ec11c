//! `schoolsite statutory`: where each item of the school's statutory
//! checklist stands, and what falls due next.

use super::Format;
use super::{EXIT_BLOCKED, SiteArgs};
use schoolsite::pipeline;
use schoolsite::report::{self, Summary};
use schoolsite::rules;
use schoolsite::statutory::{Assessment, Cadence, Checklist, Force, Item, ItemStatus, State};
use serde::Serialize;

#[derive(clap::Args)]
pub struct StatutoryArgs {
    /// List every item schoolsite knows, with its key and what the page
    /// must contain, instead of the site's status.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    site: SiteArgs,
}

pub fn run(args: &StatutoryArgs) -> anyhow::Result<u8> {
    if args.all {
        return list_all(args.site.format);
    }
    let survey = pipeline::survey(&args.site.root, args.site.options())?;
    let a = &survey.statutory;
    let findings = rules::statutory_findings(a, survey.today);
    let blocked = Summary::of(&findings).blocked();
    match args.site.format {
        Format::Json => println!("{}", json(a, &findings, blocked)?),
        Format::Github => print!("{}", report::github(&findings)),
        Format::Human => human(a, &findings),
    }
    Ok(if blocked { EXIT_BLOCKED } else { 0 })
}

fn human(a: &Assessment, findings: &[schoolsite::report::Finding]) {
    let today = a.today.map(|d| d.to_string()).unwrap_or_default();
    let Some(profile) = a.profile else {
        print!("{}", report::human(findings));
        return;
    };
    if !a.has_index() {
        println!("config.toml sets [statutory] profile = \"none\": no statutory list is checked.");
        return;
    }
    let list = Checklist::builtin();
    println!(
        "Statutory information for a {} school, checked on {today}",
        profile.as_str()
    );
    if let Some(source) = list.source(profile) {
        println!(
            "(the list follows \"{}\", {}; compared with it on {})",
            source.title, source.url, source.checked
        );
    }
    println!();
    let width = a
        .items
        .iter()
        .map(|s| s.item.title.chars().count())
        .max()
        .unwrap_or(0);
    let groups = [
        (Some(Force::Must), "Must publish"),
        (Some(Force::Should), "Should publish (a gap is a warning)"),
        (None, "Also published"),
    ];
    for (force, heading) in groups {
        let items: Vec<&ItemStatus> = a.items.iter().filter(|s| s.force == force).collect();
        if items.is_empty() {
            continue;
        }
        println!("{heading}");
        for s in items {
            println!(
                "  {:<9} {:<width$}  {}",
                label(s.state),
                s.item.title,
                detail(s, a)
            );
        }
        println!();
    }
    if let Some(next) = a.next_due()
        && let Some(page) = &next.page
        && let Some(due) = page.next_review
    {
        println!("Next due: {} on {due} ({}).", next.item.title, page.file);
    }
    for (force, what) in [(Force::Must, "must"), (Force::Should, "should")] {
        let listed: Vec<&ItemStatus> = a.items.iter().filter(|s| s.force == Some(force)).collect();
        if listed.is_empty() {
            continue;
        }
        let count = |state: State| listed.iter().filter(|s| s.state == state).count();
        let in_place = listed.iter().filter(|s| !s.state.blocks()).count();
        println!(
            "{in_place} of {} \"{what}\" items in place; {} missing, {} overdue, {} due soon.",
            listed.len(),
            count(State::Missing),
            count(State::Overdue) + count(State::Undated),
            count(State::DueSoon),
        );
    }
    let problems: Vec<_> = findings
        .iter()
        .filter(|f| {
            !matches!(
                f.rule,
                "statutory-missing"
                    | "statutory-should"
                    | "statutory-overdue"
                    | "statutory-due-soon"
            )
        })
        .cloned()
        .collect();
    if !problems.is_empty() {
        println!("\nTo fix:\n{}", report::human(&problems));
    }
}

fn label(state: State) -> &'static str {
    match state {
        State::Current => "ok",
        State::DueSoon => "DUE SOON",
        State::Overdue => "OVERDUE",
        State::Undated => "NO DATE",
        State::External => "elsewhere",
        State::Generated => "starter",
        State::NotApplicable => "n/a",
        State::Missing => "MISSING",
    }
}

fn detail(s: &ItemStatus, a: &Assessment) -> String {
    let today = a.today;
    match s.state {
        State::Current | State::DueSoon | State::Overdue | State::Undated => {
            let Some(page) = &s.page else {
                return String::new();
            };
            match (page.next_review, today) {
                (Some(due), Some(today)) => {
                    let when = report::countdown((due - today).num_days());
                    format!("{}  review due {due} ({when})", page.file)
                }
                _ => format!("{}  no review date", page.file),
            }
        }
        State::External => s.link.clone().unwrap_or_default(),
        State::Generated => format!(
            "{}  made from config.toml: write the school's own (statutory = \"{}\")",
            s.generated_url.as_deref().unwrap_or(""),
            s.item.key
        ),
        State::NotApplicable => s.reason.clone().unwrap_or_default(),
        State::Missing => format!("no page: add statutory = \"{}\" to one", s.item.key),
    }
}

#[derive(Serialize)]
struct JsonStatus<'a> {
    schema: u32,
    today: Option<chrono::NaiveDate>,
    profile: Option<&'static str>,
    source: Option<&'a schoolsite::statutory::Source>,
    blocked: bool,
    items: Vec<JsonItem<'a>>,
    next_due: Option<JsonDue<'a>>,
    findings: &'a [schoolsite::report::Finding],
}

#[derive(Serialize)]
struct JsonItem<'a> {
    key: &'a str,
    title: &'a str,
    required: bool,
    force: Option<Force>,
    cadence: Cadence,
    state: State,
    page: Option<&'a schoolsite::statutory::Claim>,
    generated_url: Option<&'a str>,
    link: Option<&'a str>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonDue<'a> {
    key: &'a str,
    date: chrono::NaiveDate,
    file: &'a str,
}

fn json(
    a: &Assessment,
    findings: &[schoolsite::report::Finding],
    blocked: bool,
) -> serde_json::Result<String> {
    let next_due = a.next_due().and_then(|s| {
        let page = s.page.as_ref()?;
        Some(JsonDue {
            key: &s.item.key,
            date: page.next_review?,
            file: &page.file,
        })
    });
    serde_json::to_string_pretty(&JsonStatus {
        schema: 1,
        today: a.today,
        profile: a.profile.map(|p| p.as_str()),
        source: a.profile.and_then(|p| Checklist::builtin().source(p)),
        blocked,
        items: a
            .items
            .iter()
            .map(|s| JsonItem {
                key: &s.item.key,
                title: &s.item.title,
                required: s.required,
                force: s.force,
                cadence: s.item.cadence,
                state: s.state,
                page: s.page.as_ref(),
                generated_url: s.generated_url.as_deref(),
                link: s.link.as_deref(),
                reason: s.reason.as_deref(),
            })
            .collect(),
        next_due,
        findings,
    })
}

/// `statutory --all --format json`: the whole checklist, with each
/// item's sources resolved to titles and addresses.
#[derive(Serialize)]
struct JsonList<'a> {
    schema: u32,
    source: &'a [schoolsite::statutory::Source],
    reference: &'a [schoolsite::statutory::Reference],
    items: Vec<JsonListItem<'a>>,
}

#[derive(Serialize)]
struct JsonListItem<'a> {
    #[serde(flatten)]
    item: &'a Item,
    /// The profiles that list it (must or should).
    profiles: Vec<&'static str>,
    /// Where the requirement comes from.
    from: Vec<JsonSource<'a>>,
}

#[derive(Serialize)]
struct JsonSource<'a> {
    title: &'a str,
    url: &'a str,
}

fn list_all(format: Format) -> anyhow::Result<u8> {
    let list = Checklist::builtin();
    let from = |item: &'static Item| list.sources_of(item, None);
    if format == Format::Json {
        let doc = JsonList {
            schema: 1,
            source: &list.sources,
            reference: &list.references,
            items: list
                .items
                .iter()
                .map(|item| JsonListItem {
                    item,
                    profiles: item.profiles().map(|p| p.as_str()).collect(),
                    from: from(item)
                        .into_iter()
                        .map(|(title, url)| JsonSource { title, url })
                        .collect(),
                })
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    for source in &list.sources {
        println!(
            "{}: \"{}\" ({}), compared on {}",
            source.profile.as_str(),
            source.title,
            source.url,
            source.checked
        );
    }
    for item in &list.items {
        let forces: Vec<String> = item
            .force
            .iter()
            .map(|(p, f)| format!("{} ({})", p.as_str(), f.as_str()))
            .collect();
        println!("\n{} ({})", item.key, item.title);
        if forces.is_empty() {
            println!("  required by: none (optional: a page may publish it)");
        } else {
            println!("  required by: {}", forces.join(", "));
        }
        if let Some(why) = &item.should {
            println!("  why \"should\": {why}");
        }
        println!("  must contain: {}", item.contains);
        println!(
            "  updated: {} ({})",
            item.cadence.in_words(),
            item.cadence.as_str()
        );
        if let Some(when) = &item.when {
            println!("  when: {when}");
        }
        if let Some(applies) = &item.applies {
            println!("  applies: {applies}");
        }
        if !item.must_link.is_empty() {
            println!("  must link to: {}", item.must_link.join(" or "));
        }
        for (title, url) in from(item) {
            println!("  source: {title} ({url})");
        }
    }
    Ok(0)
}
