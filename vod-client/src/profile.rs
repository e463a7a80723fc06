//! The profile file `vod configure` writes, read by [`Client::from_env`](crate::Client::from_env)
//! and the command line alike.
//!
//! The file is `$VOD_CONFIG_FILE` when set, else `$XDG_CONFIG_HOME/vod/config.toml`, else
//! `~/.config/vod/config.toml`; the profile is `$VOD_PROFILE`, else `default`:
//!
//! ```toml
//! [profiles.default]
//! access_key = "AK..."
//! secret_key = "..."
//! endpoint = "https://api.cloudv.haplat.net"   # optional
//! auth_profile = "cnc"                          # optional: ws3 (default) or cnc
//! ```
//!
//! The file holds a secret, so a malformed file is reported with its path and the line and
//! column, or the key whose value has the wrong type, never with a value: the parser's
//! message could quote the offending value, which may be the secret.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{AuthProfile, ENDPOINT_ENV};
use crate::credentials::{Credentials, ACCESS_KEY_ENV, SECRET_KEY_ENV};
use crate::{ClientBuilder, Error};

/// Environment variable naming the profile file.
pub const CONFIG_FILE_ENV: &str = "VOD_CONFIG_FILE";
/// Environment variable naming the profile.
pub const PROFILE_ENV: &str = "VOD_PROFILE";
/// Environment variable naming the signing scheme (`ws3` or `cnc`).
pub const AUTH_PROFILE_ENV: &str = "VOD_AUTH_PROFILE";
/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// One named profile of the profile file.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key: Option<String>,
    /// Secret key (never printed: see the `Debug` impl).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    /// API endpoint, e.g. `https://api.cloudv.haplat.net`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Signing scheme: `ws3` or `cnc` (the gateway, whose host becomes the default endpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_profile: Option<String>,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("access_key", &self.access_key)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("endpoint", &self.endpoint)
            .field("auth_profile", &self.auth_profile)
            .finish()
    }
}

/// The profile file: named profiles, plus any other tables kept as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileFile {
    /// Profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Keys this version does not know, preserved when `vod configure` rewrites the file.
    #[serde(flatten)]
    pub other: BTreeMap<String, toml::Value>,
}

/// The path of the profile file, from variables read through `lookup`.
pub fn config_path(lookup: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, Error> {
    let set = |name: &str| lookup(name).filter(|v| !v.is_empty());
    if let Some(path) = set(CONFIG_FILE_ENV) {
        return Ok(PathBuf::from(path));
    }
    let base = match set("XDG_CONFIG_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => dirs::home_dir()
            .ok_or_else(|| {
                Error::Config(format!(
                    "cannot find the home directory; set {CONFIG_FILE_ENV}"
                ))
            })?
            .join(".config"),
    };
    Ok(base.join("vod").join("config.toml"))
}

/// Reads the profile file; a missing file is an empty one.
pub fn load(path: &Path) -> Result<ProfileFile, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ProfileFile::default()),
        Err(e) => {
            return Err(Error::Config(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    // Parsed into a plain table, then read by hand: `toml::Table`'s parser is compiled in the
    // toml crate, while `toml::from_str::<ProfileFile>` would compile a TOML deserializer for
    // these types into every build of vod-client.
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_column(&text, span.start));
        // Not `e`'s message: it may quote the value at fault, and that may be the secret.
        Error::Config(format!(
            "{}:{line}:{column}: malformed profile file (not the TOML shape `vod configure` writes)",
            path.display()
        ))
    })?;
    ProfileFile::from_table(table).map_err(|(key, expected)| {
        // The key only, never its value (which may be the secret).
        Error::Config(format!(
            "{}: `{key}` must be a {expected} (the TOML shape `vod configure` writes)",
            path.display()
        ))
    })
}

impl ProfileFile {
    /// The profile file a parsed TOML document holds; `Err` names the first key whose value
    /// has the wrong type, and the type it needs. Unknown keys inside a profile are ignored,
    /// unknown top-level keys kept in [`ProfileFile::other`].
    fn from_table(table: toml::Table) -> Result<ProfileFile, (String, &'static str)> {
        let mut file = ProfileFile::default();
        for (key, value) in table {
            if key != "profiles" {
                file.other.insert(key, value);
                continue;
            }
            let toml::Value::Table(profiles) = value else {
                return Err(("profiles".into(), "table"));
            };
            for (name, fields) in profiles {
                let toml::Value::Table(fields) = fields else {
                    return Err((format!("profiles.{name}"), "table"));
                };
                let mut profile = Profile::default();
                for (field, value) in fields {
                    let slot = match field.as_str() {
                        "access_key" => &mut profile.access_key,
                        "secret_key" => &mut profile.secret_key,
                        "endpoint" => &mut profile.endpoint,
                        "auth_profile" => &mut profile.auth_profile,
                        _ => continue,
                    };
                    let toml::Value::String(text) = value else {
                        return Err((format!("profiles.{name}.{field}"), "string"));
                    };
                    *slot = Some(text);
                }
                file.profiles.insert(name, profile);
            }
        }
        Ok(file)
    }
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// [`ClientBuilder::from_env`] with the variables read through `lookup`.
pub(crate) fn builder_from_env(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<ClientBuilder, Error> {
    let set = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let env_keys = (set(ACCESS_KEY_ENV), set(SECRET_KEY_ENV));
    let named = set(PROFILE_ENV);
    let profile_name = named.clone().unwrap_or_else(|| DEFAULT_PROFILE.to_string());
    // Without a home directory there is no default profile file; keys from the environment
    // still work (containers often have no HOME).
    let path = match config_path(lookup) {
        Ok(path) => path,
        Err(_) if env_keys.0.is_some() && env_keys.1.is_some() => PathBuf::new(),
        Err(e) => return Err(e),
    };
    let file = if path.as_os_str().is_empty() {
        ProfileFile::default()
    } else {
        load(&path)?
    };
    let profile = match file.profiles.get(&profile_name).cloned() {
        Some(p) => p,
        None if named.is_some() => {
            return Err(Error::Config(format!(
                "profile `{profile_name}` ({PROFILE_ENV}) not found in {}",
                path.display()
            )))
        }
        None => Profile::default(),
    };
    let credentials = match env_keys {
        (Some(ak), Some(sk)) => Credentials::new(ak, sk),
        (Some(_), None) | (None, Some(_)) => {
            let missing = if env_keys.0.is_none() {
                ACCESS_KEY_ENV
            } else {
                SECRET_KEY_ENV
            };
            return Err(Error::Config(format!(
                "environment variable {missing} is not set ({ACCESS_KEY_ENV} and {SECRET_KEY_ENV} go together)"
            )));
        }
        (None, None) => match (profile.access_key, profile.secret_key) {
            (Some(ak), Some(sk)) => Credentials::new(ak, sk),
            _ => {
                return Err(Error::Config(format!(
                    "no credentials: set {ACCESS_KEY_ENV} and {SECRET_KEY_ENV}, or run `vod configure` \
                     (profile `{profile_name}` in {})",
                    path.display()
                )))
            }
        },
    };
    let mut builder = ClientBuilder::new().credentials_value(credentials);
    if let Some(name) = set(AUTH_PROFILE_ENV).or(profile.auth_profile) {
        builder = builder.auth_profile(AuthProfile::from_name(&name)?);
    }
    if let Some(endpoint) = set(ENDPOINT_ENV).or(profile.endpoint) {
        builder = builder.endpoint(endpoint);
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("vod-profile-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("config.toml");
        std::fs::write(&path, text).expect("write");
        path
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    const FILE: &str = "[profiles.default]\naccess_key = \"AKF\"\nsecret_key = \"SKF\"\n\n\
                        [profiles.gw]\naccess_key = \"AKG\"\nsecret_key = \"SKG\"\nauth_profile = \"cnc\"\n";

    #[test]
    fn environment_first_then_the_profile_file() {
        let path = temp_file("order", FILE);
        let p = path.to_string_lossy().into_owned();
        let b = builder_from_env(&env(&[(CONFIG_FILE_ENV, &p)])).expect("from file");
        let c = b.build().expect("client");
        assert!(format!("{c:?}").contains("AKF"));
        assert_eq!(c.endpoint(), "https://api.cloudv.haplat.net");

        let vars = [
            (CONFIG_FILE_ENV, p.as_str()),
            (ACCESS_KEY_ENV, "AKE"),
            (SECRET_KEY_ENV, "SKE"),
            (ENDPOINT_ENV, "http://127.0.0.1:9"),
        ];
        let c = builder_from_env(&env(&vars)).unwrap().build().unwrap();
        assert!(format!("{c:?}").contains("AKE"));
        assert_eq!(c.endpoint(), "http://127.0.0.1:9");

        let vars = [(CONFIG_FILE_ENV, p.as_str()), (PROFILE_ENV, "gw")];
        let c = builder_from_env(&env(&vars)).unwrap().build().unwrap();
        assert_eq!(c.auth_profile(), AuthProfile::Cnc);
        assert_eq!(c.endpoint(), "https://open.chinanetcenter.com");
        let vars = [
            (CONFIG_FILE_ENV, p.as_str()),
            (PROFILE_ENV, "gw"),
            (AUTH_PROFILE_ENV, "WS3"),
        ];
        let c = builder_from_env(&env(&vars)).unwrap().build().unwrap();
        assert_eq!(c.auth_profile(), AuthProfile::Ws3);
    }

    #[test]
    fn the_default_path_follows_xdg_and_a_missing_file_is_no_error() {
        let dir = std::env::temp_dir().join(format!("vod-profile-{}-xdg", std::process::id()));
        let xdg = dir.to_string_lossy().into_owned();
        let vars = [
            ("XDG_CONFIG_HOME", xdg.as_str()),
            (ACCESS_KEY_ENV, "AKE"),
            (SECRET_KEY_ENV, "SKE"),
        ];
        assert_eq!(
            config_path(&env(&vars)).unwrap(),
            dir.join("vod").join("config.toml")
        );
        let c = builder_from_env(&env(&vars)).unwrap().build().unwrap();
        assert!(format!("{c:?}").contains("AKE"));
    }

    #[test]
    fn missing_things_are_named() {
        let path = temp_file("missing", FILE);
        let p = path.to_string_lossy().into_owned();
        let err =
            builder_from_env(&env(&[(CONFIG_FILE_ENV, &p), (PROFILE_ENV, "nope")])).unwrap_err();
        assert!(err.to_string().contains("profile `nope`"), "{err}");
        let err =
            builder_from_env(&env(&[(CONFIG_FILE_ENV, &p), (ACCESS_KEY_ENV, "a")])).unwrap_err();
        assert!(err.to_string().contains(SECRET_KEY_ENV), "{err}");
        let none = path.with_file_name("absent.toml");
        let none = none.to_string_lossy().into_owned();
        let err = builder_from_env(&env(&[(CONFIG_FILE_ENV, &none)])).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(ACCESS_KEY_ENV) && text.contains("absent.toml"),
            "{text}"
        );
        let err =
            builder_from_env(&env(&[(CONFIG_FILE_ENV, &p), (AUTH_PROFILE_ENV, "v4")])).unwrap_err();
        assert!(err.to_string().contains("ws3, cnc"), "{err}");
    }

    #[test]
    fn a_malformed_file_never_quotes_its_lines() {
        let secret = "TOPSECRET-7f3a";
        let text = format!("[profiles.default]\naccess_key = \"AK\"\nsecret_key = {secret}\n");
        let path = temp_file("malformed", &text);
        let err = load(&path).unwrap_err().to_string();
        assert!(!err.contains(secret) && !err.contains("TOPSECRET"), "{err}");
        assert!(err.contains(&format!("{}:3:", path.display())), "{err}");
        // A value of the wrong type: its key is named, never the value.
        let path = temp_file("typed", "[profiles.default]\nsecret_key = 12345678\n");
        let err = load(&path).unwrap_err().to_string();
        assert!(!err.contains("12345678"), "{err}");
        assert!(
            err.contains("`profiles.default.secret_key` must be a string"),
            "{err}"
        );
        let path = temp_file("flat", "profiles = 3\n");
        let err = load(&path).unwrap_err().to_string();
        assert!(err.contains("`profiles` must be a table"), "{err}");
    }

    #[test]
    fn unknown_keys_are_kept_at_the_top_and_ignored_in_a_profile() {
        let text = "[profiles.default]\naccess_key = \"AK\"\ncolour = \"blue\"\n\
                    [profiles.other]\nendpoint = \"http://127.0.0.1:1\"\n\
                    [plugins]\nname = \"x\"\n";
        let file = load(&temp_file("unknown", text)).unwrap();
        assert_eq!(file.profiles.len(), 2);
        assert_eq!(file.profiles["default"].access_key.as_deref(), Some("AK"));
        assert_eq!(
            file.profiles["other"].endpoint.as_deref(),
            Some("http://127.0.0.1:1")
        );
        assert!(file.other.contains_key("plugins"), "{:?}", file.other);
    }

    #[test]
    fn line_and_column_of_offsets() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("視\nx", 4), (2, 1));
    }
}
