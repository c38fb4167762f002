//! The platform's switch-off windows (brownouts) for one legacy store or a whole legacy
//! product: scheduled ahead, cancelled before they start.

use serde::Deserialize;

use super::{PlatformClient, PlatformError, segment};

#[derive(Deserialize)]
struct Brownout {
    id: String,
}

impl PlatformClient {
    /// Asks the platform to refuse legacy store `eid`'s calls from `starts_at` to
    /// `ends_at` (unix seconds): a switch-off rehearsal. Returns the platform's id for
    /// the window. `key` makes a retry create no second window.
    pub async fn schedule_brownout(
        &self,
        eid: &str,
        starts_at: i64,
        ends_at: i64,
        key: &str,
    ) -> Result<String, PlatformError> {
        let path = format!("/legacy/v1/stores/{}/brownouts", segment(eid)?);
        self.window(&path, (starts_at, ends_at), key).await
    }

    /// Asks the platform to refuse every legacy call of `product` from `starts_at` to
    /// `ends_at`: an announced brownout. Returns the platform's id for the window.
    pub async fn schedule_product_brownout(
        &self,
        product: &str,
        starts_at: i64,
        ends_at: i64,
        key: &str,
    ) -> Result<String, PlatformError> {
        let path = format!("/legacy/v1/products/{}/brownouts", segment(product)?);
        self.window(&path, (starts_at, ends_at), key).await
    }

    /// Posts a switch-off window to `path`; the platform's id for it.
    async fn window(
        &self,
        path: &str,
        (starts_at, ends_at): (i64, i64),
        key: &str,
    ) -> Result<String, PlatformError> {
        let req = self
            .request(reqwest::Method::POST, path)?
            .header("Idempotency-Key", key)
            .json(&serde_json::json!({
                "starts_at": crate::domain::rfc3339(starts_at),
                "ends_at": crate::domain::rfc3339(ends_at),
            }));
        let created: Brownout = self.read(req).await?;
        Ok(created.id)
    }

    /// Cancels the product-wide window `id` before it starts.
    pub async fn cancel_product_brownout(
        &self,
        product: &str,
        id: &str,
    ) -> Result<(), PlatformError> {
        let path = format!(
            "/legacy/v1/products/{}/brownouts/{}",
            segment(product)?,
            segment(id)?
        );
        self.delete(&path).await
    }

    /// Cancels the window `id` of legacy store `eid` before it starts.
    pub async fn cancel_brownout(&self, eid: &str, id: &str) -> Result<(), PlatformError> {
        let path = format!(
            "/legacy/v1/stores/{}/brownouts/{}",
            segment(eid)?,
            segment(id)?
        );
        self.delete(&path).await
    }
}
