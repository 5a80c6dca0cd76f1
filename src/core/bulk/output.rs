//! The one string a bulk job returns: JSON (summary, users, rejected) or CSV (one row per
//! user, formula-safe), built straight into one buffer.

use super::join::Outcome;
use super::record::Rec;
use super::{too_large, BulkSummary};
use crate::core::error::Result;
use crate::core::intake::{Rejection, Side};
use crate::core::mapping::{MappingStatus, MatchedBy, Method};
use crate::core::Error;

/// Which side a rejected record came from, as the output names it.
pub(crate) fn side_name(side: Side, refreshed: bool) -> &'static str {
    match (side, refreshed) {
        (Side::Source, _) => "source",
        (Side::External, false) => "external",
        (Side::External, true) => "refreshed",
    }
}

fn status_name(s: MappingStatus) -> &'static str {
    match s {
        MappingStatus::Mapped => "mapped",
        MappingStatus::Unmapped => "unmapped",
        MappingStatus::Skipped => "skipped",
        MappingStatus::Excluded => "excluded",
    }
}

fn matched_name(m: MatchedBy) -> &'static str {
    match m {
        MatchedBy::Email => "email",
        MatchedBy::UserName => "user_name",
        MatchedBy::EmployeeId => "employee_id",
    }
}

/// A JSON string literal (escaping only when needed: ids and emails rarely need it).
fn push_json_str(out: &mut String, s: &str) {
    let plain = s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
    if plain {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        // Serialising a &str cannot fail.
        out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()));
    }
}

fn push_opt(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => push_json_str(out, s),
        None => out.push_str("null"),
    }
}

/// Bytes to reserve for the output of `users` users (ids and external ids measured).
fn estimate(src: &[Rec<'_>], rejected: usize) -> usize {
    let ids: usize = src.iter().map(|s| s.id.len()).sum();
    ids.saturating_mul(2)
        .saturating_add(src.len().saturating_mul(96))
        .saturating_add(rejected.saturating_mul(200))
        .saturating_add(4096)
}

#[inline(never)]
fn push_user(out: &mut String, u: &Rec<'_>, o: &Outcome, ext: &[Rec<'_>]) {
    out.push_str("{\"id\":");
    push_json_str(out, &u.id);
    out.push_str(",\"status\":\"");
    out.push_str(status_name(o.status));
    out.push_str("\",\"reason\":");
    match o.reason {
        Some(r) => {
            out.push('"');
            out.push_str(r.as_str());
            out.push('"');
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"externalId\":");
    push_opt(
        out,
        o.ext
            .and_then(|j| ext.get(j as usize))
            .map(|e| e.id.as_ref()),
    );
    out.push_str(",\"method\":");
    out.push_str(if o.status == MappingStatus::Mapped {
        "\"auto\""
    } else {
        "null"
    });
    out.push('}');
}

/// The JSON report: `{"summary": ..., "users": [...], "rejected": [...]}`.
pub(crate) fn json(
    summary: &BulkSummary,
    src: &[Rec<'_>],
    outcomes: &[Outcome],
    ext: &[Rec<'_>],
    rejected: &[(Side, bool, Rejection)],
) -> Result<String> {
    let mut out = String::new();
    out.try_reserve(estimate(src, rejected.len()))
        .map_err(|_| too_large("the JSON report"))?;
    out.push_str("{\"summary\":");
    let s = serde_json::to_string(summary)
        .map_err(|e| Error::invalid_input(format!("summary: {e}")))?;
    out.push_str(&s);
    out.push_str(",\"users\":[");
    for (i, (u, o)) in src.iter().zip(outcomes).enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_user(&mut out, u, o, ext);
    }
    out.push_str("],\"rejected\":[");
    for (i, (side, refreshed, r)) in rejected.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"side\":\"");
        out.push_str(side_name(*side, *refreshed));
        out.push_str("\",\"line\":");
        out.push_str(&r.line.unwrap_or(r.index).to_string());
        out.push_str(",\"id\":");
        push_opt(&mut out, r.id.as_deref());
        out.push_str(",\"field\":");
        push_opt(&mut out, r.field.as_deref());
        out.push_str(",\"code\":\"");
        out.push_str(r.code.as_str());
        out.push_str("\",\"message\":");
        push_json_str(&mut out, &r.message);
        out.push('}');
    }
    out.push_str("]}");
    Ok(out)
}

/// Characters a spreadsheet may read as the start of a formula. Some spreadsheet programs
/// fold the full-width forms and the minus sign U+2212 to their ASCII twins before parsing a
/// cell, so those start a formula as surely as `=` does.
const FORMULA_STARTS: [char; 11] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', '\u{2212}',
];

/// A cell a spreadsheet will not run as a formula: a leading `=`, `+`, `-`, `@`, tab or CR,
/// or a full-width / minus-sign look-alike of one, gets a `'` before it (OWASP's CSV
/// injection advice).
pub fn formula_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(FORMULA_STARTS) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The CSV report's header: the user columns, then the columns only rejected records fill.
const CSV_HEADER: [&str; 11] = [
    "id",
    "status",
    "reason",
    "externalId",
    "method",
    "matchedBy",
    "side",
    "line",
    "field",
    "code",
    "message",
];

/// The CSV report: one row per user (`id,status,reason,externalId,method,matchedBy`), then
/// one row per rejected record, status `rejected`, with where it was and why
/// (`side,line,field,code,message`), so a CSV reader misses nothing the JSON report holds.
pub(crate) fn csv(
    src: &[Rec<'_>],
    outcomes: &[Outcome],
    ext: &[Rec<'_>],
    rejected: &[(Side, bool, Rejection)],
) -> Result<String> {
    let mut buf: Vec<u8> = Vec::new();
    buf.try_reserve(estimate(src, rejected.len()))
        .map_err(|_| too_large("the CSV report"))?;
    let io = |e: csv::Error| Error::invalid_input(format!("writing the CSV report: {e}"));
    let mut w = csv::WriterBuilder::new().from_writer(buf);
    w.write_record(CSV_HEADER).map_err(io)?;
    for (u, o) in src.iter().zip(outcomes) {
        let ext_id = o
            .ext
            .and_then(|j| ext.get(j as usize))
            .map(|e| e.id.as_ref())
            .unwrap_or("");
        let method = if o.status == MappingStatus::Mapped {
            method_name(Method::Auto)
        } else {
            ""
        };
        w.write_record([
            formula_safe(&u.id).as_ref(),
            status_name(o.status),
            o.reason.map(|r| r.as_str()).unwrap_or(""),
            formula_safe(ext_id).as_ref(),
            method,
            o.matched_by.map(matched_name).unwrap_or(""),
            "",
            "",
            "",
            "",
            "",
        ])
        .map_err(io)?;
    }
    for (side, refreshed, r) in rejected {
        let line = r.line.unwrap_or(r.index).to_string();
        w.write_record([
            formula_safe(r.id.as_deref().unwrap_or("")).as_ref(),
            "rejected",
            "",
            "",
            "",
            "",
            side_name(*side, *refreshed),
            line.as_str(),
            r.field.as_deref().unwrap_or(""),
            r.code.as_str(),
            formula_safe(&r.message).as_ref(),
        ])
        .map_err(io)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::invalid_input(format!("writing the CSV report: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|e| Error::invalid_input(format!("the CSV report is not UTF-8: {e}")))
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Auto => "auto",
        Method::Manual => "manual",
    }
}
