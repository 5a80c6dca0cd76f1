//! File bytes to [`Rec`]s and an intake report equal to what `core::intake` gives for the
//! same bytes, without building a `serde_json::Map` per record.
//!
//! The fast readers handle the common record; a record intake might judge differently
//! (anything unusual, see [`super::json`]) and every copy of a repeated id are re-read from
//! their own bytes by `core::intake` itself, so messages, codes and duplicate resolution are
//! intake's. A file intake refuses as a whole (broken JSON, bad CSV header) is handed to
//! intake whole, which then gives the same error.

use super::budget::{find_byte, reserved, Budget, PER_INTAKE_RECORD};
use super::json::Fast;
use super::record::{from_external, from_source, Keep, Parts, Rec};
use crate::core::error::Result;
use crate::core::intake::{
    csv_flag, csv_list, intake_external, intake_external_bytes, intake_source, intake_source_bytes,
    parse_bytes, CsvOptions, FieldKind, InputFormat, IntakeReport, Locator, RawRecord, Rejection,
    Side,
};
use crate::core::matching::intern::same_bytes;
use crate::core::ErrorCode;
use serde::Deserialize;
use std::borrow::Cow;

/// One side's accepted records (sorted by id) and its intake report.
pub(crate) struct SideIntake<'a> {
    pub recs: Vec<Rec<'a>>,
    pub report: IntakeReport,
}

/// How to read one file.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'o> {
    pub side: Side,
    pub format: InputFormat,
    pub csv: &'o CsvOptions,
    pub keep: Keep<'o>,
    /// At least the number of records in the file (`budget::record_bound`).
    pub records: usize,
    /// The job's memory, charged with what reading keeps beyond the estimate.
    pub budget: &'o Budget,
}

/// What the fast pass collected.
struct Read<'a> {
    recs: Vec<Rec<'a>>,
    rejected: Vec<Rejection>,
    received: usize,
    /// JSON: the line each element starts on (by element index).
    element_lines: Vec<usize>,
    /// CSV: the header's bytes (slow rows are re-read below a copy of it).
    header: &'a [u8],
    /// Rejections already charged to the budget.
    charged: usize,
}

/// The fast pass could not go on: intake reads the whole file instead.
pub(crate) struct Whole;

/// Reads one file. `tick` is called with the bytes consumed so far, now and then.
pub(crate) fn read_side<'a>(
    bytes: &'a [u8],
    ctx: Ctx<'_>,
    tick: &mut dyn FnMut(usize),
) -> Result<SideIntake<'a>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut read = Read {
        // Reserved once for every record the file can hold: no growth, no doubling waste.
        recs: reserved(ctx.records, "the records")?,
        rejected: Vec::new(),
        received: 0,
        element_lines: Vec::new(),
        header: &[],
        charged: 0,
    };
    let fast = match (ctx.format, ctx.side) {
        (InputFormat::Ndjson, Side::Source) => read_ndjson::<true>(bytes, ctx, &mut read, tick),
        (InputFormat::Ndjson, Side::External) => read_ndjson::<false>(bytes, ctx, &mut read, tick),
        (InputFormat::Json, Side::Source) => read_json::<true>(bytes, ctx, &mut read, tick),
        (InputFormat::Json, Side::External) => read_json::<false>(bytes, ctx, &mut read, tick),
        (InputFormat::Csv, _) => {
            super::csv_read::read_csv(bytes, ctx, &mut read_parts(&mut read), tick)
        }
    };
    match fast {
        Ok(Ok(())) => {}
        Ok(Err(Whole)) => {
            drop(read);
            return whole(bytes, ctx);
        }
        Err(e) => return Err(e),
    }
    dedup(bytes, ctx, &mut read)?;
    ctx.budget
        .charge_rejections(&read.rejected, &mut read.charged)?;
    read.rejected.sort_by_key(|r| r.index);
    Ok(SideIntake {
        report: IntakeReport {
            received: read.received,
            accepted: read.recs.len(),
            rejected: read.rejected,
        },
        recs: read.recs,
    })
}

/// The parts of [`Read`] the CSV reader fills.
pub(crate) struct CsvSink<'r, 'a> {
    pub recs: &'r mut Vec<Rec<'a>>,
    pub rejected: &'r mut Vec<Rejection>,
    pub received: &'r mut usize,
    pub header: &'r mut &'a [u8],
    pub charged: &'r mut usize,
}

fn read_parts<'r, 'a>(read: &'r mut Read<'a>) -> CsvSink<'r, 'a> {
    CsvSink {
        recs: &mut read.recs,
        rejected: &mut read.rejected,
        received: &mut read.received,
        header: &mut read.header,
        charged: &mut read.charged,
    }
}

/// Intake over the whole file (the fast pass met something only intake can word).
fn whole<'a>(bytes: &'a [u8], ctx: Ctx<'_>) -> Result<SideIntake<'a>> {
    ctx.budget.charge_whole(bytes.len(), ctx.records)?;
    let (mut recs, report) = match ctx.side {
        Side::Source => {
            let i = intake_source_bytes(bytes, ctx.format, ctx.csv)?;
            let recs: Vec<Rec<'a>> = i
                .records
                .into_iter()
                .map(|u| from_source(u, ctx.keep, 0, 0, 0))
                .collect();
            (recs, i.report)
        }
        Side::External => {
            let i = intake_external_bytes(bytes, ctx.format, ctx.csv)?;
            let recs: Vec<Rec<'a>> = i
                .records
                .into_iter()
                .map(|u| from_external(u, ctx.keep, 0, 0, 0))
                .collect();
            (recs, i.report)
        }
    };
    recs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(SideIntake { recs, report })
}

const TICK_EVERY: usize = 1 << 16;

/// One NDJSON line read the fast way. The parser checks UTF-8 as it goes (every token
/// outside strings is ASCII, every borrowed string is validated), so the line needs no
/// separate UTF-8 pass; bytes that are not UTF-8 fail here and go to intake.
#[inline(never)]
fn parse_fast<const SOURCE: bool>(line: &[u8]) -> Option<Parts<'_>> {
    let mut de = serde_json::Deserializer::from_slice(line);
    match Fast::<SOURCE>::deserialize(&mut de) {
        Ok(Fast::Rec(p)) if de.end().is_ok() => Some(p),
        _ => None,
    }
}

