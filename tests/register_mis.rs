//! The consent register read straight from each MIS's export, as it
//! comes: the headers, encodings and consent layouts SIMS, Arbor,
//! Bromcom, Wonde and ScholarPack use. The only hand-written files are
//! the never-publish list and `register.toml`'s consent mapping.
//!
//! Every export holds the same six pupils: consent given (1042, the near
//! miss, published), refused (1043), asked for and not yet given (1044),
//! withdrawn (1045), left (1046) and one more given (1047, Excel's
//! leading zeros: declared as 001047). Photos of each are declared, and
//! the build must block each with the words that say why.

mod common;
use common::*;

/// One photo per pupil, each declared as that pupil alone (so the
/// individual-photo consent is the one that counts).
fn site_with_photos(ids: &[&str]) -> Site {
    let site = Site::new();
    let mut body = String::new();
    let mut decl = String::new();
    for (i, id) in ids.iter().enumerate() {
        let name = format!("p{i}.jpg");
        // A different photo each (the same bytes twice would be one
        // photo declared two ways).
        site.write(
            &format!("content/gallery/{name}"),
            plain_jpeg(64 + i as u32, 48),
        );
        body.push_str(&format!("![Sports day, photo {i}]({name})\n\n"));
        decl.push_str(&format!(
            "[[photo]]\nfile = \"{name}\"\npeople = [\"{id}\"]\n\n"
        ));
    }
    site.write(
        "content/gallery/index.md",
        page("title = \"Gallery\"", &body),
    );
    site.write("content/gallery/photos.toml", decl);
    site.write(
        "consent/never-publish.toml",
        "checked_by = \"A. Patel, designated safeguarding lead\"\nchecked_on = 2026-09-07\nids = []\nnone = true\n",
    );
    site
}

const IDS: [&str; 6] = ["1042", "1043", "1044", "1045", "1046", "001047"];

/// How the findings name them: first name (the one they go by) and
/// initial.
const NAMES: [&str; 6] = [
    "Millie H.",
    "Oliver O.",
    "Zoë F.",
    "Isla M.",
    "Siân L.",
    "Noah W.",
];

fn check_on(site: &Site, today: &str) -> Run {
    site.run(&["check", "--today", today])
}

/// The findings every export must give on 2026-12-04, by photo.
fn assert_each_block(run: &Run, names: [&str; 6], withdrawn: &str, left: &str) {
    assert_eq!(run.code, 1, "{}", run.all());
    let out = &run.stdout;
    let want = [
        (
            1,
            format!(
                "pupil 1043 ({}) has no consent for website_individual (refused)",
                names[1]
            ),
        ),
        (
            2,
            format!(
                "pupil 1044 ({}) has no consent for website_individual (asked for, not yet given)",
                names[2]
            ),
        ),
        (
            3,
            format!("pupil 1045 ({}) had consent withdrawn{withdrawn}", names[3]),
        ),
        (
            4,
            format!("pupil 1046 ({}) left the school on {left}", names[4]),
        ),
    ];
    for (i, text) in want {
        assert!(
            out.contains(&format!("the photo p{i}.jpg: {text}")),
            "expected {text:?} for p{i}.jpg in:\n{out}"
        );
    }
    for ok in ["p0.jpg", "p5.jpg"] {
        assert!(
            !out.contains(&format!("the photo {ok}")),
            "{ok} blocked:\n{out}"
        );
    }
    assert!(!out.contains("unreadable"), "{out}");
}

/// Saves a new export, dated as if it came out of the MIS on `day`.
fn new_export(site: &Site, rel: &str, text: String, day: &str) {
    site.write(rel, text);
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("date");
    let noon = date.and_hms_opt(12, 0, 0).expect("time").and_utc();
    let file = std::fs::File::options()
        .write(true)
        .open(site.path(rel))
        .expect("open");
    file.set_modified(std::time::SystemTime::from(noon))
        .expect("set mtime");
}

/// A year on, the consents of this round have run out.
fn assert_expires(site: &Site, on: &str) {
    let run = check_on(site, "2027-10-01");
    assert!(
        run.stdout.contains(&format!(
            "the photo p0.jpg: pupil 1042 (Millie H.) has consent that expired on {on}"
        )),
        "{}",
        run.stdout
    );
}

fn register_check(site: &Site) -> serde_json::Value {
    let run = site.run(&["register", "check", "--format", "json"]);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
}

fn mapped(doc: &serde_json::Value, field: &str) -> String {
    doc["mapped"]
        .as_array()
        .and_then(|m| m.iter().find(|e| e["field"] == field))
        .and_then(|e| e["header"].as_str())
        .unwrap_or("")
        .to_string()
}

#[test]
fn sims_student_list_saved_by_excel_as_unicode_text() {
    let site = site_with_photos(&IDS);
    // SIMS's "Forename" is the name the child goes by; "Preferred
    // Forename" wins when both are there. Excel's "Unicode Text" is
    // UTF-16 with tabs, and it drops an admission number's leading zeros.
    let text = "Adno\tLegal Forename\tLegal Surname\tForename\tPreferred Forename\tSurname\tReg Group\tYear\tDate of Leaving\tPhotograph Student\tPhotograph Student - Individual\tFirst Name With Photo\r\n\
1042\tAmelia\tHartley\tAmelia\tMillie\tHartley\t5H\tYear 5\t\tYes\tYes\tYes\r\n\
1043\tOliver\tOkafor\tOliver\t\tOkafor\t5H\tYear 5\t\tYes\tNo\tNo\r\n\
1044\tZoë\tFitzgerald\tZoë\t\tFitzgerald\t5H\tYear 5\t\tYes\tRequested\tNo\r\n\
1045\tIsla\tMensah\tIsla\t\tMensah\t3M\tYear 3\t\tWithdrawn\tWithdrawn\tWithdrawn\r\n\
1046\tSiân\tLlewellyn\tSiân\t\tLlewellyn\t6L\tYear 6\t22/07/2026\tYes\tYes\tYes\r\n\
1047\tNoah\tWhitfield\tNoah\t\tWhitfield\t5H\tYear 5\t\tYes\tYes\tYes\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    site.write("consent/students.txt", bytes);
    site.write(
        "consent/register.toml",
        "file = \"students.txt\"\npreset = \"sims\"\nconsents_collected = 2026-09-07\n\n[uses]\nwebsite_group = \"Photograph Student\"\nwebsite_individual = \"Photograph Student - Individual\"\nwebsite_named_first_name = \"First Name With Photo\"\n",
    );
    assert_each_block(&check_on(&site, "2026-12-04"), NAMES, "", "2026-07-22");
    assert_expires(&site, "2027-09-07");
    let doc = register_check(&site);
    assert_eq!(mapped(&doc, "id"), "Adno");
    assert_eq!(mapped(&doc, "preferred_forename"), "Preferred Forename");
    assert_eq!(mapped(&doc, "group"), "Reg Group");
    assert_eq!(
        doc["pupil_consents"]["website_individual"]["not_yet_given"],
        1
    );
}

#[test]
fn arbor_students_and_long_form_consents() {
    let site = site_with_photos(&IDS);
    // "End Date" ends a registration-form membership, every August: it
    // must not be read as leaving.
    site.write(
        "consent/students.csv",
        "\u{feff}Arbor Student ID,Legal First Name,Legal Last Name,Preferred First Name,Preferred Last Name,Registration Form,Year Group,Start Date,End Date,Leaving Date\n\
1042,Amelia,Hartley,Millie,,5H,Year 5,01/09/2025,31/08/2026,\n\
1043,Oliver,Okafor,,,5H,Year 5,01/09/2025,31/08/2026,\n\
1044,Zoë,Fitzgerald,,,5H,Year 5,01/09/2025,31/08/2026,\n\
1045,Isla,Mensah,,,3M,Year 3,01/09/2025,31/08/2026,\n\
1046,Siân,Llewellyn,,,6L,Year 6,01/09/2025,31/08/2026,22/07/2026\n\
1047,Noah,Whitfield,,,5H,Year 5,01/09/2025,31/08/2026,\n",
    );
    let mut consents =
        String::from("\u{feff}Arbor Student ID,Student,Consent Type,Status,Response Date\n");
    for (id, status, date) in [
        ("1042", "Granted", "07/09/2026"),
        ("1043", "Rejected", "07/09/2026"),
        ("1044", "Requested", ""),
        ("1045", "Granted", "07/09/2026"),
        ("1045", "Withdrawn", "12/10/2026"),
        ("1046", "Granted", "07/09/2026"),
        ("1047", "Granted", "07/09/2026"),
    ] {
        for kind in [
            "Photographs on the school website",
            "Individual photographs on the school website",
            "First name beside a photograph",
        ] {
            consents.push_str(&format!("{id},A Pupil,{kind},{status},{date}\n"));
        }
    }
    site.write("consent/consents.csv", consents);
    site.write(
        "consent/register.toml",
        "file = \"students.csv\"\npreset = \"arbor\"\n\n[consents]\nfile = \"consents.csv\"\n\n[uses]\nwebsite_group = \"Photographs on the school website\"\nwebsite_individual = \"Individual photographs on the school website\"\nwebsite_named_first_name = \"First name beside a photograph\"\n",
    );
    assert_each_block(
        &check_on(&site, "2026-12-04"),
        NAMES,
        " on 2026-10-12",
        "2026-07-22",
    );
    // Each consent's own date starts its year.
    assert_expires(&site, "2027-09-07");
    let doc = register_check(&site);
    assert_eq!(mapped(&doc, "leaving_date"), "Leaving Date");
    assert_eq!(mapped(&doc, "type"), "Consent Type");
    assert_eq!(doc["pupil_consents"]["website_individual"]["withdrawn"], 1);
}

/// Bromcom's API (StudentFlatView and StudentParentalConsent) joined by
/// StudentId.
#[test]
fn bromcom_api_style_headers() {
    let site = site_with_photos(&IDS);
    site.write(
        "consent/students.csv",
        "StudentId,AdmissionNumber,FirstName,LastName,PreferredFirstName,PreferredLastName,YearGroup,TutorGroupName,EnrolmentStateName,EnrolmentEndDate\n\
1042,A1042,Amelia,Hartley,Millie,,Year 5,5H,C,\n\
1043,A1043,Oliver,Okafor,,,Year 5,5H,C,\n\
1044,A1044,Zoë,Fitzgerald,,,Year 5,5H,C,\n\
1045,A1045,Isla,Mensah,,,Year 3,3M,C,\n\
1046,A1046,Siân,Llewellyn,,,Year 6,6L,C,2026-07-22T00:00:00\n\
1047,A1047,Noah,Whitfield,,,Year 5,5H,C,\n",
    );
    let mut consents =
        String::from("StudentId,ParentalConsentTypeName,latestConsentStatus,consentDate\n");
    for (id, status) in [
        ("1042", "Granted"),
        ("1043", "Declined"),
        ("1044", "Pending"),
        ("1045", "Withdrawn"),
        ("1046", "Granted"),
        ("1047", "Granted"),
    ] {
        for kind in ["WEB", "WEBI", "NAME"] {
            consents.push_str(&format!("{id},{kind},{status},2026-09-07T00:00:00\n"));
        }
    }
    site.write("consent/consents.csv", consents);
    site.write(
        "consent/register.toml",
        "file = \"students.csv\"\npreset = \"bromcom\"\n\n[consents]\nfile = \"consents.csv\"\n\n[uses]\nwebsite_group = \"WEB\"\nwebsite_individual = \"WEBI\"\nwebsite_named_first_name = \"NAME\"\n",
    );
    assert_each_block(
        &check_on(&site, "2026-12-04"),
        NAMES,
        " on 2026-09-07",
        "2026-07-22",
    );
    assert_expires(&site, "2027-09-07");
    // With the wrong preset, the closest one is named: Bromcom, not Arbor.
    let toml = site
        .read("consent/register.toml")
        .replace("preset = \"bromcom\"", "preset = \"scholarpack\"");
    site.write("consent/register.toml", toml);
    let doc = register_check(&site);
    assert_eq!(doc["closest_preset"]["preset"], "bromcom", "{doc:#}");
}

/// A Bromcom report as the office runs it: upper-case headers with a
/// full stop, consents in columns, and no leaving date; a pupil who
/// leaves is simply not in the next report.
#[test]
fn bromcom_report_style_headers_and_a_leaver_missing_from_the_next_report() {
    let site = site_with_photos(&IDS);
    let rows = [
        "1042,Amelia,Hartley,5H,Yes,Yes,Yes",
        "1043,Oliver,Okafor,5H,Yes,No,No",
        "1044,Zoë,Fitzgerald,5H,Yes,Awaiting Response,No",
        "1045,Isla,Mensah,3M,Withdrawn,Withdrawn,Withdrawn",
        "1046,Siân,Llewellyn,6L,Yes,Yes,Yes",
        "1047,Noah,Whitfield,5H,Yes,Yes,Yes",
    ];
    let header = "ADMISSION NO.,STUDENT FIRST NAME,STUDENT LAST NAME,CLASS,PHOTO CONSENT,PHOTO CONSENT (INDIVIDUAL),NAME WITH PHOTO\n";
    site.write(
        "consent/report.csv",
        format!("{header}{}\n", rows.join("\n")),
    );
    site.write(
        "consent/register.toml",
        "file = \"report.csv\"\npreset = \"bromcom\"\nconsents_collected = 2026-09-07\n\n[uses]\nwebsite_group = \"PHOTO CONSENT\"\nwebsite_individual = \"PHOTO CONSENT (INDIVIDUAL)\"\nwebsite_named_first_name = \"NAME WITH PHOTO\"\n",
    );
    let first = register_check(&site);
    assert_eq!(mapped(&first, "id"), "ADMISSION NO.");
    // The next week's report: 1046 has gone.
    let without: Vec<&str> = rows
        .iter()
        .copied()
        .filter(|r| !r.starts_with("1046"))
        .collect();
    new_export(
        &site,
        "consent/report.csv",
        format!("{header}{}\n", without.join("\n")),
        "2026-11-20",
    );
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout.contains("1046 (Siân L.) was in the last export but is not in this one: treated as having left on 2026-11-20"),
        "{}",
        run.stdout
    );
    assert_each_block(
        &run,
        [
            "Amelia H.",
            "Oliver O.",
            "Zoë F.",
            "Isla M.",
            "Siân L.",
            "Noah W.",
        ],
        "",
        "2026-11-20",
    );
    // Said once, when it is noticed; the photo stays blocked.
    let again = check_on(&site, "2026-12-04");
    assert!(
        !again.stdout.contains("was in the last export"),
        "{}",
        again.stdout
    );
    assert!(
        again
            .stdout
            .contains("the photo p4.jpg: pupil 1046 (Siân L.) left the school on 2026-11-20")
    );
}

/// Wonde's students flattened to CSV: its own id, the MIS id, and group
/// columns named after the API's includes. Wonde drops leavers; the
/// consents come from the MIS as a long-form export by MIS id.
#[test]
fn wonde_flattened_export_where_leavers_vanish() {
    let site = site_with_photos(&IDS);
    let header = "id,mis_id,upi,forename,surname,legal_forename,legal_surname,year.data.name,registration.data.name,date_of_birth\n";
    let rows = [
        "B1001,1042,u1,Millie,Hartley,Amelia,Hartley,Year 5,5H,2016-03-01 00:00:00.000000",
        "B1002,1043,u2,Oliver,Okafor,Oliver,Okafor,Year 5,5H,2016-03-02 00:00:00.000000",
        "B1003,1044,u3,Zoë,Fitzgerald,Zoë,Fitzgerald,Year 5,5H,2016-03-03 00:00:00.000000",
        "B1004,1045,u4,Isla,Mensah,Isla,Mensah,Year 3,3M,2018-03-04 00:00:00.000000",
        "B1005,1046,u5,Siân,Llewellyn,Siân,Llewellyn,Year 6,6L,2015-03-05 00:00:00.000000",
        "B1006,1047,u6,Noah,Whitfield,Noah,Whitfield,Year 5,5H,2016-03-06 00:00:00.000000",
    ];
    site.write(
        "consent/wonde-students.csv",
        format!("{header}{}\n", rows.join("\n")),
    );
    let mut consents = String::from("mis_id,consent_type,status,date\n");
    for (id, status) in [
        ("1042", "given"),
        ("1043", "refused"),
        ("1044", "awaiting"),
        ("1045", "withdrawn"),
        ("1046", "given"),
        ("1047", "given"),
    ] {
        for kind in [
            "Photograph Student",
            "Photograph Student Individual",
            "Name with Photograph",
        ] {
            consents.push_str(&format!("{id},{kind},{status},2026-09-07\n"));
        }
    }
    site.write("consent/consents.csv", consents);
    site.write(
        "consent/register.toml",
        "file = \"wonde-students.csv\"\npreset = \"wonde\"\n\n[consents]\nfile = \"consents.csv\"\n\n[uses]\nwebsite_group = \"Photograph Student\"\nwebsite_individual = \"Photograph Student Individual\"\nwebsite_named_first_name = \"Name with Photograph\"\n",
    );
    let doc = register_check(&site);
    assert_eq!(mapped(&doc, "id"), "mis_id");
    assert_eq!(mapped(&doc, "group"), "registration.data.name");
    assert_eq!(mapped(&doc, "preferred_forename"), "forename");
    let without: Vec<&str> = rows
        .iter()
        .copied()
        .filter(|r| !r.contains(",1046,"))
        .collect();
    new_export(
        &site,
        "consent/wonde-students.csv",
        format!("{header}{}\n", without.join("\n")),
        "2026-11-20",
    );
    let doc = register_check(&site);
    let gone = &doc["no_longer_in_export"][0];
    assert_eq!(
        (
            gone["id"].as_str(),
            gone["name"].as_str(),
            gone["since"].as_str()
        ),
        (Some("1046"), Some("Siân L."), Some("2026-11-20"))
    );
    assert_each_block(
        &check_on(&site, "2026-12-04"),
        NAMES,
        " on 2026-09-07",
        "2026-11-20",
    );
    assert_expires(&site, "2027-09-07");
}

#[test]
fn scholarpack_export_saved_by_excel_as_plain_csv() {
    let site = site_with_photos(&IDS);
    // Excel's plain "CSV" is Windows-1252: ë is one byte, 0xEB.
    let text = "Admission Number,Legal Forename,Legal Surname,Known As,Surname,Class,Year,Date of Leaving,Photographs - Website,Photographs - Individual,First Name with Photograph\r\n\
1042,Amelia,Hartley,Millie,Hartley,Oak,5,,Yes,Yes,Yes\r\n\
1043,Oliver,Okafor,,Okafor,Oak,5,,Yes,No,No\r\n\
1044,Zo\u{eb},Fitzgerald,,Fitzgerald,Oak,5,,Yes,Not yet returned,No\r\n\
1045,Isla,Mensah,,Mensah,Ash,3,,Withdrawn,Withdrawn,Withdrawn\r\n\
1046,Si\u{e2}n,Llewellyn,,Llewellyn,Elm,6,22/07/2026,Yes,Yes,Yes\r\n\
1047,Noah,Whitfield,,Whitfield,Oak,5,,Yes,Yes,Yes\r\n";
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    site.write("consent/scholarpack.csv", bytes);
    site.write(
        "consent/register.toml",
        "file = \"scholarpack.csv\"\npreset = \"scholarpack\"\nconsents_collected = 2026-09-07\n\n[uses]\nwebsite_group = \"Photographs - Website\"\nwebsite_individual = \"Photographs - Individual\"\nwebsite_named_first_name = \"First Name with Photograph\"\n",
    );
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout.contains("read as Windows-1252"),
        "{}",
        run.stdout
    );
    assert_each_block(&run, NAMES, "", "2026-07-22");
    assert_expires(&site, "2027-09-07");
}

/// What no export holds must be somewhere the school keeps it: without
/// the never-publish list, or with one that is empty without saying so,
/// nobody can be published.
#[test]
fn the_never_publish_list_is_required_and_must_say_who_checked() {
    let site = site_with_photos(&["1042"]);
    site.write(
        "consent/students.csv",
        "Adno,Legal Forename,Legal Surname,Photograph Student\n1042,Amelia,Hartley,Yes\n",
    );
    site.write(
        "consent/register.toml",
        "file = \"students.csv\"\npreset = \"sims\"\nconsents_collected = 2026-09-07\n\n[uses]\nwebsite_group = \"Photograph Student\"\nwebsite_individual = \"Photograph Student\"\nwebsite_named_first_name = \"Photograph Student\"\n",
    );
    assert_eq!(check_on(&site, "2026-12-04").code, 0);
    std::fs::remove_file(site.path("consent/never-publish.toml")).expect("remove");
    let run = check_on(&site, "2026-12-04");
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("no column for: never_publish (the designated safeguarding lead keeps consent/never-publish.toml, which does not exist"), "{}", run.stdout);
    site.write(
        "consent/never-publish.toml",
        "checked_by = \"A. Patel\"\nchecked_on = 2026-09-07\nids = []\n",
    );
    let run = check_on(&site, "2026-12-04");
    assert!(run.stdout.contains("consent/never-publish.toml\n  error[consent-never-publish]: the never-publish list names nobody but does not say there is nobody"), "{}", run.stdout);
    site.write(
        "consent/never-publish.toml",
        "checked_by = \"A. Patel\"\nchecked_on = 2026-09-07\nids = [\"1042\"]\n",
    );
    let run = check_on(&site, "2026-12-04");
    assert!(run.stdout.contains("the photo p0.jpg: pupil 1042 (Amelia H.) must never be published (on the never-publish list)"), "{}", run.stdout);
    // Without a date for this round of consents, validity cannot run out.
    let toml = site
        .read("consent/register.toml")
        .replace("consents_collected = 2026-09-07\n", "");
    site.write("consent/register.toml", toml);
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout.contains(
            "no column for: consent_date (or consents_collected = 2026-09-07 in register.toml"
        ),
        "{}",
        run.stdout
    );
}

/// UTF-16 saved without a byte-order mark reads as UTF-16; a file that
/// still reads as control characters (UTF-32, a spreadsheet's binary)
/// is refused, never read as a register of garbled names that the names
/// rule would then check nothing against.
#[test]
fn an_export_whose_text_cannot_be_read_is_refused() {
    let site = site_with_photos(&["1042"]);
    let text =
        "Adno,Legal Forename,Legal Surname,Photograph Student\r\n1042,Amelia,Hartley,Yes\r\n";
    site.write(
        "consent/register.toml",
        "file = \"students.csv\"\npreset = \"sims\"\nconsents_collected = 2026-09-07\n\n[uses]\nwebsite_group = \"Photograph Student\"\nwebsite_individual = \"Photograph Student\"\nwebsite_named_first_name = \"Photograph Student\"\n",
    );
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    site.write("consent/students.csv", utf16);
    let run = check_on(&site, "2026-12-04");
    assert_eq!(run.code, 0, "{}", run.all());
    let utf32: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    site.write("consent/students.csv", utf32);
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout.contains(
            "consent/students.csv\n  error[consent-register]: the file cannot be read as text"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the photo p0.jpg: id 1042 cannot be checked"),
        "{}",
        run.stdout
    );
}

/// What a careless office or a determined author might do, each beside
/// the near miss that must keep working.
#[test]
fn office_mistakes_never_publish_a_child() {
    let site = site_with_photos(&["1042", "1043"]);
    let toml = "file = \"students.csv\"\npreset = \"sims\"\nconsents_collected = 2026-09-07\nadults = \"adults.csv\"\n\n[uses]\nwebsite_group = \"Photograph Student\"\nwebsite_individual = \"Photograph Student\"\nwebsite_named_first_name = \"Photograph Student\"\n";
    site.write("consent/register.toml", toml);
    // Excel wrote the ids as numbers; the list has them as the MIS does.
    site.write(
        "consent/students.csv",
        "Adno,Legal Forename,Legal Surname,Photograph Student\n1042.0,Amelia,Hartley,Yes\n1043.0,Noah,Whitfield,Yes\n",
    );
    site.write("consent/adults.csv", "id,forename,surname,consent_date,website_group,website_individual,website_named_first_name\nS01,Rebecca,Ashworth,01/09/2026,yes,yes,yes\n");
    site.write(
        "consent/never-publish.toml",
        "checked_by = \"A. Patel\"\nchecked_on = 2026-09-07\nids = [\"1043\"]\n",
    );
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout
            .contains("the photo p1.jpg: pupil 1043.0 (Noah W.) must never be published"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("the photo p0.jpg"), "{}", run.stdout);
    // A never-publish id that matches nobody stops the build.
    site.write(
        "consent/never-publish.toml",
        "checked_by = \"A. Patel\"\nchecked_on = 2026-09-07\nids = [\"1043\", \"A1043\"]\n",
    );
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout
            .contains("error[consent-never-publish]: id A1043 is not in the register"),
        "{}",
        run.stdout
    );
    site.write(
        "consent/never-publish.toml",
        "checked_by = \"A. Patel\"\nchecked_on = 2026-09-07\nids = [\"1043\"]\n",
    );
    // The never-publish child entered again as staff, under another id.
    site.write(
        "consent/adults.csv",
        "id,forename,surname,consent_date,website_group,website_individual,website_named_first_name\nS01,Rebecca,Ashworth,01/09/2026,yes,yes,yes\nV03,Noah,Whitfield,01/09/2026,yes,yes,yes\n",
    );
    site.write(
        "content/gallery/photos.toml",
        "[[photo]]\nfile = \"p0.jpg\"\npeople = [\"S01\"]\n\n[[photo]]\nfile = \"p1.jpg\"\npeople = [\"V03\"]\n",
    );
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout
            .contains("id V03 has the same name as pupil 1043.0 (Noah W.)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("the photo p1.jpg"), "{}", run.stdout);
    assert!(!run.stdout.contains("the photo p0.jpg"), "{}", run.stdout);
    // A consent date still to come, in a column of dates.
    site.write(
        "consent/students.csv",
        "Adno,Legal Forename,Legal Surname,Date of Consent,Photograph Student\n1042,Amelia,Hartley,03/09/2205,Yes\n1043,Noah,Whitfield,03/09/2026,Yes\n",
    );
    site.write(
        "content/gallery/photos.toml",
        "[[photo]]\nfile = \"p0.jpg\"\npeople = [\"1042\"]\n\n[[photo]]\nfile = \"p1.jpg\"\nnobody = true\n",
    );
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout
            .contains("consent_date: 2205-09-03 is after the export was saved"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the photo p0.jpg: pupil 1042 (Amelia H.) has an unreadable consent date"),
        "{}",
        run.stdout
    );
}

