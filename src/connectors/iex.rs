//! What IEX WFM holds, read back through the SmartSync REST API: log in (a `JSESSIONID`
//! cookie session, logged in again once when a call answers 401), find the management units
//! the user may view, submit an agent-export job, poll its status with backoff, then page the
//! result by `X-Next-Record`. Every answer is decoded by `core::directory::iex`.
//!
//! The result is gzip. It is inflated with the host's `DecompressionStream('gzip')` (Node 20
//! and every current browser have it), through the JS globals declared below: no new crate
//! and no extra web-sys features. A body that is not gzip (a transport that already inflated
//! it) is read as it is.
//!
//! Browsers forbid a script to send `Cookie`; this connector is for Node (the CLI, scripts).
//! A page would need a same-origin proxy that holds the session.

use super::http::Cancel;
use crate::core::directory::iex::{
    decode_job_id, decode_mus, decode_result_page, decode_status, export_body, http_failure,
    job_failed, login_body, next_record, result_path, session_from_login, status_path, IexAgent,
    JobState, ENTITIES_PATH, EXPORT_PATH, LOGIN_PATH, MAX_RESULT_PAGES,
};
use crate::core::directory::{normalize_base_url, redact};
use crate::core::{Error, ErrorCode, Result};
use gloo_net::http::{Request, RequestBuilder, Response};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Response)]
    type JsResponse;
    #[wasm_bindgen(constructor, js_class = "Response", catch)]
    fn from_body(body: &JsValue) -> std::result::Result<JsResponse, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn body(this: &JsResponse) -> JsValue;
    #[wasm_bindgen(method, js_name = arrayBuffer)]
    fn array_buffer(this: &JsResponse) -> js_sys::Promise;

    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> std::result::Result<DecompressionStream, JsValue>;
}

/// How to reach one IEX customer and read what it holds.
pub struct IexLogin {
    pub base_url: String,
    pub customer_id: String,
    pub user_name: String,
    /// Only ever in the login body; redacted from every message.
    pub password: String,
    pub locale: String,
}

/// Tuning of the export wait.
#[derive(Clone, Copy)]
pub struct Polling {
    /// First wait between status polls; doubles up to `max_ms`.
    pub first_ms: u32,
    pub max_ms: u32,
    /// Status polls (and 206 answers) before giving up.
    pub max_polls: u32,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            first_ms: 1000,
            max_ms: 15_000,
            max_polls: 120,
        }
    }
}

/// A SmartSync session over `fetch`, cancellable by the caller's signal.
pub struct Iex {
    base: String,
    login: IexLogin,
    session: RefCell<Option<String>>,
    cancel: Cancel,
}

enum Body {
    None,
    Json(String),
}

impl Iex {
    pub fn new(login: IexLogin, caller: Option<AbortSignal>) -> Result<Self> {
        let base = normalize_base_url(&login.base_url)?;
        for (v, field) in [
            (&login.customer_id, "customerId"),
            (&login.user_name, "userName"),
            (&login.password, "password"),
        ] {
            if v.trim().is_empty() {
                return Err(
                    Error::invalid_input(format!("{field} must not be empty")).with_field(field)
                );
            }
        }
        Ok(Iex {
            base,
            login,
            session: RefCell::new(None),
            cancel: Cancel::link(caller)?,
        })
    }

    fn aborted(&self) -> bool {
        self.cancel.aborted()
    }

    fn abort_error(&self, what: &str) -> Error {
        Error::new(
            ErrorCode::Aborted,
            format!("IEX {what}: cancelled by its AbortSignal"),
        )
    }

    fn hide(&self, mut e: Error) -> Error {
        e.message = redact(&e.message, &self.login.password);
        e
    }

    async fn send(
        &self,
        what: &str,
        method: &str,
        path: &str,
        body: &Body,
        session: Option<&str>,
    ) -> Result<Response> {
        if self.aborted() {
            return Err(self.abort_error(what));
        }
        let url = format!("{}{path}", self.base);
        let mut req: RequestBuilder = if method == "POST" {
            Request::post(&url)
        } else {
            Request::get(&url)
        };
        req = req
            .header("Accept", "application/json")
            .abort_signal(Some(&self.cancel.signal()));
        if let Some(s) = session {
            req = req.header("Cookie", &format!("JSESSIONID={s}"));
        }
        let sent = match body {
            Body::Json(text) => {
                req.header("Content-Type", "application/json")
                    .body(text.as_str())
                    .map_err(|e| self.hide(Error::invalid_input(format!("IEX {what}: {e}"))))?
                    .send()
                    .await
            }
            Body::None => req.send().await,
        };
        match sent {
            Ok(r) => Ok(r),
            Err(_) if self.aborted() => Err(self.abort_error(what)),
            Err(e) => Err(self.hide(Error::new(
                ErrorCode::HttpError,
                format!("IEX {what}: network error ({e})"),
            ))),
        }
    }

    async fn bytes(&self, what: &str, r: &Response) -> Result<Vec<u8>> {
        match r.binary().await {
            Ok(b) => Ok(b),
            Err(_) if self.aborted() => Err(self.abort_error(what)),
            Err(e) => Err(Error::new(
                ErrorCode::HttpError,
                format!("IEX {what}: body cut off ({e})"),
            )),
        }
    }

    async fn log_in(&self) -> Result<String> {
        let l = &self.login;
        let body = Body::Json(login_body(
            &l.customer_id,
            &l.user_name,
            &l.password,
            &l.locale,
        ));
        let r = self.send("login", "POST", LOGIN_PATH, &body, None).await?;
        let status = r.status();
        let cookie = r.headers().get("set-cookie");
        let bytes = self.bytes("login", &r).await?;
        if !(200..300).contains(&status) {
            return Err(http_failure("login", status, &bytes, &l.password).with_field("password"));
        }
        let session = session_from_login(&bytes, cookie.as_deref()).map_err(|e| self.hide(e))?;
        *self.session.borrow_mut() = Some(session.clone());
        Ok(session)
    }

    /// One call in the session: logs in first if needed, and once more when the session
    /// expired (401). Returns the status, `X-Next-Record` and the body.
    async fn call(
        &self,
        what: &str,
        method: &str,
        path: &str,
        body: Body,
    ) -> Result<(u16, Option<String>, Vec<u8>)> {
        let mut relogged = false;
        loop {
            let current = self.session.borrow().clone();
            let session = match current {
                Some(s) => s,
                None => self.log_in().await?,
            };
            let r = self.send(what, method, path, &body, Some(&session)).await?;
            let status = r.status();
            let next = r.headers().get("x-next-record");
            let bytes = self.bytes(what, &r).await?;
            if status == 401 && !relogged {
                relogged = true;
                *self.session.borrow_mut() = None;
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(http_failure(what, status, &bytes, &self.login.password));
            }
            return Ok((status, next, bytes));
        }
    }

    /// The management units the user may view.
    pub async fn management_units(&self) -> Result<Vec<String>> {
        let (_, _, body) = self
            .call("entities", "GET", ENTITIES_PATH, Body::None)
            .await?;
        decode_mus(&body)
    }

    /// Every agent IEX holds in `mu_ids` (all the user may view when empty), via one export
    /// job over `start_date..=end_date`.
    pub async fn agents(
        &self,
        mu_ids: Vec<String>,
        start_date: &str,
        end_date: &str,
        polling: Polling,
    ) -> Result<Vec<IexAgent>> {
        let mus = if mu_ids.is_empty() {
            self.management_units().await?
        } else {
            mu_ids
        };
        let body = export_body(start_date, end_date, &mus)?;
        let (_, _, answer) = self
            .call("agent export", "POST", EXPORT_PATH, Body::Json(body))
            .await?;
        let job = decode_job_id(&answer)?;
        let mut wait = polling.first_ms.max(1);
        let mut polls = 0u32;
        loop {
            let (_, _, answer) = self
                .call("job status", "GET", &status_path(&job), Body::None)
                .await?;
            match decode_status(&answer)? {
                JobState::Completed => break,
                JobState::Failed { status, details } => {
                    return Err(self.hide(job_failed(&status, &details)))
                }
                JobState::Waiting | JobState::Running => {}
            }
            polls = polls.saturating_add(1);
            if polls >= polling.max_polls {
                return Err(Error::new(
                    ErrorCode::HttpError,
                    format!("IEX agent export {job}: not finished after {polls} status checks"),
                ));
            }
            self.sleep(wait).await;
            wait = wait.saturating_mul(2).min(polling.max_ms.max(1));
        }
        let mut out = Vec::new();
        let mut start = 0u64;
        let mut pages = 0u32;
        loop {
            let (status, next, body) = self
                .call("result", "GET", &result_path(&job, start), Body::None)
                .await?;
            if status == 206 {
                // Unfinished after all: wait and ask for the same page again.
                polls = polls.saturating_add(1);
                if polls >= polling.max_polls {
                    return Err(Error::new(
                        ErrorCode::HttpError,
                        format!("IEX result {job}: still unfinished (206)"),
                    ));
                }
                self.sleep(wait).await;
                continue;
            }
            let json = self.gunzip(body).await?;
            let page = decode_result_page(&json, start)?;
            let received = u64::try_from(page.len()).unwrap_or(u64::MAX);
            out.extend(page);
            pages = pages.saturating_add(1);
            match next_record(next.as_deref())? {
                None => return Ok(out),
                Some(n) if n <= start => {
                    return Err(Error::invalid_input(format!(
                        "IEX result {job}: X-Next-Record {n} does not move past {start}"
                    )))
                }
                Some(n) => {
                    if received == 0 {
                        return Err(Error::new(
                            ErrorCode::IncompleteDirectory,
                            format!("IEX result {job}: an empty page says more follow at {n}"),
                        ));
                    }
                    start = n;
                }
            }
            if pages >= MAX_RESULT_PAGES {
                return Err(Error::invalid_input(format!(
                    "IEX result {job}: more than {MAX_RESULT_PAGES} pages; stopped"
                )));
            }
        }
    }

    async fn gunzip(&self, body: Vec<u8>) -> Result<Vec<u8>> {
        if !body.starts_with(&[0x1f, 0x8b]) {
            return Ok(body);
        }
        let fail = |_| {
            Error::invalid_input("IEX result: the gzip could not be inflated (needs DecompressionStream: Node 20 or a browser)")
        };
        let bytes = js_sys::Uint8Array::from(body.as_slice());
        let stream = JsResponse::from_body(&bytes.into()).map_err(fail)?.body();
        let inflate = DecompressionStream::new("gzip").map_err(fail)?;
        let pipe = js_sys::Reflect::get(&stream, &"pipeThrough".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .ok_or_else(|| fail(JsValue::NULL))?;
        let inflated = pipe.call1(&stream, &inflate).map_err(fail)?;
        let promise = JsResponse::from_body(&inflated)
            .map_err(fail)?
            .array_buffer();
        let buf = JsFuture::from(promise)
            .await
            .map_err(|_| Error::invalid_input("IEX result: the body is not valid gzip"))?;
        Ok(js_sys::Uint8Array::new(&buf).to_vec())
    }

    async fn sleep(&self, ms: u32) {
        self.cancel.sleep(ms).await;
    }
}
