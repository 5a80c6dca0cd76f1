//! CXone agents (Admin API), all of them or those changed since a time (the WFM delta).
//! Decoding, URLs, paging and the mapping to `SourceUser` are the core's
//! (`core::directory::cxone`).

use super::http::{Client, Controls, FetchError};
use super::{fetch_all, Listing, OnProgress};
use crate::core::directory::cxone::{
    check_api_version, check_since, decode_page, list_url, next_step, ProfileIndex, SinceParam,
};
use crate::core::directory::vendor_error::Vendor;
use crate::core::directory::{
    check_per_page, check_token, normalize_base_url, AllowedHosts, FetchProgress, NextPage,
    RetryPolicy,
};
use crate::core::records::SourceUser;

/// What a CXone fetch asks for, checked.
pub struct CxoneQuery {
    pub api_version: String,
    pub per_page: u32,
    /// RFC 3339 UTC (from `check_since`) and the parameter spelling to send it under.
    pub since: Option<(SinceParam, String)>,
    pub profiles: ProfileIndex,
}

impl CxoneQuery {
    pub fn new(
        api_version: &str,
        per_page: u32,
        since: Option<&str>,
        since_param: SinceParam,
        profiles: ProfileIndex,
    ) -> Result<Self, FetchError> {
        let api_version = check_api_version(api_version)?.to_string();
        let per_page = check_per_page(per_page)?;
        let since = since
            .map(check_since)
            .transpose()?
            .map(|s| (since_param, s));
        Ok(CxoneQuery {
            api_version,
            per_page,
            since,
            profiles,
        })
    }
}

/// A checked connection to one CXone business unit's Admin API.
pub struct Cxone {
    base: String,
    hosts: AllowedHosts,
    client: Client,
}

impl Cxone {
    /// `allowed_hosts`: where `_links.next` may lead besides the base URL's host (`None`: its
    /// CXone cluster siblings).
    pub fn new(
        base_url: &str,
        token: String,
        retry: RetryPolicy,
        allowed_hosts: Option<&[String]>,
        controls: Controls,
    ) -> Result<Self, FetchError> {
        let base = normalize_base_url(base_url)?;
        check_token(&token)?;
        let hosts = AllowedHosts::new(&base, allowed_hosts)?;
        Ok(Cxone {
            base,
            hosts,
            client: Client::new(token, retry, Vendor::Cxone, controls)?,
        })
    }

    /// Every agent the query selects, all pages.
    pub async fn users(
        &self,
        q: &CxoneQuery,
        on_progress: OnProgress<'_>,
    ) -> Result<Vec<SourceUser>, FetchError> {
        let since = q.since.as_ref().map(|(p, v)| (*p, v.as_str()));
        let url_for = |next: &NextPage| {
            let skip = match next {
                NextPage::Skip(s) => *s,
                _ => 0,
            };
            list_url(&self.base, &q.api_version, skip, q.per_page, since)
        };
        let decode = |page, body: &[u8]| decode_page(page, body, &q.profiles);
        let listing = Listing {
            first: NextPage::Skip(0),
            url_for: &url_for,
            decode: &decode,
            step: &next_step,
            hosts: &self.hosts,
            id_of: |u: &SourceUser| u.id.as_str(),
        };
        let mut progress = FetchProgress::default();
        fetch_all(&self.client, &listing, &mut progress, on_progress).await
    }
}
