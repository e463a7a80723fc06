//! Writes the checked-in seed corpora (`seeds/<target>/`) from `api-spec/`, through the
//! generator's loader: for each operation a request and an answer that satisfy the spec (in
//! their wire forms, as the `every_operation` test builds them), each callback's payload, two
//! spec files, and a few hand-made signer and resume-state inputs. Run from this directory:
//! `cargo run --example seeds`. Replaces the directories it writes.

use std::fs;
use std::path::{Path, PathBuf};

use codegen::ir::{Api, DataKind, Encoding, EnumBase, Field, IdBase, Method, Type};
use serde_json::{json, Map, Value};

fn main() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec_dir = here.join("../../api-spec");
    let sources = codegen::read_spec_dir(&spec_dir).expect("api-spec readable");
    let loaded = codegen::load::load(&sources).expect("api-spec loads");
    codegen::validate::validate(&loaded).expect("api-spec valid");
    let api = codegen::ir::lower(&loaded);
    let seeds = here.join("seeds");
    let ops: Vec<_> = api.groups.iter().flat_map(|g| &g.operations).collect();
    // The fuzz targets pick by index over the SDK's OPERATIONS: the same order.
    let names: Vec<&str> = vod_client::model::OPERATIONS
        .iter()
        .map(|o| o.name)
        .collect();
    let wires: Vec<&str> = ops.iter().map(|o| o.wire.as_str()).collect();
    assert_eq!(names, wires, "the SDK is generated from this spec");

    let mut answer = Corpus::new(&seeds, "answer");
    let mut emulator = Corpus::new(&seeds, "emulator");
    let mut cli = Corpus::new(&seeds, "cli_input_json");
    for (i, op) in ops.iter().enumerate() {
        let index = u8::try_from(i).expect("fewer than 256 operations");
        let data = match op.data {
            DataKind::Object | DataKind::SingleItemList => object(&api, &op.response),
            DataKind::String => json!(format!("{}-task-1", op.wire)),
            DataKind::None => Value::Null,
        };
        let body = if op.bare {
            data
        } else {
            json!({"code": 200, "message": "Operation succeeded", "data": data})
        };
        answer.add(&op.wire, index, &[], body.to_string().as_bytes());
        let request = object(&api, &op.request);
        cli.add(&op.wire, index, &[], request.to_string().as_bytes());
        // Second byte 0: the operation's own method, JSON content type, first profile.
        let wire_form = match op.method {
            Method::Get => query(&request),
            _ => request.to_string(),
        };
        emulator.add(&op.wire, index, &[0], wire_form.as_bytes());
    }

    let mut callback = Corpus::new(&seeds, "callback");
    for object_spec in api.groups.iter().flat_map(|g| &g.callbacks) {
        let payload = object(&api, &object_spec.fields);
        let body = json!({"code": 200, "message": "ok", "data": payload});
        callback
            .files
            .push((object_spec.name.clone(), body.to_string().into_bytes()));
    }

    let mut spec = Corpus::new(&seeds, "spec");
    // Indexes into the sorted file list of the spec target; the two smallest files.
    for (index, name) in [(1u8, "callbacks.yaml"), (2, "playback.yaml")] {
        let text = fs::read(spec_dir.join(name)).expect("spec file");
        spec.add(name, index, &[], &text);
    }

    let mut signer = Corpus::new(&seeds, "signer");
    let auth = format!(
        "WS3-HMAC-SHA256 Credential=AK, SignedHeaders=content-type;host, Signature={}",
        "0".repeat(64)
    );
    signer
        .files
        .push(("authorization".into(), auth.into_bytes()));
    let get = "GET\0/vod/videoManage/getVideoList?pageIndex=1&videoName=%E8%A7%86%20a%2Bb\0\
               Content-Type:application/json\nHost:api.example.test\nX-WS-AccessKey:AK\0\0\
               1700000000\0AK\0content-type;host;x-ws-accesskey";
    signer.files.push(("get".into(), get.as_bytes().to_vec()));
    let post = "POST\0/vod/videoManage/videoEdit?ignored=1\0\
                Content-Type:application/json\nHost:api.example.test\0{\"videoId\":\"v1\"}\0\
                1700000000\0AK\0";
    signer.files.push(("post".into(), post.as_bytes().to_vec()));

    let mut resume = Corpus::new(&seeds, "resume");
    let state = json!({
        "version": 2,
        "identity": {"size": 9_000_000, "mtime": "1700000000000000000", "head": "a".repeat(40)},
        "file_id": "f1",
        "upload_url": "http://127.0.0.1:8787/upload",
        "token": "token",
        "file_key": "key/talk.mp4",
        "asset_id": "v1",
        "url": null,
        "batch": "batch-1",
        "block_size": 4_194_304,
        "blocks": [
            {"index": 1, "ctx": "ctx1", "pieces": ["b".repeat(40)]},
            {"index": 0, "ctx": "ctx0", "pieces": ["c".repeat(40)]}
        ]
    });
    resume
        .files
        .push(("state".into(), state.to_string().into_bytes()));

    for corpus in [answer, emulator, cli, callback, spec, signer, resume] {
        corpus.write();
    }
}

/// The files of one target's seed directory.
struct Corpus {
    dir: PathBuf,
    files: Vec<(String, Vec<u8>)>,
}

