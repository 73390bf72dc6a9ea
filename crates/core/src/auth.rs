//! Comparing secrets: bearer tokens, report tokens' and operator keys' hashes, webhook secrets.
//! Who may do what is `access`.

#[allow(unused_imports)]
use crate::prelude::*;

/// Compares two secrets in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_secrets() {
        let table: [(&[u8], &[u8], bool); 5] = [
            (b"s3cret", b"s3cret", true),
            (b"s3cret", b"s3cre", false),
            (b"s3cret", b"s3cretX", false),
            (b"s3cret", b"S3cret", false),
            (b"", b"", true),
        ];
        for (a, b, want) in table {
            assert_eq!(constant_time_eq(a, b), want, "{a:?} {b:?}");
        }
    }
}
