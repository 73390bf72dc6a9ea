/work/wt/integ/fuzz/target/debug/deps/subtle-f53b1b63d4fd3499.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/subtle-2.6.1/src/lib.rs

/work/wt/integ/fuzz/target/debug/deps/libsubtle-f53b1b63d4fd3499.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/subtle-2.6.1/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/subtle-2.6.1/src/lib.rs:
