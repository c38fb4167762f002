//! Domain values in columns, mapped in this one place. Each value is written by its name
//! and read back only if it names one: an unknown value in a column fails the query
//! (`sqlx::Error::ColumnDecode`, so the page answers 500 with an id and the log says
//! which column held what), never a guess. SQL that compares, sorts or counts by these
//! values takes them from here too (bound, or generated from the domain's own list).

use sqlx::{
    Any, Database, Decode, Encode, Row, Type,
    any::{AnyRow, AnyTypeInfo},
    encode::IsNull,
    error::BoxDynError,
};

use crate::domain::{
    Environment,
    access::StaffRole,
    money::Currency,
    order::TestOrder,
    risk::Risk,
    settlement::Kind,
    upgrade::{Checklist, ChecklistItem, Progress, Step},
};

/// A column held a value that names nothing of its kind.
#[derive(Debug, thiserror::Error)]
#[error("{value:?} is not a known {what}")]
pub struct Unknown {
    pub what: &'static str,
    pub value: String,
}

impl Unknown {
    fn of(what: &'static str, value: &str) -> BoxDynError {
        Box::new(Unknown {
            what,
            value: value.to_owned(),
        })
    }
}

/// A text column holding `$ty`, written by `$write` and read back by `$read`.
macro_rules! text_column {
    ($ty:ty, $write:expr, $read:expr) => {
        impl Type<Any> for $ty {
            fn type_info() -> AnyTypeInfo {
                <str as Type<Any>>::type_info()
            }
        }

        impl<'q> Encode<'q, Any> for $ty {
            fn encode_by_ref(
                &self,
                buf: &mut <Any as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                let write: fn(&$ty) -> String = $write;
                <String as Encode<'q, Any>>::encode(write(self), buf)
            }
        }

        impl<'r> Decode<'r, Any> for $ty {
            fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let read: fn(&str) -> Result<$ty, BoxDynError> = $read;
                read(&<String as Decode<'r, Any>>::decode(value)?)
            }
        }
    };
}

/// Text columns holding one of a domain enum's names (`as_str` / `parse`).
macro_rules! named_column {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        text_column!(
            $ty,
            |v| v.as_str().to_owned(),
            |text| <$ty>::parse(text).ok_or_else(|| Unknown::of($what, text))
        );
    )*};
}

named_column! {
    Step => "upgrade step",
    Progress => "upgrade progress",
    TestOrder => "test order status",
    Risk => "risk",
    Environment => "environment",
    Kind => "settlement transaction kind",
    StaffRole => "staff role",
    super::support::RequestStatus => "support request status",
}

// A currency is its ISO 4217 code.
text_column!(Currency, |c| c.code().to_owned(), |text| Currency::parse(
    text
)
.ok_or_else(|| Unknown::of("currency", text)));

// The checklist is its ticked items' names, comma-separated, in the page's order.
text_column!(
    Checklist,
    |list| {
        let names: Vec<&str> = list.items().map(ChecklistItem::as_str).collect();
        names.join(",")
    },
    |text| {
        text.split(',')
            .filter(|name| !name.is_empty())
            .map(|name| {
                ChecklistItem::parse(name).ok_or_else(|| Unknown::of("checklist item", name))
            })
            .collect()
    }
);

/// A yes/no column stored as 0 or 1 (BIGINT on both backends, which `Any` reads as a
/// number, not a bool).
pub fn flag(row: &AnyRow, column: &str) -> sqlx::Result<bool> {
    match row.try_get::<i64, _>(column)? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(unknown(column, "flag (0 or 1)", other.to_string())),
    }
}

/// A JSON column, read back as what was written there.
pub fn json<T: serde::de::DeserializeOwned>(column: &str, text: &str) -> sqlx::Result<T> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::ColumnDecode {
        index: format!("{column:?}"),
        source: Box::new(e),
    })
}

/// The error of `column` holding `value`, which is no `what`.
pub fn unknown(column: &str, what: &'static str, value: String) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: format!("{column:?}"),
        source: Box::new(Unknown { what, value }),
    }
}

/// `column`'s position in `order` as an SQL expression (1-based; anything else sorts
/// last): how SQL sorts by a domain order without repeating its names. The names are
/// the domain's own constants, never input.
pub fn rank<T: Copy>(column: &str, order: &[T], name: impl Fn(T) -> &'static str) -> String {
    let arms: String = order
        .iter()
        .enumerate()
        .map(|(i, v)| format!(" WHEN '{}' THEN {}", name(*v), i + 1))
        .collect();
    format!("(CASE {column}{arms} ELSE {} END)", order.len() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rank_follows_the_domain_order() {
        assert_eq!(
            rank("c.step", &Progress::ALL[..3], Progress::as_str),
            "(CASE c.step WHEN 'not-started' THEN 1 WHEN 'terms' THEN 2 WHEN 'account' THEN 3 ELSE 4 END)"
        );
    }
}
