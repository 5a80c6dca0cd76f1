//! What to do after a request that did not succeed, and how fast to go after one that did.
//! Pure: the clock reading ("now") and the random jitter are passed in, so every decision is
//! tested natively and the connectors only carry it out.
//!
//! Vendor facts this follows: RingCentral answers 429 with `Retry-After` (without it, wait at
//! least 30 s; its penalty is 60 s), 503 with `Retry-After`, and sends `X-Rate-Limit-Limit`,
//! `-Remaining` and `-Window` (seconds) on every answer. CXone documents no `Retry-After`; when
//! it sends one it is honoured the same way.

use crate::core::error::{Error, ErrorCode};
use serde::{Deserialize, Serialize};

/// How failed requests are retried and rate limits waited out. Every field has a default, so
/// JS may pass any subset (`Partial<RetryPolicy>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", default)]
pub struct RetryPolicy {
    /// Retries after a 5xx, a 408 or a network error, per request (default 4).
    pub max_retries: u32,
    /// First backoff delay for those, doubled each retry (default 500 ms).
    pub base_delay_ms: u32,
    /// Upper bound of one backoff delay (default 8,000 ms).
    pub max_delay_ms: u32,
    /// The longest wait a `Retry-After` may ask for (default 300,000 ms, five minutes). A
    /// vendor asking for longer fails the fetch at once, saying how long it asked for.
    pub max_retry_after_ms: u32,
    /// The wait after a 429 that names no time at all, neither `Retry-After` nor
    /// `X-Rate-Limit-Window` (default 60,000 ms: RingCentral's penalty period).
    pub rate_limit_wait_ms: u32,
    /// Waits after 429 answers, per request, before giving up with `rate_limited` (default 5).
    pub max_rate_limit_retries: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
            max_retry_after_ms: 300_000,
            rate_limit_wait_ms: 60_000,
            max_rate_limit_retries: 5,
        }
    }
}

/// Why a fetch is waiting (reported to the progress callback with the wait's length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// The vendor answered 429: waiting out its rate limit.
    RateLimited,
    /// The vendor's rate-limit headers say few requests are left: slowing down so the limit
    /// (and its penalty) is never hit.
    Pacing,
    /// The vendor answered 503 with a time to come back.
    Unavailable,
    /// Backing off after a server or network error.
    Retrying,
}

/// What to do after an attempt that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    Retry { ms: u32, reason: WaitReason },
    /// Give up with this error.
    Fail(Error),
}

/// Retries spent so far on one request, counted apart: a rate limit is not a fault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attempts {
    pub server: u32,
    pub rate_limited: u32,
}

/// The response headers the decisions read, raw as they came.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateHeaders {
    pub retry_after: Option<String>,
    /// The response's `Date`: the clock `Retry-After` dates are measured against.
    pub date: Option<String>,
    pub limit: Option<String>,
    pub remaining: Option<String>,
    /// `X-Rate-Limit-Window`, in seconds.
    pub window: Option<String>,
}

/// One attempt that did not succeed.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    /// `None`: no response (a network error or a cut-off body).
    pub status: Option<u16>,
    pub headers: RateHeaders,
    /// The caller's clock, in ms since the epoch, for a `Retry-After` date when the response
    /// has no usable `Date`.
    pub now_ms: i64,
    /// A random number in [0, 1): spreads the waits of many clients apart.
    pub jitter: f64,
}

impl RetryPolicy {
    /// Decides after a failed attempt and counts it into `attempts`.
    ///
    /// - 429: wait `Retry-After` (seconds or an HTTP date); without it, the vendor's window
    ///   (`X-Rate-Limit-Window`), else `rate_limit_wait_ms`; plus up to 10% jitter. A wait
    ///   longer than `max_retry_after_ms`, or more than `max_rate_limit_retries` of them,
    ///   fails with `rate_limited`.
    /// - 503 with `Retry-After`: wait that long (bounded the same way), counted as a retry.
    /// - other 5xx, 408 and network errors: exponential backoff, then `http_error`.
    /// - other 4xx: `http_error` at once; retrying cannot fix a token or a request.
    pub fn decide(&self, attempts: &mut Attempts, f: &Failure) -> Decision {
        let asked = f
            .headers
            .retry_after
            .as_deref()
            .and_then(|h| retry_after_ms(h, f.headers.date.as_deref(), f.now_ms));
        match f.status {
            Some(429) => {
                if attempts.rate_limited >= self.max_rate_limit_retries {
                    return Decision::Fail(Error::new(
                        ErrorCode::RateLimited,
                        format!(
                            "HTTP 429: still rate limited after waiting {} times",
                            self.max_rate_limit_retries
                        ),
                    ));
                }
                let base = match asked {
                    Some(ms) => ms,
                    None => f
                        .headers
                        .window
                        .as_deref()
                        .and_then(seconds)
                        .map(|s| s.saturating_mul(1000))
                        .unwrap_or(u64::from(self.rate_limit_wait_ms)),
                };
                if base > u64::from(self.max_retry_after_ms) {
                    return Decision::Fail(Error::new(
                        ErrorCode::RateLimited,
                        format!(
                            "HTTP 429: the vendor asks to wait {}, longer than the {} allowed (retry.maxRetryAfterMs)",
                            duration(base),
                            duration(u64::from(self.max_retry_after_ms))
                        ),
                    ));
                }
                attempts.rate_limited = attempts.rate_limited.saturating_add(1);
                Decision::Retry {
                    ms: with_jitter(base, f.jitter),
                    reason: WaitReason::RateLimited,
                }
            }
            Some(s) if s >= 500 || s == 408 => {
                if attempts.server >= self.max_retries {
                    return Decision::Fail(Error::new(
                        ErrorCode::HttpError,
                        format!("HTTP {s} after {} retries", self.max_retries),
                    ));
                }
                let (ms, reason) = match asked {
                    Some(ms) if s == 503 => {
                        if ms > u64::from(self.max_retry_after_ms) {
                            return Decision::Fail(Error::new(
                                ErrorCode::HttpError,
                                format!(
                                    "HTTP 503: the vendor asks to come back in {}, longer than the {} allowed (retry.maxRetryAfterMs)",
                                    duration(ms),
                                    duration(u64::from(self.max_retry_after_ms))
                                ),
                            ));
                        }
                        (clamp(ms), WaitReason::Unavailable)
                    }
                    _ => (self.backoff_ms(attempts.server), WaitReason::Retrying),
                };
                attempts.server = attempts.server.saturating_add(1);
                Decision::Retry { ms, reason }
            }
            Some(s) => Decision::Fail(Error::new(ErrorCode::HttpError, format!("HTTP {s}"))),
            None => {
                if attempts.server >= self.max_retries {
                    return Decision::Fail(Error::new(
                        ErrorCode::HttpError,
                        format!("network error after {} retries", self.max_retries),
                    ));
                }
                let ms = self.backoff_ms(attempts.server);
                attempts.server = attempts.server.saturating_add(1);
                Decision::Retry {
                    ms,
                    reason: WaitReason::Retrying,
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

/// How long to wait before the next request after a success, from the vendor's rate-limit
/// headers: nothing while more than a quarter of the window's requests (and at least 4) are
/// left; below that, the window spread over the requests left, so the limit is never
/// reached (RingCentral's penalty for reaching it is a whole minute with no answers).
pub fn pace_ms(h: &RateHeaders) -> u32 {
    let Some(remaining) = h.remaining.as_deref().and_then(seconds) else {
        return 0;
    };
    let window_ms = h
        .window
        .as_deref()
        .and_then(seconds)
        .unwrap_or(60)
        .saturating_mul(1000);
    let reserve = h
        .limit
        .as_deref()
        .and_then(seconds)
        .map_or(4, |l| (l / 4).max(4));
    if remaining > reserve {
        return 0;
    }
    clamp(window_ms / remaining.saturating_add(1))
}

/// `Retry-After` in ms: delta-seconds, or an HTTP date measured against the response's
/// `Date` (the vendor's clock, so a skewed local clock does not matter) or else `now_ms`.
/// A date in the past is no wait. `None` when the header is neither.
pub fn retry_after_ms(header: &str, date: Option<&str>, now_ms: i64) -> Option<u64> {
    let header = header.trim();
    if let Some(s) = seconds(header) {
        return Some(s.saturating_mul(1000));
    }
    let at = http_date_ms(header)?;
    let now = date.and_then(http_date_ms).unwrap_or(now_ms);
    Some(u64::try_from(at.saturating_sub(now)).unwrap_or(0))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form HTTP servers send, in ms.
fn http_date_ms(s: &str) -> Option<i64> {
    static PARSER: jiff::fmt::rfc2822::DateTimeParser = jiff::fmt::rfc2822::DateTimeParser::new();
    PARSER
        .parse_timestamp(s.trim())
        .ok()
        .map(|t| t.as_millisecond())
}

/// A non-negative integer header (digits only, as HTTP delta-seconds are).
fn seconds(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().or(Some(u64::MAX))
}

fn with_jitter(ms: u64, jitter: f64) -> u32 {
    let j = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // Up to 10% later, never earlier: the vendor's time is a minimum.
    let extra = (ms as f64 * 0.1 * j) as u64;
    clamp(ms.saturating_add(extra))
}

fn clamp(ms: u64) -> u32 {
    u32::try_from(ms).unwrap_or(u32::MAX)
}

/// A wait for people: "150 ms", "45 s", "2 min 5 s", "3 h 0 min".
pub fn duration(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms} ms");
    }
    let s = ms.div_ceil(1000);
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            base_delay_ms: 100,
            max_delay_ms: 1_000,
            max_retry_after_ms: 300_000,
            rate_limit_wait_ms: 60_000,
            max_rate_limit_retries: 2,
        }
    }

    fn fail(status: Option<u16>, h: RateHeaders) -> Failure {
        Failure {
            status,
            headers: h,
            now_ms: 1_000_000,
            jitter: 0.0,
        }
    }

    fn retry_after(v: &str) -> RateHeaders {
        RateHeaders {
            retry_after: Some(v.into()),
            ..Default::default()
        }
    }

    fn retry(ms: u32, reason: WaitReason) -> Decision {
        Decision::Retry { ms, reason }
    }

    #[test]
    fn client_errors_fail_at_once() {
        for s in [400u16, 401, 403, 404] {
            match policy().decide(
                &mut Attempts::default(),
                &fail(Some(s), RateHeaders::default()),
            ) {
                Decision::Fail(e) => {
                    assert_eq!(e.code, ErrorCode::HttpError);
                    assert_eq!(e.message, format!("HTTP {s}"));
                }
                d => panic!("{s}: {d:?}"),
            }
        }
    }

    #[test]
    fn a_429_waits_retry_after_in_seconds_or_as_a_date() {
        let p = policy();
        let mut a = Attempts::default();
        assert_eq!(
            p.decide(&mut a, &fail(Some(429), retry_after(" 45 "))),
            retry(45_000, WaitReason::RateLimited)
        );
        assert_eq!(a.rate_limited, 1);
        assert_eq!(a.server, 0, "a rate limit is not a server fault");
        let dated = RateHeaders {
            retry_after: Some("Wed, 21 Oct 2015 07:28:30 GMT".into()),
            date: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
            ..Default::default()
        };
        assert_eq!(
            p.decide(&mut Attempts::default(), &fail(Some(429), dated)),
            retry(30_000, WaitReason::RateLimited),
            "measured against the response's Date"
        );
    }

    #[test]
    fn a_429_without_retry_after_waits_the_vendor_window_then_the_default_with_jitter() {
        let p = policy();
        let window = RateHeaders {
            window: Some("60".into()),
            remaining: Some("0".into()),
            ..Default::default()
        };
        assert_eq!(
            p.decide(&mut Attempts::default(), &fail(Some(429), window)),
            retry(60_000, WaitReason::RateLimited)
        );
        let mut f = fail(Some(429), RateHeaders::default());
        f.jitter = 0.5;
        assert_eq!(
            p.decide(&mut Attempts::default(), &f),
            retry(63_000, WaitReason::RateLimited),
            "the policy's default plus 5% jitter"
        );
        f.jitter = f64::NAN;
        assert_eq!(
            p.decide(&mut Attempts::default(), &f),
            retry(60_000, WaitReason::RateLimited)
        );
    }

    #[test]
    fn too_long_or_too_many_rate_limit_waits_fail_rate_limited() {
        let p = policy();
        match p.decide(
            &mut Attempts::default(),
            &fail(Some(429), retry_after("3600")),
        ) {
            Decision::Fail(e) => {
                assert_eq!(e.code, ErrorCode::RateLimited);
                assert!(e.message.contains("wait 60 min 0 s"), "{}", e.message);
                assert!(e.message.contains("5 min 0 s allowed"), "{}", e.message);
            }
            d => panic!("{d:?}"),
        }
        let mut a = Attempts::default();
        for _ in 0..2 {
            assert!(matches!(
                p.decide(&mut a, &fail(Some(429), retry_after("1"))),
                Decision::Retry { .. }
            ));
        }
        match p.decide(&mut a, &fail(Some(429), retry_after("1"))) {
            Decision::Fail(e) => assert_eq!(e.code, ErrorCode::RateLimited),
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn a_503_honours_retry_after_and_other_5xx_back_off() {
        let p = policy();
        let mut a = Attempts::default();
        assert_eq!(
            p.decide(&mut a, &fail(Some(503), retry_after("7"))),
            retry(7_000, WaitReason::Unavailable)
        );
        assert_eq!(
            p.decide(&mut a, &fail(Some(500), retry_after("7"))),
            retry(200, WaitReason::Retrying),
            "only 503 reads Retry-After"
        );
        assert_eq!(
            p.decide(&mut a, &fail(None, RateHeaders::default())),
            retry(400, WaitReason::Retrying)
        );
        match p.decide(&mut a, &fail(Some(502), RateHeaders::default())) {
            Decision::Fail(e) => {
                assert_eq!(e.code, ErrorCode::HttpError);
                assert_eq!(e.message, "HTTP 502 after 3 retries");
            }
            d => panic!("{d:?}"),
        }
        match p.decide(
            &mut Attempts::default(),
            &fail(Some(503), retry_after("86400")),
        ) {
            Decision::Fail(e) => assert_eq!(e.code, ErrorCode::HttpError),
            d => panic!("{d:?}"),
        }
        let big = RetryPolicy {
            max_retries: 100,
            ..p
        };
        let mut a = Attempts {
            server: 60,
            rate_limited: 0,
        };
        assert_eq!(
            big.decide(&mut a, &fail(Some(500), RateHeaders::default())),
            retry(1_000, WaitReason::Retrying),
            "no overflow, capped"
        );
        assert_eq!(big.backoff_ms(u32::MAX), 1_000);
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(retry_after_ms("0", None, 0), Some(0));
        assert_eq!(retry_after_ms("120", None, 0), Some(120_000));
        assert_eq!(
            retry_after_ms("99999999999999999999999", None, 0),
            Some(u64::MAX)
        );
        assert_eq!(retry_after_ms("-5", None, 0), None);
        assert_eq!(retry_after_ms("1.5", None, 0), None);
        assert_eq!(retry_after_ms("soon", None, 0), None);
        let at = "Thu, 01 Jan 1970 00:01:00 GMT";
        assert_eq!(retry_after_ms(at, None, 15_000), Some(45_000), "JS clock");
        assert_eq!(
            retry_after_ms(at, Some("garbage"), 15_000),
            Some(45_000),
            "an unreadable Date falls back to the clock"
        );
        assert_eq!(
            retry_after_ms(at, Some("Thu, 01 Jan 1970 00:02:00 GMT"), 0),
            Some(0),
            "a past date is no wait"
        );
    }

    #[test]
    fn pacing_slows_down_only_near_the_limit() {
        let h = |limit: &str, remaining: &str, window: &str| RateHeaders {
            limit: Some(limit.into()),
            remaining: Some(remaining.into()),
            window: Some(window.into()),
            ..Default::default()
        };
        assert_eq!(pace_ms(&RateHeaders::default()), 0, "no headers, no pacing");
        assert_eq!(pace_ms(&h("40", "39", "60")), 0);
        assert_eq!(pace_ms(&h("40", "11", "60")), 0);
        assert_eq!(pace_ms(&h("40", "9", "60")), 6_000);
        assert_eq!(pace_ms(&h("40", "0", "60")), 60_000);
        assert_eq!(
            pace_ms(&h("x", "3", "")),
            15_000,
            "defaults: reserve 4, 60 s"
        );
        assert_eq!(pace_ms(&h("40", "-1", "60")), 0, "unreadable: no pacing");
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
        assert_eq!(duration(59_001), "60 s");
        assert_eq!(duration(150), "150 ms");
        assert_eq!(duration(125_000), "2 min 5 s");
        assert_eq!(duration(7_200_000), "2 h 0 min");
    }
}
