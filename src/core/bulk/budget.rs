//! How much memory a bulk job may take, and the checks that keep it under that: a job either
//! completes or stops with `input_too_large`, never by running the WebAssembly instance out
//! of memory (an allocation failure there is a trap that leaves the instance unusable).
//!
//! Bytes alone do not bound a job: each record costs a fixed amount (its entry, its key, its
//! slots in the join's tables, its report row) whatever its length, so 150 MiB of short rows
//! holds far more records than 150 MiB of wide ones. The estimate therefore counts records
//! first (a newline count, or `{` count for a JSON array: one fast pass, and never fewer than
//! the records a file holds), and reading then charges what the count cannot foresee
//! (rejection messages, records re-read by intake) against the same limit as it goes.

use super::too_large;
use crate::core::error::{Error, ErrorCode, Result};
use crate::core::intake::{InputFormat, Rejection};
use std::cell::Cell;

/// The most memory a job may need (wasm32 has 4 GiB in all; the rest is the module's own).
pub const MEMORY_LIMIT: u64 = 3_758_096_384;

/// Bytes per record for what every record costs whatever its length, on wasm32: its entry
/// (44), its key (32), the join's per-key tables (intern map, look-alike buckets, lookup and
/// claim slots) and its report row. Measured through the package on dense short rows, the
/// whole WebAssembly memory peaked at 2x the input plus 120-160 bytes a record (ASCII keys,
/// upper-case ones that need a copy); this takes 256 for the rarer shapes (look-alike
/// indexes per side, fallback keys), and a Node test checks the peak against it.
pub(crate) const PER_RECORD: u64 = 256;

/// Per byte of input: the input itself, plus the copies a record's strings may need (a key
/// that is not the input's spelling, with its skeleton and NFKC forms when it is not ASCII;
/// the ids written into the report).
const PER_INPUT_BYTE: u64 = 3;

/// The module's own data and the allocator's slack.
const BASE: u64 = 16 << 20;

/// What a record re-read by intake itself costs while it is read (its JSON object map).
pub(crate) const PER_INTAKE_RECORD: u64 = 1024;

/// Per input byte of a file that intake reads whole (a `serde_json::Value` of the file).
const PER_INTAKE_BYTE: u64 = 12;

/// Bytes a job over inputs of these sizes is likely to need at its peak, input included,
/// judged by bytes alone (None when the sum overflows): what a caller reserves before the
/// files are read. Measured at 1,000,000 users a side, the whole WebAssembly memory peaks
/// near 2.5x the input; this takes 2.75x. The bound that decides is [`job_memory`], by
/// records, once the bytes are there.
pub fn estimate_memory(
    source_len: usize,
    external_len: usize,
    refreshed_len: usize,
) -> Option<u64> {
    let input = (source_len as u64)
        .checked_add(external_len as u64)?
        .checked_add(refreshed_len as u64)?;
    input.checked_mul(11)?.checked_div(4)?.checked_add(BASE)
}

fn limit_of(limit: Option<u64>) -> u64 {
    limit.unwrap_or(MEMORY_LIMIT).min(MEMORY_LIMIT)
}

/// Before the files are read: `Err(input_too_large)` when even the least a job over inputs
/// of these sizes needs (no records at all) passes the limit; else the memory to reserve
/// (the likely need of [`estimate_memory`], at most the limit). A job this lets through
/// may still be refused by [`job_memory`] once its records are counted.
pub fn check_memory(sizes: (usize, usize, usize), limit: Option<u64>) -> Result<u64> {
    let limit = limit_of(limit);
    let input = (sizes.0 as u64)
        .checked_add(sizes.1 as u64)
        .and_then(|n| n.checked_add(sizes.2 as u64));
    let least = input.and_then(|n| job_memory(n, 0));
    match least {
        Some(n) if n <= limit => Ok(estimate_memory(sizes.0, sizes.1, sizes.2)
            .unwrap_or(limit)
            .min(limit)),
        _ => Err(Error::new(
            ErrorCode::InputTooLarge,
            format!(
                "the inputs ({} + {} + {} bytes) need at least {} MiB, more than the {} MiB a job may use; split the directories (by business unit, say)",
                sizes.0,
                sizes.1,
                sizes.2,
                least.map_or(u64::MAX, |n| n >> 20),
                limit >> 20
            ),
        )),
    }
}

/// At least as many as the records `bytes` holds: its lines (NDJSON; CSV, where a record
/// ends at `\n`, `\r\n` or a lone `\r`, and takes one line at least), or its `{` (a JSON
/// array of objects).
pub(crate) fn record_bound(bytes: &[u8], format: InputFormat) -> usize {
    match format {
        InputFormat::Json => count_bytes(bytes, b'{', b'{').0,
        InputFormat::Ndjson => count_bytes(bytes, b'\n', b'\n').0.saturating_add(1),
        InputFormat::Csv => {
            let (lf, cr) = count_bytes(bytes, b'\n', b'\r');
            lf.max(cr).saturating_add(1)
        }
    }
}

/// Bytes per block of [`count_bytes`], and blocks counted before a lane's 8-bit counter
/// could wrap.
const LANES: usize = 32;
const ROUNDS: usize = 255;

