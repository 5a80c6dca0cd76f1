//! Directory clients over the host's `fetch` (browsers and Node 20). Each fetch reads every
//! page into memory and only then returns: a fetch that fails half-way, or whose pages end
//! before the total the server declared, gives the caller an error, never a partial
//! directory (a partial one would look like mass deletions).

pub mod cxone;
pub mod http;
pub mod iex;
pub mod ringcentral;

use crate::core::directory::{AllowedHosts, FetchProgress, NextPage, Page, Tally, MAX_PAGES};
use crate::core::error::quote;
use crate::core::{Error, Result};
use http::{Client, FetchError};
use std::cell::Cell;
use std::collections::BTreeSet;

/// Called after each page with the running totals, and before each wait. Implementations
/// must not fail the fetch.
pub type OnProgress<'a> = &'a dyn Fn(&FetchProgress);

/// Decodes the `n`th response (1-based).
type Decode<'a, T> = &'a dyn Fn(u32, &[u8]) -> Result<Page<T>>;

/// Where to go after the `n`th page, from the tally of every page so far.
type Step<'a, T> = &'a dyn Fn(u32, &Tally, &Page<T>) -> Result<NextPage>;

/// One paged listing, as the vendor's pure functions describe it.
pub(crate) struct Listing<'a, T> {
    /// The first request (page 1, or skip 0).
    pub first: NextPage,
    /// The URL of a `Page` or `Skip` request.
    pub url_for: &'a dyn Fn(&NextPage) -> Result<String>,
    pub decode: Decode<'a, T>,
    pub step: Step<'a, T>,
    /// Which hosts a next-page link may lead to.
    pub hosts: &'a AllowedHosts,
    pub id_of: fn(&T) -> &str,
}

/// Reads a whole paged listing. `progress` accumulates across calls (the targeted re-fetch
/// runs several listings as one fetch).
pub(crate) async fn fetch_all<T>(
    client: &Client,
    listing: &Listing<'_, T>,
    progress: &mut FetchProgress,
    on_progress: OnProgress<'_>,
) -> std::result::Result<Vec<T>, FetchError> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut tally = Tally::default();
    let mut next = listing.first.clone();
    let mut last_url = String::new();
    let current = Cell::new(*progress);
    let on_wait = |ms, reason| on_progress(&current.get().waiting(ms, reason));
    for _ in 0..MAX_PAGES {
        let page = tally.pages.saturating_add(1);
        let url = match &next {
            NextPage::None => {
                *progress = current.get();
                return Ok(out);
            }
            NextPage::Uri(link) => listing.hosts.resolve(link, page)?,
            other => (listing.url_for)(other)?,
        };
        if url == last_url {
            return Err(Error::invalid_input(format!(
                "page {page}: the next page is the page just read"
            ))
            .into());
        }
        let body = client.get(&url, page, &on_wait).await?;
        let decoded = (listing.decode)(page, &body)?;
        tally.add(&decoded);
        let mut p = current.get();
        p.add_page(&decoded);
        current.set(p);
        on_progress(&p);
        next = (listing.step)(page, &tally, &decoded)?;
        for (i, record) in decoded.records.into_iter().enumerate() {
            let id = (listing.id_of)(&record);
            // Offset paging over a directory that changes while it is read can list one
            // entry twice (and skip another): fail rather than guess which copy is right.
            if !seen.insert(id.to_string()) {
                return Err(Error::invalid_input(format!(
                    "page {page}: entry {i} ({}) was already listed on an earlier page; the directory changed while it was read, run the fetch again",
                    quote(id)
                ))
                .at(i)
                .with_id(id)
                .into());
            }
            out.push(record);
        }
        last_url = url;
    }
    Err(Error::invalid_input(format!(
        "the listing has more than {MAX_PAGES} pages; stopped"
    ))
    .into())
}