impl Corpus {
    fn new(seeds: &Path, target: &str) -> Corpus {
        Corpus {
            dir: seeds.join(target),
            files: Vec::new(),
        }
    }

    /// A seed: the selector byte, the extra bytes, then `body`.
    fn add(&mut self, name: &str, index: u8, extra: &[u8], body: &[u8]) {
        let mut bytes = vec![index];
        bytes.extend_from_slice(extra);
        bytes.extend_from_slice(body);
        self.files.push((name.to_string(), bytes));
    }

    fn write(self) {
        let _ = fs::remove_dir_all(&self.dir);
        fs::create_dir_all(&self.dir).expect("seed directory");
        for (name, bytes) in &self.files {
            fs::write(self.dir.join(name), bytes).expect("seed file");
        }
        println!("{}: {} seeds", self.dir.display(), self.files.len());
    }
}

/// A GET's parameters as a query string: each value as its text (strings unquoted).
fn query(request: &Value) -> String {
    let Value::Object(map) = request else {
        return String::new();
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    map.iter()
        .map(|(k, v)| {
            let value: String =
                percent_encoding::utf8_percent_encode(&text(v), percent_encoding::NON_ALPHANUMERIC)
                    .to_string();
            format!("{k}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn object(api: &Api, fields: &[Field]) -> Value {
    let map: Map<String, Value> = fields
        .iter()
        .map(|f| (f.wire.clone(), field(api, f)))
        .collect();
    Value::Object(map)
}

fn find_fields<'a>(api: &'a Api, name: &str) -> &'a [Field] {
    std::iter::once(&api.shared)
        .chain(&api.groups)
        .flat_map(|g| g.objects.iter().chain(&g.callbacks))
        .find(|o| o.name == name)
        .map(|o| &o.fields[..])
        .unwrap_or_else(|| panic!("object {name} not in the spec"))
}

/// A value of `f` in its wire form, within its documented limits.
fn field(api: &Api, f: &Field) -> Value {
    match f.encoding {
        Encoding::Plain => value(api, &f.ty, f),
        Encoding::Comma => {
            let Type::List(inner) = &f.ty else {
                panic!("comma on a non-list")
            };
            let one = match value(api, inner, f) {
                Value::String(s) => s,
                other => other.to_string(),
            };
            json!(format!("{one},{one}2"))
        }
        Encoding::Base64Json => {
            use base64::Engine as _;
            let text = value(api, &f.ty, f).to_string();
            json!(base64::engine::general_purpose::URL_SAFE.encode(text))
        }
        Encoding::JsonText => json!(value(api, &f.ty, f).to_string()),
        Encoding::BracedPairs => {
            let Type::Object(name) = &f.ty else {
                panic!("braced pairs on a non-object")
            };
            let pairs: Vec<String> = find_fields(api, name)
                .iter()
                .map(|g| match field(api, g) {
                    Value::String(s) => format!("{}:{s}", g.wire),
                    other => format!("{}:{other}", g.wire),
                })
                .collect();
            json!(format!("{{{}}}", pairs.join(",")))
        }
        Encoding::Text => match value(api, &f.ty, f) {
            Value::String(s) => json!(s),
            other => json!(other.to_string()),
        },
        Encoding::DateTime => json!("2024-02-29 23:59:59"),
        Encoding::UnixSeconds => json!(1_700_000_000_i64),
        Encoding::UnixMillis => json!(1_700_000_000_123_i64),
    }
}

fn value(api: &Api, ty: &Type, f: &Field) -> Value {
    let limits = &f.limits;
    match ty {
        Type::String if f.format.as_deref() == Some("url") => {
            json!("https://hooks.example.test/vod")
        }
        Type::String if f.format.as_deref() == Some("datetime") => json!("2024-02-29 23:59:59"),
        Type::String if limits.min.is_some() || limits.max.is_some() => {
            json!(limits
                .min
                .or(limits.max)
                .map_or(1, |v| v as i64)
                .to_string())
        }
        Type::String | Type::Id(_, IdBase::String) => {
            let max = limits.max_length.map_or(usize::MAX, |m| m as usize).max(1);
            json!(format!("{}-视频", f.wire)
                .chars()
                .take(max)
                .collect::<String>())
        }
        Type::Integer | Type::Long | Type::UInt | Type::ULong | Type::Id(_, IdBase::Long) => {
            json!(limits.min.or(limits.max).map_or(7, |v| v as i64))
        }
        Type::Timestamp => json!(1_700_000_000_i64),
        Type::Number => json!(limits.min.unwrap_or(0.5)),
        Type::Boolean => json!(true),
        Type::Enum(name, _) => {
            let e = std::iter::once(&api.shared)
                .chain(&api.groups)
                .flat_map(|g| &g.enums)
                .find(|e| &e.name == name)
                .unwrap_or_else(|| panic!("enum {name} not in the spec"));
            let wire = &e.values[0].wire;
            match e.base {
                EnumBase::Integer => json!(wire.parse::<i64>().expect("integer enum value")),
                EnumBase::String => json!(wire),
            }
        }
        Type::Object(name) => object(api, find_fields(api, name)),
        Type::List(inner) => json!([value(api, inner, f)]),
    }
}
