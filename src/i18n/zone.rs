//! The time zone a moment is shown in: the person's own setting, else the one their
//! browser reports (the `tz` cookie a line of script sets), else UTC. Names are IANA
//! names from the time zone database bundled with `jiff`, so every install agrees.

use std::cell::RefCell;

use jiff::tz::TimeZone;

tokio::task_local! {
    /// The time zone of the request being served (see `web::lang`).
    static REQUEST_ZONE: RefCell<TimeZone>;
}

/// The zone named `name` ("Europe/Stockholm"), if the database knows it.
pub fn parse(name: &str) -> Option<TimeZone> {
    let name = name.trim();
    let plausible = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
    plausible.then(|| TimeZone::get(name).ok()).flatten()
}

/// Areas of the canonical zone names; the rest ("US/Pacific", "Cuba") are old aliases.
const AREAS: [&str; 10] = [
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

/// Every zone name a person may choose, sorted.
pub fn names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .filter(|n| {
            n.split_once('/')
                .is_some_and(|(area, _)| AREAS.contains(&area))
        })
        .collect();
    names.sort_unstable();
    names.insert(0, "UTC".to_owned());
    names
}

/// Runs `fut` (one request) with `zone` as its time zone.
pub async fn with_request_zone<F: std::future::Future>(zone: TimeZone, fut: F) -> F::Output {
    REQUEST_ZONE.scope(RefCell::new(zone), fut).await
}

/// Changes the current request's zone (a signed-in person's own setting).
pub fn set_request_zone(zone: TimeZone) {
    let _ = REQUEST_ZONE.try_with(|z| *z.borrow_mut() = zone);
}

/// The current request's zone; UTC outside a request.
pub fn request_zone() -> TimeZone {
    REQUEST_ZONE
        .try_with(|z| z.borrow().clone())
        .unwrap_or(TimeZone::UTC)
}

/// The zone's IANA name, "UTC" for UTC.
pub fn name(zone: &TimeZone) -> &str {
    zone.iana_name().unwrap_or("UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_zone_names_are_taken() {
        assert!(parse("Europe/Stockholm").is_some());
        assert!(parse("America/Argentina/Buenos_Aires").is_some());
        assert!(parse("UTC").is_some());
        for bad in [
            "",
            "Mars/Olympus_Mons",
            "../../etc/passwd",
            "Europe/Stockholm\n",
        ] {
            assert!(parse(bad).is_none() || bad.trim() != bad, "{bad:?}");
        }
        assert!(parse("../../etc/passwd").is_none());
        let names = names();
        assert!(names.len() > 300 && names[0] == "UTC");
        assert!(names.iter().any(|n| n == "Europe/Helsinki"));
    }
}
