//! `vod configure`: writing a profile of the profile file.
//!
//! Values come from the command line (`--access-key`, `--secret-key`, `--endpoint`, `--profile`)
//! or, when missing, from stdin: on a terminal the command prompts (the secret without echo,
//! so it never lands in the scrollback); from a pipe, the first line of stdin is the secret
//! key, so `pass show vod | vod configure --access-key AK` works without the secret ever being
//! an argument (arguments are visible to other users in `ps`). Values not given keep what the
//! profile already had. The file is written with mode 0600 (see [`super::config::save`]).

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::config::{self, Profile};

/// What the user asked to change; `None` keeps the stored value (or prompts, on a terminal).
#[derive(Default)]
pub struct Request {
    /// Profile to write.
    pub profile: String,
    /// New access key.
    pub access_key: Option<String>,
    /// New secret key.
    pub secret_key: Option<String>,
    /// New endpoint (an empty string removes it).
    pub endpoint: Option<String>,
    /// New signing scheme, `ws3` or `cnc` (an empty string removes it).
    pub auth_profile: Option<String>,
}

/// Fills in what `request` lacks from stdin, then writes the profile. Returns the message to
/// print (which never includes the secret).
pub fn run(mut request: Request, path: &Path) -> Result<String, String> {
    let mut file = config::load(path)?;
    let current = file
        .profiles
        .get(&request.profile)
        .cloned()
        .unwrap_or_default();
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if request.access_key.is_none() {
            let shown = current.access_key.clone().unwrap_or_default();
            let answer = prompt(&format!("Access key [{shown}]: "))?;
            request.access_key = Some(answer).filter(|a| !a.is_empty());
        }
        if request.secret_key.is_none() {
            let shown = if current.secret_key.is_some() {
                "keep current"
            } else {
                "none"
            };
            let answer = prompt_secret(&format!("Secret key [{shown}]: "))?;
            request.secret_key = Some(answer).filter(|a| !a.is_empty());
        }
        if request.endpoint.is_none() {
            let shown = current
                .endpoint
                .clone()
                .unwrap_or_else(|| "service default".into());
            let answer = prompt(&format!("Endpoint [{shown}]: "))?;
            request.endpoint = Some(answer).filter(|a| !a.is_empty());
        }
    } else if request.secret_key.is_none() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the secret key from stdin: {e}"))?;
        let line = line.trim_end_matches(['\r', '\n']);
        if !line.is_empty() {
            request.secret_key = Some(line.to_string());
        }
    }
    let profile = merge(current, &request)?;
    let name = request.profile.clone();
    file.profiles.insert(name.clone(), profile);
    config::save(path, &file)?;
    Ok(format!("saved profile `{name}` to {}", path.display()))
}

/// The profile after applying `request` to `current`; both keys must end up set.
pub fn merge(mut current: Profile, request: &Request) -> Result<Profile, String> {
    if let Some(ak) = &request.access_key {
        current.access_key = Some(ak.trim().to_string()).filter(|a| !a.is_empty());
    }
    if let Some(sk) = &request.secret_key {
        current.secret_key = Some(sk.clone()).filter(|s| !s.is_empty());
    }
    if let Some(endpoint) = &request.endpoint {
        current.endpoint = Some(endpoint.trim().to_string()).filter(|e| !e.is_empty());
    }
    if let Some(name) = &request.auth_profile {
        let name = name.trim();
        current.auth_profile = if name.is_empty() {
            None
        } else {
            let profile = vod_client::AuthProfile::from_name(name).map_err(|e| e.to_string())?;
            Some(profile.name().to_string())
        };
    }
    if current.access_key.is_none() {
        return Err(format!(
            "profile `{}` has no access key: pass --access-key",
            request.profile
        ));
    }
    if current.secret_key.is_none() {
        return Err(format!(
            "profile `{}` has no secret key: type it at the prompt, or pipe it on stdin",
            request.profile
        ));
    }
    Ok(current)
}

/// Asks on stderr and reads one line from the terminal.
fn prompt(question: &str) -> Result<String, String> {
    let mut stderr = std::io::stderr();
    let _ = write!(stderr, "{question}");
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read from the terminal: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Asks for a secret on the terminal with echo off (`rpassword`: termios on Unix, the console
/// mode on Windows, echo restored even when reading fails), so it never lands in the scrollback.
fn prompt_secret(question: &str) -> Result<String, String> {
    rpassword::prompt_password(question)
        .map(|line| line.trim_end_matches(['\r', '\n']).to_string())
        .map_err(|e| format!("cannot read the secret key from the terminal: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_what_is_not_given() {
        let current = Profile {
            access_key: Some("AK".into()),
            secret_key: Some("SK".into()),
            endpoint: Some("http://old".into()),
            auth_profile: None,
        };
        let request = Request {
            profile: "p".into(),
            secret_key: Some("NEW".into()),
            endpoint: Some(String::new()),
            auth_profile: Some("CNC".into()),
            ..Request::default()
        };
        let merged = merge(current, &request).unwrap();
        assert_eq!(merged.access_key.as_deref(), Some("AK"));
        assert_eq!(merged.secret_key.as_deref(), Some("NEW"));
        assert_eq!(merged.endpoint, None);
        assert_eq!(merged.auth_profile.as_deref(), Some("cnc"));
        let bad = Request {
            auth_profile: Some("v2".into()),
            ..request
        };
        let err = merge(merged, &bad).unwrap_err();
        assert!(err.contains("unknown auth profile `v2`"), "{err}");
    }

    #[test]
    fn merge_requires_both_keys() {
        let request = Request {
            profile: "p".into(),
            access_key: Some("AK".into()),
            ..Request::default()
        };
        let err = merge(Profile::default(), &request).unwrap_err();
        assert!(err.contains("no secret key"), "{err}");
        let request = Request {
            profile: "p".into(),
            secret_key: Some("SK".into()),
            ..Request::default()
        };
        let err = merge(Profile::default(), &request).unwrap_err();
        assert!(err.contains("--access-key"), "{err}");
    }
}
