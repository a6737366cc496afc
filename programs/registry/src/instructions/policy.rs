//! Zone policy validation: the same bounds as node/src/policy/schema.ts (tighter where the
//! account size or the 1232-byte transaction needs it).
use anchor_lang::prelude::*;

use crate::{constants::*, error::RegistryError, state::*};

pub fn validate_domain(domain: &str) -> Result<()> {
    let ok = !domain.is_empty()
        && domain.len() <= MAX_DOMAIN_LEN
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    require!(ok, RegistryError::InvalidDomain);
    Ok(())
}

fn str_in(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max
}

pub fn validate_policy(p: &ZonePolicyV0) -> Result<()> {
    let origins_ok = !p.origins.is_empty()
        && p.origins.len() <= MAX_ORIGINS
        && p.origins.iter().all(|o| {
            str_in(&o.url, MAX_ORIGIN_URL_LEN)
                && (o.url.starts_with("http://") || o.url.starts_with("https://"))
                && (1..=100).contains(&o.weight)
        });
    let c = &p.cache;
    let cache_ok = c.default_ttl_secs <= 31_536_000 && c.stale_while_revalidate_secs <= 86_400 && c.stale_if_error_secs <= 604_800;
    let w = &p.waf;
    let waf_ok = (1..=4).contains(&w.paranoia)
        && (1..=1000).contains(&w.inbound_threshold)
        && w.outbound_threshold <= 1000
        && w.excluded_rule_ids.len() <= MAX_EXCLUDED_RULES
        && w.excluded_tags.len() <= MAX_EXCLUDED_TAGS
        && w.excluded_tags.iter().all(|t| str_in(t, MAX_TAG_LEN));
    let r = &p.rate_limit;
    let rate_ok = r.requests <= 1_000_000 && (1..=3600).contains(&r.window_secs) && r.burst <= 1_000_000;
    let b = &p.bots;
    let bots_ok = b.challenge_at <= 100 && b.block_at <= 100;
    require!(
        origins_ok && cache_ok && waf_ok && p.ddos.sensitivity <= 5 && rate_ok && bots_ok,
        RegistryError::InvalidPolicy
    );
    Ok(())
}

pub fn validate_route(r: &FunctionRouteV0) -> Result<()> {
    let ok = str_in(&r.pattern, MAX_PATTERN_LEN)
        && r.methods & !METHOD_ALL_BITS == 0
        && !r.modules.is_empty()
        && r.modules.len() <= MAX_ROUTE_MODULES
        && r.modules.iter().all(|m| str_in(m, MAX_MODULE_REF_LEN))
        && r.timeout_ms <= 5000
        && r.memory_mb <= 512
        && (r.fuel == 0 || (1000..=1_000_000_000).contains(&r.fuel))
        && r.fetch_allow.len() <= MAX_FETCH_ALLOW
        && r.fetch_allow.iter().all(|h| str_in(h, MAX_HOST_LEN))
        && r.fetch_timeout_ms <= 10_000;
    require!(ok, RegistryError::InvalidRoute);
    Ok(())
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub fn policy() -> ZonePolicyV0 {
        ZonePolicyV0 {
            origins: vec![OriginV0 { url: "http://127.0.0.1:8080".into(), weight: 1 }],
            cache: CachePolicyV0 { enabled: true, default_ttl_secs: 60, honour_origin_headers: true, stale_while_revalidate_secs: 30, stale_if_error_secs: 300 },
            waf: WafPolicyV0 { mode: WafMode::Block, paranoia: 2, inbound_threshold: 5, outbound_threshold: 0, response_rules: false, excluded_rule_ids: vec![920350], excluded_tags: vec![] },
            ddos: DdosPolicyV0 { sensitivity: 3 },
            rate_limit: RateLimitV0 { requests: 100, window_secs: 60, burst: 20 },
            bots: BotPolicyV0 { mode: BotMode::Detect, challenge_at: 60, block_at: 90 },
        }
    }

    #[test]
    fn domains() {
        assert!(validate_domain("example.com").is_ok());
        assert!(validate_domain("a-b.c0.example").is_ok());
        let long_label = "a".repeat(64);
        let long_name = format!("{}com", "ab.".repeat(84));
        assert!(long_name.len() > MAX_DOMAIN_LEN);
        for bad in ["", "Example.com", "a..b", "-a.com", "a-.com", "a_b.com", long_label.as_str(), long_name.as_str()] {
            assert!(validate_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn policy_bounds() {
        assert!(validate_policy(&policy()).is_ok());
        let mut p = policy();
        p.waf.paranoia = 5;
        assert!(validate_policy(&p).is_err());
        let mut p = policy();
        p.origins[0].url = "ftp://x".into();
        assert!(validate_policy(&p).is_err());
        let mut p = policy();
        p.origins.clear();
        assert!(validate_policy(&p).is_err());
        let mut p = policy();
        p.ddos.sensitivity = 6;
        assert!(validate_policy(&p).is_err());
        let mut p = policy();
        p.rate_limit.window_secs = 0;
        assert!(validate_policy(&p).is_err());
    }

    #[test]
    fn route_bounds() {
        let r = FunctionRouteV0 {
            pattern: "/api/*".into(), methods: 1, modules: vec!["bafk".into()], fail_mode: FailMode::Open,
            timeout_ms: 0, memory_mb: 0, fuel: 0, fetch_allow: vec![], fetch_timeout_ms: 0,
        };
        assert!(validate_route(&r).is_ok());
        assert!(validate_route(&FunctionRouteV0 { modules: vec![], ..r.clone() }).is_err());
        assert!(validate_route(&FunctionRouteV0 { methods: 1 << 9, ..r.clone() }).is_err());
        assert!(validate_route(&FunctionRouteV0 { fuel: 999, ..r.clone() }).is_err());
    }
}
