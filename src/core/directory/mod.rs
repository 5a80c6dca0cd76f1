//! The directories the connectors read (SPEC 6), as pure functions: one page's JSON bytes to
//! records, the URLs to ask for, and the retry policy. The HTTP loop that drives them lives in
//! `connectors` (wasm32 only); everything it decides is decided here, so it is tested natively.

pub mod cxone;
pub mod iex;
pub mod ringcentral;

use super::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// The most records either connector asks for per page (RingCentral's documented `perPage`
/// maximum; for CXone's `top` the same cap is our choice, no maximum is published).
pub const MAX_PER_PAGE: u32 = 1000;

/// A directory that needs more pages than this is taken as a server that never stops
/// paging (10,000 pages of 1,000 is ten million users): the fetch fails instead of looping.
pub const MAX_PAGES: u32 = 10_000;

/// One decoded page of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub records: Vec<T>,
    pub next: NextPage,
    /// Pages in the whole listing, when the API says (or it can be computed).
    pub total_pages: Option<u32>,
    /// Records in the whole listing, when the API says.
    pub total_records: Option<u64>,
}

/// Where the listing continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// This was the last page.
    None,
    /// Ask for this 1-based page number (built by the connector's own URL builder, so the
    /// token only goes to the caller's base URL).
    Page(u32),
    /// Follow this link from the response (checked by [`resolve_link`] before use).
    Uri(String),
}

/// What a progress callback receives after each page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FetchProgress {
    /// Pages fetched and decoded so far.
    pub pages_fetched: u32,
    /// Pages in the whole listing, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_pages: Option<u32>,
    /// Records decoded so far.
    pub records_fetched: u32,
    /// Records in the whole listing, when the API says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_records: Option<u32>,
}

impl FetchProgress {
    /// Counts one more decoded page into the progress.
    pub fn add_page<T>(&mut self, page: &Page<T>) {
        self.pages_fetched = self.pages_fetched.saturating_add(1);
        let n = u32::try_from(page.records.len()).unwrap_or(u32::MAX);
        self.records_fetched = self.records_fetched.saturating_add(n);
        self.total_pages = page.total_pages;
        self.total_records = page
            .total_records
            .map(|t| u32::try_from(t).unwrap_or(u32::MAX));
    }
}

/// How a failed request is retried. Every field has a default, so JS may pass any subset
/// (`Partial<RetryPolicy>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct RetryPolicy {
    /// Retries after the first attempt, per request (default 4).
    pub max_retries: u32,
    /// First backoff delay for 5xx and network errors, doubled each retry (default 500 ms).
    pub base_delay_ms: u32,
    /// Upper bound of one backoff delay (default 8,000 ms).
    pub max_delay_ms: u32,
    /// Upper bound of one wait asked for by `Retry-After` (default 60,000 ms): a longer wait
    /// is cut to this.
    pub max_retry_after_ms: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
            max_retry_after_ms: 60_000,
        }
    }
}

/// What to do after an attempt that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    Retry(u32),
    /// Give up with this error.
    Fail(Error),
}

impl RetryPolicy {
    /// Decides after attempt number `attempt` (0 for the first try) failed with HTTP `status`,
    /// or with no response at all (`status: None`: a network error). `retry_after` is the raw
    /// `Retry-After` header, if any.
    ///
    /// - 401 / 403 and other 4xx (except 408 and 429): fail at once, `http_error`; retrying
    ///   cannot fix a token or a request.
    /// - 429: wait `Retry-After` seconds (capped at `max_retry_after_ms`; the backoff delay
    ///   when the header is missing or an HTTP date, as the core reads no clock), then
    ///   `rate_limited` once the retries are spent.
    /// - 5xx, 408 and network errors: exponential backoff, then `http_error`.
    pub fn decide(&self, attempt: u32, status: Option<u16>, retry_after: Option<&str>) -> Decision {
        let spent = attempt >= self.max_retries;
        match status {
            Some(429) => {
                if spent {
                    return Decision::Fail(Error::new(
                        ErrorCode::RateLimited,
                        format!(
                            "HTTP 429: still rate limited after {} retries",
                            self.max_retries
                        ),
                    ));
                }
                let wait = retry_after
                    .and_then(parse_retry_after_ms)
                    .map(|ms| ms.min(self.max_retry_after_ms))
                    .unwrap_or_else(|| self.backoff_ms(attempt));
                Decision::Retry(wait)
            }
            Some(s) if s >= 500 || s == 408 => {
                if spent {
                    Decision::Fail(Error::new(
                        ErrorCode::HttpError,
                        format!("HTTP {s} after {} retries", self.max_retries),
                    ))
                } else {
                    Decision::Retry(self.backoff_ms(attempt))
                }
            }
            Some(s) => Decision::Fail(Error::new(
                ErrorCode::HttpError,
                format!("HTTP {s}{}", hint(s)),
            )),
            None => {
                if spent {
                    Decision::Fail(Error::new(
                        ErrorCode::HttpError,
                        format!("network error after {} retries", self.max_retries),
                    ))
                } else {
                    Decision::Retry(self.backoff_ms(attempt))
                }
            }
        }
    }

