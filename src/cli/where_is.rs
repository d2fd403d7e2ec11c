//! `schoolsite where ID`: every photo and page a person appears in.

use super::Format;
use super::{EXIT_INPUT, SiteArgs};
use schoolsite::consent::{Cell, Lookup, Policy, Status, assess, audit};
use schoolsite::pipeline;

#[derive(clap::Args)]
pub struct WhereArgs {
    /// The person's id in the consent register.
    id: String,
    #[command(flatten)]
    site: SiteArgs,
}

pub fn run(args: &WhereArgs) -> anyhow::Result<u8> {
    let survey = pipeline::survey(&args.site.root, args.site.options())?;
    let register = &survey.register;
    let photos = audit::appearances(register, &survey.declarations, &survey.uses, &args.id);
    let who = audit::who(register, &args.id);
    let found = matches!(register.lookup(&args.id), Lookup::Found(_));
    if !found && photos.is_empty() {
        eprintln!(
            "error: {} is not in the consent register and no photo declares it: check the id",
            args.id
        );
        return Ok(EXIT_INPUT);
    }
    let policy = Policy::from(&survey.config.consent);
    // Today's standing for group and individual photos.
    let standing: Vec<(&str, Vec<String>)> = ["website_group", "website_individual"]
        .into_iter()
        .map(|u| {
            let a = assess(register, &args.id, u, survey.today, &policy);
            (u, a.blocks.iter().map(ToString::to_string).collect())
        })
        .collect();
    if args.site.format == Format::Json {
        let doc = serde_json::json!({
            "schema": 1,
            "today": survey.today,
            "person": who,
            "may_appear": standing.iter().map(|(u, b)| (u.to_string(), b.is_empty())).collect::<std::collections::BTreeMap<_, _>>(),
            "photos": photos,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    println!("{}", who.describe());
    if let Lookup::Found(p) = register.lookup(&args.id) {
        let consents: Vec<String> = p
            .consents()
            .iter()
            .map(|(u, c)| {
                let v = match c.status {
                    Cell::Is(Status::Given) => "yes",
                    Cell::Is(Status::Refused) => "no",
                    Cell::Is(other) => other.describe(),
                    Cell::Blank => "not recorded",
                    Cell::Unreadable => "unreadable",
                };
                format!("{u}: {v}")
            })
            .collect();
        if p.is_gone() {
            println!("  register: no longer in the export, so treated as having left");
        } else {
            println!("  register: {} row {}", p.file, p.row);
        }
        println!("  consent: {}", consents.join(", "));
    } else {
        println!("  not in the consent register");
    }
    for (use_, blocks) in &standing {
        if blocks.is_empty() {
            println!("  may appear today in {use_} photos");
        } else {
            println!(
                "  may not appear today in {use_} photos: {}",
                blocks.join("; ")
            );
        }
    }
    println!();
    if photos.is_empty() {
        println!("No photo declares {}.", args.id);
        return Ok(0);
    }
    let published = photos.iter().filter(|p| !p.pages.is_empty()).count();
    println!(
        "In {} {} ({published} published):",
        photos.len(),
        if photos.len() == 1 { "photo" } else { "photos" }
    );
    for p in &photos {
        println!(
            "  {} ({} photo; declared in {} line {})",
            p.photo,
            p.focus.as_str(),
            p.declared_in,
            p.declared_line
        );
        if p.pages.is_empty() {
            println!("    not on any page, so not published");
        }
        for page in &p.pages {
            println!("    on {} line {} ({})", page.file, page.line, page.url);
        }
    }
    Ok(0)
}
