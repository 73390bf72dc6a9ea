/work/wt/integ/fuzz/target/debug/deps/site_config-262cb672d9ff94ba.d: fuzz_targets/site_config.rs

/work/wt/integ/fuzz/target/debug/deps/libsite_config-262cb672d9ff94ba.rmeta: fuzz_targets/site_config.rs

fuzz_targets/site_config.rs:
