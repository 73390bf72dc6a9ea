/work/wt/integ/fuzz/target/debug/deps/lease_request-6fae68e6933f0c2d.d: fuzz_targets/lease_request.rs

/work/wt/integ/fuzz/target/debug/deps/liblease_request-6fae68e6933f0c2d.rmeta: fuzz_targets/lease_request.rs

fuzz_targets/lease_request.rs:
