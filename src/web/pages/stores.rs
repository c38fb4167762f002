//! The start page's store list and a store's overview.

use dioxus::prelude::*;

use super::{
    layout::{Ctx, Page, page},
    sunset::countdown,
    traffic::Traffic,
};
use crate::app::{paths, traffic::StoreMeter};
use crate::{
    domain::{
        Step, Upgrade,
        access::{Relation, StaffRole},
        catalog::Catalog,
        sunset::Phase,
        traffic::Use,
    },
    i18n::Tr,
    store::{legacy_orders::LegacyOrder, stores::Store},
    web::access::StoreReader,
};

/// A line of the store list.
pub struct Row {
    pub store: Store,
    pub upgrade: Option<Upgrade>,
    /// Legacy authorizations expiring within the warning window.
    pub expiring: i64,
    /// The legacy store's sunset day and where its countdown stands.
    pub sunset: Option<(time::Date, Phase)>,
}

/// Where a long list stands: how many in all, and which page of how many.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    pub total: i64,
    pub current: i64,
    pub pages: i64,
}

pub fn my_stores(
    ctx: &Ctx,
    catalog: &Catalog,
    stores: &[Row],
    q: &str,
    paging: Option<Paging>,
) -> Page {
    let tr = ctx.tr;
    let title = tr.t(match ctx.role {
        Some(StaffRole::Support) => "stores.title_support",
        Some(StaffRole::PartnerManager) => "stores.title_partner",
        _ => "stores.title",
    });
    let body = rsx! {
        section { class: "card",
            h1 { "{title}" }
            if ctx.role == Some(StaffRole::Support) {
                form { method: "get", action: "/", class: "search", role: "search",
                    label { r#for: "q", {tr.t("stores.search")} }
                    input { id: "q", name: "q", r#type: "search", value: "{q}" }
                    button { class: "button", r#type: "submit", {tr.t("stores.search_button")} }
                }
            }
            if ctx.role == Some(StaffRole::Operator) {
                p { {tr.t("stores.operator")} " " a { href: "/staff", {tr.t("layout.staff")} } }
            } else if stores.is_empty() {
                p { {tr.t("stores.none")} }
            }
            if let Some(pg) = paging {
                p { class: "lead", id: "stores-total", role: "status",
                    {tr.n("consoles.stores.total", pg.total, &[("count", &pg.total.to_string()), ("shown", &stores.len().to_string())])}
                }
            }
            ul { class: "store-list",
                for Row { store: s, upgrade: u, expiring, sunset } in stores.iter() {
                    li {
                        a { href: paths::store(&s.legacy_store_id).overview(),
                            strong { "{s.name}" }
                            span { class: "meta", {identity(&tr, catalog, s, u.as_ref())} }
                        }
                        {status_tag(&tr, u.as_ref(), sunset.is_some_and(|(_, p)| p.is_closed()))}
                        {countdown(&tr, &s.legacy_store_id, *sunset)}
                        if *expiring > 0 {
                            a { class: "tag warn expiring", href: format!("{}#legacy-orders", paths::store(&s.legacy_store_id).legacy()),
                                {tr.f("stores.expiring", &[("count", &expiring.to_string())])}
                            }
                        }
                    }
                }
            }
            if let Some(pg) = paging.filter(|pg| pg.pages > 1) {
                nav { class: "pager", "aria-label": tr.t("partner.pages"),
                    if pg.current > 1 {
                        a { href: "/?page={pg.current - 1}", rel: "prev", {tr.t("partner.prev")} }
                    }
                    span { id: "page-of", {tr.f("partner.page_of", &[("page", &pg.current.to_string()), ("pages", &pg.pages.to_string())])} }
                    if pg.current < pg.pages {
                        a { href: "/?page={pg.current + 1}", rel: "next", id: "next-page", {tr.t("partner.next")} }
                    }
                }
            }
        }
    };
    page(ctx, &title, None, body)
}

/// What the store runs on: its new product and merchant ID once upgraded, else the
/// legacy store ID and product.
fn identity(tr: &Tr, catalog: &Catalog, s: &Store, upgrade: Option<&Upgrade>) -> String {
    match upgrade.filter(|u| u.step == Step::Complete).and_then(|u| {
        let product = catalog
            .path(&u.path_id)
            .and_then(|p| catalog.product(&p.to))?;
        Some((product.name.as_str(), u.merchant_id.as_ref()?))
    }) {
        Some((product, mid)) => tr.f(
            "stores.status.upgraded_to",
            &[("product", product), ("mid", mid.as_str())],
        ),
        None => tr.f(
            "stores.eid",
            &[("eid", &s.legacy_store_id), ("product", &s.product)],
        ),
    }
}

/// Where the upgrade stands; a store never upgraded whose legacy store has closed says
/// so instead of "not started".
fn status_tag(tr: &Tr, upgrade: Option<&Upgrade>, closed: bool) -> Element {
    let (class, label) = match upgrade.map(|u| u.step) {
        None if closed => ("tag closed", tr.t("stores.status.closed")),
        None => ("tag todo", tr.t("stores.not_started")),
        Some(Step::Complete) => ("tag ok", tr.t("stores.complete")),
        Some(step) => (
            "tag current",
            tr.f("stores.in_progress", &[("step", &tr.t(step.key()))]),
        ),
    };
    rsx! { span { class: "{class}", "{label}" } }
}

/// The tabs of a store's pages; `active` is the current one.
pub fn store_nav(reader: &StoreReader, active: &str) -> Element {
    let tr = reader.ctx().tr;
    let eid = reader.eid();
    let mut tabs = vec![
        (
            "overview",
            paths::store(eid).overview(),
            tr.t("storenav.overview"),
        ),
        (
            "upgrade",
            paths::store(eid).upgrade(),
            tr.t("storenav.upgrade"),
        ),
        (
            "legacy",
            paths::store(eid).legacy(),
            tr.t("storenav.legacy"),
        ),
        (
            "rehearsals",
            paths::store(eid).rehearsals(),
            tr.t("storenav.rehearsals"),
        ),
        ("users", paths::store(eid).users(), tr.t("storenav.users")),
    ];
    if matches!(reader.relation, Relation::Admin | Relation::Support) {
        tabs.push(("audit", paths::store(eid).audit(), tr.t("storenav.audit")));
    }
    if reader.relation == Relation::Support {
        tabs.push((
            "timeline",
            paths::store(eid).timeline(),
            tr.t("storenav.timeline"),
        ));
    }
    rsx! {
        nav { class: "store-nav", "aria-label": tr.t("storenav.label"),
            span { class: "store-name", "{reader.store.name}" }
            for (key, href, label) in tabs {
                a { href: "{href}", class: if key == active { "active" } else { "" },
                    "aria-current": if key == active { "page" } else { "false" }, "{label}" }
            }
        }
    }
}

/// A link to the store's support requests, for the store's own people.
pub fn support_requests_link(reader: &StoreReader) -> Element {
    if !reader.relation.is_member() {
        return rsx! {};
    }
    let tr = reader.ctx().tr;
    rsx! {
        p { a { href: paths::store(reader.eid()).support_requests(), id: "to-support-requests", {tr.t("requests.link")} } }
    }
}

/// A note for people who may look but not act.
pub fn read_only_note(reader: &StoreReader) -> Element {
    let tr = reader.ctx().tr;
    if reader.can_act() {
        return rsx! {};
    }
    if reader.relation.can_work() {
        return rsx! {
            p { class: "readonly", id: "delegate-note", {tr.f("access.delegate_note", &[("admin", &reader.masked_admin())])} }
        };
    }
    rsx! {
        p { class: "readonly", id: "read-only", {tr.f("access.read_only", &[("admin", &reader.masked_admin())])} }
    }
}

pub fn overview(
    catalog: &Catalog,
    reader: &StoreReader,
    expiring: &[LegacyOrder],
    traffic: &[Use],
    meter: Option<&StoreMeter>,
    calendar: &str,
) -> Page {
    let ctx = reader.ctx();
    let tr = ctx.tr;
    let store = &reader.store;
    let upgrade = reader.upgrade.as_ref();
    let eid = reader.eid();
    let step = reader.step();
    let target = catalog
        .path(reader.path_id())
        .and_then(|p| catalog.product(&p.to))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let legacy = catalog
        .product(&store.product)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| store.product.clone());
    let platform = catalog.platform_or_custom(&store.platform);
    let platform = catalog.platform_name(platform, tr.lang.code());
    let done = step == Step::Complete;
    let closed = reader.sunset.is_some_and(|(_, p)| p.is_closed());
    let extensible = catalog
        .product(&store.product)
        .and_then(|p| p.latest_extension())
        .is_some();
    let mid = upgrade.and_then(|u| u.merchant_id.clone());
    let body = rsx! {
        {store_nav(reader, "overview")}
        section { class: "card",
            h1 { "{store.name}" }
            {read_only_note(reader)}
            p { id: "store-sunset", {countdown(&tr, eid, reader.sunset)}
                if extensible {
                    " "
                    a { id: "extension-link", href: paths::store(eid).extension(), {tr.t(if store.extended_sunset.is_some() { "extension.title" } else { "extension.link" })} }
                }
            }
            dl { class: "facts",
                if done {
                    dt { {tr.t("store.after.product")} } dd { id: "store-product", "{target}" }
                    if let Some(mid) = &mid {
                        dt { {tr.t("store.mid")} } dd { {super::copyable(&tr, "store-mid", mid, &tr.t("copy.what.mid"))} }
                    }
                    dt { {tr.t("store.after.legacy")} } dd { {super::copyable(&tr, "store-eid", eid, &tr.t("copy.what.eid"))} " · {legacy}" }
                } else {
                    dt { {tr.t("store.eid")} } dd { {super::copyable(&tr, "store-eid", eid, &tr.t("copy.what.eid"))} }
                    dt { {tr.t("store.product")} } dd { "{legacy}" }
                }
                dt { {tr.t("store.platform")} } dd { "{platform}" }
                dt { {tr.t("store.countries")} } dd { {store.country_list().join(", ")} }
                dt { {tr.t("store.url")} } dd { "{store.store_url}" }
                dt { {tr.t("store.admin")} } dd { {if reader.can_act() { store.admin_email.clone() } else { reader.masked_admin() }} }
                if !done && let Some(mid) = &mid {
                    dt { {tr.t("store.mid")} } dd { {super::copyable(&tr, "store-mid", mid, &tr.t("copy.what.mid"))} }
                }
            }
            if done {
                p { class: "ok", id: "upgrade-done", {tr.f("store.upgraded", &[("product", &target)])} }
            } else {
                if closed {
                    {closed_notice(reader, &target)}
                } else {
                    p { {tr.t("store.legacy_notice")} }
                }
                a { class: "button", id: "what-changes", href: paths::store(eid).what_changes(), {tr.t("changes.link")} }
                a { class: "button primary", id: "start-upgrade", href: paths::store(eid).upgrade(),
                    {tr.t(if !reader.can_act() { "store.view_progress" } else if upgrade.is_none() { "store.start" } else { "store.continue" })}
                }
            }
        }
        {expiring_warning(&tr, eid, expiring)}
        {super::traffic::section(&tr, Traffic::of(traffic, upgrade))}
        {super::cutover::of_store(&tr, meter, reader.sunset)}
        {super::calendar::store_section(&ctx, eid, calendar, reader.can_act())}
        {super::readiness::section(&tr, eid, &store.readiness(crate::store::now()))}
        {support_requests_link(reader)}
    };
    page(&ctx, &store.name, Some(&reader.banner()), body)
}

/// A store not upgraded when its legacy store closed: what that means, and what is
/// still possible (the upgrade, and support for copies of old reports).
fn closed_notice(reader: &StoreReader, target: &str) -> Element {
    let tr = reader.ctx().tr;
    let date = reader
        .sunset
        .map(|(d, _)| super::format_date(d))
        .unwrap_or_default();
    let eid = reader.eid();
    rsx! {
        div { class: "warning-box", id: "legacy-closed",
            strong { {tr.f("store.closed.title", &[("eid", eid), ("date", &date)])} }
            p { {tr.t("store.closed.means")} }
            p { {tr.f("store.closed.can", &[("product", target)])} }
            p { a { href: paths::store(eid).trouble(), id: "closed-ask-support", {tr.t("store.closed.support")} } }
        }
    }
}

/// Legacy authorizations about to expire: money the merchant loses unless they capture
/// or extend in time.
fn expiring_warning(tr: &Tr, eid: &str, orders: &[LegacyOrder]) -> Element {
    if orders.is_empty() {
        return rsx! {};
    }
    let now = crate::store::now();
    rsx! {
        section { class: "card warning", id: "expiring-orders", role: "alert",
            h2 { {tr.f("store.expiring.title", &[("count", &orders.len().to_string())])} }
            p { {tr.t("store.expiring.explain")} }
            ul {
                for o in orders {
                    li {
                        code { "{o.order_id}" }
                        " · {super::legacy::money(&o.currency, o.order_amount - o.captured_amount)} · "
                        {tr.f("store.expiring.at", &[("date", &super::format_time(o.expires_at)), ("hours", &((o.expires_at - now).max(0) / 3600).to_string())])}
                    }
                }
            }
            a { class: "button primary", href: format!("{}#legacy-orders", paths::store(eid).legacy()), {tr.t("store.expiring.act")} }
        }
    }
}
