//! Routes are registered through this builder, which keeps the list of every
//! (method, path) it adds: the access test walks that list, so a new route that nobody
//! classified fails it. A machine route (`/api`, `/platform`) is registered from its
//! handler's `#[utoipa::path]`: the path and method the router serves are the ones its
//! OpenAPI operation states, so the document cannot list a route the router does not
//! serve, nor miss one.

use std::{
    collections::BTreeSet,
    sync::{Mutex, PoisonError},
};

use axum::{
    Router,
    handler::Handler,
    http::Method,
    routing::{delete, get, post, put},
};
use utoipa::openapi::{RefOr, path::Paths, schema::Schema};
use utoipa_axum::router::UtoipaMethodRouter;

use crate::app::AppState;

pub struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, &'static str)>,
    /// The operations of the documented routes, and the schemas they name.
    paths: Paths,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl Default for Routes {
    fn default() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
            paths: Paths::new(),
            schemas: Vec::new(),
        }
    }
}

impl Routes {
    pub fn get<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.table.push((Method::GET, path));
        self.router = self.router.route(path, get(handler));
        self
    }

    pub fn post<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.table.push((Method::POST, path));
        self.router = self.router.route(path, post(handler));
        self
    }

    pub fn delete<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.table.push((Method::DELETE, path));
        self.router = self.router.route(path, delete(handler));
        self
    }

    pub fn put<H, T>(mut self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.table.push((Method::PUT, path));
        self.router = self.router.route(path, put(handler));
        self
    }

    /// A POST that may carry up to `limit` bytes (uploads); others get axum's 2 MB.
    pub fn post_upload<H, T>(mut self, path: &'static str, handler: H, limit: usize) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.table.push((Method::POST, path));
        self.router = self.router.route(
            path,
            post(handler).layer(axum::extract::DefaultBodyLimit::max(limit)),
        );
        self
    }

    /// A documented route of the machine API, from `utoipa_axum::routes!(handler)`: it is
    /// served at the path and with the method its `#[utoipa::path]` names.
    pub fn api(mut self, (schemas, paths, method_router): UtoipaMethodRouter<AppState>) -> Self {
        for (path, item) in &paths.paths {
            let methods = [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ];
            for (method, documented) in methods {
                if documented {
                    self.table.push((method, interned(path)));
                }
            }
            self.router = self.router.route(path, method_router.clone());
        }
        for (path, item) in paths.paths {
            match self.paths.paths.get_mut(&path) {
                Some(known) => known.merge_operations(item),
                None => {
                    self.paths.paths.insert(path, item);
                }
            }
        }
        self.schemas.extend(schemas);
        self
    }

    /// The documented routes' operations, and the schemas they name.
    pub fn docs(&self) -> (&Paths, &[(String, RefOr<Schema>)]) {
        (&self.paths, &self.schemas)
    }

    /// Adds a feature's routes.
    pub fn with(self, feature: fn(Routes) -> Routes) -> Self {
        feature(self)
    }

    pub fn table(&self) -> &[(Method, &'static str)] {
        &self.table
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// The route table holds `&'static str` (the paths written in the source); a documented
/// route's path is a `String` from its operation. Each distinct path is leaked once, so
/// building the routes again (every test app does) takes no more memory.
fn interned(path: &str) -> &'static str {
    static PATHS: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut paths = PATHS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = paths.get(path) {
        return known;
    }
    let leaked: &'static str = Box::leak(path.to_owned().into_boxed_str());
    paths.insert(leaked);
    leaked
}
