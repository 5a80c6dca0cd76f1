//! One authenticated GET with retries, over the host's `fetch` (gloo-net), cancellable by the
//! caller's `AbortSignal`. What to do after a failure, and how fast to go after a success,
//! is decided by the core ([`RetryPolicy::decide`], [`pace_ms`]); this file only performs it.

use crate::core::directory::vendor_error::{explain, Vendor};
use crate::core::directory::{
    pace_ms, redact, Attempts, Decision, Failure, RateHeaders, RetryPolicy, WaitReason,
};
use crate::core::{Error, ErrorCode};
use gloo_net::http::{Request, Response};
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal};

#[wasm_bindgen]
extern "C" {
    // Globals in browsers, workers and Node alike; the timer id is a number in browsers and
    // an object in Node, so it stays an opaque JsValue.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// A connector failure: the core error, plus the HTTP status when a response gave one (the
/// binding puts it on the JS error as `status`).
#[derive(Debug, Clone)]
pub struct FetchError {
    pub error: Error,
    pub status: Option<u16>,
}

impl From<Error> for FetchError {
    fn from(error: Error) -> Self {
        FetchError {
            error,
            status: None,
        }
    }
}

/// Told before every wait, with its length and reason (the connectors report it as progress).
pub type OnWait<'a> = &'a dyn Fn(u32, WaitReason);

/// What the caller controls besides the data: cancellation, and (for tests) the waits.
#[derive(Default)]
pub struct Controls {
    pub signal: Option<AbortSignal>,
    /// Called as `sleep(ms, signal)` instead of a timer; its promise ends the wait.
    pub sleep: Option<js_sys::Function>,
}

/// Cancellation for one fetch: a controller of our own, linked to the caller's signal.
///
/// The caller's signal is not handed to `fetch` directly: our controller aborts with a real
/// `Error`. A caller may abort with any reason (a string, say), `fetch` rejects with that
/// reason, and gloo-net assumes rejections are `Error`s (it would hit `unreachable!` and kill
/// the instance otherwise).
pub struct Cancel {
    controller: AbortController,
    caller: Option<AbortSignal>,
    on_abort: Option<Closure<dyn FnMut()>>,
}

impl Cancel {
    pub fn link(caller: Option<AbortSignal>) -> Result<Self, Error> {
        let controller = AbortController::new().map_err(|_| {
            Error::invalid_input("this host has no AbortController (need Node 20 or a browser)")
        })?;
        let mut cancel = Cancel {
            controller,
            caller: None,
            on_abort: None,
        };
        if let Some(signal) = caller {
            if signal.aborted() {
                cancel
                    .controller
                    .abort_with_reason(&js_sys::Error::new("aborted"));
            } else {
                let ours = cancel.controller.clone();
                let on_abort = Closure::<dyn FnMut()>::new(move || {
                    ours.abort_with_reason(&js_sys::Error::new("aborted"));
                });
                signal
                    .add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref())
                    .map_err(|_| {
                        Error::invalid_input("signal is not an AbortSignal").with_field("signal")
                    })?;
                cancel.on_abort = Some(on_abort);
            }
            cancel.caller = Some(signal);
        }
        Ok(cancel)
    }

    pub fn aborted(&self) -> bool {
        self.controller.signal().aborted()
    }

    /// Our controller's signal: the one `fetch` and our timers listen to.
    pub fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    /// A timer cut short by an abort (the caller's next step sees the abort), cleared either
    /// way.
    pub async fn sleep(&self, ms: u32) {
        let signal = self.signal();
        let mut timer = JsValue::UNDEFINED;
        let mut resolver = None;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            timer = set_timeout(&resolve, i32::try_from(ms).unwrap_or(i32::MAX));
            let _ = signal.add_event_listener_with_callback("abort", &resolve);
            resolver = Some(resolve);
        });
        let _ = JsFuture::from(promise).await;
        clear_timeout(&timer);
        // A fetch may wait many times (pacing, retries): leave no listener behind on the signal.
        if let Some(resolve) = resolver {
            let _ = signal.remove_event_listener_with_callback("abort", &resolve);
        }
    }
}

impl Drop for Cancel {
    fn drop(&mut self) {
        // Unhook from the caller's signal, which may outlive this fetch (one controller for a
        // whole page of the admin UI, say).
        if let (Some(signal), Some(cb)) = (&self.caller, &self.on_abort) {
            let _ =
                signal.remove_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
        }
    }
}

/// An authenticated client for one directory fetch.
pub struct Client {
    token: String,
    policy: RetryPolicy,
    vendor: Vendor,
    cancel: Cancel,
    sleep_hook: Option<js_sys::Function>,
    /// The wait the last success's rate-limit headers asked for, taken before the next request.
    pace: Cell<u32>,
}

