//! Which next-page links a connector follows. The bearer token goes with every request, so
//! a link from a response (which may be forged or misconfigured) is followed only to the
//! base URL's origin or to a host the caller allows.
//!
//! The default allow-list is the base URL's host plus, for a CXone API host, its cluster
//! siblings: CXone serves one tenant from several cluster hosts (`api-na1`, `api-c7`, ...),
//! all under `niceincontact.com` or the older `nice-incontact.com`, and its `_links.next` may
//! name another of them than the one first called. Any other host must be allowed by name.

use crate::core::error::{quote, Error, Result};

/// The domains whose subdomains are CXone cluster hosts (NICE owns both).
const CXONE_CLUSTER_DOMAINS: &[&str] = &["niceincontact.com", "nice-incontact.com"];

/// An http(s) URL's parts the rules look at, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    https: bool,
    host: String,
    /// The port, explicit or the scheme's default.
    port: u16,
}

impl Origin {
    fn parse(url: &str) -> Option<Origin> {
        let lower = url.trim().to_ascii_lowercase();
        let (scheme, rest) = lower.split_once("://")?;
        let https = match scheme {
            "https" => true,
            "http" => false,
            _ => return None,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        let (host, port) = match authority.rsplit_once(':') {
            // An IPv6 literal keeps its colons inside brackets.
            Some((h, p)) if !p.contains(']') => (h, p.parse::<u16>().ok()?),
            _ => (authority, if https { 443 } else { 80 }),
        };
        if host.is_empty() {
            return None;
        }
        Some(Origin {
            https,
            host: host.to_string(),
            port,
        })
    }

    fn prefix(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let default = if self.https { 443 } else { 80 };
        if self.port == default {
            format!("{scheme}://{}", self.host)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// The hosts a next-page link may point to, besides the base URL's own origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts {
    base: Origin,
    /// Exact hosts, or `*.domain` for any subdomain of `domain`.
    patterns: Vec<String>,
}

impl AllowedHosts {
    /// `setting`: the caller's list (exact hosts or `*.domain`); `None` for the default.
    pub fn new(base_url: &str, setting: Option<&[String]>) -> Result<Self> {
        let base = Origin::parse(base_url).ok_or_else(|| {
            Error::invalid_input("baseUrl is not an http(s) URL").with_field("baseUrl")
        })?;
        let patterns = match setting {
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, p)| check_pattern(i, p))
                .collect::<Result<Vec<_>>>()?,
            None => CXONE_CLUSTER_DOMAINS
                .iter()
                .filter(|d| base.host.ends_with(&format!(".{d}")))
                .map(|d| format!("*.{d}"))
                .collect(),
        };
        Ok(AllowedHosts { base, patterns })
    }

    fn allows(&self, host: &str) -> bool {
        host == self.base.host
            || self.patterns.iter().any(|p| match p.strip_prefix("*.") {
                Some(domain) => host
                    .strip_suffix(domain)
                    .and_then(|h| h.strip_suffix('.'))
                    .is_some_and(|label| !label.is_empty()),
                None => host == p,
            })
    }

    /// Turns a next link from page `page` into the URL to fetch, or says why not.
    ///
    /// A path is taken on the base origin. An absolute URL on the base origin is followed.
    /// Another host must be allowed, on `https` (or on `http` only when the base itself is
    /// `http`, a local test server: never a downgrade), on the base's port.
    pub fn resolve(&self, link: &str, page: u32) -> Result<String> {
        let link = link.trim();
        if link.starts_with('/') && !link.starts_with("//") {
            return Ok(format!("{}{link}", self.base.prefix()));
        }
        let to = Origin::parse(link).ok_or_else(|| {
            Error::invalid_input(format!(
                "page {page}: the next-page link {} is not an http(s) URL; not followed",
                quote(link)
            ))
        })?;
        if to == self.base {
            return Ok(link.to_string());
        }
        if !to.https && self.base.https {
            return Err(Error::invalid_input(format!(
                "page {page}: the next-page link leaves https for http ({}); not followed",
                quote(&to.host)
            )));
        }
        if !self.allows(&to.host) || to.port != self.base.port {
            let allowed = std::iter::once(self.base.host.clone())
                .chain(self.patterns.iter().cloned())
                .collect::<Vec<_>>()
                .join(", ");
            return Err(Error::invalid_input(format!(
                "page {page}: the next-page link goes to {}, which is not an allowed host ({allowed}); list it in allowedHosts to follow it",
                quote(&to.prefix())
            ))
            .with_field("allowedHosts"));
        }
        Ok(link.to_string())
    }
}

/// Checks one `allowedHosts` entry: a host name, or `*.` and a domain of two labels or more.
fn check_pattern(i: usize, p: &str) -> Result<String> {
    let p = p.trim().to_ascii_lowercase();
    let host = p.strip_prefix("*.").unwrap_or(&p);
    let labels: Vec<&str> = host.split('.').collect();
    let ok = !host.is_empty()
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        && (!p.starts_with("*.") || labels.len() >= 2);
    if ok {
        Ok(p)
    } else {
        Err(Error::invalid_input(format!(
            "allowedHosts[{i}] must be a host name or *.domain (with a domain of two labels or more), got {}",
            quote(&p)
        ))
        .at(i)
        .with_field("allowedHosts"))
    }
}

/// A link checked against the base origin only (no other host allowed).
pub fn resolve_link(base: &str, link: &str, page: u32) -> Result<String> {
    AllowedHosts::new(base, Some(&[]))?.resolve(link, page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::ErrorCode;

    #[test]
    fn same_origin_links_and_paths_are_followed() {
        let base = "https://api.example.com:8443/root";
        assert_eq!(
            resolve_link(base, "/a?page=2", 1).unwrap(),
            "https://api.example.com:8443/a?page=2"
        );
        assert_eq!(
            resolve_link(base, "HTTPS://API.example.com:8443/a?skip=5", 1).unwrap(),
            "HTTPS://API.example.com:8443/a?skip=5"
        );
        for bad in [
            "https://evil.example.com/a",
            "https://api.example.com/a",
            "//evil/a",
            "javascript:x",
            "a",
            "https://user@api.example.com:8443/a",
        ] {
            let e = resolve_link(base, bad, 4).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(e.message.starts_with("page 4:"), "{}", e.message);
        }
    }

    #[test]
    fn cxone_cluster_siblings_are_allowed_by_default_on_https_only() {
        let a = AllowedHosts::new("https://api-na1.niceincontact.com", None).unwrap();
        let next = "https://api-c7.niceincontact.com/inContactAPI/services/v23.0/agents?skip=100";
        assert_eq!(a.resolve(next, 1).unwrap(), next);
        for bad in [
            "http://api-c7.niceincontact.com/x",
            "https://niceincontact.com.evil.example/x",
            "https://evilniceincontact.com/x",
            "https://api-c7.niceincontact.com:8443/x",
            "https://api.nice-incontact.com/x",
        ] {
            let e = a.resolve(bad, 2).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput, "{bad}");
        }
        let e = a.resolve("https://other.example/x", 3).unwrap_err();
        assert!(
            e.message
                .contains("api-na1.niceincontact.com, *.niceincontact.com"),
            "{}",
            e.message
        );
        assert_eq!(e.field.as_deref(), Some("allowedHosts"));
        let old = AllowedHosts::new("https://api-b2.nice-incontact.com", None).unwrap();
        assert!(old
            .resolve("https://api-c9.nice-incontact.com/x", 1)
            .is_ok());
        let other = AllowedHosts::new("https://cx.example.org", None).unwrap();
        assert!(other
            .resolve("https://api-c7.niceincontact.com/x", 1)
            .is_err());
    }

    #[test]
    fn the_caller_lists_hosts_and_local_http_bases_may_use_http() {
        let list = vec!["localhost".to_string(), "*.Cluster.Example".to_string()];
        let a = AllowedHosts::new("http://127.0.0.1:4000", Some(&list)).unwrap();
        assert!(a.resolve("http://localhost:4000/p2", 1).is_ok());
        assert!(a.resolve("https://x.cluster.example:4000/p2", 1).is_ok());
        assert!(
            a.resolve("https://x.cluster.example/p2", 1).is_err(),
            "not the base's port"
        );
        let b = AllowedHosts::new("https://api.cluster.example", Some(&list)).unwrap();
        assert!(b.resolve("https://x.y.cluster.example/p2", 1).is_ok());
        assert!(
            a.resolve("http://localhost:4001/p2", 1).is_err(),
            "another port"
        );
        assert!(
            a.resolve("http://cluster.example/p2", 1).is_err(),
            "the bare domain"
        );
        for bad in ["*.com", "*", "", "a b", "*.x..y", "host/path"] {
            let e = AllowedHosts::new("https://x.y", Some(&[bad.to_string()])).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("allowedHosts"), "{bad}");
        }
    }
}
