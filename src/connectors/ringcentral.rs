//! RingCentral user extensions: the whole directory, or a targeted re-fetch by email for the
//! Auto Sync retry pass. Decoding and URLs are the core's (`core::directory::ringcentral`).

use super::http::{Client, FetchError};
use super::{fetch_all, OnProgress};
use crate::core::directory::ringcentral::{by_email_url, decode_page, email_batches, list_url};
use crate::core::directory::{
    check_per_page, check_token, normalize_base_url, FetchProgress, RetryPolicy,
};
use crate::core::records::ExternalUser;
use web_sys::AbortSignal;

/// A checked connection to one RingCentral account.
pub struct RingCentral {
    base: String,
    per_page: u32,
    client: Client,
}

impl RingCentral {
    pub fn new(
        base_url: &str,
        token: String,
        per_page: u32,
        retry: RetryPolicy,
        signal: Option<AbortSignal>,
    ) -> Result<Self, FetchError> {
        let base = normalize_base_url(base_url)?;
        check_token(&token)?;
        let per_page = check_per_page(per_page)?;
        Ok(RingCentral {
            base,
            per_page,
            client: Client::new(token, retry, signal)?,
        })
    }

    /// Every user extension of the account (`type=User`), all pages.
    pub async fn users(
        &self,
        on_progress: OnProgress<'_>,
    ) -> Result<Vec<ExternalUser>, FetchError> {
        let url_for = |page| list_url(&self.base, page, self.per_page);
        let mut progress = FetchProgress::default();
        fetch_all(
            &self.client,
            &self.base,
            &url_for,
            &decode_page,
            &mut progress,
            on_progress,
        )
        .await
    }

    /// The user extensions with any of `emails` (in batches of a few dozen per request).
    /// A user found by two batches is returned once; the order is the order found.
    pub async fn users_by_email(
        &self,
        emails: &[String],
        on_progress: OnProgress<'_>,
    ) -> Result<Vec<ExternalUser>, FetchError> {
        let batches = email_batches(emails);
        let mut progress = FetchProgress::default();
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        let several = batches.len() > 1;
        for batch in &batches {
            let url_for = |page| by_email_url(&self.base, batch, page, self.per_page);
            // Totals are per batch, so they mean nothing for the whole re-fetch: report none.
            let report = |p: &FetchProgress| {
                let p = if several {
                    FetchProgress {
                        total_pages: None,
                        total_records: None,
                        ..*p
                    }
                } else {
                    *p
                };
                on_progress(&p)
            };
            let found = fetch_all(
                &self.client,
                &self.base,
                &url_for,
                &decode_page,
                &mut progress,
                &report,
            )
            .await?;
            out.extend(found.into_iter().filter(|u| seen.insert(u.id.clone())));
        }
        Ok(out)
    }
}
