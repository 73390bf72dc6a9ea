/work/wt/integ/fuzz/target/debug/deps/url-c5e016dbabefa0d9.d: fuzz_targets/url.rs

/work/wt/integ/fuzz/target/debug/deps/liburl-c5e016dbabefa0d9.rmeta: fuzz_targets/url.rs

fuzz_targets/url.rs:
