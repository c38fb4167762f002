//! The store health check: fetch the merchant's shop pages and look for the markers of
//! the legacy and the new plugin (configured in the catalog). Fetching a URL a user
//! typed is a classic way into a private network, so every address is checked, on the
//! first request, on every redirect and at DNS resolution (which also defeats
//! rebinding); no proxy is used; time, size and redirects are capped.

mod vet;

use std::sync::Arc;

use reqwest::{Url, redirect};

use vet::VettingResolver;
pub use vet::{is_public, parse_shop_url, vet, vet_resolved};

use crate::{
    config::HealthCheckConfig,
    domain::catalog::{HealthMarkers, Marker},
};

/// Why a URL is not fetched at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("that is not a web address; it should look like https://shop.example.com")]
    NotAUrl,
    #[error("only http:// and https:// addresses can be checked")]
    Scheme,
    #[error("addresses with a user name or password in them are not checked")]
    Credentials,
    #[error("that address is in a private or local network, which Switchyard does not fetch")]
    PrivateAddress,
}

/// What happened to one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    Fetched {
        status: u16,
        /// The body was longer than the cap; only its beginning was read.
        truncated: bool,
        legacy: Vec<String>,
        new: Vec<String>,
    },
    TimedOut,
    TooManyRedirects,
    /// A redirect or DNS answer pointed at a refused address or scheme.
    Refused(Refusal),
    Unreachable(Unreachable),
}

/// Why a page could not be reached, as its admin can be told (the library's own words,
/// English and technical, go to the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreachable {
    /// The shop's name could not be looked up: it does not exist, or the lookup failed.
    NameNotFound,
    /// Nothing listens at the address.
    Refused,
    /// The secure connection (TLS) failed: a bad certificate, or no TLS there.
    Tls,
    Other,
}

impl Unreachable {
    pub const ALL: [Unreachable; 4] = [Self::NameNotFound, Self::Refused, Self::Tls, Self::Other];

    pub fn key(self) -> &'static str {
        match self {
            Unreachable::NameNotFound => "health.why.name",
            Unreachable::Refused => "health.why.refused",
            Unreachable::Tls => "health.why.tls",
            Unreachable::Other => "health.why.other",
        }
    }
}

/// The resolver found no address for the shop's name (no such name, or no answer).
#[derive(Debug, thiserror::Error)]
#[error("the name could not be looked up")]
pub(crate) struct NameNotFound;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageReport {
    pub url: String,
    pub fetch: Fetch,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub pages: Vec<PageReport>,
}

/// The overall answer, for the headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A legacy marker is still on some page.
    LegacyStillThere,
    /// Only the new plugin was seen.
    NewOnly,
    /// Pages loaded but neither plugin was seen.
    NothingSeen,
    /// No page could be read (an error status counts as unread).
    Unreadable,
}

impl Report {
    pub fn verdict(&self) -> Verdict {
        let fetched: Vec<_> = self
            .pages
            .iter()
            .filter_map(|p| match &p.fetch {
                Fetch::Fetched {
                    status,
                    legacy,
                    new,
                    ..
                } if *status < 400 => Some((legacy, new)),
                _ => None,
            })
            .collect();
        if fetched.is_empty() {
            Verdict::Unreadable
        } else if fetched.iter().any(|(legacy, _)| !legacy.is_empty()) {
            Verdict::LegacyStillThere
        } else if fetched.iter().any(|(_, new)| !new.is_empty()) {
            Verdict::NewOnly
        } else {
            Verdict::NothingSeen
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("more than {0} redirects")]
struct TooManyRedirects(usize);

fn client(cfg: &HealthCheckConfig) -> reqwest::Result<reqwest::Client> {
    let policy_cfg = cfg.clone();
    let policy = redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > policy_cfg.max_redirects {
            return attempt.error(TooManyRedirects(policy_cfg.max_redirects));
        }
        match vet(attempt.url(), &policy_cfg) {
            Ok(()) => attempt.follow(),
            Err(refusal) => attempt.error(refusal),
        }
    });
    reqwest::Client::builder()
        .no_proxy()
        .redirect(policy)
        .dns_resolver(Arc::new(VettingResolver::new(cfg)))
        .connect_timeout(cfg.timeout)
        .timeout(cfg.timeout)
        .user_agent(concat!(
            "Switchyard-HealthCheck/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
}

/// A client for addresses people typed (partner webhooks): the same address vetting
/// as the health check, no redirects, a short timeout.
pub fn outbound_client(cfg: &HealthCheckConfig, agent: &str) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(redirect::Policy::none())
        .dns_resolver(Arc::new(VettingResolver::new(cfg)))
        .connect_timeout(cfg.timeout)
        .timeout(cfg.timeout)
        .user_agent(format!("{agent}/{}", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Fetches the shop's front page and its checkout page and reports the markers found.
pub async fn check(
    shop: &Url,
    checkout_path: &str,
    markers: &HealthMarkers,
    cfg: &HealthCheckConfig,
) -> anyhow::Result<Report> {
    let client = client(cfg)?;
    let mut urls = vec![shop.clone()];
    if let Ok(checkout) = shop.join(checkout_path)
        && checkout != *shop
    {
        urls.push(checkout);
    }
    let mut pages = Vec::new();
    for url in urls {
        let fetch = fetch(&client, &url, markers, cfg.max_bytes).await;
        tracing::info!(%url, ?fetch, "store health check");
        pages.push(PageReport {
            url: url.to_string(),
            fetch,
        });
    }
    Ok(Report { pages })
}

async fn fetch(client: &reqwest::Client, url: &Url, markers: &HealthMarkers, cap: usize) -> Fetch {
    match read_capped(client, url, cap).await {
        Ok((status, body, truncated)) => {
            let text = String::from_utf8_lossy(&body).to_lowercase();
            let seen = |list: &[Marker]| {
                list.iter()
                    .filter(|m| text.contains(&m.text.to_lowercase()))
                    .map(|m| m.label.clone())
                    .collect()
            };
            Fetch::Fetched {
                status,
                truncated,
                legacy: seen(&markers.legacy_markers),
                new: seen(&markers.new_markers),
            }
        }
        Err(e) => classify(e),
    }
}

/// The status and at most `cap` bytes of the body.
async fn read_capped(
    client: &reqwest::Client,
    url: &Url,
    cap: usize,
) -> reqwest::Result<(u16, Vec<u8>, bool)> {
    let mut res = client.get(url.clone()).send().await?;
    let status = res.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await? {
        let room = cap - body.len();
        if chunk.len() >= room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((status, body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, body, false))
}

fn classify(e: reqwest::Error) -> Fetch {
    let mut why = Unreachable::Other;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(refusal) = err.downcast_ref::<Refusal>() {
            return Fetch::Refused(refusal.clone());
        }
        if err.is::<TooManyRedirects>() {
            return Fetch::TooManyRedirects;
        }
        if err.is::<NameNotFound>() {
            why = Unreachable::NameNotFound;
        } else if err.is::<rustls::Error>() {
            why = Unreachable::Tls;
        } else if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                why = Unreachable::Refused;
            } else if wraps_tls(io) {
                why = Unreachable::Tls;
            }
        }
        source = err.source();
    }
    if e.is_timeout() {
        return Fetch::TimedOut;
    }
    tracing::info!(error = %format!("{:#}", anyhow::Error::from(e.without_url())), ?why, "a shop page could not be reached");
    Fetch::Unreachable(why)
}

/// Whether a TLS error is inside `io`, however deep: an io::Error's source skips the
/// error it wraps, so the wrapped ones are opened here.
fn wraps_tls(io: &std::io::Error) -> bool {
    match io.get_ref() {
        Some(inner) if inner.is::<rustls::Error>() => true,
        Some(inner) => inner
            .downcast_ref::<std::io::Error>()
            .is_some_and(wraps_tls),
        None => false,
    }
}

#[cfg(test)]
mod tests;
