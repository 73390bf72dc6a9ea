/work/wt/integ/fuzz/target/debug/deps/ed25519-bc892f40c0a0b7b4.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ed25519-3.0.0/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ed25519-3.0.0/src/hex.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ed25519-3.0.0/src/../README.md

/work/wt/integ/fuzz/target/debug/deps/libed25519-bc892f40c0a0b7b4.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ed25519-3.0.0/src/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ed25519-3.0.0/src/hex.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ed25519-3.0.0/src/../README.md

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ed25519-3.0.0/src/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ed25519-3.0.0/src/hex.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ed25519-3.0.0/src/../README.md:
