//! A refusal is shown inside the page of the person it refuses: the answer an
//! [`AppError`](super::error::AppError) gives is built before anyone is known (an
//! extractor may have failed before the session was read), so the edge looks the person
//! up once more, for refusals only, and shows the refusal in their language, under their
//! own header, and with the store's menu when the address is a store's.

use axum::{
    body::Body,
    extract::Request,
    http::{HeaderMap, request::Parts},
    response::Response,
};

use super::{
    AppState,
    access::StoreReader,
    error::Refused,
    pages,
    session::{SessionCookie, SignedIn},
};
use crate::i18n::Tr;

/// What the frame needs to know about the request, kept before it is answered: its
/// session cookie and the store its address names.
pub struct Asked {
    headers: HeaderMap,
    store: Option<String>,
}

impl Asked {
    /// Cheap: a refcounted copy of the cookie header and the path's store id, if any.
    pub fn of(req: &Request) -> Self {
        let mut headers = HeaderMap::new();
        for cookie in req.headers().get_all(axum::http::header::COOKIE) {
            headers.append(axum::http::header::COOKIE, cookie.clone());
        }
        let mut segments = req.uri().path().split('/').skip(1);
        let store = (segments.next() == Some("stores"))
            .then(|| segments.next())
            .flatten()
            .filter(|eid| !eid.is_empty())
            .map(str::to_owned);
        Asked { headers, store }
    }

    fn parts(&self) -> Parts {
        let (mut parts, ()) = Request::new(()).into_parts();
        parts.headers = self.headers.clone();
        parts
    }
}

/// `res`, or, when it is a refusal and someone is signed in, the same refusal inside
/// their page.
pub async fn frame(state: &AppState, asked: Asked, res: Response) -> Response {
    let Some(refused) = res.extensions().get::<Refused>().cloned() else {
        return res;
    };
    let Some(cookie) = SessionCookie::of(&asked.parts(), state) else {
        return res;
    };
    match framed(state, &cookie, asked.store.as_deref(), &refused).await {
        Ok(Some(html)) => {
            let (parts, _) = res.into_parts();
            Response::from_parts(parts, Body::from(html.0))
        }
        Ok(None) => res,
        Err(e) => {
            tracing::warn!(error = %e, "a refusal is shown without the person's frame");
            res
        }
    }
}

async fn framed(
    state: &AppState,
    cookie: &SessionCookie,
    store: Option<&str>,
    refused: &Refused,
) -> Result<Option<axum::response::Html<String>>, super::error::AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let user = match SignedIn::load(&mut conn, cookie).await {
        Ok(user) => user,
        Err(super::error::AppError::SignInRequired) => return Ok(None),
        Err(e) => return Err(e),
    };
    // Loading the person applied their own language choice to this request.
    let tr = Tr::current();
    let (title, message) = (refused.title.render(&tr), refused.message.render(&tr));
    let reader = match store {
        Some(eid) => StoreReader::load(&mut conn, state, user, eid).await?,
        None => {
            let ctx = user.ctx();
            return Ok(Some(pages::error::page(&ctx, None, &title, &message)));
        }
    };
    Ok(Some(match reader {
        Ok(reader) => {
            let store = pages::error::InStore {
                nav: pages::stores::store_nav(&reader, ""),
                overview: crate::app::paths::store(reader.eid()).overview(),
            };
            pages::error::page(&reader.ctx(), Some(store), &title, &message)
        }
        Err(not) => pages::error::page(&not.user.ctx(), None, &title, &message),
    }))
}
