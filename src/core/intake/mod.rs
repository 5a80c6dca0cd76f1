//! Record intake (docs/identity.md): turns a batch of raw records (JS values, or the bytes
//! of a JSON, NDJSON or CSV file) into typed [`SourceUser`]s / [`ExternalUser`]s plus an
//! [`IntakeReport`] in which every record that was not accepted has exactly one line.
//!
//! Rules, in the order they are applied to each record:
//! 1. `id`: a non-empty string (trimmed of surrounding whitespace) or a JSON integer, which is
//!    carried as its decimal string (RingCentral ids are int64). Missing, `null`, empty,
//!    or any other type → `missing_field`. An id whose JS string held a lone surrogate →
//!    `invalid_input`.
//! 2. Every known field, in the order of [`SOURCE_FIELDS`] / [`EXTERNAL_FIELDS`]: text
//!    fields must be strings, `active` a boolean, `permissions` / `teamFeatures` /
//!    `rolePermissions` arrays of strings, `updatedAt` an RFC 3339 timestamp. `null` means missing. A wrong-typed optional field
//!    rejects the whole record (`invalid_input`, naming the field): it is never coerced or
//!    silently dropped, because a half-read record would later be matched as if complete.
//!    Only the first problem of a record is reported (one record, one line).
//! 3. Unknown fields (including `__proto__`, `constructor`, `prototype`, and extra CSV
//!    columns) are ignored.
//! 4. Duplicate ids among the records that passed 1-2: see [`dedup`].
//!
//! Accepted records come out in input order (the position of each id's first valid
//! occurrence); rejections come out sorted by `index`.

mod dedup;
mod fields;
#[cfg(test)]
mod format_tests;
mod formats;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub(crate) use formats::{csv_columns, csv_flag, csv_list};
pub use formats::{format_from_path, parse_bytes};

use crate::core::error::{quote, Result};
use crate::core::records::{ExternalUser, SourceUser};
use crate::core::ErrorCode;
use serde::{Deserialize, Serialize};

/// Which side a batch is: CXone users or the external directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// CXone users ([`SourceUser`]).
    Source,
    /// The external platform's accounts ([`ExternalUser`]).
    External,
}

impl Side {
    /// The field names (camelCase, as callers write them) this side reads; anything else is ignored.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Side::Source => SOURCE_FIELDS,
            Side::External => EXTERNAL_FIELDS,
        }
    }
}

/// The field names of a [`SourceUser`], in the order they are checked.
pub const SOURCE_FIELDS: &[&str] = &[
    "id",
    "tenantId",
    "businessUnitId",
    "email",
    "firstName",
    "lastName",
    "userName",
    "employeeId",
    "active",
    "permissions",
    "teamId",
    "teamFeatures",
    "roleId",
    "rolePermissions",
    "acdProfileId",
    "agentNumber",
    "externalId",
    "activationDate",
    "updatedAt",
];

/// The field names of an [`ExternalUser`], in the order they are checked.
pub const EXTERNAL_FIELDS: &[&str] = &[
    "id",
    "email",
    "firstName",
    "lastName",
    "displayName",
    "userName",
    "employeeId",
    "active",
    "updatedAt",
];

/// The shape a known field must have; decides both the JSON type check and how a CSV cell
/// is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Text,
    Flag,
    List,
    Timestamp,
}

pub(crate) fn field_kind(name: &str) -> FieldKind {
    match name {
        "active" => FieldKind::Flag,
        "permissions" | "teamFeatures" | "rolePermissions" => FieldKind::List,
        "updatedAt" => FieldKind::Timestamp,
        _ => FieldKind::Text,
    }
}

/// The format of a file handed to [`intake_source_bytes`] / [`intake_external_bytes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// One JSON array of objects.
    Json,
    /// One JSON object per line (blank lines are skipped).
    Ndjson,
    /// A header line, then one record per row.
    Csv,
}

