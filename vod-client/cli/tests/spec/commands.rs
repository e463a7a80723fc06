//! The command table covers the whole API: every operation of `api-spec/*.yaml` (read here with
//! plain serde-saphyr, independently of the generator) has a `vod <group> <name>` command whose
//! flags are exactly the operation's request fields, and each command parses and shows help.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use vod_cli::generated::COMMANDS;
use vod_cli::table::CommandSpec;

/// Operation name → its request field names, from every group file of the spec.
fn spec_operations() -> BTreeMap<String, Vec<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../api-spec");
    let mut operations = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("api-spec directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no spec files in {}", dir.display());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("spec file");
        let doc: Value = serde_saphyr::from_str(&text).expect("YAML");
        let Some(ops) = doc.get("operations").and_then(Value::as_array) else {
            continue;
        };
        for op in ops {
            let name = op["name"].as_str().expect("operation name").to_string();
            let fields = op
                .get("request")
                .and_then(Value::as_array)
                .map(|fields| {
                    fields
                        .iter()
                        .map(|f| f["name"].as_str().expect("field name").to_string())
                        .collect()
                })
                .unwrap_or_default();
            assert!(
                operations.insert(name.clone(), fields).is_none(),
                "{name} twice"
            );
        }
    }
    operations
}

#[test]
fn every_operation_has_a_command() {
    let spec = spec_operations();
    let table: BTreeMap<&str, &CommandSpec> = COMMANDS.iter().map(|c| (c.operation, c)).collect();
    let missing: Vec<&String> = spec
        .keys()
        .filter(|op| !table.contains_key(op.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "operations without a command: {missing:?}"
    );
    let extra: Vec<&&str> = table.keys().filter(|op| !spec.contains_key(**op)).collect();
    assert!(extra.is_empty(), "commands without an operation: {extra:?}");
    for (op, fields) in &spec {
        let mut flags: Vec<&str> = table[op.as_str()].args.iter().map(|a| a.wire).collect();
        let mut fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        flags.sort_unstable();
        fields.sort_unstable();
        assert_eq!(flags, fields, "{op}: one flag per request field");
    }
}

#[test]
fn every_command_parses_and_has_help() {
    let mut seen = std::collections::BTreeSet::new();
    for spec in COMMANDS {
        assert!(
            seen.insert((spec.group, spec.name)),
            "{} {} twice",
            spec.group,
            spec.name
        );
        let err = vod_cli::command(COMMANDS)
            .try_get_matches_from(["vod", spec.group, spec.name, "--help"])
            .expect_err("--help stops parsing");
        assert_eq!(
            err.kind(),
            clap::error::ErrorKind::DisplayHelp,
            "vod {} {}: {err}",
            spec.group,
            spec.name
        );
        let help = err.to_string();
        assert!(help.contains("--input-json"), "{help}");
        assert!(
            help.contains(spec.operation),
            "long help names the operation: {help}"
        );
    }
    vod_cli::command(COMMANDS).debug_assert();
}
