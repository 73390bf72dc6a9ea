//! Google Ads' account and conversion-action ids, as a site's settings write them: read when the
//! settings are validated and when an upload is built. A leaf: it reads nothing else of the crate,
//! so validating a configuration does not reach into the call records an upload is built from.

#[allow(unused_imports)]
use crate::prelude::*;

/// The customer id's ten digits, dashes removed.
pub fn customer_digits(id: &str) -> Option<String> {
    let digits: String = id.chars().filter(|c| *c != '-').collect();
    (digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// The conversion action's resource name, from a resource name or a bare id.
pub fn conversion_action(customer_id: &str, action: &str) -> Option<String> {
    let customer = customer_digits(customer_id)?;
    let digits = |s: &str| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit());
    if digits(action) {
        return Some(["customers/", &customer, "/conversionActions/", action].concat());
    }
    let rest = action.strip_prefix("customers/")?;
    let (owner, id) = rest.split_once("/conversionActions/")?;
    (digits(owner) && digits(id)).then(|| action.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_conversion_action() {
        let table = [
            (
                "123-456-7890",
                "987",
                Some("customers/1234567890/conversionActions/987"),
            ),
            (
                "1234567890",
                "customers/1234567890/conversionActions/5",
                Some("customers/1234567890/conversionActions/5"),
            ),
            ("123-456-789", "987", None),
            ("1234567890", "customers/x/conversionActions/5", None),
            ("1234567890", "", None),
        ];
        for (customer, action, want) in table {
            assert_eq!(
                conversion_action(customer, action).as_deref(),
                want,
                "{customer} {action}"
            );
        }
    }
}
