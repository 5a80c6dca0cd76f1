//! Directory clients over the host's `fetch` (browsers and Node 20). Each fetch reads every
//! page into memory and only then returns: a fetch that fails half-way gives the caller an
//! error, never a partial directory (a partial one would look like mass deletions).

pub mod cxone;
pub mod http;
pub mod iex;
pub mod ringcentral;

use crate::core::directory::{resolve_link, FetchProgress, NextPage, Page, MAX_PAGES};
use crate::core::{Error, Result};
use http::{Client, FetchError};

/// Called after each page with the running totals. Implementations must not fail the fetch.
pub type OnProgress<'a> = &'a dyn Fn(&FetchProgress);

/// Builds the URL of page `n` (1-based).
type UrlFor<'a> = &'a dyn Fn(u32) -> Result<String>;

/// Decodes page `n` from its body.
type Decode<'a, T> = &'a dyn Fn(u32, &[u8]) -> Result<Page<T>>;

/// Reads a whole paged listing: `url_for(n)` builds the URL of page `n` (1-based),
/// `decode(n, body)` decodes it. `progress` accumulates across calls (the targeted re-fetch
/// runs several listings as one fetch).
pub(crate) async fn fetch_all<T>(
    client: &Client,
    base: &str,
    url_for: UrlFor<'_>,
    decode: Decode<'_, T>,
    progress: &mut FetchProgress,
    on_progress: OnProgress<'_>,
) -> std::result::Result<Vec<T>, FetchError> {
    let mut out = Vec::new();
    let mut page = 1u32;
    let mut url = url_for(page)?;
    for _ in 0..MAX_PAGES {
        let body = client.get(&url, page).await?;
        let decoded = decode(page, &body)?;
        progress.add_page(&decoded);
        on_progress(progress);
        let next = decoded.next;
        out.extend(decoded.records);
        let next_url = match next {
            NextPage::None => return Ok(out),
            NextPage::Page(n) => {
                page = n;
                url_for(n)?
            }
            NextPage::Uri(link) => {
                let resolved = resolve_link(base, &link, page)?;
                page = page.saturating_add(1);
                resolved
            }
        };
        if next_url == url {
            return Err(Error::invalid_input(format!(
                "page {page}: the next page is the page just read"
            ))
            .into());
        }
        url = next_url;
    }
    Err(Error::invalid_input(format!(
        "the listing has more than {MAX_PAGES} pages; stopped"
    ))
    .into())
}
