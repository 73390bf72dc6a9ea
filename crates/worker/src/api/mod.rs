//! The HTTP API's own request and response types (golden answers in `tests`).

#[cfg(test)]
mod render;
#[cfg(test)]
mod tests;