/// One record as it came in, before typing.
///
/// `position` is what rejections report as `index`: the 0-based batch index for JS values
/// and JSON array elements, the 1-based line number for NDJSON and CSV (CSV: the physical
/// line where the record starts; the header is line 1). `ill_formed` lists the fields whose
/// JS string was not well-formed UTF-16 (the binding fills it; lone surrogates arrive here
/// already replaced by U+FFFD, so two different JS strings could look equal).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRecord {
    pub position: usize,
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub ill_formed: Vec<String>,
}

/// One record that was not accepted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    /// The batch the record belongs to.
    pub side: Side,
    /// The record's position: 0-based index in a JS batch or JSON array, 1-based line
    /// number in an NDJSON or CSV file.
    pub index: usize,
    /// The 1-based line in the file where the record starts; absent for JS batches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The record's id, when it had a usable one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The field at fault (its camelCase field name), when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `missing_field`, `invalid_input`, `superseded` or `duplicate_id_conflict`.
    pub code: ErrorCode,
    /// For people: names the record and the field.
    pub message: String,
}

/// What happened to a batch: `received === accepted + rejected.length`, always.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct IntakeReport {
    /// Records in the batch (for files: every non-blank NDJSON line / CSV row / array
    /// element, parseable or not).
    pub received: usize,
    /// Records accepted.
    pub accepted: usize,
    /// One entry per record not accepted, sorted by `index`.
    pub rejected: Vec<Rejection>,
}

/// The accepted records (input order) and the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intake<T> {
    pub records: Vec<T>,
    pub report: IntakeReport,
}

/// Renames one CSV column: the file's `header` feeds the record field `field`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct CsvColumn {
    /// The record's field name, e.g. `"email"`.
    pub field: String,
    /// The header as written in the file, e.g. `"Email"`.
    pub header: String,
}

/// How to read a CSV file.
///
/// @example `{ columns: [{ field: "email", header: "E-mail" }], delimiter: ";" }`
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct CsvOptions {
    /// Header renames. A header named here (in any ASCII case) feeds only the fields it is
    /// mapped to; other headers are matched to the record's field names in any ASCII case
    /// (`Email` feeds `email`). A rename whose header is absent from the file is ignored;
    /// one whose field is not a record field name is an `invalid_input` error.
    pub columns: Vec<CsvColumn>,
    /// Field delimiter, one ASCII character; default `,`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
}

/// Types a batch of CXone users. `positions_are_lines`: the positions are file line numbers,
/// so each rejection also gets `line = index` (false for JS batches).
pub fn intake_source(raw: Vec<RawRecord>, positions_are_lines: bool) -> Intake<SourceUser> {
    run(raw, Side::Source, positions_are_lines, fields::source_user)
}

/// Types a batch of external accounts; see [`intake_source`].
pub fn intake_external(raw: Vec<RawRecord>, positions_are_lines: bool) -> Intake<ExternalUser> {
    run(
        raw,
        Side::External,
        positions_are_lines,
        fields::external_user,
    )
}

/// Parses and types a file of CXone users. Records that cannot be parsed are rejections;
/// `Err(invalid_input)` only when the file as a whole is unreadable (see [`parse_bytes`]).
pub fn intake_source_bytes(
    bytes: &[u8],
    format: InputFormat,
    csv: &CsvOptions,
) -> Result<Intake<SourceUser>> {
    let parsed = formats::parse(bytes, format, Side::Source, csv)?;
    let lines = format != InputFormat::Json;
    Ok(merge(
        intake_source(parsed.records, lines),
        parsed.rejected,
        &parsed.element_lines,
    ))
}

/// Parses and types a file of external accounts; see [`intake_source_bytes`].
pub fn intake_external_bytes(
    bytes: &[u8],
    format: InputFormat,
    csv: &CsvOptions,
) -> Result<Intake<ExternalUser>> {
    let parsed = formats::parse(bytes, format, Side::External, csv)?;
    let lines = format != InputFormat::Json;
    Ok(merge(
        intake_external(parsed.records, lines),
        parsed.rejected,
        &parsed.element_lines,
    ))
}

