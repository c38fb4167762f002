//! Routes are registered through this builder, which keeps the list of every
//! (method, path) it adds: the access test walks that list, so a new route that nobody
//! classified fails it.

use axum::{
    Router,
    handler::Handler,
    http::Method,
    routing::{get, post},
};

use crate::app::AppState;

pub struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, &'static str)>,
    docs: Vec<ApiDoc>,
}

/// A machine route's OpenAPI operation, written beside its registration: `operation`
/// returns the operation object, adding the schemas it names to the generator.
#[derive(Clone)]
pub struct ApiDoc {
    pub method: Method,
    pub path: &'static str,
    pub operation: fn(&mut schemars::SchemaGenerator) -> serde_json::Value,
}

impl Default for Routes {
    fn default() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
            docs: Vec::new(),
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

    /// A documented GET of the machine API (`/api`, `/platform`).
    pub fn api_get<H, T>(
        mut self,
        path: &'static str,
        handler: H,
        operation: fn(&mut schemars::SchemaGenerator) -> serde_json::Value,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.docs.push(ApiDoc {
            method: Method::GET,
            path,
            operation,
        });
        self.get(path, handler)
    }

    /// A documented POST of the machine API (`/api`, `/platform`).
    pub fn api_post<H, T>(
        mut self,
        path: &'static str,
        handler: H,
        operation: fn(&mut schemars::SchemaGenerator) -> serde_json::Value,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.docs.push(ApiDoc {
            method: Method::POST,
            path,
            operation,
        });
        self.post(path, handler)
    }

    pub fn docs(&self) -> &[ApiDoc] {
        &self.docs
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
