//! One cookie read from a request without building a jar of all of them. Every request
//! looks at four (language, zone, notice, session); a jar parses and copies each cookie
//! the browser sent into a set, four times over.

use std::borrow::Cow;

use axum::http::{HeaderMap, header::COOKIE};

/// The value of the cookie `name` the request carries, percent-decoded, read as
/// `CookieJar::from_headers(headers).get(name)` reads it (of several with that name the
/// last wins; a value that is not UTF-8 once decoded is passed over) but for one thing:
/// the name must be sent as it is, not percent-encoded. The browser keeps a `__Host-`
/// cookie from being set by anyone but this host by its name as sent; a jar decodes
/// names, so a cookie that a sibling subdomain set as `__Host%2Dsy_session` came last
/// and was read as the session.
pub fn get<'h>(headers: &'h HeaderMap, name: &str) -> Option<Cow<'h, str>> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (n, v) = pair.split_once('=')?;
            let named = !name.is_empty() && n.trim() == name;
            named.then(|| decoded(v.trim())).flatten()
        })
        .next_back()
}

fn decoded(s: &str) -> Option<Cow<'_, str>> {
    percent_encoding::percent_decode_str(s).decode_utf8().ok()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;
    use axum_extra::extract::CookieJar;

    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(COOKIE, HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    /// Each header set is read for each name exactly as the jar this replaces reads it
    /// (names sent as they are).
    #[test]
    fn a_cookie_reads_as_the_jar_reads_it() {
        let cases: &[&[&[u8]]] = &[
            &[],
            &[b"sy_lang=sv"],
            &[b"sy_lang=sv; tz=Europe%2FStockholm"],
            &[b" sy_lang = de ;tz=Asia/Tokyo ; sy_session=abc.def"],
            &[b"sy_lang=sv; sy_lang=fi"],
            &[b"sy_lang=sv", b"sy_lang=nb; tz=UTC"],
            &[b"sy_lang"],
            &[b"=sv; sy_lang="],
            &[b"sy_lang=\"sv\""],
            &[b"sy_notice=aGVq.00ff=; x=1"],
            &[b"tz=%FF; sy_lang=da"],
            &[b"tz=Europe%2FOslo; tz=%FF"],
            &[b"sy_lang=sv\xff"],
            &[b";;; ; sy_session=s1;"],
        ];
        for case in cases {
            let h = headers(case);
            let jar = CookieJar::from_headers(&h);
            for name in ["sy_lang", "tz", "sy_session", "sy_notice", "x", ""] {
                assert_eq!(
                    get(&h, name).as_deref(),
                    jar.get(name).map(|c| c.value()),
                    "{case:?} {name}"
                );
            }
        }
    }

    /// A cookie whose name is only the session's once decoded is not the session, nor
    /// does it hide the real one, wherever it comes.
    #[test]
    fn an_encoded_name_is_another_cookie() {
        let planted = headers(&[b"__Host-sy_session=real; __Host%2Dsy_session=planted"]);
        assert_eq!(get(&planted, "__Host-sy_session").as_deref(), Some("real"));
        let alone = headers(&[b"sy%5Flang=fr"]);
        assert_eq!(get(&alone, "sy_lang"), None);
    }

    #[test]
    fn an_undecoded_value_is_not_copied() {
        let h = headers(&[b"sy_session=0123abcd"]);
        assert!(matches!(
            get(&h, "sy_session"),
            Some(Cow::Borrowed("0123abcd"))
        ));
    }
}
