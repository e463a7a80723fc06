//! The next version to release, following Cargo's reading of semver.
//!
//! Cargo treats `0.x.y` → `0.(x+1).0` as the incompatible step (a `^0.x` requirement does not
//! accept it) and `0.x.y` → `0.x.(y+1)` as compatible, so before 1.0 a breaking change bumps
//! the minor number and anything else the patch number. From 1.0 on: breaking bumps major,
//! compatible bumps minor, docs bump patch.

use super::Level;

/// Why a version could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a version of the form MAJOR.MINOR.PATCH")]
pub struct VersionError(pub String);

/// The version to release after `current`, given the most serious change (`None`: no change,
/// the version stays). Pre-release and build suffixes are dropped from the result.
pub fn suggest_version(current: &str, highest: Option<Level>) -> Result<String, VersionError> {
    let (major, minor, patch) = parse(current)?;
    let Some(level) = highest else {
        return Ok(current.trim().to_string());
    };
    let (major, minor, patch) = match (major, level) {
        (0, Level::Breaking) => (0, minor + 1, 0),
        (0, _) => (0, minor, patch + 1),
        (_, Level::Breaking) => (major + 1, 0, 0),
        (_, Level::Compatible) => (major, minor + 1, 0),
        (_, Level::Docs) => (major, minor, patch + 1),
    };
    Ok(format!("{major}.{minor}.{patch}"))
}

fn parse(version: &str) -> Result<(u64, u64, u64), VersionError> {
    let error = || VersionError(version.to_string());
    let core = version.trim().split(['-', '+']).next().unwrap_or_default();
    let mut parts = core
        .split('.')
        .map(|p| p.parse::<u64>().map_err(|_| error()));
    let (Some(major), Some(minor), Some(patch), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(error());
    };
    Ok((major?, minor?, patch?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_x_bumps_minor_for_breaking_and_patch_otherwise() {
        let next = |level| suggest_version("0.1.3", level).unwrap();
        assert_eq!(next(Some(Level::Breaking)), "0.2.0");
        assert_eq!(next(Some(Level::Compatible)), "0.1.4");
        assert_eq!(next(Some(Level::Docs)), "0.1.4");
        assert_eq!(next(None), "0.1.3");
    }

    #[test]
    fn one_x_bumps_major_minor_patch() {
        let next = |level| suggest_version("1.4.2", level).unwrap();
        assert_eq!(next(Some(Level::Breaking)), "2.0.0");
        assert_eq!(next(Some(Level::Compatible)), "1.5.0");
        assert_eq!(next(Some(Level::Docs)), "1.4.3");
        assert_eq!(next(None), "1.4.2");
    }

    #[test]
    fn pre_release_suffix_is_dropped_and_garbage_refused() {
        assert_eq!(
            suggest_version("1.0.0-rc.1", Some(Level::Docs)).unwrap(),
            "1.0.1"
        );
        assert!(suggest_version("1.0", Some(Level::Docs)).is_err());
        assert!(suggest_version("x.y.z", None).is_err());
    }
}
