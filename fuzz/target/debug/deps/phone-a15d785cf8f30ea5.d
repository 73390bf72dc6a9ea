/work/wt/integ/fuzz/target/debug/deps/phone-a15d785cf8f30ea5.d: fuzz_targets/phone.rs

/work/wt/integ/fuzz/target/debug/deps/libphone-a15d785cf8f30ea5.rmeta: fuzz_targets/phone.rs

fuzz_targets/phone.rs:
