//! RingCentral people extensions: the whole directory, or a targeted re-fetch by email for
//! the Auto Sync retry pass. Decoding, URLs and paging are the core's
//! (`core::directory::ringcentral`).

use super::http::{Client, Controls, FetchError};
use super::{fetch_all, Listing, OnProgress};
use crate::core::directory::ringcentral::{
    by_email_url, decode_page_with, email_batches, list_url, next_step, PersonType,
};
use crate::core::directory::vendor_error::Vendor;
use crate::core::directory::{
    check_per_page, check_token, normalize_base_url, AllowedHosts, FetchProgress, NextPage,
    RetryPolicy,
};
use crate::core::records::ExternalUser;

/// A checked connection to one RingCentral account.
pub struct RingCentral {
    base: String,
    per_page: u32,
    extra_types: Vec<PersonType>,
    /// Page URLs are built here, never taken from a response: only the base origin.
    hosts: AllowedHosts,
    client: Client,
}

fn page_of(next: &NextPage) -> u32 {
    match next {
        NextPage::Page(n) => *n,
        _ => 1,
    }
}

impl RingCentral {
    pub fn new(
        base_url: &str,
        token: String,
        per_page: u32,
        extra_types: Vec<PersonType>,
        retry: RetryPolicy,
        controls: Controls,
    ) -> Result<Self, FetchError> {
        let base = normalize_base_url(base_url)?;
        check_token(&token)?;
        let per_page = check_per_page(per_page)?;
        let hosts = AllowedHosts::new(&base, Some(&[]))?;
        Ok(RingCentral {
            base,
            per_page,
            extra_types,
            hosts,
            client: Client::new(token, retry, Vendor::RingCentral, controls)?,
        })
    }

    fn decode(
        &self,
    ) -> impl Fn(u32, &[u8]) -> crate::core::Result<crate::core::directory::Page<ExternalUser>> + '_
    {
        move |page, body| decode_page_with(page, body, &self.extra_types)
    }

    /// Every people extension of the account (`type=User` and the extra types), all pages.
    pub async fn users(
        &self,
        on_progress: OnProgress<'_>,
    ) -> Result<Vec<ExternalUser>, FetchError> {
        let url_for =
            |next: &NextPage| list_url(&self.base, page_of(next), self.per_page, &self.extra_types);
        let decode = self.decode();
        let listing = Listing {
            first: NextPage::Page(1),
            url_for: &url_for,
            decode: &decode,
            step: &next_step,
            hosts: &self.hosts,
            id_of: |u: &ExternalUser| u.id.as_str(),
        };
        let mut progress = FetchProgress::default();
        fetch_all(&self.client, &listing, &mut progress, on_progress).await
    }

    /// The people extensions with any of `emails` (in batches of a few dozen per request).
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
        let decode = self.decode();
        for batch in &batches {
            let url_for = |next: &NextPage| {
                by_email_url(
                    &self.base,
                    batch,
                    page_of(next),
                    self.per_page,
                    &self.extra_types,
                )
            };
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
            let listing = Listing {
                first: NextPage::Page(1),
                url_for: &url_for,
                decode: &decode,
                step: &next_step,
                hosts: &self.hosts,
                id_of: |u: &ExternalUser| u.id.as_str(),
            };
            let found = fetch_all(&self.client, &listing, &mut progress, &report).await?;
            out.extend(found.into_iter().filter(|u| seen.insert(u.id.clone())));
        }
        Ok(out)
    }
}
