//! Record intake exports (docs/identity.md): JS batches and file bytes in, typed records and an intake
//! report out. Nothing is dropped without a line in the report.

use super::convert::{arg, out, records_from_js, Element};
use super::errors::{invalid_input, to_js as error_to_js, JsResult};
use crate::core::intake::{
    intake_external, intake_external_bytes, intake_source, intake_source_bytes, merge, CsvOptions,
    InputFormat, Intake, IntakeReport, RawRecord, Rejection, Side,
};
use crate::core::records::{ExternalUser, SourceUser};
use crate::core::ErrorCode;
use serde::{Deserialize, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

/// CXone users accepted from a batch, in input order, and the intake report.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SourceIntake {
    pub records: Vec<SourceUser>,
    pub report: IntakeReport,
}

/// External accounts accepted from a batch, in input order, and the intake report.
#[derive(Serialize, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ExternalIntake {
    pub records: Vec<ExternalUser>,
    pub report: IntakeReport,
}

/// Splits a JS array into raw records and rejections for elements that are not objects.
pub(crate) fn raw_records(
    value: &JsValue,
    side: Side,
) -> JsResult<(Vec<RawRecord>, Vec<Rejection>)> {
    let elements = records_from_js(value).map_err(invalid_input)?;
    let mut raw = Vec::with_capacity(elements.len());
    let mut rejected = Vec::new();
    for (index, element) in elements {
        match element {
            Element::Record(r) => raw.push(r),
            Element::NotARecord(why) => rejected.push(Rejection {
                side,
                index,
                line: None,
                id: None,
                field: None,
                code: ErrorCode::InvalidInput,
                message: format!("record {index}: {why}"),
            }),
        }
    }
    Ok((raw, rejected))
}

pub(crate) fn source_batch(value: &JsValue) -> JsResult<Intake<SourceUser>> {
    let (raw, rejected) = raw_records(value, Side::Source)?;
    Ok(merge(intake_source(raw, false), rejected, &[]))
}

pub(crate) fn external_batch(value: &JsValue) -> JsResult<Intake<ExternalUser>> {
    let (raw, rejected) = raw_records(value, Side::External)?;
    Ok(merge(intake_external(raw, false), rejected, &[]))
}

fn csv_options(csv: Option<Ts<CsvOptions>>) -> JsResult<CsvOptions> {
    csv.map(|c| arg(c.into(), "csv"))
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Validates and de-duplicates a batch of CXone users given as JS objects (camelCase
/// field names, as in `SourceUser`). Bad records are in `report.rejected`, never thrown; only a value
/// that is not an array throws (`invalid_input`).
///
/// @example
/// const { records, report } = intakeSourceUsers([{ id: "u1", email: "ann@example.com" }]);
#[wasm_bindgen(js_name = "intakeSourceUsers", unchecked_return_type = "SourceIntake")]
pub fn intake_source_users(
    #[wasm_bindgen(unchecked_param_type = "ReadonlyArray<SourceUser>")] records: JsValue,
) -> JsResult<JsValue> {
    let Intake { records, report } = source_batch(&records)?;
    out(&SourceIntake { records, report })
}

/// Validates and de-duplicates a batch of external accounts given as JS objects.
#[wasm_bindgen(
    js_name = "intakeExternalUsers",
    unchecked_return_type = "ExternalIntake"
)]
pub fn intake_external_users(
    #[wasm_bindgen(unchecked_param_type = "ReadonlyArray<ExternalUser>")] records: JsValue,
) -> JsResult<JsValue> {
    let Intake { records, report } = external_batch(&records)?;
    out(&ExternalIntake { records, report })
}

/// Parses a file of CXone users (`json` array, `ndjson` or `csv` bytes). Rejections carry
/// the file line. Throws `invalid_input` only when the file as a whole is unreadable.
#[wasm_bindgen(js_name = "parseSourceUsers", unchecked_return_type = "SourceIntake")]
pub fn parse_source_users(
    bytes: &[u8],
    format: Ts<InputFormat>,
    csv: Option<Ts<CsvOptions>>,
) -> JsResult<JsValue> {
    let format: InputFormat = arg(format.into(), "format")?;
    let Intake { records, report } =
        intake_source_bytes(bytes, format, &csv_options(csv)?).map_err(error_to_js)?;
    out(&SourceIntake { records, report })
}

/// Parses a file of external accounts; see `parseSourceUsers`.
#[wasm_bindgen(
    js_name = "parseExternalUsers",
    unchecked_return_type = "ExternalIntake"
)]
pub fn parse_external_users(
    bytes: &[u8],
    format: Ts<InputFormat>,
    csv: Option<Ts<CsvOptions>>,
) -> JsResult<JsValue> {
    let format: InputFormat = arg(format.into(), "format")?;
    let Intake { records, report } =
        intake_external_bytes(bytes, format, &csv_options(csv)?).map_err(error_to_js)?;
    out(&ExternalIntake { records, report })
}

/// Intake report only, for a quick look at a file (the CLI's `intake` command).
#[wasm_bindgen(js_name = "intakeReport", unchecked_return_type = "IntakeReport")]
pub fn intake_report(bytes: &[u8], side: Ts<Side>, format: Ts<InputFormat>) -> JsResult<JsValue> {
    let (side, format) = (
        arg::<Side>(side.into(), "side")?,
        arg::<InputFormat>(format.into(), "format")?,
    );
    let report = match side {
        Side::Source => {
            intake_source_bytes(bytes, format, &CsvOptions::default()).map(|i| i.report)
        }
        Side::External => {
            intake_external_bytes(bytes, format, &CsvOptions::default()).map(|i| i.report)
        }
    }
    .map_err(error_to_js)?;
    out(&report)
}
