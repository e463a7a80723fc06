//! Credentials from flags, the environment and profiles; `vod configure`.

use crate::support::{fails_with, json_ok, temp_dir, vod, Emulator, AK, SK};

#[test]
fn configure_writes_a_private_profile_that_commands_use() {
    let emulator = Emulator::start();
    let dir = temp_dir("configure");
    let config = dir.join("nested").join("config.toml");
    // The secret comes on stdin (a pipe), never as an argument.
    let output = vod()
        .env("VOD_CONFIG_FILE", &config)
        .args(["configure", "--profile", "emu", "--access-key", AK])
        .args(["--endpoint", &emulator.endpoint])
        .write_stdin(format!("{SK}\n"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for stream in [&output.stdout, &output.stderr] {
        assert!(!String::from_utf8_lossy(stream).contains(SK));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "profile file mode");
    }
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("[profiles.emu]") && text.contains(AK),
        "{text}"
    );

    // The profile alone is enough: no VOD_* variables, only --profile (or VOD_PROFILE).
    let file = dir.join("clip.mp4");
    std::fs::write(&file, b"profile upload").unwrap();
    let output = vod()
        .env("VOD_CONFIG_FILE", &config)
        .env("VOD_PROFILE", "emu")
        .args(["--debug", "upload"])
        .arg(&file)
        .output()
        .unwrap();
    let value = json_ok(&output);
    assert_eq!(value.as_array().map(Vec::len), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("profile: \"emu\""),
        "--debug shows the settings: {stderr}"
    );
    assert!(
        !stderr.contains(SK),
        "--debug never shows the secret: {stderr}"
    );

    // A flag wins over the profile: a wrong secret key is refused by the emulator.
    let output = vod()
        .env("VOD_CONFIG_FILE", &config)
        .args(["--profile", "emu", "--secret-key", "wrong", "upload"])
        .arg(&file)
        .output()
        .unwrap();
    // Refused credentials exit with the credentials code, and say what to check.
    let stderr = fails_with(&output, 4);
    assert!(
        stderr.contains("code:") && stderr.contains("request id:"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: check the access key"), "{stderr}");
}

#[test]
fn missing_credentials_exit_4_and_unknown_profiles_are_usage_errors() {
    let dir = temp_dir("no-credentials");
    let file = dir.join("a.mp4");
    std::fs::write(&file, b"x").unwrap();
    let output = vod().arg("upload").arg(&file).output().unwrap();
    let stderr = fails_with(&output, 4);
    assert!(
        stderr.contains("VOD_ACCESS_KEY") && stderr.contains("vod configure"),
        "{stderr}"
    );
    let output = vod().args(["videos", "list"]).output().unwrap();
    let stderr = fails_with(&output, 4);
    assert!(
        stderr.contains("hint: `vod configure`") && stderr.contains("VOD_SECRET_KEY"),
        "{stderr}"
    );
    let help = String::from_utf8_lossy(&vod().arg("--help").output().unwrap().stdout).into_owned();
    assert!(help.contains("4  credentials: none in the flags"), "{help}");

    let output = vod()
        .args(["--profile", "nope", "upload"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = fails_with(&output, 2);
    assert!(stderr.contains("profile `nope` not found"), "{stderr}");
}

#[test]
fn help_documents_exit_codes_and_completions_work() {
    let output = vod().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(
        help.contains("Exit codes:") && help.contains("3  network error"),
        "{help}"
    );
    for shell in ["bash", "zsh", "fish"] {
        let output = vod().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("vod"),
            "{shell}"
        );
    }
    let output = vod().args(["completions", "tcsh"]).output().unwrap();
    fails_with(&output, 2);
    let output = vod().arg("no-such-command").output().unwrap();
    fails_with(&output, 2);
}

#[test]
fn the_cnc_auth_profile_is_selectable_by_flag_and_profile_key() {
    let emulator = Emulator::start();
    let dir = temp_dir("auth-profile");
    let config = dir.join("config.toml");
    let output = vod()
        .env("VOD_CONFIG_FILE", &config)
        .args(["configure", "--profile", "gw", "--access-key", AK])
        .args(["--endpoint", &emulator.endpoint, "--auth-profile", "CNC"])
        .write_stdin(format!("{SK}\n"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.contains("auth_profile = \"cnc\""), "{text}");

    // The profile key selects the CNC signature; the emulator accepts it.
    let output = vod()
        .env("VOD_CONFIG_FILE", &config)
        .args(["--profile", "gw", "--debug", "videos", "list"])
        .output()
        .unwrap();
    json_ok(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("auth_profile: Cnc"), "{stderr}");

    // The flag (or VOD_AUTH_PROFILE) wins over the profile key.
    let output = vod()
        .env("VOD_CONFIG_FILE", &config)
        .env("VOD_AUTH_PROFILE", "ws3")
        .args(["--profile", "gw", "--debug", "videos", "list"])
        .output()
        .unwrap();
    json_ok(&output);
    assert!(String::from_utf8_lossy(&output.stderr).contains("auth_profile: Ws3"));

    let output = vod()
        .env("VOD_CONFIG_FILE", &config)
        .args(["--profile", "gw", "--auth-profile", "v4", "videos", "list"])
        .output()
        .unwrap();
    let stderr = fails_with(&output, 2);
    assert!(
        stderr.contains("unknown auth profile `v4`") && stderr.contains("ws3, cnc"),
        "{stderr}"
    );
}

#[test]
fn a_malformed_profile_file_is_reported_by_position_without_its_text() {
    let dir = temp_dir("malformed");
    let config = dir.join("config.toml");
    let secret = "S3CR3T-never-print-me";
    std::fs::write(
        &config,
        format!("[profiles.default]\naccess_key = \"AK\"\nsecret_key = {secret}\n"),
    )
    .unwrap();
    let output = vod()
        .env("VOD_CONFIG_FILE", &config)
        .args(["videos", "list"])
        .output()
        .unwrap();
    let stderr = fails_with(&output, 2);
    assert!(!stderr.contains("S3CR3T"), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:3:", config.display())),
        "path:line:column: {stderr}"
    );
}
