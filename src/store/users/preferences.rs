//! What a person chose for themselves: their language and time zone, and the language
//! an email to them is written in.

use sqlx::{Any, Executor};

/// Remembers the time zone a person chose (an IANA name), or forgets it (`None`: their
/// browser's zone, else UTC).
pub async fn set_time_zone<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
    zone: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET time_zone = $1 WHERE id = $2")
        .bind(zone)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// The time zone to write times to `email` in: their choice, if they made one.
pub async fn time_zone_of<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
) -> sqlx::Result<Option<String>> {
    let zone: Option<Option<String>> =
        sqlx::query_scalar("SELECT time_zone FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(ex)
            .await?;
    Ok(zone.flatten())
}

/// Remembers the language `email` chose (when they have an account).
pub async fn set_lang<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
    lang: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
        .bind(lang)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// Remembers `lang` for a person who has not chosen one yet.
pub async fn adopt_lang<'c>(
    ex: impl Executor<'c, Database = Any>,
    user_id: i64,
    lang: &str,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE users SET lang = $1 WHERE id = $2 AND lang IS NULL")
        .bind(lang)
        .bind(user_id)
        .execute(ex)
        .await?;
    Ok(())
}

/// The language to write to `email` in: their choice if they made one, else the
/// language of `store`'s first country, else English.
pub async fn email_lang<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &str,
    store: Option<&crate::store::stores::Store>,
) -> sqlx::Result<crate::i18n::Lang> {
    let country = store.and_then(|s| s.country_list().first().copied());
    use crate::i18n::Lang;
    let chosen: Option<Option<String>> =
        sqlx::query_scalar("SELECT lang FROM users WHERE email = $1")
            .bind(email)
            .fetch_optional(ex)
            .await?;
    Ok(chosen
        .flatten()
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| country.map(Lang::for_country))
        .unwrap_or_default())
}
