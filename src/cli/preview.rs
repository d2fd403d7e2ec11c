//! `schoolsite preview`: the page an approver reads before approving.

use super::parse_date;
use schoolsite::publish::preview;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct PreviewArgs {
    /// The site's folder.
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Where to write the page (never inside public/). By default
    /// .schoolsite/preview.html.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Show consent and statutory dates as if today were DATE.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<chrono::NaiveDate>,
}

pub fn run(args: &PreviewArgs) -> anyhow::Result<u8> {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| args.root.join(preview::PREVIEW_FILE));
    let summary = preview::write(&args.root, &out, args.today)?;
    println!("{summary}");
    println!("Open {} in a browser.", out.display());
    Ok(0)
}