    /// `base * 2^attempt`, capped; saturating so a large attempt count cannot overflow.
    pub fn backoff_ms(&self, attempt: u32) -> u32 {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.base_delay_ms
            .saturating_mul(factor)
            .min(self.max_delay_ms)
    }
}

fn hint(status: u16) -> &'static str {
    match status {
        401 => " (unauthorized: the token is missing, wrong or expired)",
        403 => " (forbidden: the token lacks the permission to read the directory)",
        404 => " (not found: check the base URL)",
        _ => "",
    }
}

/// `Retry-After` as delta-seconds, in ms. HTTP dates are not read (no clock in the core).
pub fn parse_retry_after_ms(header: &str) -> Option<u32> {
    let secs: u64 = header.trim().parse().ok()?;
    Some(secs.saturating_mul(1000).min(u64::from(u32::MAX)) as u32)
}

/// Checks a caller's base URL and returns it without trailing slashes: `http(s)://host[...]`,
/// no query or fragment (the connectors append their own path and query).
pub fn normalize_base_url(base: &str) -> Result<String> {
    let trimmed = base.trim().trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| {
            Error::invalid_input("baseUrl must start with https:// or http://")
                .with_field("baseUrl")
        })?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(Error::invalid_input("baseUrl has no host").with_field("baseUrl"));
    }
    if trimmed.contains(['?', '#']) || trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(
            Error::invalid_input("baseUrl must not contain a query, a fragment or spaces")
                .with_field("baseUrl"),
        );
    }
    Ok(trimmed.to_string())
}

/// `scheme://host[:port]` of an absolute URL, lowercased; `None` if it is not http(s).
fn origin(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    (!host.is_empty() && !host.contains('@')).then(|| format!("{scheme}://{host}"))
}

/// Turns a `next` link from a response into the URL to fetch. The bearer token goes with
/// that request, so a link to another origin than `base` is refused (the response may be
/// forged or misconfigured; sending the token elsewhere would leak it).
pub fn resolve_link(base: &str, link: &str, page: u32) -> Result<String> {
    let base_origin = origin(base).ok_or_else(|| {
        Error::invalid_input("baseUrl is not an http(s) URL").with_field("baseUrl")
    })?;
    let link = link.trim();
    if link.starts_with('/') && !link.starts_with("//") {
        return Ok(format!("{base_origin}{link}"));
    }
    match origin(link) {
        Some(o) if o == base_origin => Ok(link.to_string()),
        Some(_) => Err(Error::invalid_input(format!(
            "page {page}: the next-page link points to another origin than baseUrl; not followed"
        ))),
        None => Err(Error::invalid_input(format!(
            "page {page}: the next-page link is not a usable URL"
        ))),
    }
}

/// Percent-encodes a query value: everything but RFC 3986 unreserved characters, so `@`, `+`
/// (time zone offsets) and `:` survive the trip.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Checks a page size: 1..=[`MAX_PER_PAGE`].
pub fn check_per_page(per_page: u32) -> Result<u32> {
    if (1..=MAX_PER_PAGE).contains(&per_page) {
        Ok(per_page)
    } else {
        Err(Error::invalid_input(format!(
            "perPage must be between 1 and {MAX_PER_PAGE}, got {per_page}"
        ))
        .with_field("perPage"))
    }
}

/// Checks a bearer token is something an `Authorization` header can carry, without ever
/// echoing it (it must not reach a message, a log or a snapshot).
pub fn check_token(token: &str) -> Result<()> {
    if token.is_empty() || !token.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(Error::invalid_input(
            "token is empty or holds characters an HTTP header cannot carry (value not shown)",
        )
        .with_field("token"));
    }
    Ok(())
}

/// Replaces every occurrence of `token` in `message` (defence in depth for messages that
/// quote JS errors or server text).
pub fn redact(message: &str, token: &str) -> String {
    if token.is_empty() {
        message.to_string()
    } else {
        message.replace(token, "[redacted]")
    }
}

/// The error a page gets when its body is not the JSON the API documents.
pub(crate) fn shape_error(page: u32, err: &serde_json::Error) -> Error {
    let what = if err.is_syntax() || err.is_eof() {
        "malformed JSON"
    } else {
        "unexpected response shape"
    };
    Error::invalid_input(format!("page {page}: {what}: {err}"))
}

/// An id that the APIs send as a number (int64) or a string; always carried as a string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub(crate) enum IdValue {
    Unsigned(u64),
    Signed(i64),
    Text(String),
}

impl IdValue {
    pub(crate) fn into_string(self) -> String {
        match self {
            IdValue::Unsigned(n) => n.to_string(),
            IdValue::Signed(n) => n.to_string(),
            IdValue::Text(s) => s.trim().to_string(),
        }
    }
}

/// Empty or blank strings count as missing.
pub(crate) fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            base_delay_ms: 100,
            max_delay_ms: 1_000,
            max_retry_after_ms: 5_000,
        }
    }

    #[test]
    fn unauthorized_and_forbidden_fail_at_once_with_the_status() {
        for s in [401u16, 403, 400, 404] {
            match policy().decide(0, Some(s), None) {
                Decision::Fail(e) => {
                    assert_eq!(e.code, ErrorCode::HttpError);
                    assert!(e.message.contains(&s.to_string()), "{}", e.message);
                }
                d => panic!("{s}: {d:?}"),
            }
        }
    }

    #[test]
    fn rate_limit_waits_for_retry_after_capped_then_fails_rate_limited() {
        let p = policy();
        assert_eq!(p.decide(0, Some(429), Some("2")), Decision::Retry(2_000));
        assert_eq!(
            p.decide(1, Some(429), Some(" 120 ")),
            Decision::Retry(5_000),
            "capped"
        );
        assert_eq!(
            p.decide(0, Some(429), None),
            Decision::Retry(100),
            "backoff without header"
        );
        assert_eq!(
            p.decide(1, Some(429), Some("Wed, 21 Oct 2015 07:28:00 GMT")),
            Decision::Retry(200),
            "an HTTP date falls back to backoff"
        );
        match p.decide(3, Some(429), Some("1")) {
            Decision::Fail(e) => assert_eq!(e.code, ErrorCode::RateLimited),
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn server_and_network_errors_back_off_exponentially_then_fail() {
        let p = policy();
        assert_eq!(p.decide(0, Some(500), None), Decision::Retry(100));
        assert_eq!(p.decide(1, Some(503), Some("1")), Decision::Retry(200));
        assert_eq!(p.decide(2, None, None), Decision::Retry(400));
        assert_eq!(p.decide(2, Some(408), None), Decision::Retry(400));
        for status in [Some(500), None] {
            match p.decide(3, status, None) {
                Decision::Fail(e) => assert_eq!(e.code, ErrorCode::HttpError),
                d => panic!("{d:?}"),
            }
        }
        let big = RetryPolicy {
            max_retries: 100,
            ..p
        };
        assert_eq!(
            big.decide(60, Some(500), None),
            Decision::Retry(1_000),
            "no overflow, capped"
        );
        assert_eq!(big.backoff_ms(u32::MAX), 1_000);
    }

    #[test]
    fn retry_policy_accepts_any_subset_of_fields() {
        let p: RetryPolicy = serde_json::from_str(r#"{"maxRetries":1}"#).unwrap();
        assert_eq!(
            p,
            RetryPolicy {
                max_retries: 1,
                ..RetryPolicy::default()
            }
        );
    }

    #[test]
    fn base_url_is_checked_and_trimmed() {
        assert_eq!(
            normalize_base_url(" https://api.example.com/ ").unwrap(),
            "https://api.example.com"
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080/x//").unwrap(),
            "http://127.0.0.1:8080/x"
        );
        for bad in [
            "",
            "ftp://x",
            "https://",
            "https:///x",
            "https://x?a=1",
            "https://x#f",
            "https://a b",
        ] {
            let e = normalize_base_url(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput, "{bad}");
            assert_eq!(e.field.as_deref(), Some("baseUrl"));
        }
    }

    #[test]
    fn links_are_followed_only_on_the_same_origin() {
        let base = "https://api.example.com:8443/root";
        assert_eq!(
            resolve_link(base, "/a?page=2", 1).unwrap(),
            "https://api.example.com:8443/a?page=2"
        );
        assert_eq!(
            resolve_link(base, "HTTPS://API.example.com:8443/a?skip=5", 1).unwrap(),
            "HTTPS://API.example.com:8443/a?skip=5"
        );
        for bad in [
            "https://evil.example.com/a",
            "https://api.example.com/a",
            "//evil/a",
            "javascript:x",
            "a",
        ] {
            let e = resolve_link(base, bad, 4).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(e.message.starts_with("page 4:"), "{}", e.message);
        }
        assert!(
            resolve_link(base, "https://user@api.example.com:8443/a", 1).is_err(),
            "userinfo refused"
        );
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(encode_query_value("a.b+c@x.com"), "a.b%2Bc%40x.com");
        assert_eq!(
            encode_query_value("2026-01-01T00:00:00+02:00"),
            "2026-01-01T00%3A00%3A00%2B02%3A00"
        );
        assert_eq!(encode_query_value("é &="), "%C3%A9%20%26%3D");
    }

    #[test]
    fn tokens_are_checked_without_being_echoed_and_redacted() {
        assert!(check_token("abc.DEF-123_~+/=").is_ok());
        for bad in ["", "has space", "line\nbreak", "ünï"] {
            let e = check_token(bad).unwrap_err();
            assert!(bad.is_empty() || !e.message.contains(bad));
        }
        assert_eq!(
            redact("x secret y secret", "secret"),
            "x [redacted] y [redacted]"
        );
        assert_eq!(redact("x", ""), "x");
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert!(check_per_page(1).is_ok());
        assert!(check_per_page(1000).is_ok());
        assert!(check_per_page(0).is_err());
        assert!(check_per_page(1001).is_err());
    }
}
