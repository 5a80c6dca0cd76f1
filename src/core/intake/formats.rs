//! File bytes → raw records. A record that cannot be parsed becomes a rejection with its
//! line; only a file that is unreadable as a whole (not a JSON array, broken JSON syntax,
//! a bad CSV header) is an error.

use super::fields::read_id;
use super::{field_kind, FieldKind, InputFormat, Locator, RawRecord, Rejection, Side};
use super::{CsvOptions, EXTERNAL_FIELDS, SOURCE_FIELDS};
use crate::core::error::{quote, Error, Result};
use crate::core::ErrorCode;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// What a file parse yields. `element_lines[i]` is the line where JSON array element `i`
/// starts (empty for the line-based formats, whose positions already are lines).
pub(crate) struct Parsed {
    pub records: Vec<RawRecord>,
    pub rejected: Vec<Rejection>,
    pub element_lines: Vec<usize>,
}

/// Parses a file into raw records and the rejections of records that could not be parsed.
///
/// Positions: JSON array → element index (0-based); NDJSON → line number (1-based, blank
/// lines skipped and not counted as records); CSV → the line where the record starts
/// (header = line 1, matched to field names in any ASCII case; CSV cells are trimmed and
/// empty cells are missing fields; `active` accepts true/false/1/0/yes/no in any case; list
/// fields split on `;` or `|`). A UTF-8 BOM
/// at the start is skipped. A key that appears twice in one JSON object rejects that record.
///
/// `Err(invalid_input)`: a JSON file that is not one array or has a syntax error (no
/// element can be trusted after one), a CSV file without a header, without an `id` column,
/// with two columns feeding one field, a bad `delimiter`, or a rename to an unknown field.
pub fn parse_bytes(
    bytes: &[u8],
    format: InputFormat,
    side: Side,
    csv: &CsvOptions,
) -> Result<(Vec<RawRecord>, Vec<Rejection>)> {
    let mut parsed = parse(bytes, format, side, csv)?;
    if !parsed.element_lines.is_empty() {
        for r in &mut parsed.rejected {
            r.line = parsed.element_lines.get(r.index).copied();
        }
    }
    Ok((parsed.records, parsed.rejected))
}

/// Format from a file name's extension (`.json`, `.ndjson` / `.jsonl`, `.csv`, any case),
/// else `None`.
pub fn format_from_path(path: &str) -> Option<InputFormat> {
    let name = path.rsplit(['/', '\\']).next()?;
    let (_, ext) = name.rsplit_once('.')?;
    match ext.to_ascii_lowercase().as_str() {
        "json" => Some(InputFormat::Json),
        "ndjson" | "jsonl" => Some(InputFormat::Ndjson),
        "csv" => Some(InputFormat::Csv),
        _ => None,
    }
}

pub(crate) fn parse(
    bytes: &[u8],
    format: InputFormat,
    side: Side,
    csv: &CsvOptions,
) -> Result<Parsed> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match format {
        InputFormat::Json => parse_json_array(bytes, side),
        InputFormat::Ndjson => Ok(parse_ndjson(bytes, side)),
        InputFormat::Csv => parse_csv(bytes, side, csv),
    }
}

/// One JSON value as intake sees it: an object (noting a repeated key, which a plain
/// `Map` would silently resolve to the last value), or the kind of anything else.
enum Element {
    Object {
        fields: Map<String, Value>,
        repeated: Option<String>,
    },
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Element, E> {
        Ok(Element::Other("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Element, E> {
        Ok(Element::Other("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Element, E> {
        Ok(Element::Other("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Element, E> {
        Ok(Element::Other("a number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> std::result::Result<Element, E> {
        Ok(Element::Other("a string"))
    }
    fn visit_unit<E: de::Error>(self) -> std::result::Result<Element, E> {
        Ok(Element::Other("null"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Element, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Element::Other("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Element, A::Error> {
        let mut fields = Map::new();
        let mut repeated = None;
        while let Some(key) = map.next_key::<String>()? {
            let value: Value = map.next_value()?;
            if fields.contains_key(&key) {
                repeated.get_or_insert(key);
            } else {
                fields.insert(key, value);
            }
        }
        Ok(Element::Object { fields, repeated })
    }
}

/// Turns a parsed element into a raw record or its rejection.
fn element_record(
    element: Element,
    position: usize,
    at: Locator,
) -> std::result::Result<RawRecord, Rejection> {
    match element {
        Element::Object {
            fields,
            repeated: None,
        } => Ok(RawRecord {
            position,
            fields,
            ill_formed: Vec::new(),
        }),
        Element::Object {
            fields,
            repeated: Some(key),
        } => {
            let id = read_id(fields.get("id")).ok();
            Err(at.reject(
                position,
                id.as_deref(),
                Some(&key),
                ErrorCode::InvalidInput,
                format_args!("field `{key}` appears more than once in the object"),
            ))
        }
        Element::Other(kind) => Err(at.reject(
            position,
            None,
            None,
            ErrorCode::InvalidInput,
            format_args!("is {kind}, not a user object"),
        )),
    }
}

/// serde_json's message without its " at line L column C" suffix (which is relative to
/// the slice we handed it, not to the file).
fn bare_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix)
        .map(str::to_owned)
        .unwrap_or(full)
}

fn skip_ws(bytes: &[u8], mut pos: usize, line: &mut usize) -> usize {
    while let Some(&b) = bytes.get(pos) {
        match b {
            b'\n' => *line += 1,
            b' ' | b'\t' | b'\r' => {}
            _ => break,
        }
        pos += 1;
    }
    pos
}

/// Walks the top-level array element by element, so each element's starting line is
/// known; a stream deserializer parses one element in place (no copy) and reports where
/// it ended.
fn parse_json_array(bytes: &[u8], side: Side) -> Result<Parsed> {
    let at = Locator { side, lines: false };
    let not_array = || Error::invalid_input("a JSON file must hold one array of user objects");
    let mut parsed = Parsed {
        records: Vec::new(),
        rejected: Vec::new(),
        element_lines: Vec::new(),
    };
    let mut line = 1usize;
    let mut pos = skip_ws(bytes, 0, &mut line);
    if bytes.get(pos) != Some(&b'[') {
        return Err(not_array());
    }
    pos = skip_ws(bytes, pos + 1, &mut line);
    if bytes.get(pos) == Some(&b']') {
        pos += 1;
    } else {
        loop {
            let rest = bytes.get(pos..).unwrap_or_default();
            let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<Element>();
            let element = match stream.next() {
                Some(Ok(element)) => element,
                Some(Err(e)) => {
                    return Err(Error::invalid_input(format!(
                        "invalid JSON at line {}: {}",
                        line.saturating_add(e.line().saturating_sub(1)),
                        bare_message(&e)
                    )))
                }
                None => return Err(Error::invalid_input("the JSON array is not closed")),
            };
            let end = pos.saturating_add(stream.byte_offset());
            let index = parsed.element_lines.len();
            parsed.element_lines.push(line);
            match element_record(element, index, at) {
                Ok(r) => parsed.records.push(r),
                Err(r) => parsed.rejected.push(r),
            }
            line = line.saturating_add(count_newlines(bytes.get(pos..end).unwrap_or_default()));
            pos = skip_ws(bytes, end, &mut line);
            match bytes.get(pos) {
                Some(b',') => pos = skip_ws(bytes, pos + 1, &mut line),
                Some(b']') => {
                    pos += 1;
                    break;
                }
                None => return Err(Error::invalid_input("the JSON array is not closed")),
                Some(_) => {
                    return Err(Error::invalid_input(format!(
                    "invalid JSON at line {line}: expected `,` or `]` after array element {index}"
                )))
                }
            }
        }
    }
    if skip_ws(bytes, pos, &mut line) != bytes.len() {
        return Err(Error::invalid_input(format!(
            "invalid JSON at line {line}: unexpected data after the array"
        )));
    }
    Ok(parsed)
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

fn parse_ndjson(bytes: &[u8], side: Side) -> Parsed {
    let at = Locator { side, lines: true };
    let mut parsed = Parsed {
        records: Vec::new(),
        rejected: Vec::new(),
        element_lines: Vec::new(),
    };
    for (i, raw_line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i.saturating_add(1);
        if raw_line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let result = match std::str::from_utf8(raw_line) {
            Err(e) => Err(at.reject(
                line_no,
                None,
                None,
                ErrorCode::InvalidInput,
                format_args!(
                    "is not valid UTF-8 (bad byte at column {})",
                    e.valid_up_to() + 1
                ),
            )),
            Ok(text) => match serde_json::from_str::<Element>(text) {
                Ok(element) => element_record(element, line_no, at),
                Err(e) => Err(at.reject(
                    line_no,
                    None,
                    None,
                    ErrorCode::InvalidInput,
                    format_args!(
                        "is not valid JSON (column {}): {}",
                        e.column(),
                        bare_message(&e)
                    ),
                )),
            },
        };
        match result {
            Ok(r) => parsed.records.push(r),
            Err(r) => parsed.rejected.push(r),
        }
    }
    parsed
}

fn known_anywhere(field: &str) -> bool {
    SOURCE_FIELDS.contains(&field) || EXTERNAL_FIELDS.contains(&field)
}

fn parse_csv(bytes: &[u8], side: Side, opts: &CsvOptions) -> Result<Parsed> {
    let at = Locator { side, lines: true };
    let delimiter = match opts.delimiter {
        None => b',',
        Some(c) if c.is_ascii() && !matches!(c, '"' | '\n' | '\r') => c as u8,
        Some(c) => {
            return Err(Error::invalid_input(format!(
                "the CSV delimiter must be one ASCII character other than a quote or newline, got {c:?}"
            )))
        }
    };
    for c in &opts.columns {
        if !known_anywhere(&c.field) {
            return Err(Error::invalid_input(format!(
                "CSV column rename {:?} → {:?}: {:?} is not a field name",
                c.header, c.field, c.field
            ))
            .with_field(c.field.clone()));
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .has_headers(true)
        .from_reader(bytes);
    let headers = reader
        .byte_headers()
        .map_err(|e| Error::invalid_input(format!("the CSV header cannot be read: {e}")))?
        .clone();
    if headers.is_empty() {
        return Err(Error::invalid_input("the CSV file has no header line"));
    }

    let plan = csv_columns(&headers, side, opts)?;

    let mut parsed = Parsed {
        records: Vec::new(),
        rejected: Vec::new(),
        element_lines: Vec::new(),
    };
    let mut row = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let line = row.position().map_or(0, |p| to_usize(p.line()));
                match csv_record(&row, &plan, line, at) {
                    Ok(r) => parsed.records.push(r),
                    Err(r) => parsed.rejected.push(r),
                }
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    pos,
                    expected_len,
                    len,
                } => {
                    let line = pos.as_ref().map_or(0, |p| to_usize(p.line()));
                    parsed.rejected.push(at.reject(
                        line,
                        None,
                        None,
                        ErrorCode::InvalidInput,
                        format_args!("has {len} cells but the header has {expected_len}"),
                    ));
                }
                _ => {
                    return Err(Error::invalid_input(format!(
                        "the CSV file cannot be read: {e}"
                    )))
                }
            },
        }
    }
    Ok(parsed)
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Which CSV column feeds which field of `side`: `(column, field, header)`. Headers match
/// field names and renames without regard to ASCII case ("Email" feeds `email`), since
/// exported files capitalise headers freely; a rename wins over a same-named header. Errors:
/// a header that is not UTF-8, two columns feeding one field, no id column.
pub(crate) fn csv_columns(
    headers: &csv::ByteRecord,
    side: Side,
    opts: &CsvOptions,
) -> Result<Vec<(usize, &'static str, String)>> {
    let known = side.fields();
    let mut plan: Vec<(usize, &'static str, String)> = Vec::new();
    for (col, cell) in headers.iter().enumerate() {
        let header = std::str::from_utf8(cell)
            .map_err(|_| {
                Error::invalid_input(format!("CSV header column {} is not valid UTF-8", col + 1))
            })?
            .trim();
        let mut renamed = opts
            .columns
            .iter()
            .filter(|c| c.header.trim().eq_ignore_ascii_case(header))
            .peekable();
        let targets: Vec<&str> = if renamed.peek().is_some() {
            renamed.map(|c| c.field.as_str()).collect()
        } else {
            vec![header]
        };
        for target in targets {
            let Some(&field) = known.iter().find(|&&f| f.eq_ignore_ascii_case(target)) else {
                continue;
            };
            if let Some((_, _, other)) = plan.iter().find(|(_, f, _)| *f == field) {
                return Err(Error::invalid_input(format!(
                    "CSV columns {} and {} both feed field `{field}`",
                    quote(other),
                    quote(header)
                ))
                .with_field(field));
            }
            plan.push((col, field, header.to_owned()));
        }
    }
    if !plan.iter().any(|(_, f, _)| *f == "id") {
        let expected: Vec<String> = opts
            .columns
            .iter()
            .filter(|c| c.field == "id")
            .map(|c| quote(&c.header))
            .collect();
        let expected = if expected.is_empty() {
            "\"id\"".to_owned()
        } else {
            expected.join(" or ")
        };
        return Err(Error::invalid_input(format!(
            "the CSV header has no id column (expected a column named {expected})"
        ))
        .with_field("id"));
    }
    Ok(plan)
}

fn csv_record(
    row: &csv::ByteRecord,
    plan: &[(usize, &'static str, String)],
    line: usize,
    at: Locator,
) -> std::result::Result<RawRecord, Rejection> {
    let mut fields = Map::new();
    let mut bad_utf8 = None;
    for (col, field, header) in plan {
        let Some(cell) = row.get(*col) else { continue };
        let Ok(cell) = std::str::from_utf8(cell) else {
            bad_utf8.get_or_insert((*field, header.as_str()));
            continue;
        };
        if let Some(value) = csv_value(field, cell.trim()) {
            fields.insert((*field).to_owned(), value);
        }
    }
    if let Some((field, header)) = bad_utf8 {
        let id = read_id(fields.get("id")).ok();
        return Err(at.reject(
            line,
            id.as_deref(),
            Some(field),
            ErrorCode::InvalidInput,
            format_args!("field `{field}` (column {header:?}) is not valid UTF-8"),
        ));
    }
    Ok(RawRecord {
        position: line,
        fields,
        ill_formed: Vec::new(),
    })
}

/// A CSV cell as the JSON value intake expects; `None` when empty (CSV cannot tell empty
/// from missing). An unrecognised `active` stays a string so intake rejects it by name.
fn csv_value(field: &str, cell: &str) -> Option<Value> {
    if cell.is_empty() {
        return None;
    }
    Some(match field_kind(field) {
        FieldKind::Flag => match csv_flag(cell) {
            Some(b) => Value::Bool(b),
            None => Value::String(cell.to_owned()),
        },
        FieldKind::List => Value::Array(
            csv_list(cell)
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        FieldKind::Text | FieldKind::Timestamp => Value::String(cell.to_owned()),
    })
}

/// A CSV flag cell (`active`): true/1/yes or false/0/no in any ASCII case; `None` for
/// anything else (intake then rejects it by name).
pub(crate) fn csv_flag(cell: &str) -> Option<bool> {
    match cell.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// The items of a CSV list cell (`permissions`): split on `;` or `|`, trimmed, empty
/// items dropped.
pub(crate) fn csv_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}
