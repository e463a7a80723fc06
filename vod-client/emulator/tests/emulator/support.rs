//! Raw signed HTTP against the emulator, with knobs to break each part of a request.
//!
//! The emulator tests speak HTTP directly (reqwest) rather than through the typed client so
//! that they can send what a correct client never would: missing headers, stale timestamps,
//! tampered bodies, wrong content types.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use serde_json::Value;
use vod_client::signer::{self, AuthProfile, SigningRequest};
use vod_emulator::Emulator;

/// One request, with every part under the test's control.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: &'static str,
    /// Path with optional `?query`.
    pub target: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub algorithm: AuthProfile,
    /// Overrides the secret used to sign.
    pub sign_secret: Option<String>,
    /// Overrides the access key sent in the header (and in Credential).
    pub access_key: Option<String>,
    /// Overrides the timestamp (Unix seconds text).
    pub timestamp: Option<String>,
    /// Replaces the Authorization header entirely (`Some("")`: omit it).
    pub authorization: Option<String>,
    /// Header names (lower case) not to send.
    pub omit: Vec<&'static str>,
    /// Body sent instead of the signed one.
    pub tamper_body: Option<Vec<u8>>,
    /// Header names to sign (default: content-type;host).
    pub signed_headers: Option<Vec<&'static str>>,
    /// Extra headers.
    pub extra: Vec<(String, String)>,
}

impl RawRequest {
    pub fn post_json(path: &str, body: &Value) -> Self {
        Self::new(
            "POST",
            path,
            Some("application/json"),
            serde_json::to_vec(body).unwrap_or_default(),
        )
    }

    pub fn post_form(path: &str, form: &str) -> Self {
        Self::new(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            form.as_bytes().to_vec(),
        )
    }

    pub fn get(target: &str) -> Self {
        Self::new(
            "GET",
            target,
            Some("application/x-www-form-urlencoded"),
            Vec::new(),
        )
    }

    pub fn new(
        method: &'static str,
        target: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Self {
        RawRequest {
            method,
            target: target.to_string(),
            content_type: content_type.map(str::to_string),
            body,
            algorithm: AuthProfile::Ws3,
            sign_secret: None,
            access_key: None,
            timestamp: None,
            authorization: None,
            omit: Vec::new(),
            tamper_body: None,
            signed_headers: None,
            extra: Vec::new(),
        }
    }
}

/// What came back.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl RawResponse {
    pub fn code(&self) -> i64 {
        self.body.get("code").and_then(Value::as_i64).unwrap_or(-1)
    }

    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A signing HTTP client for one emulator.
#[derive(Debug, Clone)]
pub struct Raw {
    pub base: String,
    pub host: String,
    pub ak: String,
    pub sk: String,
    pub http: reqwest::Client,
}

impl Raw {
    pub fn new(emulator: &Emulator) -> Self {
        Raw {
            base: emulator.base_url().to_string(),
            host: emulator.addr().to_string(),
            ak: emulator.access_key().to_string(),
            sk: emulator.secret_key().to_string(),
            http: reqwest::Client::new(),
        }
    }

    /// Signs and sends; panics only on transport errors (a test failure).
    pub async fn send(&self, req: RawRequest) -> RawResponse {
        self.try_send(req).await.expect("transport error")
    }

    pub async fn try_send(&self, req: RawRequest) -> Result<RawResponse, reqwest::Error> {
        let ak = req.access_key.clone().unwrap_or_else(|| self.ak.clone());
        let sk = req.sign_secret.clone().unwrap_or_else(|| self.sk.clone());
        let timestamp = req.timestamp.clone().unwrap_or_else(|| now().to_string());
        let content_type = req.content_type.clone().unwrap_or_default();
        let (ak_header, ts_header) = match req.algorithm {
            AuthProfile::Ws3 => ("X-WS-AccessKey", "X-WS-Timestamp"),
            _ => ("x-cnc-accessKey", "x-cnc-timestamp"),
        };
        let headers = [
            ("content-type", content_type.as_str()),
            ("host", self.host.as_str()),
            (ak_header, ak.as_str()),
            (ts_header, timestamp.as_str()),
        ];
        let signed = signer::sign(
            req.algorithm,
            &ak,
            &sk,
            &SigningRequest {
                method: req.method,
                uri: &req.target,
                headers: &headers,
                body: &req.body,
                timestamp: &timestamp,
                signed_headers: req.signed_headers.as_deref(),
            },
        );
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("method");
        let authorization = req
            .authorization
            .clone()
            .unwrap_or_else(|| signed.authorization().to_owned());
        let mut headers: Vec<(String, String)> = vec![
            ("Authorization".into(), authorization),
            (ak_header.into(), ak),
            (ts_header.into(), timestamp),
        ];
        if req.algorithm != AuthProfile::Ws3 {
            headers.push(("x-cnc-auth-method".into(), "AKSK".into()));
        }
        if req.content_type.is_some() {
            headers.push(("Content-Type".into(), content_type.clone()));
        }
        headers.extend(req.extra.iter().cloned());
        let mut builder = self
            .http
            .request(method, format!("{}{}", self.base, req.target));
        for (name, value) in headers {
            let omitted = req.omit.contains(&name.to_ascii_lowercase().as_str());
            if !omitted && !value.is_empty() {
                builder = builder.header(name, value);
            }
        }
        let body = req.tamper_body.clone().unwrap_or(req.body.clone());
        let response = builder.body(body).send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    pub async fn call(&self, path: &str, body: Value) -> RawResponse {
        self.send(RawRequest::post_json(path, &body)).await
    }
}

/// A fast emulator for tests (tasks finish after 30 ms).
pub async fn emulator() -> Emulator {
    Emulator::builder()
        .task_duration(std::time::Duration::from_millis(30))
        .seed(1)
        .start()
        .await
        .expect("emulator starts")
}

/// Polls `check` every 10 ms for up to 3 s.
pub async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    false
}

/// Sends `request` as raw bytes on a new connection and reads until the server closes it
/// (send `Connection: close`), with a generous guard against a server that never answers.
pub async fn raw_exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream.write_all(request).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        Ok::<_, std::io::Error>(String::from_utf8_lossy(&answer).into_owned())
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), exchange)
        .await
        .expect("the emulator answers within 20 s")
        .expect("raw exchange")
}

/// The status code of a raw HTTP/1.1 answer (0 when there is none).
pub fn raw_status(answer: &str) -> u16 {
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