fn read_ndjson<'a, const SOURCE: bool>(
    bytes: &'a [u8],
    ctx: Ctx<'_>,
    read: &mut Read<'a>,
    tick: &mut dyn FnMut(usize),
) -> Result<std::result::Result<(), Whole>> {
    let mut start = 0usize;
    let mut next = 0usize;
    // The lines as `bytes.split(b'\n')` gives them (a last one after the final newline
    // too), found a word at a time.
    while start <= bytes.len() {
        let end = find_byte(bytes, start, b'\n').unwrap_or(bytes.len());
        let line = bytes.get(start..end).unwrap_or_default();
        let (s, e) = (start, end);
        start = end.saturating_add(1);
        let i = next;
        next += 1;
        if i % TICK_EVERY == 0 {
            tick(s);
            ctx.budget
                .charge_rejections(&read.rejected, &mut read.charged)?;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        read.received += 1;
        let pos = i.saturating_add(1);
        let fast = parse_fast::<SOURCE>(line);
        match fast.and_then(|p| p.into_rec(ctx.keep, pos, s, e)) {
            Some(rec) => read.recs.push(rec),
            None => {
                let (raws, rejs) = slow_raw(line, ctx, pos, None, &[])?;
                accept_one(ctx, raws, rejs, pos, (s, e), None, read);
            }
        }
    }
    Ok(Ok(()))
}

/// One array element and the bytes it took. Kept out of line (as are the other per-record
/// functions) so V8 tiers it up after a few thousand calls: a loop that runs once with all
/// the work inlined would stay on the baseline compiler for the whole first job.
#[inline(never)]
fn next_element<const SOURCE: bool>(rest: &[u8]) -> Option<(Fast<'_, SOURCE>, usize)> {
    let mut stream = serde_json::Deserializer::from_slice(rest).into_iter::<Fast<SOURCE>>();
    match stream.next() {
        Some(Ok(element)) => Some((element, stream.byte_offset())),
        _ => None,
    }
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

/// Walks the top-level array as intake does (element by element, counting lines).
fn read_json<'a, const SOURCE: bool>(
    bytes: &'a [u8],
    ctx: Ctx<'_>,
    read: &mut Read<'a>,
    tick: &mut dyn FnMut(usize),
) -> Result<std::result::Result<(), Whole>> {
    let mut line = 1usize;
    let mut pos = skip_ws(bytes, 0, &mut line);
    if bytes.get(pos) != Some(&b'[') {
        return Ok(Err(Whole));
    }
    pos = skip_ws(bytes, pos + 1, &mut line);
    if bytes.get(pos) == Some(&b']') {
        pos += 1;
    } else {
        loop {
            let rest = bytes.get(pos..).unwrap_or_default();
            let Some((element, used)) = next_element::<SOURCE>(rest) else {
                return Ok(Err(Whole));
            };
            let end = pos.saturating_add(used);
            let index = read.element_lines.len();
            if index % TICK_EVERY == 0 {
                tick(pos);
                ctx.budget
                    .charge_rejections(&read.rejected, &mut read.charged)?;
            }
            read.element_lines.push(line);
            read.received += 1;
            let rec = match element {
                Fast::Rec(p) => p.into_rec(ctx.keep, index, pos, end),
                Fast::Slow => None,
            };
            match rec {
                Some(rec) => read.recs.push(rec),
                None => {
                    let own = bytes.get(pos..end).unwrap_or_default();
                    let (raws, rejs) = slow_raw(own, ctx, index, Some(line), &[])?;
                    accept_one(ctx, raws, rejs, index, (pos, end), Some(line), read);
                }
            }
            line = line.saturating_add(count_newlines(bytes.get(pos..end).unwrap_or_default()));
            pos = skip_ws(bytes, end, &mut line);
            match bytes.get(pos) {
                Some(b',') => pos = skip_ws(bytes, pos + 1, &mut line),
                Some(b']') => {
                    pos += 1;
                    break;
                }
                _ => return Ok(Err(Whole)),
            }
        }
    }
    if skip_ws(bytes, pos, &mut line) != bytes.len() {
        return Ok(Err(Whole));
    }
    Ok(Ok(()))
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Re-reads one record's bytes through intake's own parser, so that its raw record (or its
/// rejection) is exactly intake's; positions and messages are moved to the record's place in
/// the whole file. `line`: a JSON element's first line. `header`: a CSV file's header bytes.
pub(crate) fn slow_raw(
    own: &[u8],
    ctx: Ctx<'_>,
    pos: usize,
    line: Option<usize>,
    header: &[u8],
) -> Result<(Vec<RawRecord>, Vec<Rejection>)> {
    let (label, wrapped): (&str, Cow<'_, [u8]>) = match ctx.format {
        InputFormat::Ndjson => ("line", Cow::Borrowed(own)),
        InputFormat::Json => ("record", Cow::Owned([b"[".as_slice(), own, b"]"].concat())),
        InputFormat::Csv => ("line", Cow::Owned([header, own].concat())),
    };
    let (mut raws, mut rejs) = parse_bytes(&wrapped, ctx.format, ctx.side, ctx.csv)?;
    for r in &mut raws {
        r.position = pos;
    }
    for r in &mut rejs {
        relocate(r, label, pos, line);
    }
    Ok((raws, rejs))
}

/// Moves a rejection made on a record's own bytes to the record's place in the file.
fn relocate(r: &mut Rejection, label: &str, pos: usize, line: Option<usize>) {
    let old = format!("{label} {}", r.index);
    if let Some(rest) = r.message.strip_prefix(&old) {
        r.message = format!("{label} {pos}{rest}");
    }
    r.index = pos;
    r.line = if ctx_lines(label) { Some(pos) } else { line };
}

fn ctx_lines(label: &str) -> bool {
    label == "line"
}

/// Types raw records through intake (field checks and duplicate ids). JSON rejections get
/// their element's line from `line_of`.
pub(crate) fn typed<'a>(
    ctx: Ctx<'_>,
    raws: Vec<RawRecord>,
    line_of: &dyn Fn(usize) -> Option<usize>,
) -> (Vec<Rec<'a>>, Vec<Rejection>) {
    let lines = ctx.format != InputFormat::Json;
    let (recs, mut rejected) = match ctx.side {
        Side::Source => {
            let i = intake_source(raws, lines);
            let recs = i
                .records
                .into_iter()
                .map(|u| from_source(u, ctx.keep, 0, 0, 0))
                .collect();
            (recs, i.report.rejected)
        }
        Side::External => {
            let i = intake_external(raws, lines);
            let recs = i
                .records
                .into_iter()
                .map(|u| from_external(u, ctx.keep, 0, 0, 0))
                .collect();
            (recs, i.report.rejected)
        }
    };
    if !lines {
        for r in &mut rejected {
            r.line = r.line.or_else(|| line_of(r.index));
        }
    }
    (recs, rejected)
}

/// A single slow record: accepted (owned) or rejected.
fn accept_one<'a>(
    ctx: Ctx<'_>,
    raws: Vec<RawRecord>,
    rejs: Vec<Rejection>,
    pos: usize,
    (start, end): (usize, usize),
    line: Option<usize>,
    read: &mut Read<'a>,
) {
    read.rejected.extend(rejs);
    let (recs, rejected) = typed(ctx, raws, &|_| line);
    read.rejected.extend(rejected);
    for mut r in recs {
        r.pos = pos;
        r.start = start;
        r.end = end;
        read.recs.push(r);
    }
}

pub(crate) fn push_slow<'a>(
    ctx: Ctx<'_>,
    own: &[u8],
    pos: usize,
    span: (usize, usize),
    sink: &mut CsvSink<'_, 'a>,
) -> Result<()> {
    let (raws, rejs) = slow_raw(own, ctx, pos, None, sink.header)?;
    sink.rejected.extend(rejs);
    let (recs, rejected) = typed(ctx, raws, &|_| None);
    sink.rejected.extend(rejected);
    for mut r in recs {
        r.pos = pos;
        r.start = span.0;
        r.end = span.1;
        sink.recs.push(r);
    }
    Ok(())
}

