//! Reading the cells of an MIS export: yes/no answers in the many ways
//! schools write them, dates in ISO or UK order, and roles.

use chrono::NaiveDate;

/// A yes/no cell. Blank is `None`: nothing recorded.
pub fn yes_no(cell: &str) -> Result<Option<bool>, String> {
    let v = cell.trim().trim_matches('"').trim();
    if v.is_empty() {
        return Ok(None);
    }
    let lower = v.to_lowercase();
    let yes = [
        "yes",
        "y",
        "true",
        "t",
        "1",
        "✓",
        "✔",
        "☑",
        "✅",
        "given",
        "granted",
        "agreed",
        "consented",
        "confirmed",
        "accepted",
    ];
    let no = [
        "no",
        "n",
        "false",
        "f",
        "0",
        "✗",
        "✘",
        "☒",
        "❌",
        "declined",
        "refused",
        "denied",
        "withheld",
        "not given",
        "not granted",
    ];
    if yes.contains(&lower.as_str()) {
        Ok(Some(true))
    } else if no.contains(&lower.as_str()) {
        Ok(Some(false))
    } else if lower == "x" {
        Err("\"x\" could mean a tick or a cross; write yes or no".to_string())
    } else {
        Err(format!(
            "{} is not yes or no (write yes/no, y/n, true/false, 1/0 or a tick)",
            quoted(v)
        ))
    }
}

/// What a consent cell or a long-form consent's status says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Given,
    Refused,
    Withdrawn,
    /// Asked for, and no answer yet (Arbor's "Requested", "Pending").
    NotYet,
}

impl Status {
    pub fn describe(self) -> &'static str {
        match self {
            Status::Given => "given",
            Status::Refused => "refused",
            Status::Withdrawn => "withdrawn",
            Status::NotYet => "not yet given",
        }
    }
}

/// A consent cell: the words MIS exports and schools use for given,
/// refused, withdrawn and not-yet-answered (each listed, so every word
/// means what it says; anything else is unreadable). Blank is `None`.
pub fn status(cell: &str) -> Result<Option<Status>, String> {
    let v = cell.trim().trim_matches('"').trim();
    if v.is_empty() {
        return Ok(None);
    }
    let lower: String = v
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    const WITHDRAWN: &[&str] = &["withdrawn", "revoked", "consent withdrawn", "rescinded"];
    const NOT_YET: &[&str] = &[
        "requested",
        "pending",
        "awaiting",
        "awaiting response",
        "awaiting reply",
        "awaiting consent",
        "not yet given",
        "not yet returned",
        "not returned",
        "no response",
        "no reply",
        "not answered",
        "unanswered",
        "outstanding",
        "sent",
        "not requested",
        "not asked",
    ];
    const MORE_YES: &[&str] = &["approved", "allowed", "permitted", "consent given"];
    const MORE_NO: &[&str] = &[
        "rejected",
        "not consented",
        "not agreed",
        "disagreed",
        "not allowed",
        "not permitted",
        "consent refused",
        "consent not given",
    ];
    if WITHDRAWN.contains(&lower.as_str()) {
        return Ok(Some(Status::Withdrawn));
    }
    if NOT_YET.contains(&lower.as_str()) {
        return Ok(Some(Status::NotYet));
    }
    if MORE_YES.contains(&lower.as_str()) {
        return Ok(Some(Status::Given));
    }
    if MORE_NO.contains(&lower.as_str()) {
        return Ok(Some(Status::Refused));
    }
    match yes_no(&lower) {
        Ok(answer) => Ok(answer.map(|yes| if yes { Status::Given } else { Status::Refused })),
        Err(_) if lower == "x" => {
            Err("\"x\" could mean a tick or a cross; write yes or no".to_string())
        }
        Err(_) => Err(format!(
            "{} is not a consent the register understands (given, granted, yes; refused, declined, rejected, no; withdrawn; requested, pending, awaiting)",
            quoted(v)
        )),
    }
}

/// A date cell: ISO `2026-07-22` or UK `22/07/2026` (also with `-` or `.`
/// between the parts), optionally followed by a time as Excel writes it.
/// Blank is `None`.
pub fn date(cell: &str) -> Result<Option<NaiveDate>, String> {
    let v = cell.trim();
    if v.is_empty() {
        return Ok(None);
    }
    // Excel writes "22/07/2026 00:00" or "2026-07-22T00:00:00".
    let day_part = v.split([' ', 'T']).next().unwrap_or(v);
    let parts: Vec<&str> = day_part.split(['-', '/', '.']).collect();
    let bad = || {
        Err(format!(
            "{} is not a date (write 2026-07-22 or 22/07/2026)",
            quoted(v)
        ))
    };
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return bad();
    }
    let nums: Vec<u32> = match parts.iter().map(|p| p.parse::<u32>()).collect() {
        Ok(n) => n,
        Err(_) => return bad(),
    };
    let (y, m, d) = if parts[0].len() == 4 {
        (nums[0], nums[1], nums[2])
    } else if parts[2].len() == 4 {
        (nums[2], nums[1], nums[0])
    } else {
        return Err(format!(
            "{} has a two-digit year; write the year in full (22/07/2026)",
            quoted(v)
        ));
    };
    let Ok(year) = i32::try_from(y) else {
        return bad();
    };
    match NaiveDate::from_ymd_opt(year, m, d) {
        Some(date) => Ok(Some(date)),
        None if parts[2].len() == 4 && nums[0] <= 12 && nums[1] > 12 => Err(format!(
            "{} looks like a US date (month first); write it day first (22/07/2026) or as 2026-07-22",
            quoted(v)
        )),
        None => Err(format!("{} is not a real date", quoted(v))),
    }
}

