//! One authenticated GET with retries, over the host's `fetch` (gloo-net), cancellable by the
//! caller's `AbortSignal`. What to do after a failure is decided by the core's
//! [`RetryPolicy::decide`]; this file only performs it.

use crate::core::directory::{redact, Decision, RetryPolicy};
use crate::core::{Error, ErrorCode};
use gloo_net::http::Request;
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

/// An authenticated client for one directory fetch.
///
/// The caller's signal is not handed to `fetch` directly: it is linked to a controller of our
/// own that aborts with a real `Error`. A caller may abort with any reason (a string, say),
/// `fetch` rejects with that reason, and gloo-net assumes rejections are `Error`s (it would
/// hit `unreachable!` and kill the instance otherwise).
pub struct Client {
    token: String,
    policy: RetryPolicy,
    controller: AbortController,
    caller: Option<AbortSignal>,
    on_abort: Option<Closure<dyn FnMut()>>,
}

impl Client {
    pub fn new(
        token: String,
        policy: RetryPolicy,
        caller: Option<AbortSignal>,
    ) -> Result<Self, FetchError> {
        let controller = AbortController::new().map_err(|_| {
            Error::invalid_input("this host has no AbortController (need Node 20 or a browser)")
        })?;
        let mut client = Client {
            token,
            policy,
            controller,
            caller: None,
            on_abort: None,
        };
        if let Some(signal) = caller {
            if signal.aborted() {
                client
                    .controller
                    .abort_with_reason(&js_sys::Error::new("aborted"));
            } else {
                let ours = client.controller.clone();
                let on_abort = Closure::<dyn FnMut()>::new(move || {
                    ours.abort_with_reason(&js_sys::Error::new("aborted"));
                });
                signal
                    .add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref())
                    .map_err(|_| {
                        Error::invalid_input("signal is not an AbortSignal").with_field("signal")
                    })?;
                client.on_abort = Some(on_abort);
            }
            client.caller = Some(signal);
        }
        Ok(client)
    }

    pub fn aborted(&self) -> bool {
        self.controller.signal().aborted()
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
    /// response, retrying as the policy says.
    pub async fn get(&self, url: &str, page: u32) -> Result<Vec<u8>, FetchError> {
        let mut attempt = 0u32;
        loop {
            if self.aborted() {
                return Err(self.abort_error(page));
            }
            let sent = Request::get(url)
                .header("Authorization", &format!("Bearer {}", self.token))
                .header("Accept", "application/json")
                .abort_signal(Some(&self.controller.signal()))
                .send()
                .await;
            let (status, retry_after, detail) = match sent {
                Ok(resp) if (200..300).contains(&resp.status()) => match resp.binary().await {
                    Ok(body) => return Ok(body),
                    Err(_) if self.aborted() => return Err(self.abort_error(page)),
                    // The body was cut off: as good as a network error.
                    Err(e) => (None, None, Some(e.to_string())),
                },
                Ok(resp) => {
                    let retry_after = resp.headers().get("retry-after");
                    // Drain the error body so the connection can be reused.
                    let _ = resp.binary().await;
                    (Some(resp.status()), retry_after, None)
                }
                Err(_) if self.aborted() => return Err(self.abort_error(page)),
                Err(e) => (None, None, Some(e.to_string())),
            };
            match self.policy.decide(attempt, status, retry_after.as_deref()) {
                Decision::Retry(ms) => {
                    self.sleep(ms).await;
                    attempt = attempt.saturating_add(1);
                }
                Decision::Fail(mut error) => {
                    let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
                    error.message = redact(
                        &format!("page {page}: {}{detail}", error.message),
                        &self.token,
                    );
                    return Err(FetchError { error, status });
                }
            }
        }
    }

    /// Waits `ms`, or less if the fetch is aborted meanwhile (the caller's next step sees the
    /// abort). The timer is cleared either way so an aborted wait keeps no process alive.
    async fn sleep(&self, ms: u32) {
        let signal = self.controller.signal();
        let mut timer = JsValue::UNDEFINED;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            timer = set_timeout(&resolve, i32::try_from(ms).unwrap_or(i32::MAX));
            let _ = signal.add_event_listener_with_callback("abort", &resolve);
        });
        let _ = JsFuture::from(promise).await;
        clear_timeout(&timer);
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // Unhook from the caller's signal, which may outlive this fetch (one controller for a
        // whole page of the admin UI, say).
        if let (Some(signal), Some(cb)) = (&self.caller, &self.on_abort) {
            let _ =
                signal.remove_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
        }
    }
}
