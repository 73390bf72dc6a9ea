/work/wt/integ/fuzz/target/debug/deps/classify-c02eeee1b0d3162e.d: fuzz_targets/classify.rs

/work/wt/integ/fuzz/target/debug/deps/libclassify-c02eeee1b0d3162e.rmeta: fuzz_targets/classify.rs

fuzz_targets/classify.rs:
