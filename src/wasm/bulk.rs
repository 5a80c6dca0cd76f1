//! Bulk matching exports: file bytes in, one report string out. Records never
//! cross the boundary as JS objects; progress does, as one small object now and then.
//!
//! Memory is grown once per job, up front, from the input sizes: growing wasm memory in
//! small steps while a large JS heap is alive made V8 run dozens of full GCs (a 4x slowdown
//! in the prototype). The allocator (dlmalloc) takes memory only at its top and keeps what is
//! freed, so reserving the job's estimate and freeing it at once leaves one large free chunk
//! that the job then carves from, without another `memory.grow`.

use super::convert::out;
use super::errors::{invalid_input, to_js as error_to_js, JsResult};
use crate::core::bulk::{
    check_memory, match_bulk, match_packed, pack_side, BulkInput, BulkOptions,
};
use crate::core::{Error, ErrorCode};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const BULK_TS: &'static str = r#"
/** Options of `matchBulk`: `BulkOptions` plus the refreshed directory's bytes; the retry pass runs against it. */
export interface MatchBulkOptions extends BulkOptions {
  /** The re-fetched accounts for the retry pass (same formats as the directory). */
  refreshed?: Uint8Array;
}
"#;

/// Reserves `bytes` of wasm memory in one step and hands it back to the allocator, which
/// keeps it as free space. `input_too_large` when the memory cannot grow that far (the
/// instance survives: the failed reservation is an `Err`, not a trap).
fn grow_once(bytes: u64) -> JsResult<()> {
    // One allocation may not pass isize::MAX (2 GiB on wasm32): reserve in pieces, taken
    // one after the other from the allocator's top, then free them all (they merge back).
    const PIECE: u64 = 1 << 30;
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    let mut left = bytes;
    while left > 0 {
        let n = usize::try_from(left.min(PIECE)).map_err(|_| error_to_js(refused(bytes)))?;
        let mut piece: Vec<u8> = Vec::new();
        piece
            .try_reserve_exact(n)
            .map_err(|_| error_to_js(refused(bytes)))?;
        pieces.push(piece);
        left -= n as u64;
    }
    drop(pieces);
    Ok(())
}

fn refused(bytes: u64) -> Error {
    Error::new(
        ErrorCode::InputTooLarge,
        format!(
            "the job needs about {} MiB of WebAssembly memory, which cannot be had; split the directories",
            bytes >> 20
        ),
    )
}

/// A byte count from JS (a number), refused when it does not fit this instance.
fn size(n: f64) -> JsResult<usize> {
    if n.is_finite() && n >= 0.0 && n <= usize::MAX as f64 {
        Ok(n as usize)
    } else {
        Err(error_to_js(refused(if n.is_finite() && n > 0.0 {
            n as u64
        } else {
            u64::MAX
        })))
    }
}

/// A zeroed buffer of `len` bytes, or `input_too_large`.
fn buffer(len: usize) -> JsResult<Vec<u8>> {
    let mut v: Vec<u8> = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| error_to_js(refused(len as u64)))?;
    v.resize(len, 0);
    Ok(v)
}

/// A bulk job whose input buffers live in WebAssembly memory, so files can be read straight
/// into them (no JS copy of the data at all). Create it with the file sizes, fill the views
/// (`source()`, `external()`, `refreshed()`), then `run`. Call `free()` when done.
///
/// @example
/// const job = new BulkJob(srcSize, extSize);
/// readSync(srcFd, job.source()); readSync(extFd, job.external());
/// const report = JSON.parse(job.run({ output: "json" }));
/// job.free();
#[wasm_bindgen(js_name = "BulkJob")]
pub struct BulkJob {
    source: Vec<u8>,
    external: Vec<u8>,
    refreshed: Option<Vec<u8>>,
    /// The last `runBytes` report, kept so JS can write it out from a view.
    report: Vec<u8>,
}

#[wasm_bindgen(js_class = "BulkJob")]
impl BulkJob {
    /// Reserves the memory the job will likely need (one `memory.grow`) and the input
    /// buffers. Throws `input_too_large`, before allocating anything, when inputs of these
    /// sizes cannot fit the limit (3.5 GiB, or `memoryLimit` when lower); `run` checks
    /// again by the records the files hold, and throws the same error (the job stays
    /// usable) when they need more.
    #[wasm_bindgen(constructor)]
    pub fn new(
        source_len: f64,
        external_len: f64,
        refreshed_len: Option<f64>,
        memory_limit: Option<f64>,
    ) -> JsResult<BulkJob> {
        let limit = memory_limit
            .filter(|l| l.is_finite() && *l >= 0.0)
            .map(|l| l as u64);
        let (source_len, external_len) = (size(source_len)?, size(external_len)?);
        let refreshed_len = refreshed_len.map(size).transpose()?;
        let need = check_memory(
            (source_len, external_len, refreshed_len.unwrap_or(0)),
            limit,
        )
        .map_err(error_to_js)?;
        grow_once(need)?;
        Ok(BulkJob {
            source: buffer(source_len)?,
            external: buffer(external_len)?,
            refreshed: refreshed_len.map(buffer).transpose()?,
            report: Vec::new(),
        })
    }

    /// A view of the CXone users' buffer in WebAssembly memory, to fill before `run`. Valid
    /// until `run` or `free` (the job does not grow memory before then).
    pub fn source(&mut self) -> js_sys::Uint8Array {
        view(&mut self.source)
    }

    /// A view of the external directory's buffer; see `source()`.
    pub fn external(&mut self) -> js_sys::Uint8Array {
        view(&mut self.external)
    }

    /// A view of the refreshed directory's buffer, when the job has one; see `source()`.
    pub fn refreshed(&mut self) -> Option<js_sys::Uint8Array> {
        self.refreshed.as_mut().map(|r| view(r))
    }

    /// Runs the job over the filled buffers; returns the report (JSON or CSV, see
    /// `BulkOptions.output`). `onProgress` gets a `BulkProgress` now and then; the last one
    /// (`phase: "done"`) carries the summary.
    pub fn run(
        &self,
        options: Option<BulkOptionsArg>,
        #[wasm_bindgen(js_name = "onProgress")] on_progress: Option<ProgressCallback>,
    ) -> JsResult<String> {
        let options = read_options(options.as_ref().map(AsRef::as_ref))?;
        run_job(
            &self.source,
            &self.external,
            self.refreshed.as_deref(),
            &options,
            callback(on_progress.as_ref()),
        )
    }

    /// Like `run`, but the report stays in WebAssembly memory and comes back as a view of
    /// its UTF-8 bytes: no JS string is made, so a 100 MB report costs its size once, not
    /// twice. The view is valid until the next `run`/`runBytes` or `free()`; write it out
    /// (e.g. `fs.writeSync`, or `stream.write(view, () => job.free())`) before either.
    #[wasm_bindgen(js_name = "runBytes")]
    pub fn run_bytes(
        &mut self,
        options: Option<BulkOptionsArg>,
        #[wasm_bindgen(js_name = "onProgress")] on_progress: Option<ProgressCallback>,
    ) -> JsResult<js_sys::Uint8Array> {
        // The previous report goes first, so its memory serves this run.
        self.report = Vec::new();
        self.report = self.run(options, on_progress)?.into_bytes();
        Ok(view(&mut self.report))
    }

    /// Reads one of this job's inputs (`which`) on its own and packs what the join needs of
    /// it into a compact buffer, returned as a view like `runBytes`'s (copy it out, e.g.
    /// `view.slice()`, before the next call or `free()`). Lets each input be read by its own
    /// instance, in its own worker thread; `runPacked` then joins the packs. Never throws
    /// for the input's content: a failure is packed and `runPacked` throws it, in the order
    /// `run` would have.
    #[wasm_bindgen(js_name = "packSide")]
    pub fn pack_side(
        &mut self,
        which: BulkInputArg,
        options: Option<BulkOptionsArg>,
    ) -> JsResult<js_sys::Uint8Array> {
        let options = read_options(options.as_ref().map(AsRef::as_ref))?;
        let which = match which.as_string().as_deref() {
            Some("source") => BulkInput::Source,
            Some("external") => BulkInput::External,
            Some("refreshed") => BulkInput::Refreshed,
            _ => {
                return Err(invalid_input(
                    "which must be \"source\", \"external\" or \"refreshed\"",
                ))
            }
        };
        let bytes: &[u8] = match which {
            BulkInput::Source => &self.source,
            BulkInput::External => &self.external,
            BulkInput::Refreshed => self.refreshed.as_deref().unwrap_or_default(),
        };
        let packed = pack_side(bytes, which, &options);
        self.report = packed;
        Ok(view(&mut self.report))
    }

    /// Like `runBytes`, over buffers filled with `packSide` packs (of the same options)
    /// instead of files: the same report, or the same error, as `runBytes` over the files
    /// themselves. Throws `invalid_input` for a buffer that is not such a pack.
    #[wasm_bindgen(js_name = "runPacked")]
    pub fn run_packed(
        &mut self,
        options: Option<BulkOptionsArg>,
        #[wasm_bindgen(js_name = "onProgress")] on_progress: Option<ProgressCallback>,
    ) -> JsResult<js_sys::Uint8Array> {
        self.report = Vec::new();
        let options = read_options(options.as_ref().map(AsRef::as_ref))?;
        let on_progress = callback(on_progress.as_ref());
        let mut report = reporter(on_progress);
        let text = match_packed(
            &self.source,
            &self.external,
            self.refreshed.as_deref(),
            &options,
            &mut report,
        )
        .map_err(error_to_js)?;
        self.report = text.into_bytes();
        Ok(view(&mut self.report))
    }
}

#[wasm_bindgen]
extern "C" {
    /// `BulkOptions` (or `MatchBulkOptions`) from JS.
    #[wasm_bindgen(typescript_type = "BulkOptions")]
    pub type BulkOptionsArg;
    /// Which input of a job.
    #[wasm_bindgen(typescript_type = "\"source\" | \"external\" | \"refreshed\"")]
    pub type BulkInputArg;
    #[wasm_bindgen(typescript_type = "MatchBulkOptions")]
    pub type MatchBulkOptionsArg;
    /// A progress callback from JS (typed here, so a trailing one stays optional in TS).
    #[wasm_bindgen(typescript_type = "((p: BulkProgress) => void)")]
    pub type ProgressCallback;
}

fn callback(f: Option<&ProgressCallback>) -> Option<&js_sys::Function> {
    f.map(JsCast::unchecked_ref)
}

fn view(buf: &mut [u8]) -> js_sys::Uint8Array {
    // SAFETY: the view aliases this buffer, which lives as long as the job; JS uses it to
    // fill an input before `run` or to write the report out, and the job allocates nothing
    // (so memory cannot grow and detach the view) until its next `run` or `free`.
    unsafe { js_sys::Uint8Array::view_mut_raw(buf.as_mut_ptr(), buf.len()) }
}

fn read_options(value: Option<&JsValue>) -> JsResult<BulkOptions> {
    match value {
        None => Ok(BulkOptions::default()),
        Some(v) if v.is_undefined() || v.is_null() => Ok(BulkOptions::default()),
        Some(v) => super::convert::arg(v.clone(), "options"),
    }
}

fn reporter(
    on_progress: Option<&js_sys::Function>,
) -> impl FnMut(crate::core::bulk::BulkProgress) + '_ {
    move |p| {
        if let Some(f) = on_progress {
            if let Ok(v) = out(&p) {
                // A throwing callback does not stop the job (it only reports on it).
                let _ = f.call1(&JsValue::NULL, &v);
            }
        }
    }
}

fn run_job(
    source: &[u8],
    external: &[u8],
    refreshed: Option<&[u8]>,
    options: &BulkOptions,
    on_progress: Option<&js_sys::Function>,
) -> JsResult<String> {
    let mut report = reporter(on_progress);
    match_bulk(source, external, refreshed, options, &mut report).map_err(error_to_js)
}

/// Matches two directories given as file bytes (CSV, NDJSON or a JSON array: see
/// `BulkOptions`) and returns the Auto Sync outcome of every CXone user, the counts per
/// status and reason, and the intake report, as one string (JSON, or CSV when
/// `output: "csv"`). The outcome equals the engine's first pass + retry + apply on a fresh
/// state. Throws `input_too_large` (before any work) when the job would need more memory
/// than a WebAssembly instance has, `invalid_input` for a file unreadable as a whole.
///
/// @example
/// const report = JSON.parse(matchBulk(readFileSync("cxone.csv"), readFileSync("rc.json")));
/// console.log(report.summary.byStatus.mapped);
#[wasm_bindgen(js_name = "matchBulk")]
pub fn match_bulk_js(
    source: &js_sys::Uint8Array,
    external: &js_sys::Uint8Array,
    options: Option<MatchBulkOptionsArg>,
    #[wasm_bindgen(js_name = "onProgress")] on_progress: Option<ProgressCallback>,
) -> JsResult<String> {
    let raw: Option<&JsValue> = options.as_ref().map(AsRef::as_ref);
    let refreshed = match raw {
        Some(v) if v.is_object() => {
            let r = js_sys::Reflect::get(v, &"refreshed".into()).unwrap_or(JsValue::UNDEFINED);
            if r.is_undefined() || r.is_null() {
                None
            } else {
                Some(
                    r.dyn_into::<js_sys::Uint8Array>()
                        .map_err(|_| invalid_input("options.refreshed must be a Uint8Array"))?,
                )
            }
        }
        _ => None,
    };
    let parsed = read_options(raw)?;
    let mut job = BulkJob::new(
        f64::from(source.length()),
        f64::from(external.length()),
        refreshed.as_ref().map(|r| f64::from(r.length())),
        parsed.memory_limit.map(|l| l as f64),
    )?;
    source.copy_to(&mut job.source);
    external.copy_to(&mut job.external);
    if let (Some(r), Some(buf)) = (&refreshed, job.refreshed.as_mut()) {
        r.copy_to(buf);
    }
    run_job(
        &job.source,
        &job.external,
        job.refreshed.as_deref(),
        &parsed,
        callback(on_progress.as_ref()),
    )
}

/// The memory (bytes) a bulk job over inputs of these sizes is likely to need, or throws
/// `input_too_large` when they cannot fit the limit at all: lets a caller refuse a job
/// before reading its files (the run itself checks again by the records they hold).
#[wasm_bindgen(js_name = "bulkMemoryEstimate")]
pub fn bulk_memory_estimate(
    source_len: f64,
    external_len: f64,
    refreshed_len: Option<f64>,
) -> JsResult<f64> {
    let sizes = (
        size(source_len)?,
        size(external_len)?,
        size(refreshed_len.unwrap_or(0.0))?,
    );
    check_memory(sizes, None)
        .map(|n| n as f64)
        .map_err(error_to_js)
}