/// Whether a date cell in UK or US order (`11/12/2026`) reads as a real
/// date either way round.
pub fn day_month_ambiguous(cell: &str) -> bool {
    let day_part = cell.trim().split([' ', 'T']).next().unwrap_or("");
    let parts: Vec<&str> = day_part.split(['-', '/', '.']).collect();
    match parts.as_slice() {
        [a, b, y] if y.len() == 4 => match (a.parse::<u32>(), b.parse::<u32>()) {
            (Ok(a), Ok(b)) => a != b && (1..=12).contains(&a) && (1..=12).contains(&b),
            _ => false,
        },
        _ => false,
    }
}

/// Who a row is: pupils, staff and other adults follow the same consent
/// rules; the role is shown in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Pupil,
    Staff,
    Other,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Pupil => "pupil",
            Role::Staff => "staff",
            Role::Other => "other",
        }
    }
}

/// A role cell. Blank means pupil: the strictest reading.
pub fn role(cell: &str) -> Result<Role, String> {
    let lower = cell.trim().to_lowercase();
    Ok(match lower.as_str() {
        "" | "pupil" | "student" | "child" | "learner" => Role::Pupil,
        "staff" | "teacher" | "employee" | "teaching assistant" | "ta" => Role::Staff,
        "other" | "adult" | "governor" | "parent" | "carer" | "volunteer" | "visitor" => {
            Role::Other
        }
        _ => {
            return Err(format!(
                "{} is not a role (write pupil, staff or other)",
                quoted(cell.trim())
            ));
        }
    })
}

/// A cell value for a message: quoted, and cut short so a misplaced long
/// value never fills a report. A value made only of letters could be a
/// name (a column shifted by a stray comma, a wrong mapping), so only its
/// first letter is shown: reports never carry a name from the register.
fn quoted(v: &str) -> String {
    let wordlike = v
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'));
    if wordlike && v.chars().count() > 1 {
        let first: String = v.chars().take(1).collect();
        return format!("\"{first}…\" (a word of {} letters)", v.chars().count());
    }
    let short: String = v.chars().take(24).collect();
    if short.len() < v.len() {
        format!("{short:?}…")
    } else {
        format!("{short:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn yes_and_no_in_every_spelling() {
        for v in [
            "Yes", "Y", "true", "TRUE", "1", "✓", "✔", " yes ", "Granted",
        ] {
            assert_eq!(yes_no(v), Ok(Some(true)), "{v}");
        }
        for v in ["No", "n", "FALSE", "0", "✗", "Declined"] {
            assert_eq!(yes_no(v), Ok(Some(false)), "{v}");
        }
        assert_eq!(yes_no("  "), Ok(None));
        assert!(yes_no("x").unwrap_err().contains("tick or a cross"));
        assert_eq!(
            yes_no("maybe").unwrap_err(),
            "\"m…\" (a word of 5 letters) is not yes or no (write yes/no, y/n, true/false, 1/0 or a tick)"
        );
        assert!(yes_no("N/A").unwrap_err().starts_with("\"N/A\" is not"));
        // A surname in the wrong column is never printed whole.
        assert!(!date("Hartley-Brook").unwrap_err().contains("Hartley"));
    }

    #[test]
    fn consent_words_mean_what_they_say() {
        for (words, want) in [
            (
                &[
                    "Granted",
                    "yes",
                    "✓",
                    "Consented",
                    "Approved",
                    "consent given",
                ][..],
                Status::Given,
            ),
            (
                &[
                    "Rejected",
                    "declined",
                    "No",
                    "not_granted",
                    "Not Consented",
                    "✗",
                ][..],
                Status::Refused,
            ),
            (&["Withdrawn", "REVOKED"][..], Status::Withdrawn),
            (
                &[
                    "Requested",
                    "Pending",
                    "Awaiting",
                    "awaiting response",
                    "Not yet returned",
                    "No Response",
                ][..],
                Status::NotYet,
            ),
        ] {
            for w in words {
                assert_eq!(status(w), Ok(Some(want)), "{w}");
            }
        }
        assert_eq!(status(" "), Ok(None));
        assert!(status("x").is_err());
        // Near misses are unreadable, never guessed.
        for w in ["grant", "maybe", "yes please", "Pending?"] {
            assert!(status(w).is_err(), "{w}");
        }
    }

    #[test]
    fn dates_iso_uk_and_excel() {
        assert_eq!(date("2026-07-22"), Ok(d(2026, 7, 22)));
        assert_eq!(date("22/07/2026"), Ok(d(2026, 7, 22)));
        assert_eq!(date("1/9/2025"), Ok(d(2025, 9, 1)));
        assert_eq!(date("22.07.2026"), Ok(d(2026, 7, 22)));
        assert_eq!(date("22/07/2026 00:00"), Ok(d(2026, 7, 22)));
        assert_eq!(date("2026-07-22T00:00:00"), Ok(d(2026, 7, 22)));
        assert_eq!(date(""), Ok(None));
        assert!(date("07/22/2026").unwrap_err().contains("US date"));
        assert!(date("22/07/26").unwrap_err().contains("year in full"));
        assert!(date("31/02/2026").unwrap_err().contains("not a real date"));
        assert!(date("next July").unwrap_err().contains("not a date"));
    }

    #[test]
    fn dates_that_read_either_way() {
        assert!(day_month_ambiguous("11/12/2026"));
        assert!(!day_month_ambiguous("12/12/2026"));
        assert!(!day_month_ambiguous("22/07/2026"));
        assert!(!day_month_ambiguous("2026-11-12"));
    }

    #[test]
    fn roles() {
        assert_eq!(role(""), Ok(Role::Pupil));
        assert_eq!(role("Teacher"), Ok(Role::Staff));
        assert_eq!(role("Governor"), Ok(Role::Other));
        assert!(role("alien").is_err());
    }
}
