//! API keys for the HTTP server: created here, stored hashed by the store.

use cordon_store::{ApiKey, Store};

use crate::{EngineError, Result};

/// Creates a key named `name` and returns it with the secret, which is shown once and never
/// stored: `cdn_` and 64 hex digits (256 random bits from the operating system).
pub fn create_key(store: &mut Store, name: &str, actor: &str) -> Result<(ApiKey, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| EngineError::Invalid(format!("no randomness from the operating system: {e}")))?;
    let mut secret = String::with_capacity(68);
    secret.push_str("cdn_");
    for b in bytes {
        secret.push_str(&format!("{b:02x}"));
    }
    let key = store.create_key(name, &secret, actor)?;
    Ok((key, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_keys_verify_and_differ() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let (a, sa) = create_key(&mut store, "a", "test").unwrap();
        let (_, sb) = create_key(&mut store, "b", "test").unwrap();
        assert_ne!(sa, sb);
        assert_eq!(sa.len(), 68);
        assert_eq!(store.verify_key(&sa).unwrap().unwrap().id, a.id);
    }
}
