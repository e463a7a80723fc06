//! Fails when any package's generated module (the SDK's `vod-client/src/generated/`, the CLI's
//! `vod-client/cli/src/generated/`) is not what `api-spec/` produces, so a spec change without
//! `cargo xtask codegen` (or a hand edit of generated code) cannot land.

use std::path::Path;

#[test]
fn checked_in_generated_code_matches_the_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--check"])
        .current_dir(&root)
        .output()
        .expect("xtask runs");
    assert!(
        status.status.success(),
        "generated code is stale; run `cargo xtask codegen`:\n{}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn check_names_stale_and_leftover_files() {
    // A scratch copy of the workspace layout: spec + a generated dir with one edited file
    // and one file no spec produces.
    let scratch = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let spec_dir = scratch.join("api-spec");
    let out_dir = scratch.join("vod-client/src/generated");
    std::fs::create_dir_all(&spec_dir).expect("mkdir");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/fixtures/mini");
    for name in ["service.yaml", "widgets.yaml"] {
        std::fs::copy(fixture.join(name), spec_dir.join(name)).expect("copy");
    }
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .env("XTASK_ROOT", &scratch)
            .output()
            .expect("xtask runs")
    };
    let first = run(&["codegen"]);
    assert!(first.status.success());
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        stdout.contains("wrote    vod-client/src/generated/widgets.rs\n"),
        "{stdout}"
    );
    assert!(stdout.contains("wrote    docs/openapi.json\n"), "{stdout}");
    assert!(
        stdout.contains("wrote    vod-client/cli/src/generated/commands.rs\n"),
        "the CLI's command table goes into the CLI package: {stdout}"
    );
    assert!(
        stdout.contains(" written, 0 files removed, 0 files unchanged (from 2 spec files)"),
        "{stdout}"
    );
    let again = run(&["codegen"]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.starts_with("codegen: 0 files written, 0 files removed, "),
        "a second run writes nothing: {stdout}"
    );
    let check = run(&["codegen", "--check"]);
    assert!(check.status.success(), "fresh output passes");
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("files up to date (from 2 spec files)"),
        "{check:?}"
    );
    std::fs::write(out_dir.join("widgets.rs"), "// edited by hand\n").expect("write");
    let cli_dir = scratch.join("vod-client/cli/src/generated");
    std::fs::write(cli_dir.join("invoke.rs"), "// edited by hand\n").expect("write");
    std::fs::write(out_dir.join("old_group.rs"), "// left over\n").expect("write");
    let out = run(&["codegen", "--check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("stale: vod-client/src/generated/widgets.rs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stale: vod-client/src/generated/old_group.rs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stale: vod-client/cli/src/generated/invoke.rs"),
        "{stderr}"
    );
    let regen = run(&["codegen"]);
    assert!(regen.status.success());
    let stdout = String::from_utf8_lossy(&regen.stdout);
    assert!(
        stdout.starts_with(
            "wrote    vod-client/src/generated/widgets.rs\n\
             wrote    vod-client/cli/src/generated/invoke.rs\n\
             removed  vod-client/src/generated/old_group.rs\n\
             codegen: 2 files written, 1 file removed, "
        ),
        "{stdout}"
    );
    assert!(
        !out_dir.join("old_group.rs").exists(),
        "regeneration removes leftovers"
    );
    assert!(run(&["codegen", "--check"]).status.success());
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn broken_spec_fails_with_location() {
    let scratch = std::env::temp_dir().join(format!("xtask-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let spec_dir = scratch.join("api-spec");
    std::fs::create_dir_all(&spec_dir).expect("mkdir");
    std::fs::write(spec_dir.join("service.yaml"), "name: x\ndoc: [\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen"])
        .env("XTASK_ROOT", &scratch)
        .output()
        .expect("xtask runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("api-spec/service.yaml:"), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn help_is_printed_for_the_command_and_its_flags() {
    for args in [&["--help"][..], &["codegen", "--help"], &["codegen", "-h"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .env("XTASK_ROOT", "/nonexistent")
            .output()
            .expect("xtask runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}: {out:?}");
        assert!(
            stdout.contains("Usage: cargo xtask codegen [--check] [--timings]"),
            "{stdout}"
        );
        assert!(stdout.contains("--check"), "{stdout}");
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen", "--chek"])
        .output()
        .expect("xtask runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown flag `--chek`"));
}

#[test]
fn unreadable_spec_files_are_named_relative_to_the_root() {
    let scratch = std::env::temp_dir().join(format!("xtask-utf8-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let spec_dir = scratch.join("api-spec");
    std::fs::create_dir_all(&spec_dir).expect("mkdir");
    std::fs::write(spec_dir.join("service.yaml"), b"name: x\ndoc: caf\xe9\n").expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["codegen"])
        .env("XTASK_ROOT", &scratch)
        .output()
        .expect("xtask runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.starts_with("api-spec/service.yaml:2:9: error: invalid UTF-8 (byte 0xe9)"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
