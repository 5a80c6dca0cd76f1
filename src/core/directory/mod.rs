//! The directories the connectors read, as pure functions: one page's JSON bytes to
//! records, the URLs to ask for, when a listing is complete, retries and rate limits. The HTTP loop that drives them lives in
//! `connectors` (wasm32 only); everything it decides is decided here, so it is tested natively.

#[cfg(test)]
mod contract_tests;
pub mod cxone;
pub mod iex;
pub mod links;
pub mod rate;
pub mod ringcentral;
pub mod vendor_error;

use super::error::{Error, ErrorCode, Result};
use serde::{Deserialize, Serialize};

pub use links::{resolve_link, AllowedHosts};
pub use rate::{
    pace_ms, retry_after_ms, Attempts, Decision, Failure, RateHeaders, RetryPolicy, WaitReason,
};

/// The most records either connector asks for per page (RingCentral's documented `perPage`
/// maximum; for CXone's `top` the same cap is our choice, no maximum is published).
pub const MAX_PER_PAGE: u32 = 1000;

/// A directory that needs more pages than this is taken as a server that never stops
/// paging (10,000 pages of 1,000 is ten million users): the fetch fails instead of looping.
pub const MAX_PAGES: u32 = 10_000;

/// One decoded page of a directory: what this page alone says. Whether the listing goes on
/// is decided by each vendor's `next_step`, from the page and the [`Tally`] of all pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub records: Vec<T>,
    /// Entries the server sent on this page, counting those left out (extensions that are
    /// not people): the number to hold against the declared total.
    pub received: u64,
    /// Where the response itself says the listing continues.
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
    /// Ask for the entries after the first `n` (offset paging, built by the connector).
    Skip(u64),
    /// Follow this link from the response (checked by [`resolve_link`] before use).
    Uri(String),
}

/// What has arrived so far in one listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub pages: u32,
    /// Entries received, over all pages (see [`Page::received`]).
    pub received: u64,
    /// The total the server declared last, if it ever did.
    pub total: Option<u64>,
}

impl Tally {
    pub fn add<T>(&mut self, page: &Page<T>) {
        self.pages = self.pages.saturating_add(1);
        self.received = self.received.saturating_add(page.received);
        if page.total_records.is_some() {
            self.total = page.total_records;
        }
    }

    /// The listing ended: complete only if it reached the total the server declared.
    pub fn finish(&self, page: u32, what: &str, total_field: &str) -> Result<NextPage> {
        match self.total {
            Some(total) if self.received < total => Err(Error::new(
                ErrorCode::IncompleteDirectory,
                format!(
                    "page {page}: the pages ended after {} of the {total} {what} the server declared ({total_field}); no partial directory is returned",
                    self.received
                ),
            )),
            _ => Ok(NextPage::None),
        }
    }
}

/// What a progress callback receives: after each page, with the running totals, and before
/// each wait, with `waitingMs` and `reason` too.
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
    /// Set only on a wait event: how long the fetch now waits before its next request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_ms: Option<u32>,
    /// Set only on a wait event: why it waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<WaitReason>,
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

    /// The same totals, as a wait event.
    pub fn waiting(&self, ms: u32, reason: WaitReason) -> FetchProgress {
        FetchProgress {
            waiting_ms: Some(ms),
            reason: Some(reason),
            ..*self
        }
    }
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
