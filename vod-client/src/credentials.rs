//! The access key pair that signs every request.
//!
//! The secret key is held in a [`SecretString`]: it is zeroed when dropped, and it never shows
//! up in `Debug` output, so logging a client or its configuration cannot leak it.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use crate::Error;

/// Environment variable holding the access key.
pub const ACCESS_KEY_ENV: &str = "VOD_ACCESS_KEY";
/// Environment variable holding the secret key.
pub const SECRET_KEY_ENV: &str = "VOD_SECRET_KEY";

/// An AccessKey / SecretKey pair of a Wangsu (CDNetworks) account.
#[derive(Clone)]
pub struct Credentials {
    /// The access key id; it travels in clear in a header and in `Authorization`.
    pub access_key: String,
    /// The secret key; only ever used as the HMAC key.
    pub secret_key: SecretString,
}

impl Credentials {
    /// A key pair from values.
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Credentials {
            access_key: access_key.into(),
            secret_key: SecretString::from(secret_key.into()),
        }
    }

    /// Reads `VOD_ACCESS_KEY` and `VOD_SECRET_KEY`; fails naming the missing variable.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Credentials::from_env`] with a custom variable source (tests, config files).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let read = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::Config(format!("environment variable {name} is not set")))
        };
        Ok(Credentials::new(
            read(ACCESS_KEY_ENV)?,
            read(SECRET_KEY_ENV)?,
        ))
    }

    /// The secret, for the signer only.
    pub(crate) fn secret(&self) -> &str {
        self.secret_key.expose_secret()
    }

    /// Checks that neither key is empty, so a misconfiguration fails at build time rather
    /// than as an authentication error from the service.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.access_key.trim().is_empty() {
            return Err(Error::Config("the access key is empty".into()));
        }
        if self.secret().is_empty() {
            return Err(Error::Config("the secret key is empty".into()));
        }
        Ok(())
    }
}

/// Where the client gets the key pair for each request, so keys can rotate without
/// rebuilding the client: it is asked once per attempt, and what it returns signs that
/// attempt. [`Credentials`] itself is the fixed provider.
///
/// ```
/// use std::sync::{Arc, RwLock};
/// use vod_client::credentials::{Credentials, CredentialsProvider};
///
/// /// Keys that a background task replaces when they rotate.
/// #[derive(Debug)]
/// struct Rotating(RwLock<Credentials>);
///
/// impl CredentialsProvider for Rotating {
///     fn credentials(&self) -> Result<Credentials, vod_client::Error> {
///         let current = self.0.read().map_err(|_| vod_client::Error::Config("key store poisoned".into()))?;
///         Ok(current.clone())
///     }
/// }
///
/// let keys = Arc::new(Rotating(RwLock::new(Credentials::new("AK1", "SK1"))));
/// let client = vod_client::Client::builder()
///     .credentials_provider(keys.clone())
///     .build()
///     .expect("client");
/// *keys.0.write().unwrap() = Credentials::new("AK2", "SK2"); // later requests use AK2
/// # let _ = client;
/// ```
pub trait CredentialsProvider: fmt::Debug + Send + Sync {
    /// The key pair to sign the next attempt with. An error fails the call before anything
    /// is sent.
    fn credentials(&self) -> Result<Credentials, Error>;
}

impl CredentialsProvider for Credentials {
    fn credentials(&self) -> Result<Credentials, Error> {
        Ok(self.clone())
    }
}

/// Where a client's key pair comes from: fixed when the client was built (checked then, and
/// lent to every attempt without a copy), or asked of a provider at every attempt.
#[derive(Clone, Debug)]
pub(crate) enum KeySource {
    Fixed(Arc<Credentials>),
    Provider(Arc<dyn CredentialsProvider>),
}

impl KeySource {
    /// The key pair for the next attempt, checked.
    pub(crate) fn current(&self) -> Result<Cow<'_, Credentials>, Error> {
        match self {
            KeySource::Fixed(fixed) => Ok(Cow::Borrowed(fixed)),
            KeySource::Provider(provider) => {
                let credentials = provider.credentials()?;
                credentials.check()?;
                Ok(Cow::Owned(credentials))
            }
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"[REDACTED]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_secret() {
        let c = Credentials::new("AK123", "very-secret-value");
        let text = format!("{c:?} {c:#?}");
        assert!(text.contains("AK123"), "{text}");
        assert!(!text.contains("very-secret-value"), "{text}");
        assert!(text.contains("REDACTED"), "{text}");
        assert_eq!(c.secret(), "very-secret-value");
    }

    #[test]
    fn from_lookup_reads_both_and_names_the_missing_one() {
        let c = Credentials::from_lookup(|n| match n {
            "VOD_ACCESS_KEY" => Some(" ak ".into()),
            "VOD_SECRET_KEY" => Some("sk".into()),
            _ => None,
        })
        .expect("both set");
        assert_eq!(c.access_key, "ak");
        assert_eq!(c.secret(), "sk");
        let err = Credentials::from_lookup(|n| (n == "VOD_ACCESS_KEY").then(|| "ak".into()))
            .expect_err("secret missing");
        assert!(err.to_string().contains("VOD_SECRET_KEY"), "{err}");
        let err = Credentials::from_lookup(|_| Some(String::new())).expect_err("empty");
        assert!(err.to_string().contains("VOD_ACCESS_KEY"), "{err}");
    }

    #[test]
    fn check_rejects_empty_keys() {
        assert!(Credentials::new("", "x").check().is_err());
        assert!(Credentials::new("a", "").check().is_err());
        assert!(Credentials::new("a", "b").check().is_ok());
    }
}
