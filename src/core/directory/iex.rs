//! IEX WFM SmartSync REST answers, decoded without I/O: the login, the agent-export job (its
//! id, its status, its result pages) and the management units. What the public help pages
//! show is confirmed; the shapes they do not show are inferred and accepted loosely (named
//! `inferred` below), so a real answer that differs fails with a message naming what it got.

use crate::core::error::{quote, Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Confirmed paths (public help pages).
pub const LOGIN_PATH: &str = "/SMARTSync/services/rs/users/v1/login";
pub const EXPORT_PATH: &str = "/SMARTSync/services/rs/exporters/v1/agent-export";
const STATUS_PATH: &str = "/SMARTSync/services/rs/exporters/v1/status/";
const RESULT_PATH: &str = "/SMARTSync/services/rs/exporters/v1/result/";
/// Inferred: the pages say management-unit ids come from the entities the user may view, not
/// the exact call.
pub const ENTITIES_PATH: &str = "/SMARTSync/services/rs/entities/v1/mus";

/// Records per result page asked for; the server's `X-Next-Record` decides what comes next.
pub const RESULT_PAGE_SIZE: u32 = 1000;
/// More result pages than this is a server that never ends: stop with an error.
pub const MAX_RESULT_PAGES: u32 = 10_000;
/// The login locale when the caller names none.
pub const DEFAULT_LOCALE: &str = "en_US";
/// The export's first day when the caller names none: before any agent existed.
pub const DEFAULT_START_DATE: &str = "2000-01-01";

/// The export's first and last day: `start` defaults to [`DEFAULT_START_DATE`], `end` to
/// `today` (the caller's date, `YYYY-MM-DD`: the core has no clock).
pub fn export_dates(start: Option<&str>, end: Option<&str>, today: &str) -> (String, String) {
    (
        start.unwrap_or(DEFAULT_START_DATE).to_string(),
        end.unwrap_or(today).to_string(),
    )
}

/// One agent as IEX holds it, from the agent export. IEX identifies an agent by its UUID
/// (the CXone agent number) within its `acdID`; `tvID` is IEX's own id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct IexAgent {
    pub acd_id: String,
    /// The UUID field: the CXone agent number.
    pub agent_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tv_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// The state of an export job (the vendor spells the success `COMPLETED_SUCCESFULLY`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Waiting,
    Running,
    Completed,
    /// `FAILED` or `CANCELED`, with the server's `errorDetails`.
    Failed {
        status: String,
        details: String,
    },
}

/// The login body. The password goes only here, never into a message.
pub fn login_body(customer_id: &str, user_name: &str, password: &str, locale: &str) -> String {
    serde_json::json!({
        "customerId": customer_id,
        "userName": user_name,
        "password": password,
        "locale": locale,
    })
    .to_string()
}

/// The session id of a login answer: from the body (`JSESSIONID`, `sessionId` or
/// `jsessionid`: inferred spellings) or else from a `Set-Cookie` header.
pub fn session_from_login(body: &[u8], set_cookie: Option<&str>) -> Result<String> {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        for (k, v) in &map {
            let key = k.to_ascii_lowercase();
            if key == "jsessionid" || key == "sessionid" {
                if let Some(s) = v.as_str().filter(|s| !s.is_empty()) {
                    return Ok(s.to_string());
                }
            }
        }
    }
    if let Some(cookies) = set_cookie {
        for part in cookies.split([';', ',']) {
            if let Some((name, value)) = part.trim().split_once('=') {
                if name.trim() == "JSESSIONID" && !value.trim().is_empty() {
                    return Ok(value.trim().to_string());
                }
            }
        }
    }
    Err(Error::invalid_input(
        "IEX login: the answer carried no JSESSIONID (neither in the body nor in a cookie)",
    ))
}

/// The export request for the given management units.
pub fn export_body(start_date: &str, end_date: &str, mu_ids: &[String]) -> Result<String> {
    for (d, field) in [(start_date, "startDate"), (end_date, "endDate")] {
        d.parse::<jiff::civil::Date>().map_err(|_| {
            Error::invalid_input(format!("{field} must be YYYY-MM-DD, got {}", quote(d)))
                .with_field(field)
        })?;
    }
    if mu_ids.is_empty() {
        return Err(
            Error::invalid_input("no management unit to export: the user may view none")
                .with_field("muIds"),
        );
    }
    let fields: Vec<Value> = [
        "UUID",
        "acdID",
        "tvID",
        "firstName",
        "lastName",
        "email",
        "personalId",
        "externalId",
    ]
    .iter()
    .map(|n| serde_json::json!({ "name": n }))
    .collect();
    let mus: Vec<Value> = mu_ids
        .iter()
        .map(|m| match m.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::from(m.as_str()),
        })
        .collect();
    Ok(serde_json::json!({
        "startDate": start_date,
        "endDate": end_date,
        "outputFormat": "JSON",
        "muIds": mus,
        "recordType": "changedAgent",
        "fields": fields,
    })
    .to_string())
}

