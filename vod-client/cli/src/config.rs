//! Where the command line finds its credentials and endpoint.
//!
//! Each setting is taken from the first place that has it: a flag, then the environment
//! (`VOD_ACCESS_KEY`, `VOD_SECRET_KEY`, `VOD_ENDPOINT`), then the selected profile of the profile
//! file. The profile is `--profile`, else `$VOD_PROFILE`, else `default`. The profile file is
//! `$VOD_CONFIG_FILE` when set (tests rely on it), else `~/.config/vod/config.toml` (honouring
//! `$XDG_CONFIG_HOME`):
//!
//! ```toml
//! [profiles.default]
//! access_key = "AK..."
//! secret_key = "..."
//! endpoint = "https://api.cloudv.haplat.net"   # optional
//! ```
//!
//! The file holds a secret, so `vod configure` writes it with mode 0600 (through a temporary file
//! renamed into place, so a crash never leaves half a file). The secret is kept in a
//! [`secrecy::SecretString`] from the moment it is read, so it cannot end up in `--debug` output
//! by accident.

use crate::failure::Failure;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

pub use vod_client::profile::{Profile, ProfileFile, DEFAULT_PROFILE};

/// Environment variable naming the profile.
pub const ENV_PROFILE: &str = vod_client::profile::PROFILE_ENV;
/// Environment variable holding the access key.
pub const ENV_ACCESS_KEY: &str = vod_client::credentials::ACCESS_KEY_ENV;
/// Environment variable holding the secret key.
pub const ENV_SECRET_KEY: &str = vod_client::credentials::SECRET_KEY_ENV;
/// Environment variable holding the endpoint.
pub const ENV_ENDPOINT: &str = vod_client::ENDPOINT_ENV;
/// Environment variable naming the signing scheme.
pub const ENV_AUTH_PROFILE: &str = vod_client::profile::AUTH_PROFILE_ENV;

/// The path of the profile file (see [`vod_client::profile::config_path`]).
pub fn config_path() -> Result<PathBuf, String> {
    vod_client::profile::config_path(&|name| std::env::var(name).ok()).map_err(|e| e.to_string())
}

/// Reads the profile file; a missing file is an empty one. A malformed one is reported by
/// path and line and column, or by key, never by value (see [`vod_client::profile::load`]).
pub fn load(path: &Path) -> Result<ProfileFile, String> {
    vod_client::profile::load(path).map_err(|e| match e {
        vod_client::Error::Config(message) => message,
        other => other.to_string(),
    })
}

/// Writes the profile file with mode 0600 (parent directory created with mode 0700).
pub fn save(path: &Path, file: &ProfileFile) -> Result<(), String> {
    let text = toml::to_string_pretty(file).map_err(|e| format!("cannot encode profiles: {e}"))?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = write_private(&tmp, text.as_bytes())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // The mode above only applies to a new file; make sure a leftover one is private too.
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// What the flags and the environment said (flags already override the environment: clap reads
/// the `VOD_*` variables as the flags' fallbacks).
#[derive(Default)]
pub struct Overrides {
    /// `--profile` / `$VOD_PROFILE`.
    pub profile: Option<String>,
    /// `--access-key` / `$VOD_ACCESS_KEY`.
    pub access_key: Option<String>,
    /// `--secret-key` / `$VOD_SECRET_KEY`.
    pub secret_key: Option<SecretString>,
    /// `--endpoint` / `$VOD_ENDPOINT`.
    pub endpoint: Option<String>,
    /// `--auth-profile` / `$VOD_AUTH_PROFILE`.
    pub auth_profile: Option<String>,
}

/// The settings a command runs with.
pub struct Settings {
    /// The profile consulted (it may not exist in the file when everything came from elsewhere).
    pub profile: String,
    /// Access key.
    pub access_key: String,
    /// Secret key.
    pub secret_key: SecretString,
    /// Endpoint; `None`: the auth profile's default host.
    pub endpoint: Option<String>,
    /// Signing scheme.
    pub auth_profile: vod_client::AuthProfile,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("profile", &self.profile)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("endpoint", &self.endpoint)
            .field("auth_profile", &self.auth_profile)
            .finish()
    }
}