/// Folds rejections made before typing (parse errors, values that are not records) into
/// the report. JSON array rejections are indexed by element; `element_lines` gives each
/// element's line so the report can still point into the file (empty for JS batches).
pub fn merge<T>(
    mut intake: Intake<T>,
    parse_rejected: Vec<Rejection>,
    element_lines: &[usize],
) -> Intake<T> {
    let report = &mut intake.report;
    report.received = report.received.saturating_add(parse_rejected.len());
    report.rejected.extend(parse_rejected);
    if !element_lines.is_empty() {
        for r in &mut report.rejected {
            if r.line.is_none() {
                r.line = element_lines.get(r.index).copied();
            }
        }
    }
    report.rejected.sort_by_key(|r| r.index);
    intake
}

/// A record that passed the field checks, waiting for duplicate resolution.
pub(crate) struct Typed<T> {
    pub position: usize,
    pub record: T,
    pub updated: Option<jiff::Timestamp>,
}

/// Where a record is, for messages: "line 7" in files, "record 7" in batches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Locator {
    pub side: Side,
    pub lines: bool,
}

impl Locator {
    pub fn name(self, position: usize) -> String {
        if self.lines {
            format!("line {position}")
        } else {
            format!("record {position}")
        }
    }

    pub fn reject(
        self,
        position: usize,
        id: Option<&str>,
        field: Option<&str>,
        code: ErrorCode,
        detail: impl std::fmt::Display,
    ) -> Rejection {
        // Messages are for people and quote outside data: a hostile 10 MB id or value would
        // otherwise be copied whole into the report (the `id` field keeps it in full).
        let detail = detail.to_string();
        let detail = clip(&detail, MAX_SHOWN);
        let message = match id {
            Some(id) => format!("{} (id {}): {detail}", self.name(position), quote(id)),
            None => format!("{}: {detail}", self.name(position)),
        };
        Rejection {
            side: self.side,
            index: position,
            line: self.lines.then_some(position),
            id: id.map(str::to_owned),
            field: field.map(str::to_owned),
            code,
            message,
        }
    }
}

/// Longest piece of outside data a rejection message quotes, in characters.
const MAX_SHOWN: usize = 200;

fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        Some((end, _)) => format!("{}... ({} bytes in all)", &s[..end], s.len()).into(),
        None => s.into(),
    }
}

fn run<T: dedup::Record>(
    raw: Vec<RawRecord>,
    side: Side,
    lines: bool,
    parse: fn(RawRecord, Locator) -> std::result::Result<Typed<T>, Rejection>,
) -> Intake<T> {
    let at = Locator { side, lines };
    let received = raw.len();
    let mut rejected = Vec::new();
    let mut typed = Vec::with_capacity(received);
    for record in raw {
        match parse(record, at) {
            Ok(t) => typed.push(t),
            Err(r) => rejected.push(r),
        }
    }
    let records = dedup::resolve(typed, at, &mut rejected);
    rejected.sort_by_key(|r| r.index);
    Intake {
        report: IntakeReport {
            received,
            accepted: records.len(),
            rejected,
        },
        records,
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;

    #[test]
    fn rejection_messages_quote_huge_ids_and_values_only_in_part() {
        // Found by the hardening suite: a 10 MB id and value made a 20 MB message.
        let big = "\u{00E9}".repeat(1 << 20);
        let at = Locator {
            side: Side::Source,
            lines: true,
        };
        let r = at.reject(
            3,
            Some(&big),
            Some("active"),
            ErrorCode::InvalidInput,
            format!("got {big:?}"),
        );
        assert!(r.message.len() < 1200, "a {}-byte message", r.message.len());
        assert!(
            r.message.starts_with("line 3 (id \""),
            "{}",
            &r.message[..40]
        );
        assert!(r.message.contains("bytes in all)"));
        assert_eq!(
            r.id.as_deref(),
            Some(big.as_str()),
            "the id field itself is kept whole"
        );
        let short = at.reject(1, Some("u1"), None, ErrorCode::MissingField, "no id");
        assert_eq!(short.message, "line 1 (id \"u1\"): no id");
    }
}