/// A report that lists only the consents ticked (SIMS's Parental
/// Consent, one row each) is read so only when the school says so.
#[test]
fn a_list_of_ticked_consents_counts_only_when_declared() {
    let site = site_with_photos(&["1042", "1043"]);
    site.write(
        "consent/students.csv",
        "Adno,Legal Forename,Legal Surname\n1042,Amelia,Hartley\n1043,Oliver,Okafor\n",
    );
    site.write(
        "consent/consents.csv",
        "Adno,Parental Consent\n1042,Photograph Student\n",
    );
    let toml = |extra: &str| {
        format!(
            "file = \"students.csv\"\npreset = \"sims\"\nconsents_collected = 2026-09-07\n\n[consents]\nfile = \"consents.csv\"\n{extra}\n[uses]\nwebsite_group = \"Photograph Student\"\nwebsite_individual = \"Photograph Student\"\nwebsite_named_first_name = \"Photograph Student\"\n"
        )
    };
    site.write("consent/register.toml", toml(""));
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout
            .contains("no column that says what each answer was"),
        "{}",
        run.stdout
    );
    site.write("consent/register.toml", toml("given_only = true\n"));
    let run = check_on(&site, "2026-12-04");
    assert!(run.stdout.contains("the photo p1.jpg: pupil 1043 (Oliver O.) has no consent recorded for website_individual"), "{}", run.stdout);
    assert!(!run.stdout.contains("the photo p0.jpg"), "{}", run.stdout);
}

/// Second-pass mistakes: a never-publish list saved under another name,
/// a consent round dated in the future, and a photo consent renamed in
/// the MIS whose withdrawals would go unread.
#[test]
fn lists_and_dates_that_would_be_silently_unread_stop_the_build() {
    let site = site_with_photos(&["1042"]);
    site.write(
        "consent/students.csv",
        "Adno,Legal Forename,Legal Surname\n1042,Amelia,Hartley\n",
    );
    site.write(
        "consent/consents.csv",
        "Adno,Consent Type,Status,Date\n1042,Photographs on the website,Granted,07/09/2026\n1042,Photos on the website,Withdrawn,01/11/2026\n1042,School trips,Granted,07/09/2026\n",
    );
    let toml = |extra: &str| {
        format!(
            "file = \"students.csv\"\npreset = \"sims\"\n{extra}\n[consents]\nfile = \"consents.csv\"\nother_types = [\"School trips\"]\n\n[uses]\nwebsite_group = \"Photographs on the website\"\nwebsite_individual = \"Photographs on the website\"\nwebsite_named_first_name = \"Photographs on the website\"\n"
        )
    };
    site.write("consent/register.toml", toml(""));
    let run = check_on(&site, "2026-12-04");
    assert!(run.stdout.contains("error[consent-register]: the consents export has refusals or withdrawals of the consent type \"Photos on the website\""), "{}", run.stdout);
    assert!(!run.stdout.contains("School trips"), "{}", run.stdout);
    // Mapped, the withdrawal stands.
    let mapped = toml("").replace(
        "= \"Photographs on the website\"",
        "= \"Photos on the website\"",
    );
    site.write("consent/register.toml", mapped);
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout.contains(
            "the photo p0.jpg: pupil 1042 (Amelia H.) had consent withdrawn on 2026-11-01"
        ),
        "{}",
        run.stdout
    );
    site.write(
        "consent/register.toml",
        toml("consents_collected = 2099-09-07"),
    );
    let run = check_on(&site, "2026-12-04");
    assert!(
        run.stdout
            .contains("consents_collected = 2099-09-07 has not come yet"),
        "{}",
        run.stdout
    );
    // A never-publish list saved by Notepad with .txt on the end.
    site.write("consent/register.toml", toml(""));
    let list = site.read("consent/never-publish.toml");
    site.write("consent/never-publish.toml.txt", list);
    let run = check_on(&site, "2026-12-04");
    assert!(run.stdout.contains("consent/never-publish.toml.txt\n  error[consent-never-publish]: consent/never-publish.toml.txt looks like the never-publish list"), "{}", run.stdout);
}
