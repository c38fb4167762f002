//! The cohort for a CSV export, read as it is sent: a task reads the rows from one
//! query on a pooled connection and hands them over in batches through a short queue.
//! Memory stays at a few batches whatever the cohort's size, the first rows leave as soon
//! as the database has them, and a client that stops reading stops the reading.

use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::{
    AppState,
    partner::{ListQuery, sunsets},
};
use crate::store::{
    self,
    cohort::{CohortRow, Filter, LongRead, Sort},
};

/// Rows per batch: big enough that a batch is worth a trip through the queue, small
/// enough that the first one leaves at once.
pub const BATCH: usize = 1_000;

/// Batches read ahead of the writer, at most.
const AHEAD: usize = 4;

/// An export on its way: its rows in batches, the last one an error if the reading
/// failed (the receiver then has to fail the download, so it does not look complete).
pub struct Export {
    pub batches: mpsc::Receiver<sqlx::Result<Vec<CohortRow>>>,
    /// The time idle days are counted to.
    pub now: i64,
}

/// Every store of `partners` under `query`'s filter, in the dashboard's order.
pub fn partner_stores(state: &AppState, partners: Vec<i64>, query: &ListQuery) -> Export {
    let order = (query.sort(), query.descending());
    start(state, Some(partners), query.filter(), order, store::now())
}

/// Every upgrade no step has moved in for `days`, under `query`'s filters, in the
/// stalled list's order (oldest first unless sorted otherwise).
pub fn stalled(state: &AppState, days: i64, query: &ListQuery) -> Export {
    let now = store::now();
    let mut filter = query.filter();
    filter.stalled_before = Some(now - days * 86_400);
    let sort = Sort::parse(&query.sort).unwrap_or(Sort::Idle);
    start(state, None, filter, (sort, query.descending()), now)
}

fn start(
    state: &AppState,
    partners: Option<Vec<i64>>,
    filter: Filter,
    (sort, descending): (Sort, bool),
    now: i64,
) -> Export {
    let (tx, batches) = mpsc::channel(AHEAD);
    let state = state.clone();
    tokio::spawn(async move {
        let sunsets = sunsets(&state);
        let cohort = state.cohort(partners.as_deref(), &filter, &sunsets, now);
        let query = cohort.all_sorted(state.db.backend, sort, descending);
        let mut read = match LongRead::start(&state.db).await {
            Ok(read) => read,
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        send_rows(query.fetch(&mut read.conn), &tx).await;
        read.done().await;
    });
    Export { batches, now }
}

/// Hands `rows` over in batches until they end, fail (the rows read so far go first,
/// then the error, so it is where it happened) or the download is abandoned (a send
/// fails: reading stops).
async fn send_rows(
    mut rows: futures_util::stream::BoxStream<'_, sqlx::Result<CohortRow>>,
    tx: &mpsc::Sender<sqlx::Result<Vec<CohortRow>>>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = rows.next().await {
        match row {
            Ok(row) => batch.push(row),
            Err(e) => {
                let _ = tx.send(Ok(std::mem::take(&mut batch))).await;
                let _ = tx.send(Err(e)).await;
                return;
            }
        }
        if batch.len() == BATCH && tx.send(Ok(std::mem::take(&mut batch))).await.is_err() {
            return;
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch)).await;
    }
}
