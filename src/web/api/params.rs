//! The list's and the sync's query parameters: what they are, how cursor paging reads
//! them, the checks the API makes that the dashboard does not, and their OpenAPI
//! description.

use utoipa::{
    IntoParams,
    openapi::{
        Required,
        path::{Parameter, ParameterBuilder, ParameterIn},
        schema::{ObjectBuilder, Type},
    },
};

use super::MAX_PER_PAGE;
use crate::app::partner::{
    LEGACY_CALLING, ListQuery, ORDER_MANAGEMENT_MISSING, SUNSET_EXTENDED, SUNSET_NOT_READY,
    SUNSET_READY,
};
use crate::{
    domain::{Step, risk::Risk, text::ONE_LINE_PATTERN, upgrade::Progress},
    store::cohort::Sort,
};

/// The list's query: the dashboard's filters and sorting, and the page. The values each
/// parameter may take come from the types that read them.
#[derive(serde::Deserialize)]
pub(super) struct ListParams {
    #[serde(flatten)]
    pub(super) list: ListQuery,
    #[serde(default)]
    pub(super) per_page: String,
}

/// The sync's query: the dashboard's filters, the cursor and `updated_since`. Its order is
/// the import order, so the list's sorting and page numbers have no place in it.
#[derive(serde::Deserialize)]
pub(super) struct SyncParams {
    #[serde(flatten)]
    pub(super) list: ListQuery,
    #[serde(default)]
    pub(super) per_page: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    updated_since: String,
}

/// The cursors the sync gives out: `s` and a store's number.
const CURSOR_PATTERN: &str = "^s[0-9]{1,18}$";

/// Cursor paging: stores in the order they were imported, after the cursor's store and
/// changed since a time. A store's place in that order never changes, so paging on
/// while data changes neither repeats nor skips one, as offset pages can.
pub(super) struct Keyset {
    pub(super) after: Option<i64>,
    pub(super) since: Option<i64>,
}

impl Keyset {
    /// The cursor paging the query asks for; an unreadable cursor or time is an error.
    pub(super) fn of(p: &SyncParams) -> Result<Keyset, &'static str> {
        if !(p.list.page.is_empty() && p.list.sort.is_empty() && p.list.dir.is_empty()) {
            return Err("the sync pages in import order: leave out page, sort and dir");
        }
        let after = match p.cursor.as_str() {
            "" => None,
            c => Some(
                c.strip_prefix('s')
                    .filter(|id| id.len() <= 18 && id.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|id| id.parse::<i64>().ok())
                    .ok_or("cursor is not one this API gave out")?,
            ),
        };
        let since =
            match p.updated_since.as_str() {
                "" => None,
                t => Some(crate::domain::parse_rfc3339(t).ok_or(
                    "updated_since must be an RFC 3339 time, such as 2026-12-01T00:00:00Z",
                )?),
            };
        Ok(Keyset { after, since })
    }
}

/// The stores on a page: 50 unless `per_page` asks for 1 to 200.
pub(super) fn per_page(text: &str) -> Result<i64, &'static str> {
    match text {
        "" => Ok(50),
        n => n
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_PER_PAGE).contains(n))
            .ok_or("per_page must be a number from 1 to 200"),
    }
}

/// On the list, the sync's parameters would be silently ignored; they are refused with
/// the way to the sync instead.
pub(super) fn refuse_sync_params(raw: &str) -> Result<(), &'static str> {
    match url::form_urlencoded::parse(raw.as_bytes())
        .any(|(name, _)| name == "cursor" || name == "updated_since")
    {
        true => Err("cursor and updated_since page the sync: GET /api/v1/sync/stores"),
        false => Ok(()),
    }
}

