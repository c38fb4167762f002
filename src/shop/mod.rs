//! The store health check: fetch the merchant's shop pages and look for the markers of
//! the legacy and the new plugin (configured in the catalog). Fetching a URL a user
//! typed is a classic way into a private network, so every address is checked, on the
//! first request, on every redirect and at DNS resolution (which also defeats
//! rebinding); no proxy is used; time, size and redirects are capped.

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
    redirect,
};

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
    Unreachable(String),
}

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

/// Parses and vets the address the admin typed (a missing scheme means https).
pub fn parse_shop_url(raw: &str, cfg: &HealthCheckConfig) -> Result<Url, Refusal> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let url = Url::parse(&with_scheme).map_err(|_| Refusal::NotAUrl)?;
    vet(&url, cfg)?;
    Ok(url)
}

/// Scheme, credentials and (for literal IPs) the address; names are vetted when resolved.
pub fn vet(url: &Url, cfg: &HealthCheckConfig) -> Result<(), Refusal> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Credentials);
    }
    match url.host() {
        None => Err(Refusal::NotAUrl),
        Some(url::Host::Ipv4(ip)) if !allowed(IpAddr::V4(ip), cfg) => Err(Refusal::PrivateAddress),
        Some(url::Host::Ipv6(ip)) if !allowed(IpAddr::V6(ip), cfg) => Err(Refusal::PrivateAddress),
        Some(_) => Ok(()),
    }
}

/// [`vet`], and for a name every address it resolves to now, so an address that leads
/// into a private network is refused when it is saved, not first when it is used (where
/// the resolver checks again, which defeats rebinding). A name that does not resolve
/// (yet) is left to that later check.
pub async fn vet_resolved(url: &Url, cfg: &HealthCheckConfig) -> Result<(), Refusal> {
    vet(url, cfg)?;
    let Some(url::Host::Domain(host)) = url.host() else {
        return Ok(());
    };
    if cfg.allow_private {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let wait = cfg.timeout.min(std::time::Duration::from_secs(5));
    match tokio::time::timeout(wait, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(addrs)) => {
            let mut addrs = addrs;
            if addrs.any(|a| !allowed(a.ip(), cfg)) {
                Err(Refusal::PrivateAddress)
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

fn allowed(ip: IpAddr, cfg: &HealthCheckConfig) -> bool {
    cfg.allow_private || is_public(ip)
}

/// Whether an address is on the public internet (not private, loopback, link-local,
/// shared, documentation, multicast or otherwise reserved). An IPv6 form that carries an
/// IPv4 address (mapped, compatible, NAT64, 6to4) is judged by the address it carries,
/// since that is where a gateway would deliver it.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => is_public_v4(a),
        IpAddr::V6(a) => {
            if let Some(v4) = embedded_v4(a) {
                return is_public_v4(v4);
            }
            let first = a.segments()[0];
            !(a.is_loopback()
                || a.is_unspecified()
                || a.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed by some)
                || (first == 0x0064 && a.segments()[1] == 0xff9b) // local-use NAT64 (64:ff9b:1::/48)
                // Teredo (2001::/32) tunnels to the IPv4 address it carries, obfuscated.
                || (first == 0x2001 && a.segments()[1] == 0x0000)
                || (first == 0x2001 && a.segments()[1] == 0x0db8)) // documentation
        }
    }
}

/// The IPv4 address an IPv6 address carries: IPv4-mapped (`::ffff:a.b.c.d`),
/// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) or 6to4 (`2002:AABB:CCDD::`).
fn embedded_v4(a: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = a.segments();
    let low = Ipv4Addr::from_bits(a.to_bits() as u32);
    if let Some(v4) = a.to_ipv4_mapped() {
        return Some(v4);
    }
    // `::` and `::1` are IPv6's own unspecified and loopback addresses, judged as such.
    if s[..6] == [0; 6] && !a.is_loopback() && !a.is_unspecified() {
        return Some(low);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(low);
    }
    // IPv4-translated (SIIT, `::ffff:0:a.b.c.d`).
    if s[..6] == [0, 0, 0, 0, 0xffff, 0] {
        return Some(low);
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::from_bits(
            (u32::from(s[1]) << 16) | u32::from(s[2]),
        ));
    }
    None
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    let [b0, b1, ..] = a.octets();
    !(a.is_private()
        || a.is_loopback()
        || a.is_link_local()
        || a.is_unspecified()
        || a.is_broadcast()
        || a.is_documentation()
        || a.is_multicast()
        || b0 == 0
        || (b0 == 100 && (64..128).contains(&b1)) // shared address space
        || (b0 == 192 && b1 == 0 && a.octets()[2] == 0)
        || (b0 == 198 && (18..20).contains(&b1)) // benchmarking
        || b0 >= 240)
}

/// Resolves names, then drops every address the check may not reach.
struct VettingResolver {
    cfg: HealthCheckConfig,
}

impl Resolve for VettingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let cfg = self.cfg.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allowed(a.ip(), &cfg))
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(Refusal::PrivateAddress) as Box<_>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
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
        .dns_resolver(Arc::new(VettingResolver { cfg: cfg.clone() }))
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
        .dns_resolver(Arc::new(VettingResolver { cfg: cfg.clone() }))
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
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(refusal) = err.downcast_ref::<Refusal>() {
            return Fetch::Refused(refusal.clone());
        }
        if err.is::<TooManyRedirects>() {
            return Fetch::TooManyRedirects;
        }
        source = err.source();
    }
    if e.is_timeout() {
        Fetch::TimedOut
    } else {
        Fetch::Unreachable(e.without_url().to_string())
    }
}

#[cfg(test)]
mod tests;
