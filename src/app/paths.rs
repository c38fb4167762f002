//! The address of every store page a person is sent to, by a link, a redirect or an
//! email: one method each, so no address is typed twice. `tests/api/access.rs` checks
//! that each one is a route the router serves.

use crate::domain::Step;

/// The pages of one store, by its legacy store ID.
#[derive(Debug, Clone, Copy)]
pub struct Store<'a>(pub &'a str);

/// The pages of the store `eid`.
pub fn store(eid: &str) -> Store<'_> {
    Store(eid)
}

impl Store<'_> {
    pub fn overview(self) -> String {
        format!("/stores/{}", self.0)
    }

    /// Resumes the upgrade where it stands.
    /// What changes for the store on its upgrade path ("What changes for me").
    pub fn what_changes(self) -> String {
        format!("/stores/{}/what-changes", self.0)
    }

    pub fn upgrade(self) -> String {
        format!("/stores/{}/upgrade", self.0)
    }

    /// One step of the upgrade (complete is its own page).
    pub fn step(self, step: Step) -> String {
        format!("/stores/{}/upgrade/{}", self.0, step.as_str())
    }

    pub fn terms_pdf(self) -> String {
        format!("/stores/{}/upgrade/terms.pdf", self.0)
    }

    pub fn accepted_terms_pdf(self) -> String {
        format!("/stores/{}/upgrade/terms/accepted.pdf", self.0)
    }

    pub fn rotate_credentials(self) -> String {
        format!("/stores/{}/upgrade/credentials/rotate", self.0)
    }

    pub fn revoke_credential(self, credential: i64) -> String {
        format!("/stores/{}/upgrade/credentials/{credential}/revoke", self.0)
    }

    pub fn setup_check(self) -> String {
        format!("/stores/{}/upgrade/integration/setup-check", self.0)
    }

    pub fn health_check(self) -> String {
        format!("/stores/{}/upgrade/integration/health-check", self.0)
    }

    pub fn live(self) -> String {
        format!("/stores/{}/upgrade/live", self.0)
    }

    pub fn trouble(self) -> String {
        format!("/stores/{}/upgrade/trouble", self.0)
    }

    /// "Place the test purchase for me" (sandbox only).
    pub fn sandbox_order(self) -> String {
        format!("/stores/{}/upgrade/test-purchase/sandbox-order", self.0)
    }

    pub fn cancel_test_order(self) -> String {
        format!("/stores/{}/upgrade/complete/cancel-order", self.0)
    }

    pub fn refund_test_order(self) -> String {
        format!("/stores/{}/upgrade/complete/refund-order", self.0)
    }

    pub fn legacy(self) -> String {
        format!("/stores/{}/legacy", self.0)
    }

    pub fn report(self, id: i64) -> String {
        format!("/stores/{}/legacy/reports/{id}", self.0)
    }

    /// A report downloaded as `format` (`csv`, `json` or `pdf`).
    pub fn report_as(self, id: i64, format: &str) -> String {
        format!("/stores/{}/legacy/reports/{id}/{format}", self.0)
    }

    pub fn reports(self) -> String {
        format!("/stores/{}/legacy/reports", self.0)
    }

    pub fn transactions(self) -> String {
        format!("/stores/{}/legacy/transactions", self.0)
    }

    pub fn archive(self) -> String {
        format!("/stores/{}/legacy/archive", self.0)
    }

    /// The store's requests for a later sunset (and the form to ask for one).
    pub fn extension(self) -> String {
        format!("/stores/{}/extension", self.0)
    }

    /// The store's switch-off rehearsals (and the form to schedule one).
    pub fn rehearsals(self) -> String {
        format!("/stores/{}/rehearsals", self.0)
    }

    /// Rehearsal `id`: its window, and afterwards its report.
    pub fn rehearsal(self, id: i64) -> String {
        format!("/stores/{}/rehearsals/{id}", self.0)
    }

    pub fn cancel_rehearsal(self, id: i64) -> String {
        format!("/stores/{}/rehearsals/{id}/cancel", self.0)
    }

    /// Support's cancel of rehearsal `id`.
    pub fn support_cancel_rehearsal(self, id: i64) -> String {
        format!("/support/stores/{}/rehearsals/{id}/cancel", self.0)
    }

    /// `action` on a legacy order: `capture`, `cancel`, `refund` or `extend`.
    pub fn legacy_order(self, order: &str, action: &str) -> String {
        format!("/stores/{}/legacy/orders/{order}/{action}", self.0)
    }

    pub fn users(self) -> String {
        format!("/stores/{}/users", self.0)
    }

    /// Sends the delegate `member` a one-time link to new live credentials.
    pub fn handoff(self, member: i64) -> String {
        format!("/stores/{}/users/{member}/handoff", self.0)
    }

    /// Where the delegate opens that link.
    pub fn handoff_link(self, token: &str) -> String {
        format!("/stores/{}/handoff/{token}", self.0)
    }

    pub fn remove_user(self, member: i64) -> String {
        format!("/stores/{}/users/{member}/remove", self.0)
    }

    pub fn audit(self) -> String {
        format!("/stores/{}/audit", self.0)
    }

    pub fn timeline(self) -> String {
        format!("/stores/{}/timeline", self.0)
    }

    /// Support's `action` (`resend-link`, `remind`, …) on the store.
    pub fn support_action(self, action: &str) -> String {
        format!("/stores/{}/support/{action}", self.0)
    }

    /// The store's own support requests, each a thread with support's answers.
    pub fn support_requests(self) -> String {
        format!("/stores/{}/support-requests", self.0)
    }

    pub fn support_request(self, id: i64) -> String {
        format!("/stores/{}/support-requests/{id}", self.0)
    }

    /// The `n`th screenshot (from 1) of the store's request `id`.
    pub fn support_screenshot(self, id: i64, n: i64) -> String {
        format!("/stores/{}/support-requests/{id}/screenshots/{n}", self.0)
    }
}

/// A partner manager's pages beside the dashboard.
pub mod partner {
    /// The switch-off rehearsals of the partner's stores.
    pub const REHEARSALS: &str = "/partner/rehearsals";
    /// The cutover meter summed over the partner's stores.
    pub const CUTOVER: &str = "/partner/cutover";
    /// The calendar feeds of the partners a manager looks after.
    pub const CALENDAR: &str = "/partner/calendar";
}
