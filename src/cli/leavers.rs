//! `schoolsite leavers`: every published photo that must come down by a
//! date, grouped by the person it is for.

use super::Format;
use super::SiteArgs;
use schoolsite::consent::{Policy, audit};
use schoolsite::pipeline;

#[derive(clap::Args)]
pub struct LeaversArgs {
    /// The date photos must be down by (2027-07-23 or 23/07/2027). By
    /// default today plus [consent] warn_days.
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    on: Option<chrono::NaiveDate>,
    #[command(flatten)]
    site: SiteArgs,
}

pub fn run(args: &LeaversArgs) -> anyhow::Result<u8> {
    let survey = pipeline::survey(&args.site.root, args.site.options())?;
    let policy = Policy::from(&survey.config.consent);
    let on = args
        .on
        .unwrap_or(survey.today + chrono::Days::new(u64::from(policy.warn_days)));
    let leavers = audit::leavers(
        &survey.register,
        &survey.declarations,
        &survey.uses,
        on,
        &policy,
    );
    if args.site.format == Format::Json {
        let doc = serde_json::json!({
            "schema": 1,
            "today": survey.today,
            "on": on,
            "people": leavers,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    if !survey.register.is_usable() {
        for f in &survey.register.problems {
            eprintln!("{}: {}", f.location, f.message);
        }
    }
    if leavers.is_empty() {
        println!(
            "No published photo has to come down by {on} (checked on {}).",
            survey.today
        );
        return Ok(0);
    }
    println!(
        "Photos that must come down by {on} (checked on {}):\n",
        survey.today
    );
    let mut photos = std::collections::BTreeSet::new();
    for leaver in &leavers {
        println!("{}: {}", leaver.who.describe(), leaver.reasons.join("; "));
        for p in &leaver.photos {
            photos.insert(&p.photo);
            println!("  {} ({} photo)", p.photo, p.focus.as_str());
            for page in &p.pages {
                println!("    on {} line {} ({})", page.file, page.line, page.url);
            }
        }
        println!();
    }
    let people = leavers.len();
    println!(
        "{} {} of {} {} must come down by {on}.",
        photos.len(),
        if photos.len() == 1 { "photo" } else { "photos" },
        people,
        if people == 1 { "person" } else { "people" },
    );
    Ok(0)
}