/// The dashboard quietly ignores a filter, sort or page it does not know; the API says
/// so instead, since a misspelt filter would answer an empty list and a page out of range
/// the first page, and a client could not tell either from a real answer. A parameter
/// with a fixed set of values, or a number, is left out for its default, not sent empty.
pub(super) fn check_list_query(q: &ListQuery, raw: &str) -> Result<(), String> {
    const CHOSEN: [&str; 12] = [
        "step",
        "sunset",
        "legacy",
        "order_management",
        "risk",
        "sort",
        "dir",
        "page",
        "per_page",
        "partner",
        "updated_since",
        "cursor",
    ];
    if let Some((name, _)) = url::form_urlencoded::parse(raw.as_bytes())
        .find(|(name, value)| value.is_empty() && CHOSEN.contains(&name.as_ref()))
    {
        return Err(format!("{name} is empty; leave it out for the default"));
    }
    let one_of = |name: &str, value: &str, known: bool| {
        if value.is_empty() || known {
            Ok(())
        } else {
            Err(format!(
                "{name} {value:?} is not one of the documented values"
            ))
        }
    };
    one_of("step", &q.step, Progress::parse(&q.step).is_some())?;
    one_of("risk", &q.risk, Risk::parse(&q.risk).is_some())?;
    one_of("sort", &q.sort, Sort::parse(&q.sort).is_some())?;
    one_of("dir", &q.dir, matches!(q.dir.as_str(), "asc" | "desc"))?;
    one_of("legacy", &q.legacy, q.legacy == LEGACY_CALLING)?;
    one_of(
        "sunset",
        &q.sunset,
        matches!(
            q.sunset.as_str(),
            SUNSET_READY | SUNSET_NOT_READY | SUNSET_EXTENDED
        ),
    )?;
    one_of(
        "order_management",
        &q.order_management,
        q.order_management == ORDER_MANAGEMENT_MISSING,
    )?;
    if q.q.chars().count() > 100 {
        return Err("q is longer than 100 characters".into());
    }
    if q.country.chars().count() > 2 {
        return Err("country is a two-letter code".into());
    }
    if !q.partner.is_empty() && !q.partner.parse::<i64>().is_ok_and(|id| id >= 1) {
        return Err("partner is a partner's id (a whole number from 1)".into());
    }
    match q.page.as_str() {
        "" => Ok(()),
        p if p.parse::<i64>().is_ok_and(|p| (1..=1_000_000).contains(&p)) => Ok(()),
        _ => Err("page must be a whole number from 1 to 1000000".into()),
    }
}

/// A string parameter of at most `max` characters on one line.
fn text(max: Option<usize>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(max)
        .pattern(Some(ONE_LINE_PATTERN))
}

fn one_of(values: Vec<&'static str>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
}

fn number(max: i64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(max))
}

/// The dashboard's filters, shared by the list and the sync.
fn filters() -> Vec<(&'static str, &'static str, ObjectBuilder)> {
    let steps = std::iter::once("not-started")
        .chain(Step::WIZARD.map(Step::as_str))
        .chain([Step::Complete.as_str()])
        .collect();
    vec![
        (
            "q",
            "Part of the store's name or legacy store ID",
            text(Some(100)),
        ),
        ("step", "Only stores at this step", one_of(steps)),
        (
            "risk",
            "Only stores with this sunset risk",
            one_of(Risk::ALL.map(Risk::as_str).to_vec()),
        ),
        ("product", "Legacy product code", text(None)),
        ("platform", "Shop platform id", text(None)),
        ("country", "Two-letter country code", text(Some(2))),
        (
            "partner",
            "Only this partner's stores (a partner's id; one of the token's partners)",
            number(i64::MAX),
        ),
        (
            "legacy",
            "`calling`: only stores whose legacy store ID was used (a call or an order) in the last 7 days",
            one_of(vec![LEGACY_CALLING]),
        ),
        (
            "order_management",
            "`missing`: only completed upgrades whose order management (a capture, cancel or refund) never succeeded on the new merchant ID",
            one_of(vec![ORDER_MANAGEMENT_MISSING]),
        ),
        (
            "sunset",
            "`ready`: only stores ready for the sunset (legacy store ID unused for 14 days, no open legacy authorization, reports archived); `not-ready`: the others; `extended`: only stores given a later sunset of their own (an approved extension)",
            one_of(vec![SUNSET_READY, SUNSET_NOT_READY, SUNSET_EXTENDED]),
        ),
        ("per_page", "Stores per page", number(MAX_PER_PAGE)),
    ]
}

/// Optional query parameters, described.
fn query(params: Vec<(&'static str, &'static str, ObjectBuilder)>) -> Vec<Parameter> {
    params
        .into_iter()
        .map(|(name, description, schema)| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(schema))
                .build()
        })
        .collect()
}

impl IntoParams for ListParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = filters();
        params.extend([
            (
                "sort",
                "Sort key",
                one_of(Sort::ALL.map(Sort::as_str).to_vec()),
            ),
            ("dir", "`desc` for descending", one_of(vec!["asc", "desc"])),
            ("page", "Page number, from 1", number(1_000_000)),
        ]);
        query(params)
    }
}

impl IntoParams for SyncParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let mut params = filters();
        params.extend([
            (
                "cursor",
                "Left out for the first page, then the `next_cursor` of the previous one",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(CURSOR_PATTERN)),
            ),
            (
                "updated_since",
                "Only stores whose upgrade changed, or that were imported, at or after this time (incremental sync)",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::DateTime,
                    ))),
            ),
        ]);
        query(params)
    }
}
