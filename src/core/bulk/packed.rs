//! One side of a bulk job read on its own (in another thread, by another WebAssembly
//! instance) and handed over as one compact byte buffer, so that reading the directories,
//! the larger part of a job, runs on several cores while the join stays in one place.
//!
//! The buffer holds only what the join and the report read of each record (its strings
//! and flags, no file positions: those only serve reading), the side's intake report, and
//! what the memory check needs (the file's size and record bound). A side that failed
//! carries its error instead, so the job fails with the error, and in the order, the
//! single-threaded job would have given.
//!
//! The reader also makes each record's match key (the email is not needed after that), so
//! keying, like parsing, runs beside the other side's.
//!
//! Layout (little-endian): `USP2`, a tag byte (0 read, 1 failed), input bytes and record
//! bound (u64 each). Failed: the error. Read: received (u64), the rejection count (u64) and
//! the rejections, the record count (u64), then per record a flags byte,
//! its id, its key (a kind byte; for a valid key the key, its skeleton hash and its own hash as u64 each, and for
//! a key off the ASCII fast path its skeleton and NFKC form), its fallback strings. A
//! string is a u32 length and UTF-8 bytes.

use super::budget::{job_memory, record_bound, Budget};
use super::read::{read_side, Ctx, SideIntake};
use super::record::{Extra, Keep, Rec};
use super::{
    check_unit, finish, presence_settings, sniff_format, too_large, BulkOptions, BulkPhase,
    BulkProgress, SideKeys,
};
use crate::core::error::{Error, ErrorCode, Result};
use crate::core::intake::{InputFormat, IntakeReport, Rejection, Side};
use crate::core::matching::keys::{key_of, Keyed, Unusual};
use std::borrow::Cow;

const MAGIC: &[u8; 4] = b"USP2";

/// Which input of a job a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkInput {
    Source,
    External,
    Refreshed,
}

const ACTIVE: u8 = 1;
const HAS_PERM: u8 = 2;
const PERM: u8 = 4;
const OTHER_UNIT: u8 = 8;

const EXTRA: u8 = 32;
const USER_NAME: u8 = 64;
const EMPLOYEE_ID: u8 = 128;

const KEY_MISSING: u8 = 0;
const KEY_INVALID: u8 = 1;
const KEY_PLAIN: u8 = 2;
const KEY_UNUSUAL: u8 = 3;
const KEY_CONFUSABLE: u8 = 4;

/// Reads one input of a job (`which`) and packs it. Never fails: a failure is packed too,
/// and [`match_packed`] returns it.
pub fn pack_side(bytes: &[u8], which: BulkInput, options: &BulkOptions) -> Vec<u8> {
    match read_packed(bytes, which, options) {
        Ok(buf) => buf,
        Err(e) => {
            let mut buf = MAGIC.to_vec();
            buf.push(1);
            put_u64(&mut buf, bytes.len());
            put_u64(
                &mut buf,
                record_bound(bytes, input_format(bytes, which, options).1),
            );
            put_error(&mut buf, &e);
            buf
        }
    }
}

fn input_format(bytes: &[u8], which: BulkInput, options: &BulkOptions) -> (Side, InputFormat) {
    let (side, format) = match which {
        BulkInput::Source => (Side::Source, options.source_format),
        BulkInput::External => (Side::External, options.external_format),
        BulkInput::Refreshed => (Side::External, options.refreshed_format),
    };
    (side, format.unwrap_or_else(|| sniff_format(bytes)))
}

fn read_packed(bytes: &[u8], which: BulkInput, options: &BulkOptions) -> Result<Vec<u8>> {
    let fallbacks = !presence_settings(options)?.fallbacks().is_empty();
    let (side, format) = input_format(bytes, which, options);
    let bound = record_bound(bytes, format);
    let budget = Budget::new(
        job_memory(bytes.len() as u64, bound as u64),
        options.memory_limit,
        bound as u64,
    )?;
    let ctx = Ctx {
        side,
        format,
        csv: &options.csv,
        keep: Keep {
            fallbacks,
            business_unit: options.business_unit_id.as_deref(),
        },
        records: bound,
        budget: &budget,
    };
    let read = read_side(bytes, ctx, &mut |_| {})?;
    let mut buf = Vec::new();
    let keys: Vec<Keyed<'_>> = read
        .recs
        .iter()
        .map(|r| key_of(r.email.as_ref(), &options.key, &mut buf))
        .collect();
    encode(&read, &keys, bytes.len(), bound)
}

fn put_u64(buf: &mut Vec<u8>, n: usize) {
    buf.extend_from_slice(&(n as u64).to_le_bytes());
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn put_key(buf: &mut Vec<u8>, k: &Keyed<'_>) {
    match k {
        Keyed::Missing => buf.push(KEY_MISSING),
        Keyed::Invalid => buf.push(KEY_INVALID),
        Keyed::Valid {
            key,
            skel,
            hash,
            confusable,
            unusual,
        } => {
            buf.push(match (unusual, confusable) {
                (None, _) => KEY_PLAIN,
                (Some(_), false) => KEY_UNUSUAL,
                (Some(_), true) => KEY_CONFUSABLE,
            });
            put_str(buf, key);
            buf.extend_from_slice(&skel.to_le_bytes());
            buf.extend_from_slice(&hash.to_le_bytes());
            if let Some(u) = unusual {
                put_str(buf, &u.skeleton);
                put_str(buf, &u.nfkc);
            }
        }
    }
}

fn key_size(k: &Keyed<'_>) -> usize {
    match k {
        Keyed::Valid { key, unusual, .. } => {
            21 + key.len()
                + unusual
                    .as_ref()
                    .map_or(0, |u| 8 + u.skeleton.len() + u.nfkc.len())
        }
        _ => 1,
    }
}

fn put_opt_str(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => buf.push(0),
        Some(s) => {
            buf.push(1);
            put_str(buf, s);
        }
    }
}

fn put_opt_u64(buf: &mut Vec<u8>, n: Option<usize>) {
    match n {
        None => buf.push(0),
        Some(n) => {
            buf.push(1);
            put_u64(buf, n);
        }
    }
}

fn put_code(buf: &mut Vec<u8>, code: ErrorCode) {
    let at = ErrorCode::ALL.iter().position(|c| *c == code);
    buf.push(at.and_then(|i| u8::try_from(i).ok()).unwrap_or(u8::MAX));
}

// Rejections and errors are written field by field rather than as JSON: reading JSON back
// into them would add its own deserialisers to the module for this one use.
fn put_error(buf: &mut Vec<u8>, e: &Error) {
    put_code(buf, e.code);
    put_str(buf, &e.message);
    put_opt_u64(buf, e.index);
    put_opt_str(buf, e.id.as_deref());
    put_opt_str(buf, e.field.as_deref());
    put_opt_str(buf, e.vendor_code.as_deref());
}

fn put_rejection(buf: &mut Vec<u8>, r: &Rejection) {
    buf.push(u8::from(r.side == Side::External));
    put_u64(buf, r.index);
    put_opt_u64(buf, r.line);
    put_opt_str(buf, r.id.as_deref());
    put_opt_str(buf, r.field.as_deref());
    put_code(buf, r.code);
    put_str(buf, &r.message);
}

fn rejection_size(r: &Rejection) -> usize {
    let opt = |s: &Option<String>| s.as_ref().map_or(1, |s| 5 + s.len());
    28 + opt(&r.id) + opt(&r.field) + 4 + r.message.len()
}

fn encode(
    read: &SideIntake<'_>,
    keys: &[Keyed<'_>],
    input: usize,
    bound: usize,
) -> Result<Vec<u8>> {
    let rejected: usize = read.report.rejected.iter().map(rejection_size).sum();
    let strings = |r: &Rec<'_>| {
        let extra = r.extra.as_deref().map_or(0, |x| {
            x.user_name.as_deref().map_or(0, |s| s.len() + 4)
                + x.employee_id.as_deref().map_or(0, |s| s.len() + 4)
        });
        r.id.len() + 4 + extra + 1
    };
    let size = read
        .recs
        .iter()
        .zip(keys)
        .fold(45usize.saturating_add(rejected), |n, (r, k)| {
            n.saturating_add(strings(r)).saturating_add(key_size(k))
        });
    let mut buf: Vec<u8> = Vec::new();
    buf.try_reserve_exact(size)
        .map_err(|_| too_large("the packed records"))?;
    buf.extend_from_slice(MAGIC);
    buf.push(0);
    put_u64(&mut buf, input);
    put_u64(&mut buf, bound);
    put_u64(&mut buf, read.report.received);
    put_u64(&mut buf, read.report.rejected.len());
    for r in &read.report.rejected {
        put_rejection(&mut buf, r);
    }
    put_u64(&mut buf, read.recs.len());
    for (r, k) in read.recs.iter().zip(keys) {
        let mut flags = 0u8;
        if r.active {
            flags |= ACTIVE;
        }
        if let Some(p) = r.perm {
            flags |= HAS_PERM | if p { PERM } else { 0 };
        }
        if r.other_unit {
            flags |= OTHER_UNIT;
        }
        if let Some(x) = &r.extra {
            flags |= EXTRA;
            if x.user_name.is_some() {
                flags |= USER_NAME;
            }
            if x.employee_id.is_some() {
                flags |= EMPLOYEE_ID;
            }
        }
        buf.push(flags);
        put_str(&mut buf, &r.id);
        put_key(&mut buf, k);
        if let Some(x) = &r.extra {
            if let Some(s) = &x.user_name {
                put_str(&mut buf, s);
            }
            if let Some(s) = &x.employee_id {
                put_str(&mut buf, s);
            }
        }
    }
    Ok(buf)
}

/// A packed side as read back: its records borrow their strings from the buffer.
struct Unpacked<'a> {
    input: u64,
    side: SideIntake<'a>,
    keys: Vec<Keyed<'a>>,
}

fn broken(what: &str) -> Error {
    Error::invalid_input(format!("a packed side is not what pack_side wrote: {what}"))
}

struct Cursor<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).ok_or_else(|| broken("cut short"))?;
        let out = self
            .buf
            .get(self.at..end)
            .ok_or_else(|| broken("cut short"))?;
        self.at = end;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }

    fn u32(&mut self) -> Result<usize> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| broken("cut short"))?;
        Ok(u32::from_le_bytes(b) as usize)
    }

    fn u64(&mut self) -> Result<usize> {
        let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| broken("cut short"))?;
        usize::try_from(u64::from_le_bytes(b)).map_err(|_| broken("a count too large"))
    }

    fn opt_str(&mut self) -> Result<Option<String>> {
        match self.u8()? {
            0 => Ok(None),
            _ => Ok(Some(self.str()?.into_owned())),
        }
    }

    fn opt_u64(&mut self) -> Result<Option<usize>> {
        match self.u8()? {
            0 => Ok(None),
            _ => Ok(Some(self.u64()?)),
        }
    }

    fn code(&mut self) -> Result<ErrorCode> {
        let i = self.u8()?;
        ErrorCode::ALL
            .get(usize::from(i))
            .copied()
            .ok_or_else(|| broken("an unknown error code"))
    }

    fn error(&mut self) -> Result<Error> {
        Ok(Error {
            code: self.code()?,
            message: self.str()?.into_owned(),
            index: self.opt_u64()?,
            id: self.opt_str()?,
            field: self.opt_str()?,
            vendor_code: self.opt_str()?,
        })
    }

    fn rejection(&mut self) -> Result<Rejection> {
        let side = if self.u8()? == 0 {
            Side::Source
        } else {
            Side::External
        };
        Ok(Rejection {
            side,
            index: self.u64()?,
            line: self.opt_u64()?,
            id: self.opt_str()?,
            field: self.opt_str()?,
            code: self.code()?,
            message: self.str()?.into_owned(),
        })
    }

    fn key(&mut self) -> Result<Keyed<'a>> {
        let tag = self.u8()?;
        let (unusual, confusable) = match tag {
            KEY_MISSING => return Ok(Keyed::Missing),
            KEY_INVALID => return Ok(Keyed::Invalid),
            KEY_PLAIN => (false, false),
            KEY_UNUSUAL => (true, false),
            KEY_CONFUSABLE => (true, true),
            _ => return Err(broken("an unknown key kind")),
        };
        let key = self.str()?;
        let skel: [u8; 8] = self.take(8)?.try_into().map_err(|_| broken("cut short"))?;
        let hash: [u8; 8] = self.take(8)?.try_into().map_err(|_| broken("cut short"))?;
        let unusual = if unusual {
            Some(Box::new(Unusual {
                skeleton: self.str()?.into_owned(),
                nfkc: self.str()?.into_owned(),
            }))
        } else {
            None
        };
        Ok(Keyed::Valid {
            key,
            skel: u64::from_le_bytes(skel),
            hash: u64::from_le_bytes(hash),
            confusable,
            unusual,
        })
    }

    fn str(&mut self) -> Result<Cow<'a, str>> {
        let n = self.u32()?;
        std::str::from_utf8(self.take(n)?)
            .map(Cow::Borrowed)
            .map_err(|_| broken("a string that is not UTF-8"))
    }
}

/// The file's bytes and record bound, which a failed side carries too.
fn sizes(buf: &[u8]) -> Result<(u64, u64)> {
    let mut c = Cursor { buf, at: 0 };
    if c.take(4)? != MAGIC {
        return Err(broken("no header"));
    }
    c.u8()?;
    Ok((c.u64()? as u64, c.u64()? as u64))
}

fn unpack(buf: &[u8]) -> Result<Unpacked<'_>> {
    let (input, _) = sizes(buf)?;
    let mut c = Cursor { buf, at: 21 };
    if buf.get(4) == Some(&1) {
        let rest = buf.get(21..).unwrap_or_default();
        let mut c = Cursor { buf: rest, at: 0 };
        return Err(c.error().unwrap_or_else(|e| e));
    }
    let received = c.u64()?;
    let n = c.u64()?;
    // Every rejection takes at least 17 bytes: a count beyond that is not this buffer's.
    if n > buf.len() / 17 {
        return Err(broken("more rejections than bytes"));
    }
    let mut rejected: Vec<Rejection> = Vec::new();
    rejected
        .try_reserve_exact(n)
        .map_err(|_| too_large("the rejections"))?;
    for _ in 0..n {
        rejected.push(c.rejection()?);
    }
    let count = c.u64()?;
    // Every record takes at least five bytes: a count beyond that is not this buffer's.
    if count > buf.len() / 5 {
        return Err(broken("more records than bytes"));
    }
    let mut recs: Vec<Rec<'_>> = Vec::new();
    recs.try_reserve_exact(count)
        .map_err(|_| too_large("the records"))?;
    let mut keys: Vec<Keyed<'_>> = Vec::new();
    keys.try_reserve_exact(count)
        .map_err(|_| too_large("the keys"))?;
    for _ in 0..count {
        let flags = c.u8()?;
        let id = c.str()?;
        keys.push(c.key()?);
        let extra = if flags & EXTRA != 0 {
            let user_name = if flags & USER_NAME != 0 {
                Some(c.str()?)
            } else {
                None
            };
            let employee_id = if flags & EMPLOYEE_ID != 0 {
                Some(c.str()?)
            } else {
                None
            };
            Some(Box::new(Extra {
                user_name,
                employee_id,
            }))
        } else {
            None
        };
        recs.push(Rec {
            id,
            // The key stands for it from here on.
            email: None,
            extra,
            active: flags & ACTIVE != 0,
            perm: (flags & HAS_PERM != 0).then_some(flags & PERM != 0),
            other_unit: flags & OTHER_UNIT != 0,
            pos: 0,
            start: 0,
            end: 0,
        });
    }
    if c.at != buf.len() {
        return Err(broken("bytes after the last record"));
    }
    Ok(Unpacked {
        input,
        side: SideIntake {
            report: IntakeReport {
                received,
                accepted: recs.len(),
                rejected,
            },
            recs,
        },
        keys,
    })
}

fn unpack_phase<'a>(
    buf: &'a [u8],
    phase: BulkPhase,
    progress: &mut dyn FnMut(BulkProgress),
) -> Result<Unpacked<'a>> {
    let u = unpack(buf)?;
    progress(BulkProgress {
        phase,
        done: u.input,
        total: u.input,
        summary: None,
    });
    Ok(u)
}

/// Runs a bulk job over sides read by [`pack_side`]: the same report, or the same error,
/// as [`super::match_bulk`] over the files they were read from (the memory check counts
/// each file's bytes and records, as there).
pub fn match_packed(
    source: &[u8],
    external: &[u8],
    refreshed: Option<&[u8]>,
    options: &BulkOptions,
    progress: &mut dyn FnMut(BulkProgress),
) -> Result<String> {
    presence_settings(options)?;
    let s = sizes(source)?;
    let e = sizes(external)?;
    let f = refreshed.map(sizes).transpose()?.unwrap_or((0, 0));
    let records = s.1.saturating_add(e.1).saturating_add(f.1);
    let input = s.0.saturating_add(e.0).saturating_add(f.0);
    let budget = Budget::new(job_memory(input, records), options.memory_limit, records)?;
    // The rejections are charged to the whole job here, as reading in one place charges
    // them (each reader charged only its own file).
    let charge = |u: &Unpacked<'_>| budget.charge_rejections(&u.side.report.rejected, &mut 0);
    let src = unpack_phase(source, BulkPhase::ReadSource, progress)?;
    charge(&src)?;
    check_unit(&src.side, options)?;
    let ext = unpack_phase(external, BulkPhase::ReadExternal, progress)?;
    charge(&ext)?;
    let fresh = refreshed
        .map(|r| unpack_phase(r, BulkPhase::ReadRefreshed, progress))
        .transpose()?;
    if let Some(f) = &fresh {
        charge(f)?;
    }
    let (fresh, fresh_keys) = match fresh {
        Some(f) => (Some(f.side), Some(f.keys)),
        None => (None, None),
    };
    let keys = SideKeys {
        src: src.keys,
        ext: ext.keys,
        fresh: fresh_keys,
    };
    finish(src.side, ext.side, fresh, Some(keys), options, progress)
}
