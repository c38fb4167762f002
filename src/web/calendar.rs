//! Calendar feeds over HTTP: the feed itself behind its token address (a calendar app
//! fetches it without a session), the partner's page of feeds, and rotating an address
//! (the store's admin for the store's, a partner manager for their partners').

use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    access::{PartnerManager, StoreAdmin},
    error::AppError,
    notice, pages,
    routes::Routes,
    session::{ClientIp, CsrfForm, NoFields},
};
use crate::{
    app::{AppState, calendar, paths},
    domain::ical::Owner,
    i18n::{Lang, Msg, Tr},
    store,
};

pub fn routes(r: Routes) -> Routes {
    r.get("/calendar/{kind}/{id}/{file}", feed)
        .post("/stores/{eid}/calendar/rotate", rotate_store)
        .get(paths::partner::CALENDAR, partner_page)
        .post("/partner/calendar/rotate", rotate_partner)
}

#[derive(Deserialize)]
struct FeedQuery {
    #[serde(default)]
    lang: String,
}

/// `GET /calendar/{store|partner}/{id}/{token}.ics`: the feed, or 404 for any address
/// that is not the owner's current one.
async fn feed(
    State(state): State<AppState>,
    Path((kind, id, file)): Path<(String, String, String)>,
    Query(query): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let owner = match kind.as_str() {
        "store" => Owner::Store(id),
        "partner" => Owner::Partner(id),
        _ => return Err(AppError::NotFound),
    };
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    if !calendar::valid(&state, owner, token).await? {
        return Err(AppError::NotFound);
    }
    let now = store::now();
    let body = match owner {
        Owner::Store(id) => {
            let s = store::stores::find_by_id(&state.db.pool, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let lang = match Lang::parse(&query.lang) {
                Some(lang) => lang,
                None => store::users::email_lang(&state.db.pool, &s.admin_email, Some(&s)).await?,
            };
            calendar::store_feed(&state, &s, &Tr::new(lang), now).await?
        }
        Owner::Partner(id) => {
            let names = store::stores::partner_names(&state.db.pool, &[id]).await?;
            let (_, name) = names.first().ok_or(AppError::NotFound)?;
            let tr = Tr::new(Lang::parse(&query.lang).unwrap_or_default());
            calendar::partner_feed(&state, id, name, &tr, now).await?
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}

async fn rotate_store(
    State(state): State<AppState>,
    admin: StoreAdmin,
    ClientIp(ip): ClientIp,
    CsrfForm { .. }: CsrfForm<NoFields>,
) -> Result<Response, AppError> {
    let owner = Owner::Store(admin.store.id);
    calendar::rotate(
        &state.db,
        owner,
        Some(admin.store.id),
        admin.user.email(),
        &ip,
    )
    .await?;
    Ok(notice::redirect(
        &state,
        &format!("{}#calendar", paths::store(admin.eid()).overview()),
        &Msg::new("calendar.rotated"),
    ))
}

/// A partner manager's feeds, one per partner they manage.
async fn partner_page(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
) -> Result<Response, AppError> {
    let ctx = user.ctx();
    let mut feeds = Vec::new();
    for (id, name) in
        store::stores::partner_names(&state.db.pool, &user.principal.partner_ids).await?
    {
        let address = calendar::address(&state, Owner::Partner(id), ctx.tr.lang).await?;
        feeds.push((id, name, format!("{}{address}", state.config.base_url)));
    }
    Ok(pages::render(pages::calendar::partner(&ctx, &feeds)).into_response())
}

#[derive(Deserialize)]
struct PartnerForm {
    #[serde(default)]
    partner: String,
}

async fn rotate_partner(
    State(state): State<AppState>,
    PartnerManager(user): PartnerManager,
    ClientIp(ip): ClientIp,
    CsrfForm { form, .. }: CsrfForm<PartnerForm>,
) -> Result<Response, AppError> {
    let id = form
        .partner
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| user.principal.partner_ids.contains(id))
        .ok_or(AppError::NotFound)?;
    calendar::rotate(&state.db, Owner::Partner(id), None, user.email(), &ip).await?;
    Ok(notice::redirect(
        &state,
        paths::partner::CALENDAR,
        &Msg::new("calendar.rotated"),
    ))
}
