//! A site's configuration (`PUT /v1/sites/{site}/config`, `dni kv`): any bytes, no panic in
//! parsing, validation, routes or shard order; a valid configuration survives a round trip.
#![no_main]

use dni_core::config::SiteConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = serde_json::from_slice::<SiteConfig>(data) else {
        return;
    };
    if config.validate().is_err() {
        return;
    }
    let routes = config.routes();
    assert!(routes.len() >= config.static_numbers.len());
    for pool in &config.pools {
        let order = pool.shard_order("session-abcdefghijklmnop", &[]);
        assert!(!order.is_empty() && order.iter().all(|&k| k < pool.shards));
        for n in &pool.numbers {
            assert!(pool.shard_of_number(n).is_some_and(|k| k < pool.shards));
        }
    }
    let text = serde_json::to_string(&config).expect("a configuration serialises");
    let back: SiteConfig = serde_json::from_str(&text).expect("and reads back");
    assert_eq!(back, config);
});
