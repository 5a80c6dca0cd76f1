//! The fast CSV reader: the `csv` crate's `ByteRecord`s, cells read the way intake reads them
//! (trimmed, empty is missing, `active` as true/false/1/0/yes/no, lists split on `;` / `|`),
//! only the cells matching needs copied out. Unusual rows go to intake (see `read`).

use super::read::{csv_cell, push_slow, unequal_row, Cell, CsvSink, Ctx};
use super::record::{Col, Parts};
use crate::core::error::Result;
use crate::core::intake::{csv_columns, parse_bytes, InputFormat};
use crate::core::matching::intern::same_bytes;
use std::borrow::Cow;

pub(crate) fn read_csv<'a>(
    bytes: &'a [u8],
    ctx: Ctx<'_>,
    sink: &mut CsvSink<'_, 'a>,
    tick: &mut dyn FnMut(usize),
) -> Result<std::result::Result<(), super::read::Whole>> {
    let delimiter = match ctx.csv.delimiter {
        None => b',',
        Some(c) if c.is_ascii() && !matches!(c, '"' | '\n' | '\r') => c as u8,
        Some(_) => return Ok(Err(super::read::Whole)),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .has_headers(true)
        .from_reader(bytes);
    let Ok(headers) = reader.byte_headers().cloned() else {
        return Ok(Err(super::read::Whole));
    };
    let header_end = to_usize(reader.position().byte());
    let header = bytes.get(..header_end).unwrap_or(bytes);
    // Intake's own header checks, for its exact errors.
    parse_bytes(header, InputFormat::Csv, ctx.side, ctx.csv)?;
    *sink.header = header;
    // The same columns as intake's (its header checks above already passed).
    let Ok(columns) = csv_columns(&headers, ctx.side, ctx.csv) else {
        return Ok(Err(super::read::Whole));
    };
    let plan: Vec<(usize, Col)> = columns
        .into_iter()
        .map(|(col, field, _)| (col, Col::of(field)))
        .collect();

    let mut row = csv::ByteRecord::new();
    let mut n = 0usize;
    loop {
        let start = to_usize(reader.position().byte());
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                *sink.received += 1;
                n += 1;
                if n % (1 << 16) == 0 {
                    tick(start);
                    ctx.budget.charge_rejections(sink.rejected, sink.charged)?;
                }
                let line = row.position().map_or(0, |p| to_usize(p.line()));
                let end = to_usize(reader.position().byte());
                // An unquoted row is its cells joined by one-byte delimiters, so each cell is
                // also a slice of the input: borrowing it spares two allocations per record.
                let raw = bytes.get(start..end).filter(|r| !r.contains(&b'"'));
                let parts = cells(&row, raw, &plan);
                match parts.and_then(|p| p.into_rec(ctx.keep, line, start, end)) {
                    Some(rec) => sink.recs.push(rec),
                    None => {
                        let own = bytes.get(start..end).unwrap_or_default();
                        push_slow(ctx, own, line, (start, end), sink)?;
                    }
                }
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    pos,
                    expected_len,
                    len,
                } => {
                    *sink.received += 1;
                    let line = pos.as_ref().map_or(0, |p| to_usize(p.line()));
                    sink.rejected
                        .push(unequal_row(ctx.side, line, *len, *expected_len));
                }
                _ => return Ok(Err(super::read::Whole)),
            },
        }
    }
    Ok(Ok(()))
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// The cells matching needs, or `None` when intake must read the row. `raw`: the row's bytes
/// in the input when it has no quotes (cells are then borrowed from it).
#[inline(never)]
fn cells<'a>(
    row: &csv::ByteRecord,
    raw: Option<&'a [u8]>,
    plan: &[(usize, Col)],
) -> Option<Parts<'a>> {
    let mut p = Parts::default();
    for (col, field) in plan {
        let Some(bytes) = row.get(*col) else { continue };
        // In an unquoted row cell `col` starts `col` delimiters after its start in the
        // record's buffer, so it is also a slice of the input: that slice is validated (once)
        // and borrowed. The word compare keeps the slice honest whatever the row held.
        let in_input = raw
            .zip(row.range(*col))
            .and_then(|(r, range)| r.get(range.start + col..range.end + col))
            .filter(|b| same_bytes(b, bytes));
        let (cell, borrowed) = match in_input {
            Some(b) => {
                let c = std::str::from_utf8(b).ok()?.trim();
                (c, Some(c))
            }
            None => (std::str::from_utf8(bytes).ok()?.trim(), None),
        };
        // Only text cells are kept.
        let owned =
            |s: &str| Some(borrowed.map_or_else(|| Cow::Owned(s.to_owned()), Cow::Borrowed));
        match (csv_cell(field.kind(), cell)?, *field) {
            (Cell::Missing, Col::Id) => return None,
            (Cell::Missing, _) => {}
            (Cell::Text(t), Col::Id) => p.id = owned(t),
            (Cell::Text(t), Col::Email) => p.email = owned(t),
            (Cell::Text(t), Col::UserName) => p.user_name = owned(t),
            (Cell::Text(t), Col::EmployeeId) => p.employee_id = owned(t),
            (Cell::Text(t), Col::BusinessUnit) => p.business_unit = owned(t),
            (Cell::Text(_), _) => {}
            (Cell::Flag(b), _) => p.active = Some(b),
            (Cell::List { has_perm }, Col::Permissions) => p.perm = Some(has_perm),
            (Cell::List { .. }, _) => {}
        }
    }
    Some(p)
}
