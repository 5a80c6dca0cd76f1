//! Bulk matching: both directories as file bytes in, the Auto Sync outcome of
//! every CXone user out, as one string. The outcome is what `PresenceState` gives for a
//! fresh state after the first pass, the retry (against `refreshed` when given) and apply;
//! the intake report is what `core::intake` gives for the same bytes.
//!
//! Fast because: records are read in one serde pass with strings borrowed from the input (no
//! `serde_json::Map` per record), into vectors reserved once from a record count; the rules
//! are the matching kernel's (`core::matching`), which keys plain ASCII addresses without
//! Unicode machinery and compares interned key ids; the report is written straight into one
//! buffer. Anything unusual is handed to intake's own code.
//!
//! Decisions the product rules leave open:
//! - Users come out sorted by id (the engine's order); rejected records by side, then line.
//! - `businessUnitId` set: a CXone user naming another business unit fails the job with
//!   `invalid_input` (as `PresenceState::load_sources` does); unset: no check.
//! - The CSV report holds the users, then the rejected records as rows of status `rejected`
//!   (side, line, field, code, message); counts come in the last progress event.
//! - Memory: a job is refused with `input_too_large` before any work when its estimate by
//!   bytes ([`estimate_memory`]) or by records ([`job_memory`]) passes the limit (3.5 GiB,
//!   or `memoryLimit` when lower), and stopped the same way when reading finds more to keep
//!   than the estimate foresaw (see `budget`).

mod budget;
mod csv_read;
mod join;
mod json;
mod output;
mod packed;
mod read;
mod record;

#[cfg(test)]
mod budget_tests;
#[cfg(test)]
mod packed_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use crate::core::email_key::KeyOptions;
use crate::core::error::{Error, ErrorCode, Result};
use crate::core::intake::{CsvOptions, InputFormat, Side};
use crate::core::mapping::{MatchedBy, ReasonCounts, StatusCounts};
use crate::core::matching::keys::{key_of, Keyed};
use crate::core::matching::merge_by_id;
use join::{join, JoinSettings};
use read::{read_side, Ctx, SideIntake};
use record::{Keep, Rec};
use serde::{Deserialize, Serialize};

pub use budget::{check_memory, estimate_memory, job_memory, MEMORY_LIMIT};
use budget::{record_bound, Budget};
pub use output::formula_safe;
pub use packed::{match_packed, pack_side, BulkInput};

/// The report's format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum BulkOutputFormat {
    /// `{"summary": {...}, "users": [{"id","status","reason","externalId","method"}],
    /// "rejected": [{"side","line","id","field","code","message"}]}`.
    #[default]
    Json,
    /// `id,status,reason,externalId,method,matchedBy,side,line,field,code,message`: one row
    /// per user (the last five cells empty), then one per rejected record (status
    /// `rejected`, the user cells empty but `id`); formula-safe.
    Csv,
}

/// How to run a bulk job. Every field is optional.
///
/// @example `{ sourceFormat: "csv", csv: { columns: [{ field: "email", header: "Email" }] }, output: "csv" }`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct BulkOptions {
    /// Format of the CXone users; default: sniffed (`[` JSON, `{` NDJSON, else CSV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_format: Option<InputFormat>,
    /// Format of the external directory; default: sniffed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_format: Option<InputFormat>,
    /// Format of the refreshed directory; default: sniffed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refreshed_format: Option<InputFormat>,
    /// CSV column renames and delimiter, for every CSV input.
    pub csv: CsvOptions,
    /// The report's format (default JSON).
    pub output: BulkOutputFormat,
    /// How email keys are made.
    pub key: KeyOptions,
    /// Treat a CXone user with no `permissions` list as holding `UserMapping.Map`.
    pub missing_permissions_granted: bool,
    /// Keys tried, in order, for users whose email found no account (default: none).
    pub fallback_keys: Vec<MatchedBy>,
    /// The business unit of the job: users naming another one fail the job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_unit_id: Option<String>,
    /// Refuse jobs whose memory estimate passes this many bytes (default and most: 3.5 GiB).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<u64>,
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum BulkPhase {
    ReadSource,
    ReadExternal,
    ReadRefreshed,
    Match,
    Output,
    Done,
}

/// One progress report: `done` of `total` in the phase (bytes while reading, users after).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BulkProgress {
    pub phase: BulkPhase,
    pub done: u64,
    pub total: u64,
    /// The counts, in the `done` event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<BulkSummary>,
}

/// Records read from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FileCounts {
    pub received: usize,
    pub accepted: usize,
    pub rejected: usize,
}

/// Counts per status and reason, and per input file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct BulkSummary {
    /// CXone users in the report.
    pub users: usize,
    pub by_status: StatusCounts,
    pub by_reason: ReasonCounts,
    pub source: FileCounts,
    pub external: FileCounts,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refreshed: Option<FileCounts>,
}

pub(crate) fn too_large(what: &str) -> Error {
    Error::new(
        ErrorCode::InputTooLarge,
        format!("the job is too large: memory for {what} could not be reserved"),
    )
}

/// The format of `bytes` by its first non-blank byte: `[` JSON, `{` NDJSON, else CSV.
pub fn sniff_format(bytes: &[u8]) -> InputFormat {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => InputFormat::Json,
        Some(b'{') => InputFormat::Ndjson,
        _ => InputFormat::Csv,
    }
}

fn read_phase<'a>(
    phase: BulkPhase,
    bytes: &'a [u8],
    c: Ctx<'_>,
    progress: &mut dyn FnMut(BulkProgress),
) -> Result<SideIntake<'a>> {
    let total = bytes.len() as u64;
    progress(BulkProgress {
        phase,
        done: 0,
        total,
        summary: None,
    });
    read_side(bytes, c, &mut |done| {
        progress(BulkProgress {
            phase,
            done: done as u64,
            total,
            summary: None,
        })
    })
}

fn counts(i: &SideIntake<'_>) -> FileCounts {
    FileCounts {
        received: i.report.received,
        accepted: i.report.accepted,
        rejected: i.report.rejected.len(),
    }
}

/// Runs a bulk job: reads both directories (and the refreshed one), matches, and returns
/// the report as one string. `progress` is called as the job goes (never while it holds
/// anything the callback could disturb: it gets a plain value).
///
/// Errors: `input_too_large` (the memory estimate passes the limit: nothing was done);
/// `invalid_input` for a file intake refuses as a whole (a JSON file that is not an array,
/// a CSV file without an id column...) or a user of another business unit.
pub fn match_bulk(
    source: &[u8],
    external: &[u8],
    refreshed: Option<&[u8]>,
    options: &BulkOptions,
    progress: &mut dyn FnMut(BulkProgress),
) -> Result<String> {
    let sizes = (
        source.len(),
        external.len(),
        refreshed.map_or(0, <[u8]>::len),
    );
    let fallbacks = presence_settings(options)?.fallbacks();
    let keep = Keep {
        fallbacks: !fallbacks.is_empty(),
        business_unit: options.business_unit_id.as_deref(),
    };
    let format = |bytes: &[u8], f: Option<InputFormat>| f.unwrap_or_else(|| sniff_format(bytes));
    let formats = (
        format(source, options.source_format),
        format(external, options.external_format),
        refreshed.map(|r| format(r, options.refreshed_format)),
    );
    let bounds = (
        record_bound(source, formats.0),
        record_bound(external, formats.1),
        refreshed.zip(formats.2).map(|(r, f)| record_bound(r, f)),
    );
    let records = (bounds.0 as u64)
        .saturating_add(bounds.1 as u64)
        .saturating_add(bounds.2.unwrap_or(0) as u64);
    let input = (sizes.0 as u64)
        .saturating_add(sizes.1 as u64)
        .saturating_add(sizes.2 as u64);
    let budget = Budget::new(job_memory(input, records), options.memory_limit, records)?;
    let ctx = |side, format, records| Ctx {
        side,
        format,
        csv: &options.csv,
        keep,
        records,
        budget: &budget,
    };
    let src = read_phase(
        BulkPhase::ReadSource,
        source,
        ctx(Side::Source, formats.0, bounds.0),
        progress,
    )?;
    check_unit(&src, options)?;
    let ext = read_phase(
        BulkPhase::ReadExternal,
        external,
        ctx(Side::External, formats.1, bounds.1),
        progress,
    )?;
    let fresh = match (refreshed, formats.2) {
        (Some(bytes), Some(f)) => Some(read_phase(
            BulkPhase::ReadRefreshed,
            bytes,
            ctx(Side::External, f, bounds.2.unwrap_or(0)),
            progress,
        )?),
        _ => None,
    };

    finish(src, ext, fresh, None, options, progress)
}

fn keys_of<'a>(recs: &[Rec<'a>], options: &BulkOptions) -> Vec<Keyed<'a>> {
    let mut buf = Vec::new();
    recs.iter()
        .map(|r| key_of(r.email.as_ref(), &options.key, &mut buf))
        .collect()
}

/// A CXone user naming another business unit than the job's fails the whole job.
fn check_unit(src: &SideIntake<'_>, options: &BulkOptions) -> Result<()> {
    if let Some(bad) = src.recs.iter().find(|r| r.other_unit) {
        return Err(Error::invalid_input(format!(
            "user {} belongs to another business unit than {}",
            bad.id,
            options.business_unit_id.as_deref().unwrap_or_default()
        ))
        .with_id(bad.id.to_string())
        .with_field("businessUnitId"));
    }
    Ok(())
}

fn presence_settings(options: &BulkOptions) -> Result<crate::core::mapping::PresenceSettings> {
    let settings = crate::core::mapping::PresenceSettings {
        fallback_keys: options.fallback_keys.clone(),
        ..Default::default()
    };
    settings.validate()?;
    Ok(settings)
}

/// From the sides as read to the report: the same whether the sides were read here or
/// elsewhere and handed over packed.
/// The match keys of each side's records, in the records' order, when their reader made
/// them.
pub(crate) struct SideKeys<'a> {
    pub src: Vec<Keyed<'a>>,
    pub ext: Vec<Keyed<'a>>,
    pub fresh: Option<Vec<Keyed<'a>>>,
}

fn finish<'a>(
    src: SideIntake<'a>,
    ext: SideIntake<'a>,
    fresh: Option<SideIntake<'a>>,
    keys: Option<SideKeys<'a>>,
    options: &BulkOptions,
    progress: &mut dyn FnMut(BulkProgress),
) -> Result<String> {
    let fallbacks = presence_settings(options)?.fallbacks();
    let mut summary = BulkSummary {
        users: src.recs.len(),
        source: counts(&src),
        external: counts(&ext),
        refreshed: fresh.as_ref().map(counts),
        ..Default::default()
    };
    let mut rejected: Vec<(Side, bool, crate::core::intake::Rejection)> = Vec::new();
    let SideIntake {
        recs: src_recs,
        report: src_report,
    } = src;
    let SideIntake {
        recs: ext_recs,
        report: ext_report,
    } = ext;
    rejected.extend(
        src_report
            .rejected
            .into_iter()
            .map(|r| (Side::Source, false, r)),
    );
    rejected.extend(
        ext_report
            .rejected
            .into_iter()
            .map(|r| (Side::External, false, r)),
    );
    let (ext_recs, keys) = match fresh {
        Some(f) => {
            rejected.extend(
                f.report
                    .rejected
                    .into_iter()
                    .map(|r| (Side::External, true, r)),
            );
            match keys {
                None => (merge_by_id(ext_recs, f.recs, |r| &r.id), None),
                // The keys go where their records go.
                Some(SideKeys { src, ext, fresh }) => {
                    let dir: Vec<_> = ext_recs.into_iter().zip(ext).collect();
                    let new: Vec<_> = f.recs.into_iter().zip(fresh.unwrap_or_default()).collect();
                    let (recs, ext): (Vec<_>, Vec<_>) =
                        merge_by_id(dir, new, |(r, _)| &r.id).into_iter().unzip();
                    (recs, Some((src, ext)))
                }
            }
        }
        None => (ext_recs, keys.map(|k| (k.src, k.ext))),
    };

    let users = src_recs.len() as u64;
    progress(BulkProgress {
        phase: BulkPhase::Match,
        done: 0,
        total: users,
        summary: None,
    });
    let (src_keys, ext_keys) = match keys {
        Some(k) => k,
        None => (keys_of(&src_recs, options), keys_of(&ext_recs, options)),
    };
    let js = JoinSettings {
        missing_permissions_granted: options.missing_permissions_granted,
        fallbacks: &fallbacks,
    };
    let outcomes = join(&src_recs, &src_keys, &ext_recs, &ext_keys, &js);
    drop(src_keys);
    drop(ext_keys);
    for o in &outcomes {
        summary.by_status.add(o.status);
        if let Some(r) = o.reason {
            summary.by_reason.add(r);
        }
    }

    progress(BulkProgress {
        phase: BulkPhase::Output,
        done: 0,
        total: users,
        summary: None,
    });
    let text = match options.output {
        BulkOutputFormat::Json => {
            output::json(&summary, &src_recs, &outcomes, &ext_recs, &rejected)?
        }
        BulkOutputFormat::Csv => output::csv(&src_recs, &outcomes, &ext_recs, &rejected)?,
    };
    progress(BulkProgress {
        phase: BulkPhase::Done,
        done: users,
        total: users,
        summary: Some(summary),
    });
    Ok(text)
}
