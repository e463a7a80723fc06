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

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// Environment variable naming the profile file.
pub const ENV_CONFIG_FILE: &str = "VOD_CONFIG_FILE";
/// Environment variable naming the profile.
pub const ENV_PROFILE: &str = "VOD_PROFILE";
/// Environment variable holding the access key.
pub const ENV_ACCESS_KEY: &str = "VOD_ACCESS_KEY";
/// Environment variable holding the secret key.
pub const ENV_SECRET_KEY: &str = "VOD_SECRET_KEY";
/// Environment variable holding the endpoint.
pub const ENV_ENDPOINT: &str = "VOD_ENDPOINT";
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

/// The path of the profile file.
pub fn config_path() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(ENV_CONFIG_FILE).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => dirs::home_dir()
            .ok_or("cannot find the home directory; set VOD_CONFIG_FILE")?
            .join(".config"),
    };
    Ok(base.join("vod").join("config.toml"))
}

/// Reads the profile file; a missing file is an empty one.
pub fn load(path: &Path) -> Result<ProfileFile, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfileFile::default()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
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
}

/// The settings a command runs with.
pub struct Settings {
    /// The profile consulted (it may not exist in the file when everything came from elsewhere).
    pub profile: String,
    /// Access key.
    pub access_key: String,
    /// Secret key.
    pub secret_key: SecretString,
    /// Endpoint; `None`: the client's default.
    pub endpoint: Option<String>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("profile", &self.profile)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

/// Completes `overrides` from the profile file at `path`. A profile that was named explicitly
/// must exist; missing credentials are an error that says where they can be given.
pub fn resolve(overrides: Overrides, path: &Path) -> Result<Settings, String> {
    let named = overrides.profile.clone();
    let profile_name = named.clone().unwrap_or_else(|| DEFAULT_PROFILE.to_string());
    let needs_file = overrides.access_key.is_none()
        || overrides.secret_key.is_none()
        || overrides.endpoint.is_none();
    let profile = if needs_file || named.is_some() {
        let mut file = load(path)?;
        match file.profiles.remove(&profile_name) {
            Some(p) => p,
            None if named.is_some() => {
                return Err(format!(
                    "profile `{profile_name}` not found in {} (create it with `vod configure --profile {profile_name}`)",
                    path.display()
                ))
            }
            None => Profile::default(),
        }
    } else {
        Profile::default()
    };
    let missing = |what: &str, flag: &str, env: &str| {
        format!(
            "no {what}: pass --{flag}, set {env}, or run `vod configure` (profile `{profile_name}` in {})",
            path.display()
        )
    };
    let access_key = overrides
        .access_key
        .or(profile.access_key)
        .ok_or_else(|| missing("access key", "access-key", ENV_ACCESS_KEY))?;
    let secret_key = overrides
        .secret_key
        .or_else(|| profile.secret_key.map(SecretString::from))
        .ok_or_else(|| missing("secret key", "secret-key", ENV_SECRET_KEY))?;
    Ok(Settings {
        profile: profile_name,
        access_key,
        secret_key,
        endpoint: overrides.endpoint.or(profile.endpoint),
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
            },
        );
        file.profiles.insert(
            "staging".into(),
            Profile {
                access_key: Some("AK2".into()),
                secret_key: Some("SK2".into()),
                endpoint: Some("http://127.0.0.1:1".into()),
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
        assert!(err.contains("profile `nope` not found"), "{err}");
        let _ = std::fs::remove_dir_all(path.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn missing_file_and_credentials() {
        let path = temp_path("missing");
        let err = resolve(Overrides::default(), &path).unwrap_err();
        assert!(
            err.contains("no access key") && err.contains("VOD_ACCESS_KEY"),
            "{err}"
        );
        let s = resolve(
            Overrides {
                access_key: Some("a".into()),
                secret_key: Some(SecretString::from("b")),
                endpoint: Some("http://e".into()),
                profile: None,
            },
            &path,
        )
        .unwrap();
        assert_eq!(s.endpoint.as_deref(), Some("http://e"));
    }
}
