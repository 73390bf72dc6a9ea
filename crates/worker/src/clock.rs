//! The shell's clock and randomness: the only places the worker reads either.

use dni_core::Millis;
use wasm_bindgen::prelude::wasm_bindgen;

/// Milliseconds since the epoch, from the platform.
pub fn now() -> Millis {
    worker::Date::now().as_millis()
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// A random id: 16 bytes from the platform's CSPRNG, base64url (22 characters).
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    get_random_values(&mut bytes);
    base64url(&bytes)
}

/// `n` random characters of `[A-Za-z0-9]`, from the platform's CSPRNG (unbiased: bytes past the
/// last whole multiple of 62 are drawn again).
pub fn random_alnum(n: usize) -> String {
    const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        let mut bytes = [0u8; 64];
        get_random_values(&mut bytes);
        for b in bytes {
            if out.len() < n && b < 248 {
                out.push(char::from(ALNUM[usize::from(b % 62)]));
            }
        }
    }
    out
}

/// A number in `[0, 1)` from the CSPRNG: the jitter of the outbox's retries.
pub fn jitter() -> f64 {
    let mut bytes = [0u8; 4];
    get_random_values(&mut bytes);
    f64::from(u32::from_le_bytes(bytes)) / 4_294_967_296.0
}

/// `n` random decimal digits (a GA4 client id for a call with none).
pub fn random_digits(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    get_random_values(&mut bytes);
    bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            // No leading zero; `b % 10` is near enough uniform for an id.
            let d = if i == 0 { 1 + b % 9 } else { b % 10 };
            char::from(b'0' + d)
        })
        .collect()
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 2);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(
                ALPHABET.get(index as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_base64url_without_padding() {
        assert_eq!(super::base64url(&[0xfb, 0xff, 0xbf, 0x00]), "-_-_AA");
        assert_eq!(super::base64url(&[0u8; 16]).len(), 22);
    }
}
