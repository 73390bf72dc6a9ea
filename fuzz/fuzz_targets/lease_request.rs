//! The lease request body (`POST /v1/sites/{site}/leases`): any bytes, no panic in parsing or
//! validation, and what validates respects the limits.
#![no_main]

use dni_core::api::{self, LeaseRequest, NumbersRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = serde_json::from_slice::<LeaseRequest>(data) {
        if let Ok(targets) = request.validate() {
            assert!(!targets.is_empty() && targets.len() <= api::MAX_TARGETS);
            assert!(request.session.len() <= api::MAX_SESSION);
            assert!(request.page.url.len() <= api::MAX_URL);
            assert!(request.leases.len() <= api::MAX_TARGETS);
        }
        for lease in &request.leases {
            let _ = api::lease_shard(lease);
        }
    }
    if let Ok(request) = serde_json::from_slice::<NumbersRequest>(data) {
        let _ = request.validate();
    }
});
