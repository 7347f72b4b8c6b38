//! Which proxy a request to a URL goes through, by the rules the HTTP client follows:
//! `HTTPS_PROXY` for https and `HTTP_PROXY` for http (either case), `ALL_PROXY` for
//! both, unless `NO_PROXY` names the host (`*`, an exact host or IP, or a domain
//! suffix, with or without its leading dot).

use reqwest::Url;

use crate::config::Environment;
use crate::sanitize::mask_url_secrets;

/// The proxy in force for `url`, as (proxy URL, the variable that set it); None: direct.
pub fn proxy_for(url: &Url, env: &Environment) -> Option<(String, String)> {
    let host = url.host_str()?;
    if bypassed(host, env) {
        return None;
    }
    let names: &[&str] = match url.scheme() {
        "https" => &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"],
        _ => &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"],
    };
    names
        .iter()
        .find_map(|name| env.var(name).map(|value| (value, name.to_string())))
}

fn bypassed(host: &str, env: &Environment) -> bool {
    let Some(list) = env.var("NO_PROXY").or_else(|| env.var("no_proxy")) else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    list.split(',').map(str::trim).any(|entry| {
        let domain = entry.trim_start_matches('.');
        entry == "*"
            || host.eq_ignore_ascii_case(domain)
            || (!domain.is_empty()
                && host
                    .to_ascii_lowercase()
                    .ends_with(&format!(".{}", domain.to_ascii_lowercase())))
    })
}

/// The proxy as doctor shows it (the password in a proxy URL is masked).
pub fn describe(proxy: Option<(String, String)>) -> String {
    match proxy {
        None => "direct".into(),
        Some((value, name)) => format!("proxy {} (from {name})", mask_url_secrets(&value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[test]
    fn the_scheme_picks_the_variable_and_no_proxy_bypasses() {
        let env = Environment::fixed(
            &[
                ("HTTPS_PROXY", "http://user:pw@bastion:3128"),
                ("http_proxy", "http://plain:3128"),
                ("NO_PROXY", "localhost,.internal.example,10.0.0.5"),
            ],
            "/nonexistent",
        );
        let https = proxy_for(&url("https://cph.cn-east-3.myhuaweicloud.com/"), &env);
        assert_eq!(
            https,
            Some(("http://user:pw@bastion:3128".into(), "HTTPS_PROXY".into()))
        );
        assert_eq!(
            describe(https),
            "proxy http://user:***@bastion:3128 (from HTTPS_PROXY)"
        );
        let http = proxy_for(&url("http://sim.example:8686/"), &env);
        assert_eq!(http.map(|p| p.1).as_deref(), Some("http_proxy"));
        for direct in [
            "https://localhost/",
            "https://a.internal.example/",
            "https://internal.example/",
            "http://10.0.0.5:80/",
        ] {
            assert_eq!(proxy_for(&url(direct), &env), None, "{direct}");
        }
        let none = Environment::fixed(&[], "/nonexistent");
        assert_eq!(
            describe(proxy_for(&url("https://x.example/"), &none)),
            "direct"
        );
    }
}
