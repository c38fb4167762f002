//! What the shop fetcher refuses (every private address form) and what it finds.

use super::*;

fn strict() -> HealthCheckConfig {
    HealthCheckConfig::default()
}

#[test]
fn private_and_odd_addresses_are_refused() {
    for raw in [
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b::a00:1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[64:ff9b:1::808:808]/",
        "http://[2002:a9fe:a9fe::1]/",
        "http://[2002:7f00:1::]/",
        "http://[::7f00:1]/",
        "http://[::a00:1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[fec0::1]/",
        "http://[feff::1]/",
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
        "http://[::ffff:0:7f00:1]/",
    ] {
        assert_eq!(
            parse_shop_url(raw, &strict()),
            Err(Refusal::PrivateAddress),
            "{raw}"
        );
    }
    assert_eq!(
        parse_shop_url("ftp://shop.example.com/", &strict()),
        Err(Refusal::Scheme)
    );
    assert_eq!(
        parse_shop_url("file:///etc/passwd", &strict()),
        Err(Refusal::Scheme)
    );
    assert_eq!(
        parse_shop_url("https://a:b@shop.example.com/", &strict()),
        Err(Refusal::Credentials)
    );
    assert_eq!(parse_shop_url("", &strict()), Err(Refusal::NotAUrl));
    assert!(is_public("93.184.216.34".parse().unwrap()));
    assert!(is_public("2a00:1450:4001::1".parse().unwrap()));
    // The same forms carrying a public IPv4 address are public.
    assert!(is_public("64:ff9b::5db8:d822".parse().unwrap()));
    assert!(is_public("2002:5db8:d822::1".parse().unwrap()));
    assert!(is_public("::ffff:93.184.216.34".parse().unwrap()));
}

#[test]
fn a_bare_host_means_https_and_tests_may_allow_loopback() {
    let url = parse_shop_url(" shop.example.com/start ", &strict()).unwrap();
    assert_eq!(url.as_str(), "https://shop.example.com/start");
    let lenient = HealthCheckConfig {
        allow_private: true,
        ..strict()
    };
    assert!(parse_shop_url("http://127.0.0.1:8080/", &lenient).is_ok());
}