/// How many bytes of `bytes` are `a`, and how many are `b`, in one pass. Each 32-byte block
/// adds its hits into one 8-bit counter per lane (summed before one could wrap): the shape
/// compilers turn into vector compares (the word-at-a-time count it replaces took a tenth
/// of a native job on counting alone).
pub(crate) fn count_bytes(bytes: &[u8], a: u8, b: u8) -> (usize, usize) {
    let (mut na, mut nb) = (0usize, 0usize);
    for run in bytes.chunks(LANES * ROUNDS) {
        let (mut acc_a, mut acc_b) = ([0u8; LANES], [0u8; LANES]);
        let mut blocks = run.chunks_exact(LANES);
        for block in &mut blocks {
            let Ok(block) = <&[u8; LANES]>::try_from(block) else {
                continue;
            };
            for ((x, y), &v) in acc_a.iter_mut().zip(acc_b.iter_mut()).zip(block) {
                *x = x.wrapping_add(u8::from(v == a));
                *y = y.wrapping_add(u8::from(v == b));
            }
        }
        na += acc_a.iter().map(|&x| usize::from(x)).sum::<usize>();
        nb += acc_b.iter().map(|&x| usize::from(x)).sum::<usize>();
        for &v in blocks.remainder() {
            na += usize::from(v == a);
            nb += usize::from(v == b);
        }
    }
    (na, nb)
}

/// The index of the first `needle` in `bytes` at or after `from`: 32 bytes at a time, each
/// block's hits gathered into a bit mask without an early exit inside the block (the shape
/// compilers turn into a vector compare and a mask move), then the first hit's bit.
pub(crate) fn find_byte(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut blocks = rest.chunks_exact(LANES);
    let mut at = from;
    for block in &mut blocks {
        let Ok(block) = <&[u8; LANES]>::try_from(block) else {
            continue;
        };
        let mut mask = 0u32;
        for (i, &b) in block.iter().enumerate() {
            mask |= u32::from(b == needle) << i;
        }
        if mask != 0 {
            return Some(at + mask.trailing_zeros() as usize);
        }
        at += LANES;
    }
    blocks
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| at + i)
}

/// Bytes a job over these inputs needs at its peak, from their sizes and record counts
/// (`None` on overflow).
pub fn job_memory(input_bytes: u64, records: u64) -> Option<u64> {
    input_bytes
        .checked_mul(PER_INPUT_BYTE)?
        .checked_add(records.checked_mul(PER_RECORD)?)?
        .checked_add(BASE)
}

/// The memory a job has left as it reads: starts at its estimate and is charged with what
/// the estimate could not foresee. Exceeding the limit stops the job with `input_too_large`.
pub(crate) struct Budget {
    limit: u64,
    used: Cell<u64>,
}

impl Budget {
    /// The budget of a job needing `need` bytes by its estimate; `Err(input_too_large)`
    /// already when that passes the limit.
    pub fn new(need: Option<u64>, limit: Option<u64>, records: u64) -> Result<Budget> {
        let limit = limit_of(limit);
        match need {
            Some(n) if n <= limit => Ok(Budget {
                limit,
                used: Cell::new(n),
            }),
            _ => Err(Error::new(
                ErrorCode::InputTooLarge,
                format!(
                    "the inputs hold up to {records} records and need about {} MiB, more than the {} MiB a job may use; split the directories (by business unit, say)",
                    need.map_or(u64::MAX, |n| n >> 20),
                    limit >> 20
                ),
            )),
        }
    }

    /// Charges `bytes` more; `Err(input_too_large)` naming `what` once past the limit.
    pub fn charge(&self, bytes: u64, what: &str) -> Result<()> {
        let used = self.used.get().saturating_add(bytes);
        self.used.set(used);
        if used > self.limit {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!(
                    "the job stopped while reading: {what} took it past the {} MiB a job may use; split the directories (by business unit, say)",
                    self.limit >> 20
                ),
            ));
        }
        Ok(())
    }

    /// Charges the rejections in `rejected` from `*from` on (each is kept, then written in
    /// the report), and moves `*from` to the end.
    pub fn charge_rejections(&self, rejected: &[Rejection], from: &mut usize) -> Result<()> {
        let new = rejected.get(*from..).unwrap_or_default();
        let bytes: u64 = new
            .iter()
            .map(|r| {
                let text = r.message.len() + r.id.as_ref().map_or(0, String::len);
                // The struct, its strings, and their escaped copies in the report.
                (std::mem::size_of::<Rejection>() + 64 + 3 * text) as u64
            })
            .sum();
        *from = rejected.len();
        self.charge(bytes, "the rejected records")
    }

    /// Charges intake reading a whole file of `len` bytes and up to `records` records.
    pub fn charge_whole(&self, len: usize, records: usize) -> Result<()> {
        let bytes = (len as u64)
            .saturating_mul(PER_INTAKE_BYTE)
            .saturating_add((records as u64).saturating_mul(PER_INTAKE_RECORD));
        self.charge(bytes, "a file only intake's full reader can read")
    }
}

/// A vector for up to `n` items, reserved exactly (no doubling waste), or `input_too_large`.
pub(crate) fn reserved<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| too_large(what))?;
    Ok(v)
}