/// A rejection intake makes for a CSV row whose cell count differs from the header's.
pub(crate) fn unequal_row(side: Side, line: usize, len: u64, expected: u64) -> Rejection {
    Locator { side, lines: true }.reject(
        line,
        None,
        None,
        ErrorCode::InvalidInput,
        format_args!("has {len} cells but the header has {expected}"),
    )
}

/// `a.cmp(b)` for byte strings, 8 bytes at a time as big-endian words (WebAssembly's
/// `memcmp` is a call and a byte loop; ids are compared a million times a side).
pub(crate) fn cmp_bytes(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let word = |c: &[u8]| <[u8; 8]>::try_from(c).map_or(0, u64::from_be_bytes);
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let (x, y) = (word(x), word(y));
        if x != y {
            return x.cmp(&y);
        }
    }
    let done = a.len().min(b.len()) / 8 * 8;
    let (ra, rb) = (
        a.get(done..).unwrap_or_default(),
        b.get(done..).unwrap_or_default(),
    );
    for (x, y) in ra.iter().zip(rb) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// Sorts by id and resolves repeated ids through intake (every copy re-read from its bytes).
fn dedup<'a>(bytes: &'a [u8], ctx: Ctx<'_>, read: &mut Read<'a>) -> Result<()> {
    // Exports are usually sorted by id already: one pass proves ids strictly increasing,
    // so there is nothing to sort and no repeat (the sort's own run check and the group
    // walk below would each compare every neighbour again).
    let increasing = read.recs.windows(2).all(|w| match w {
        [a, b] => cmp_bytes(a.id.as_bytes(), b.id.as_bytes()).is_lt(),
        _ => true,
    });
    if increasing {
        return Ok(());
    }
    read.recs.sort_unstable_by(|a, b| {
        cmp_bytes(a.id.as_bytes(), b.id.as_bytes()).then(a.pos.cmp(&b.pos))
    });
    let recs = &read.recs;
    let mut in_group = vec![false; 0];
    let mut i = 0;
    while i < recs.len() {
        let mut j = i + 1;
        while recs.get(j).is_some_and(|r| {
            recs.get(i)
                .is_some_and(|f| same_bytes(f.id.as_bytes(), r.id.as_bytes()))
        }) {
            j += 1;
        }
        if j - i > 1 {
            if in_group.is_empty() {
                in_group = vec![false; recs.len()];
            }
            for flag in in_group.iter_mut().take(j).skip(i) {
                *flag = true;
            }
        }
        i = j;
    }
    if in_group.is_empty() {
        return Ok(());
    }
    let regrouped = in_group.iter().filter(|g| **g).count();
    ctx.budget.charge(
        (regrouped as u64).saturating_mul(PER_INTAKE_RECORD),
        "records with repeated ids",
    )?;
    let mut raws = Vec::new();
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut first_pos: Vec<(String, usize)> = Vec::new();
    for (r, _) in recs.iter().zip(&in_group).filter(|(_, g)| **g) {
        let own = bytes.get(r.start..r.end).unwrap_or_default();
        let line = read
            .element_lines
            .get(r.pos)
            .copied()
            .filter(|_| ctx.format == InputFormat::Json);
        let (rs, rj) = slow_raw(own, ctx, r.pos, line, read.header)?;
        raws.extend(rs);
        read.rejected.extend(rj);
        if let Some(l) = line {
            lines.push((r.pos, l));
        }
        if first_pos.last().map_or(true, |(id, _)| *id != r.id) {
            first_pos.push((r.id.to_string(), r.pos));
        }
    }
    let (winners, rejected) = typed(ctx, raws, &|p| {
        lines.iter().find(|(q, _)| *q == p).map(|(_, l)| *l)
    });
    read.rejected.extend(rejected);
    let mut keep = in_group.iter();
    read.recs.retain(|_| !keep.next().copied().unwrap_or(false));
    for mut w in winners {
        if let Ok(k) = first_pos.binary_search_by(|(id, _)| id.as_str().cmp(&w.id)) {
            w.pos = first_pos.get(k).map_or(0, |(_, p)| *p);
        }
        read.recs.push(w);
    }
    // Nearly sorted already: the stable sort merges the few winners in cheaply.
    read.recs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(())
}

/// Reads one CSV cell the way intake does; `None` when the record must go to intake.
pub(crate) enum Cell<'c> {
    Missing,
    Text(&'c str),
    Flag(bool),
    List { has_perm: bool },
}

pub(crate) fn csv_cell(kind: FieldKind, cell: &str) -> Option<Cell<'_>> {
    if cell.is_empty() {
        return Some(Cell::Missing);
    }
    Some(match kind {
        FieldKind::Flag => Cell::Flag(csv_flag(cell)?),
        FieldKind::List => Cell::List {
            has_perm: csv_list(cell).any(|s| s == crate::core::records::PERM_USER_MAPPING_MAP),
        },
        FieldKind::Timestamp => {
            cell.parse::<jiff::Timestamp>().ok()?;
            Cell::Text(cell)
        }
        FieldKind::Text => Cell::Text(cell),
    })
}