impl Client {
    pub fn new(
        token: String,
        policy: RetryPolicy,
        vendor: Vendor,
        controls: Controls,
    ) -> Result<Self, FetchError> {
        let client = Client {
            token,
            policy,
            vendor,
            cancel: Cancel::link(controls.signal)?,
            sleep_hook: controls.sleep,
            pace: Cell::new(0),
        };
        Ok(client)
    }

    pub fn aborted(&self) -> bool {
        self.cancel.signal().aborted()
    }

    /// The error every cancelled fetch ends with.
    pub fn abort_error(&self, page: u32) -> FetchError {
        Error::new(
            ErrorCode::Aborted,
            format!("page {page}: the fetch was cancelled by its AbortSignal"),
        )
        .into()
    }

    /// GETs `url` (page `page` of a listing, for messages) and returns the body of a 2xx
    /// response, pacing and retrying as the policy says and telling `on_wait` before each wait.
    pub async fn get(
        &self,
        url: &str,
        page: u32,
        on_wait: OnWait<'_>,
    ) -> Result<Vec<u8>, FetchError> {
        let pace = self.pace.replace(0);
        if pace > 0 {
            on_wait(pace, WaitReason::Pacing);
            self.sleep(pace).await?;
        }
        let mut attempts = Attempts::default();
        loop {
            if self.aborted() {
                return Err(self.abort_error(page));
            }
            let sent = Request::get(url)
                .header("Authorization", &format!("Bearer {}", self.token))
                .header("Accept", "application/json")
                .abort_signal(Some(&self.cancel.signal()))
                .send()
                .await;
            let (status, headers, body, detail) = match sent {
                Ok(resp) if (200..300).contains(&resp.status()) => {
                    let headers = rate_headers(&resp);
                    match resp.binary().await {
                        Ok(body) => {
                            self.pace.set(pace_ms(&headers));
                            return Ok(body);
                        }
                        Err(_) if self.aborted() => return Err(self.abort_error(page)),
                        // The body was cut off: as good as a network error.
                        Err(e) => (None, headers, Vec::new(), Some(e.to_string())),
                    }
                }
                Ok(resp) => {
                    let headers = rate_headers(&resp);
                    // Read the error body: it says what the vendor objects to (and draining
                    // it lets the connection be reused).
                    let body = resp.binary().await.unwrap_or_default();
                    (Some(resp.status()), headers, body, None)
                }
                Err(_) if self.aborted() => return Err(self.abort_error(page)),
                Err(e) => (
                    None,
                    RateHeaders::default(),
                    Vec::new(),
                    Some(e.to_string()),
                ),
            };
            let failure = Failure {
                status,
                headers,
                now_ms: js_sys::Date::now() as i64,
                jitter: js_sys::Math::random(),
            };
            match self.policy.decide(&mut attempts, &failure) {
                Decision::Retry { ms, reason } => {
                    on_wait(ms, reason);
                    self.sleep(ms).await?;
                }
                Decision::Fail(error) => {
                    let mut error = explain(error, status, &body, self.vendor, &self.token);
                    let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
                    let message = redact(
                        &format!("page {page}: {}{detail}", error.message),
                        &self.token,
                    );
                    // Through `Error::new` again so the longer message stays bounded.
                    error.message = Error::new(error.code, message).message;
                    return Err(FetchError { error, status });
                }
            }
        }
    }

    /// Waits `ms` through the caller's sleep hook, or a timer cut short by an abort (the
    /// caller's next step sees the abort). The timer is cleared either way so an aborted
    /// wait keeps no process alive.
    async fn sleep(&self, ms: u32) -> Result<(), FetchError> {
        let signal = self.cancel.signal();
        if let Some(hook) = &self.sleep_hook {
            let returned = hook
                .call2(&JsValue::NULL, &JsValue::from(ms), &signal)
                .map_err(|_| hook_failed())?;
            // Resolving a promise with the hook's value adopts it if it is a thenable and
            // never throws, whatever the hook returned.
            let adopted = js_sys::Promise::new(&mut |resolve, _reject| {
                let _ = resolve.call1(&JsValue::NULL, &returned);
            });
            return JsFuture::from(adopted)
                .await
                .map(|_| ())
                .map_err(|_| hook_failed());
        }
        self.cancel.sleep(ms).await;
        Ok(())
    }
}

fn hook_failed() -> FetchError {
    Error::invalid_input("options.sleep threw or its promise rejected")
        .with_field("sleep")
        .into()
}

fn rate_headers(resp: &Response) -> RateHeaders {
    let h = resp.headers();
    RateHeaders {
        retry_after: h.get("retry-after"),
        date: h.get("date"),
        limit: h.get("x-rate-limit-limit"),
        remaining: h.get("x-rate-limit-remaining"),
        window: h.get("x-rate-limit-window"),
    }
}