pub fn status_path(job_id: &str) -> String {
    format!("{STATUS_PATH}{}", super::encode_query_value(job_id))
}

pub fn result_path(job_id: &str, start_record: u64) -> String {
    format!(
        "{RESULT_PATH}{}?startRecord={start_record}&numRecords={RESULT_PAGE_SIZE}",
        super::encode_query_value(job_id)
    )
}

fn json(what: &str, body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body)
        .map_err(|e| Error::invalid_input(format!("IEX {what}: the answer is not JSON ({e})")))
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The job id of an export submission: a bare string or number, or `jobId` / `id` in an
/// object (inferred).
pub fn decode_job_id(body: &[u8]) -> Result<String> {
    let v = json("agent export", body)?;
    let id = match &v {
        Value::Object(m) => m.get("jobId").or_else(|| m.get("id")).and_then(scalar),
        other => scalar(other),
    };
    id.ok_or_else(|| {
        Error::invalid_input("IEX agent export: the answer carried no job id").with_field("jobId")
    })
}

/// A job status answer: `{status, errorDetails}` (the field may also be `jobStatus`).
pub fn decode_status(body: &[u8]) -> Result<JobState> {
    let v = json("job status", body)?;
    let status = match &v {
        Value::Object(m) => m
            .get("status")
            .or_else(|| m.get("jobStatus"))
            .and_then(scalar),
        other => scalar(other),
    }
    .ok_or_else(|| Error::invalid_input("IEX job status: no status in the answer"))?;
    let details = v
        .get("errorDetails")
        .map(|d| match d {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    match status.to_ascii_uppercase().as_str() {
        "WAITING" => Ok(JobState::Waiting),
        "RUNNING" => Ok(JobState::Running),
        // The vendor's spelling, and the correct one in case it is ever fixed.
        "COMPLETED_SUCCESFULLY" | "COMPLETED_SUCCESSFULLY" => Ok(JobState::Completed),
        "FAILED" | "CANCELED" | "CANCELLED" => Ok(JobState::Failed { status, details }),
        _ => Err(Error::invalid_input(format!(
            "IEX job status: unknown status {}",
            quote(&status)
        ))),
    }
}

/// The failure of a finished job as an error; a result too large says to split the units.
pub fn job_failed(status: &str, details: &str) -> Error {
    let hint = if details.to_ascii_lowercase().contains("too large") {
        " (the result is too large: export fewer management units at a time)"
    } else {
        ""
    };
    Error::new(
        ErrorCode::HttpError,
        format!("IEX agent export {status}: {}{hint}", quote(details)),
    )
    .with_vendor_code(status)
}

/// `X-Next-Record`: the next `startRecord`, or `None` when the header is missing, empty,
/// `0` or `-1` (the last page; inferred). Anything else is an error, not an end.
pub fn next_record(header: Option<&str>) -> Result<Option<u64>> {
    let Some(h) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    if h == "-1" || h == "0" {
        return Ok(None);
    }
    h.parse::<u64>().map(Some).map_err(|_| {
        Error::invalid_input(format!("IEX result: X-Next-Record is {}", quote(h)))
            .with_field("X-Next-Record")
    })
}

fn key(k: &str) -> String {
    k.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// One page of the (decompressed) export result: a JSON array of records, or an object
/// holding it under `agents`, `records` or `data` (inferred). Every record needs a UUID and
/// an acdID; the message names the record otherwise.
pub fn decode_result_page(body: &[u8], first_record: u64) -> Result<Vec<IexAgent>> {
    let v = json("result", body)?;
    let records = match &v {
        Value::Array(a) => a,
        Value::Object(m) => ["agents", "records", "data"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_array))
            .ok_or_else(|| Error::invalid_input("IEX result: no list of agents in the answer"))?,
        _ => return Err(Error::invalid_input("IEX result: not a list of agents")),
    };
    let mut out = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let index = usize::try_from(first_record)
            .unwrap_or(usize::MAX)
            .saturating_add(i);
        let Value::Object(m) = r else {
            return Err(Error::invalid_input(format!(
                "IEX result: record {index} is not an object"
            ))
            .at(index));
        };
        let mut a = IexAgent::default();
        for (k, v) in m {
            let val = scalar(v);
            match key(k).as_str() {
                "uuid" => a.agent_number = val.unwrap_or_default(),
                "acdid" => a.acd_id = val.unwrap_or_default(),
                "tvid" => a.tv_id = val,
                "firstname" => a.first_name = val,
                "lastname" => a.last_name = val,
                "email" | "emailaddress" => a.email = val,
                "personalid" | "guid" => a.personal_id = val,
                "externalid" => a.external_id = val,
                _ => {}
            }
        }
        for (value, field) in [(&a.agent_number, "UUID"), (&a.acd_id, "acdID")] {
            if value.is_empty() {
                return Err(Error::new(
                    ErrorCode::MissingField,
                    format!("IEX result: record {index} has no {field}"),
                )
                .at(index)
                .with_field(field));
            }
        }
        out.push(a);
    }
    Ok(out)
}

/// Management-unit ids from the entities answer: a list of ids, or of objects with `id` /
/// `muId` (inferred), bare or under `mus` / `entities` / `data`.
pub fn decode_mus(body: &[u8]) -> Result<Vec<String>> {
    let v = json("entities", body)?;
    let list = match &v {
        Value::Array(a) => a,
        Value::Object(m) => ["mus", "entities", "data"]
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_array))
            .ok_or_else(|| Error::invalid_input("IEX entities: no list in the answer"))?,
        _ => return Err(Error::invalid_input("IEX entities: not a list")),
    };
    let mut ids: Vec<String> = list
        .iter()
        .filter_map(|e| match e {
            Value::Object(m) => m.get("id").or_else(|| m.get("muId")).and_then(scalar),
            other => scalar(other),
        })
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// An HTTP failure of a SmartSync call. The body is `{message, status, details}`, but its
/// `status` is not trusted: the HTTP status is. The message never quotes the password.
pub fn http_failure(what: &str, http_status: u16, body: &[u8], password: &str) -> Error {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .map(|m| format!(": {}", quote(&super::redact(&m, password))))
        .unwrap_or_default();
    let code = if http_status == 429 {
        ErrorCode::RateLimited
    } else {
        ErrorCode::HttpError
    };
    Error::new(code, format!("IEX {what}: HTTP {http_status}{message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_dates_default_to_everything_up_to_today() {
        assert_eq!(
            export_dates(None, None, "2026-12-01"),
            ("2000-01-01".to_string(), "2026-12-01".to_string())
        );
        assert_eq!(
            export_dates(Some("2026-01-01"), Some("2026-02-01"), "2026-12-01"),
            ("2026-01-01".to_string(), "2026-02-01".to_string())
        );
    }

    #[test]
    fn the_session_comes_from_the_body_or_the_cookie() {
        assert_eq!(
            session_from_login(br#"{"JSESSIONID":"abc"}"#, None).unwrap(),
            "abc"
        );
        assert_eq!(
            session_from_login(b"", Some("JSESSIONID=xyz; Path=/; HttpOnly")).unwrap(),
            "xyz"
        );
        assert!(session_from_login(b"{}", None).is_err());
    }

    #[test]
    fn job_states_include_the_vendor_spelling() {
        assert_eq!(
            decode_status(br#"{"status":"COMPLETED_SUCCESFULLY"}"#).unwrap(),
            JobState::Completed
        );
        assert_eq!(
            decode_status(br#"{"status":"RUNNING"}"#).unwrap(),
            JobState::Running
        );
        let failed =
            decode_status(br#"{"status":"FAILED","errorDetails":"Result too large"}"#).unwrap();
        let JobState::Failed { status, details } = failed else {
            panic!("{failed:?}")
        };
        let e = job_failed(&status, &details);
        assert!(
            e.message.contains("fewer management units"),
            "{}",
            e.message
        );
        assert_eq!(e.vendor_code.as_deref(), Some("FAILED"));
        assert!(decode_status(br#"{"status":"DONE"}"#).is_err());
    }

    #[test]
    fn result_records_need_a_uuid_and_an_acd_id() {
        let page = br#"[{"UUID":1001,"acdID":"east","tvID":"7","firstName":"Ann"},
                        {"uuid":"1002","ACD_ID":"east","email":"b@x"}]"#;
        let agents = decode_result_page(page, 0).unwrap();
        assert_eq!(agents.len(), 2);
        assert_eq!(agents[0].agent_number, "1001");
        assert_eq!(agents[1].acd_id, "east");
        let e = decode_result_page(br#"{"agents":[{"acdID":"east"}]}"#, 40).unwrap_err();
        assert_eq!((e.index, e.field.as_deref()), (Some(40), Some("UUID")));
    }

    #[test]
    fn next_record_ends_or_continues_but_never_guesses() {
        assert_eq!(next_record(None).unwrap(), None);
        assert_eq!(next_record(Some("-1")).unwrap(), None);
        assert_eq!(next_record(Some("1001")).unwrap(), Some(1001));
        assert!(next_record(Some("soon")).is_err());
    }

    #[test]
    fn export_body_checks_dates_and_units_and_failures_hide_the_password() {
        assert!(export_body("2026-11-01", "2026-11-30", &[]).is_err());
        assert!(export_body("11/01/2026", "2026-11-30", &["1".into()]).is_err());
        let b = export_body("2026-11-01", "2026-11-30", &["1".into(), "mu-x".into()]).unwrap();
        assert!(b.contains(r#""muIds":[1,"mu-x"]"#), "{b}");
        let e = http_failure(
            "login",
            401,
            br#"{"message":"bad password s3cret","status":200}"#,
            "s3cret",
        );
        assert!(
            !e.message.contains("s3cret") && e.message.contains("HTTP 401"),
            "{}",
            e.message
        );
        assert_eq!(
            decode_mus(br#"[{"id":2},{"id":1},{"id":2}]"#).unwrap(),
            ["1", "2"]
        );
    }
}
