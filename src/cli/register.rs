//! `schoolsite register check`: reads the consent register as a build
//! would and prints what it understood, so the office can see before a
//! photo is blocked whether an export reads as it should.

use super::{EXIT_BLOCKED, Format};
use schoolsite::consent::{Cell, Register, Role, Status, Summary};
use schoolsite::report::{self, Finding, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum RegisterCommand {
    /// Read consent/ (the MIS export, a consents export, the adults file
    /// and the never-publish list) and print what was understood: which
    /// header each field was read from, how many people, how many with
    /// each consent, who has left the export, and every row that could
    /// not be read. Names are shown only as "Amelia H.".
    Check(RegisterArgs),
}

#[derive(clap::Args)]
pub struct RegisterArgs {
    /// The site's folder (holding consent/).
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// human, or json (stable schema, see docs/findings.md).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// How many people have each answer for one use.
#[derive(Debug, Default, Serialize)]
struct Counts {
    given: usize,
    refused: usize,
    withdrawn: usize,
    not_yet_given: usize,
    not_recorded: usize,
    unreadable: usize,
}

impl Counts {
    fn add(&mut self, c: Option<Cell<Status>>) {
        match c.unwrap_or(Cell::Blank) {
            Cell::Is(Status::Given) => self.given += 1,
            Cell::Is(Status::Refused) => self.refused += 1,
            Cell::Is(Status::Withdrawn) => self.withdrawn += 1,
            Cell::Is(Status::NotYet) => self.not_yet_given += 1,
            Cell::Blank => self.not_recorded += 1,
            Cell::Unreadable => self.unreadable += 1,
        }
    }
}

#[derive(Serialize)]
struct Mapped<'a> {
    file: &'a str,
    field: &'a str,
    header: &'a str,
}

pub fn run(command: &RegisterCommand) -> anyhow::Result<u8> {
    let RegisterCommand::Check(args) = command;
    let register = Register::load(&args.root);
    let mut findings = register.problems.clone();
    report::sort(&mut findings);
    let blocked = findings.iter().any(|f| f.severity == Severity::Error);
    let people: Vec<_> = register.people().iter().filter(|p| p.row > 0).collect();
    let mut roles: BTreeMap<&str, usize> = BTreeMap::new();
    let mut consents: BTreeMap<String, Counts> = BTreeMap::new();
    for p in &people {
        *roles.entry(p.role.as_str()).or_default() += 1;
        if p.role != Role::Pupil {
            continue;
        }
        for (use_, _) in p.consents() {
            consents.entry(use_.clone()).or_default();
        }
    }
    for (use_, counts) in consents.iter_mut() {
        for p in people.iter().filter(|p| p.role == Role::Pupil) {
            counts.add(p.consent(use_).map(|c| c.status));
        }
    }
    let s = &register.summary;
    match args.format {
        Format::Json => {
            let doc = serde_json::json!({
                "schema": 1,
                "source": register.source,
                "usable": register.is_usable(),
                "preset": s.preset,
                "mapped": s.mapped.iter().map(|(file, field, header)| Mapped { file, field, header }).collect::<Vec<_>>(),
                "people": roles,
                "pupil_consents": consents,
                "never_publish": s.never.as_ref().map(|n| serde_json::json!({
                    "listed": n.ids.len(),
                    "checked_by": n.checked_by,
                    "checked_on": n.checked_on,
                })),
                "no_longer_in_export": s.gone.iter().map(|g| serde_json::json!({
                    "id": g.id, "name": g.masked, "since": g.left_on,
                })).collect::<Vec<_>>(),
                "closest_preset": s.closest.as_ref().map(|(p, why)| serde_json::json!({"preset": p, "why": why})),
                "findings": findings,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        Format::Github => print!("{}", report::github(&findings)),
        Format::Human => print!("{}", human(&register, s, &roles, &consents, &findings)),
    }
    Ok(if blocked { EXIT_BLOCKED } else { 0 })
}

fn human(
    register: &Register,
    s: &Summary,
    roles: &BTreeMap<&str, usize>,
    consents: &BTreeMap<String, Counts>,
    findings: &[Finding],
) -> String {
    let mut out = String::new();
    if register.source.is_empty() {
        out.push_str("no consent register: consent/register.toml names none and consent/register.csv does not exist\n");
        return out;
    }
    out.push_str(&format!(
        "consent register: {} (preset \"{}\")\n",
        register.source,
        if s.preset.is_empty() {
            "default"
        } else {
            &s.preset
        }
    ));
    let mut file = "";
    for (f, field, header) in &s.mapped {
        if f != file {
            out.push_str(&format!("  read from {f}:\n"));
            file = f;
        }
        out.push_str(&format!("    {field:<26} ← {header:?}\n"));
    }
    if let Some((preset, why)) = &s.closest {
        out.push_str(&format!("  closest preset: {preset} ({why})\n"));
    }
    if register.is_usable() {
        let shown: Vec<String> = roles.iter().map(|(r, n)| format!("{n} {r}")).collect();
        out.push_str(&format!("  people: {}\n", shown.join(", ")));
        out.push_str("  pupils' consents (given / refused / withdrawn / not yet given / not recorded / unreadable):\n");
        for (use_, c) in consents {
            out.push_str(&format!(
                "    {use_:<26} {} / {} / {} / {} / {} / {}\n",
                c.given, c.refused, c.withdrawn, c.not_yet_given, c.not_recorded, c.unreadable
            ));
        }
    }
    match &s.never {
        Some(n) => out.push_str(&format!(
            "  never publish: {} listed, checked by {} on {}\n",
            n.ids.len(),
            n.checked_by,
            n.checked_on
        )),
        None => out.push_str("  never publish: no list read (see the findings)\n"),
    }
    for g in &s.gone {
        let since = g.left_on.map(|d| d.to_string()).unwrap_or_default();
        out.push_str(&format!(
            "  no longer in the export: {} ({}) since {since}, treated as having left\n",
            g.id, g.masked
        ));
    }
    if findings.is_empty() {
        out.push_str("no findings\n");
    } else {
        out.push('\n');
        out.push_str(&report::human(findings));
    }
    out
}
