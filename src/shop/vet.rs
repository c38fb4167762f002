//! Which addresses the health check may reach: the URL the admin typed, every redirect,
//! and every address a name resolves to, refused when private, local or reserved.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
};

use super::Refusal;
use crate::config::HealthCheckConfig;

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
pub(super) struct VettingResolver {
    cfg: HealthCheckConfig,
}

impl VettingResolver {
    pub(super) fn new(cfg: &HealthCheckConfig) -> Self {
        Self { cfg: cfg.clone() }
    }
}

impl Resolve for VettingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let cfg = self.cfg.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await;
            let addrs: Vec<SocketAddr> = found
                .map_err(|e| {
                    tracing::debug!(error = %e, host, "a shop's name did not resolve");
                    Box::new(super::NameNotFound) as Box<dyn std::error::Error + Send + Sync>
                })?
                .filter(|a| allowed(a.ip(), &cfg))
                .collect();
            if addrs.is_empty() {
                return Err(Box::new(Refusal::PrivateAddress) as Box<_>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