/// Completes `overrides` from the profile file at `path`. A profile that was named explicitly
/// must exist; missing credentials are an error that says where they can be given.
pub fn resolve(overrides: Overrides, path: &Path) -> Result<Settings, Failure> {
    let named = overrides.profile.clone();
    let profile_name = named.clone().unwrap_or_else(|| DEFAULT_PROFILE.to_string());
    let needs_file = overrides.access_key.is_none()
        || overrides.secret_key.is_none()
        || overrides.endpoint.is_none()
        || overrides.auth_profile.is_none();
    let profile = if needs_file || named.is_some() {
        let mut file = load(path).map_err(Failure::usage)?;
        match file.profiles.remove(&profile_name) {
            Some(p) => p,
            None if named.is_some() => {
                return Err(Failure::usage(format!(
                    "profile `{profile_name}` not found in {} (create it with `vod configure --profile {profile_name}`)",
                    path.display()
                )))
            }
            None => Profile::default(),
        }
    } else {
        Profile::default()
    };
    let missing = |what: &str, flag: &str, env: &str| {
        Failure::credentials(format!(
            "no {what}: pass --{flag}, set {env}, or run `vod configure` (profile `{profile_name}` in {})\n\
             hint: `vod configure` writes the keys into a profile once; in scripts and CI, set \
             VOD_ACCESS_KEY and VOD_SECRET_KEY",
            path.display()
        ))
    };
    let access_key = overrides
        .access_key
        .or(profile.access_key)
        .ok_or_else(|| missing("access key", "access-key", ENV_ACCESS_KEY))?;
    let secret_key = overrides
        .secret_key
        .or_else(|| profile.secret_key.map(SecretString::from))
        .ok_or_else(|| missing("secret key", "secret-key", ENV_SECRET_KEY))?;
    let auth_profile = match overrides.auth_profile.or(profile.auth_profile) {
        Some(name) => vod_client::AuthProfile::from_name(&name).map_err(|e| {
            Failure::usage(match e {
                vod_client::Error::Config(message) => message,
                other => other.to_string(),
            })
        })?,
        None => vod_client::AuthProfile::default(),
    };
    Ok(Settings {
        profile: profile_name,
        access_key,
        secret_key,
        endpoint: overrides.endpoint.or(profile.endpoint),
        auth_profile,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn temp_path(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("vod-cli-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("sub").join("config.toml")
    }

    fn sample() -> ProfileFile {
        let mut file = ProfileFile::default();
        file.profiles.insert(
            "default".into(),
            Profile {
                access_key: Some("AK1".into()),
                secret_key: Some("SK1".into()),
                endpoint: None,
                auth_profile: None,
            },
        );
        file.profiles.insert(
            "staging".into(),
            Profile {
                access_key: Some("AK2".into()),
                secret_key: Some("SK2".into()),
                endpoint: Some("http://127.0.0.1:1".into()),
                auth_profile: Some("cnc".into()),
            },
        );
        file
    }

    #[test]
    fn save_is_private_and_round_trips() {
        let path = temp_path("save");
        save(&path, &sample()).unwrap();
        assert_eq!(load(&path).unwrap(), sample());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[profiles.staging]"), "{text}");
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn flags_then_profile() {
        let path = temp_path("resolve");
        save(&path, &sample()).unwrap();
        let s = resolve(Overrides::default(), &path).unwrap();
        assert_eq!(
            (s.profile.as_str(), s.access_key.as_str()),
            ("default", "AK1")
        );
        assert_eq!(s.secret_key.expose_secret(), "SK1");
        assert_eq!(s.endpoint, None);

        let s = resolve(
            Overrides {
                profile: Some("staging".into()),
                access_key: Some("AKX".into()),
                ..Overrides::default()
            },
            &path,
        )
        .unwrap();
        assert_eq!(s.access_key, "AKX");
        assert_eq!(s.secret_key.expose_secret(), "SK2");
        assert_eq!(s.endpoint.as_deref(), Some("http://127.0.0.1:1"));
        assert!(!format!("{s:?}").contains("SK2"));

        let err = resolve(
            Overrides {
                profile: Some("nope".into()),
                ..Overrides::default()
            },
            &path,
        )
        .unwrap_err();
        assert_eq!(err.code, crate::failure::code::USAGE);
        assert!(err.message.contains("profile `nope` not found"), "{err}");
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn missing_file_and_credentials() {
        let path = temp_path("missing");
        let err = resolve(Overrides::default(), &path).unwrap_err();
        assert_eq!(err.code, crate::failure::code::CREDENTIALS);
        assert!(
            err.message.contains("no access key") && err.message.contains("VOD_ACCESS_KEY"),
            "{err}"
        );
        let s = resolve(
            Overrides {
                access_key: Some("a".into()),
                secret_key: Some(SecretString::from("b")),
                endpoint: Some("http://e".into()),
                profile: None,
                auth_profile: None,
            },
            &path,
        )
        .unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("http://e"));
    }
}
