//! The vendors' own error bodies, kept on our errors: RingCentral answers
//! `{errorCode, message, errors[{errorCode, message, parameterName}]}`, CXone (and OAuth
//! servers in general) `{error, error_description}`. The vendor's code goes to `vendorCode`,
//! its message (quoted, bounded) into ours, with a hint in plain words for the common cases.

use crate::core::error::{quote, Error};
use serde::Deserialize;

/// Which vendor answered: the hints name its permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    RingCentral,
    Cxone,
}

impl Vendor {
    pub fn name(self) -> &'static str {
        match self {
            Vendor::RingCentral => "RingCentral",
            Vendor::Cxone => "CXone",
        }
    }
}

/// What a vendor's error body said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorError {
    pub code: Option<String>,
    pub message: Option<String>,
    /// The query parameter the vendor refused, when it names one.
    pub parameter: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Body {
    error_code: Option<serde_json::Value>,
    message: Option<serde_json::Value>,
    errors: Option<Vec<serde_json::Value>>,
    error: Option<serde_json::Value>,
    #[serde(rename = "error_description")]
    error_description: Option<serde_json::Value>,
}

fn text(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads an error body; `None` when it is not one of the known shapes (HTML from a proxy,
/// an empty body...).
pub fn parse_vendor_error(body: &[u8]) -> Option<VendorError> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if !value.is_object() {
        return None;
    }
    let b: Body = serde_json::from_value(value).ok()?;
    let first = b
        .errors
        .as_ref()
        .and_then(|e| e.first())
        .and_then(|e| e.as_object());
    let field = |k: &str| first.and_then(|o| text(o.get(k)));
    let code = text(b.error_code.as_ref())
        .or_else(|| text(b.error.as_ref()))
        .or_else(|| field("errorCode"));
    let message = text(b.message.as_ref())
        .or_else(|| text(b.error_description.as_ref()))
        .or_else(|| field("message"));
    let parameter = field("parameterName");
    (code.is_some() || message.is_some()).then_some(VendorError {
        code,
        message,
        parameter,
    })
}

/// Puts what the vendor said on `error` (the policy's `HTTP <status>...`): its code as
/// `vendorCode`, its message quoted, and a hint. `token` is cut out of the vendor's text (a
/// server may echo the header it refused).
pub fn explain(
    mut error: Error,
    status: Option<u16>,
    body: &[u8],
    vendor: Vendor,
    token: &str,
) -> Error {
    let said = parse_vendor_error(body).unwrap_or_default();
    let mut message = error.message.clone();
    if said.code.is_some() || said.message.is_some() {
        let code = said
            .code
            .as_deref()
            .map(|c| format!(" {}", quote(&super::redact(c, token))))
            .unwrap_or_default();
        let text = said
            .message
            .as_deref()
            .map(|m| format!(": {}", quote(&super::redact(m, token))))
            .unwrap_or_default();
        message.push_str(&format!(" ({} says{code}{text})", vendor.name()));
    }
    if let Some(h) = hint(status, &said, vendor) {
        message.push_str(&format!(": {h}"));
    }
    error.message = message;
    if let Some(code) = said.code {
        error = error.with_vendor_code(super::redact(&code, token));
    }
    if let Some(p) = said.parameter {
        error = error.with_field(p);
    }
    // Re-bound the message: the quoted parts are bounded, the whole is kept short too.
    Error {
        message: Error::new(error.code, error.message.clone()).message,
        ..error
    }
}

fn hint(status: Option<u16>, said: &VendorError, vendor: Vendor) -> Option<String> {
    let code = said.code.as_deref().unwrap_or("");
    let expired = matches!(
        code,
        "TokenInvalid" | "TokenExpired" | "invalid_token" | "invalid_grant" | "OAU-213"
    ) || code.starts_with("OAU-")
        || status == Some(401);
    if expired {
        return Some(
            "the access token is missing, wrong or expired: get a new token and run again".into(),
        );
    }
    let forbidden = matches!(
        code,
        "CMN-401" | "InsufficientPermissions" | "access_denied"
    ) || status == Some(403);
    if forbidden {
        return Some(match vendor {
            Vendor::RingCentral => "the token's user lacks the ReadAccounts permission (needed to list extensions): grant it to the app and the user's role".into(),
            Vendor::Cxone => "the token's security profile may not list agents: give the API user a profile that can view users".into(),
        });
    }
    let bad_parameter = matches!(code, "CMN-101" | "CMN-102" | "invalid_request")
        || said.parameter.is_some()
        || status == Some(400);
    if bad_parameter {
        let which = said
            .parameter
            .as_deref()
            .map(|p| format!(" ({})", quote(p)))
            .unwrap_or_default();
        return Some(format!(
            "the vendor refused a query parameter{which}: check perPage, apiVersion and updatedSince"
        ));
    }
    match status {
        Some(404) => Some("not found: check the base URL and the API version".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    fn http(status: u16) -> Error {
        Error::new(ErrorCode::HttpError, format!("HTTP {status}"))
    }

    #[test]
    fn ringcentral_bodies_give_the_code_message_and_a_hint() {
        let body = br#"{"errorCode":"CMN-401","message":"In order to call this API endpoint, user needs to have [ReadAccounts] permission for requested resource.","errors":[{"errorCode":"CMN-401","message":"In order to call this API endpoint, user needs to have [ReadAccounts] permission for requested resource.","permissionName":"ReadAccounts"}],"permissionName":"ReadAccounts"}"#;
        let e = explain(http(403), Some(403), body, Vendor::RingCentral, "tok");
        assert_eq!(e.vendor_code.as_deref(), Some("CMN-401"));
        assert!(
            e.message
                .starts_with("HTTP 403 (RingCentral says \"CMN-401\": \"In order to call"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("lacks the ReadAccounts permission"),
            "{}",
            e.message
        );

        let body = br#"{"errorCode":"CMN-101","message":"Parameter [perPage] value is invalid","errors":[{"errorCode":"CMN-101","message":"Parameter [perPage] value is invalid","parameterName":"perPage"}]}"#;
        let e = explain(http(400), Some(400), body, Vendor::RingCentral, "tok");
        assert_eq!(e.vendor_code.as_deref(), Some("CMN-101"));
        assert_eq!(e.field.as_deref(), Some("perPage"));
        assert!(
            e.message
                .contains("refused a query parameter (\"perPage\")"),
            "{}",
            e.message
        );
    }

    #[test]
    fn cxone_and_oauth_bodies_and_an_expired_token() {
        let e = explain(
            http(401),
            Some(401),
            br#"{"error":"invalid_token","error_description":"Token abc.SECRET expired"}"#,
            Vendor::Cxone,
            "abc.SECRET",
        );
        assert_eq!(e.vendor_code.as_deref(), Some("invalid_token"));
        assert!(!e.message.contains("abc.SECRET"), "{}", e.message);
        assert!(e.message.contains("[redacted]"), "{}", e.message);
        assert!(
            e.message.contains("expired: get a new token"),
            "{}",
            e.message
        );
        let e = explain(http(403), Some(403), b"", Vendor::Cxone, "tok-xyz");
        assert_eq!(e.vendor_code, None);
        assert!(
            e.message
                .starts_with("HTTP 403: the token's security profile"),
            "{}",
            e.message
        );
    }

    #[test]
    fn unknown_bodies_keep_the_plain_message() {
        for body in [
            &b"<html>bad gateway</html>"[..],
            b"{}",
            b"[1]",
            b"{\"error\": {\"x\": 1}}",
        ] {
            assert_eq!(parse_vendor_error(body), None);
            let e = explain(http(502), Some(502), body, Vendor::RingCentral, "tok-xyz");
            assert_eq!(e.message, "HTTP 502");
            assert_eq!(e.vendor_code, None);
        }
        let long = format!(r#"{{"errorCode":"X","message":"{}"}}"#, "m".repeat(50_000));
        let e = explain(
            http(500),
            Some(500),
            long.as_bytes(),
            Vendor::RingCentral,
            "tok-xyz",
        );
        assert!(e.message.len() < 1_000, "{}", e.message.len());
    }
}
