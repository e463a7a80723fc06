//! Shared by the runtime tests: a tiny HTTP/1.1 server on 127.0.0.1 that records what it
//! receives and answers from a handler, request types written by hand (so the tests do not
//! depend on the generated code), and an independent recomputation of the signature.
#![allow(dead_code)] // each test crate uses a different subset

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use vod_client::operation::{
    BodyKind, DataKind, Envelope, HttpMethod, OperationSpec, Paginated, Request, TaskState,
    Waitable,
};
use vod_client::signer;
use vod_client::{Client, Error, RetryPolicy};

pub const AK: &str = "test-ak";
pub const SK: &str = "test-sk-do-not-log";

// ---------------------------------------------------------------------------------------------
// The server

/// One request as the server read it off the socket.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// A canned answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

pub fn reply(status: u16, body: Value) -> Reply {
    Reply {
        status,
        headers: vec![("X-WS-RequestId", "req-42".into())],
        body: body.to_string(),
    }
}

pub fn ok(data: Value) -> Reply {
    reply(
        200,
        json!({"code": 200, "message": "Operation succeeded", "data": data}),
    )
}

/// Reads the request, then closes the connection without a word: the answer is lost after
/// the request arrived.
pub fn hang_up() -> Reply {
    Reply {
        status: 1,
        headers: vec![],
        body: String::new(),
    }
}

pub type Handler = Arc<dyn Fn(&Received) -> Reply + Send + Sync>;

pub struct Server {
    pub endpoint: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    /// Answers every request with `handler`, one connection per request.
    pub async fn start(handler: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Server {
        let handler: Handler = Arc::new(handler);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (handler, log) = (handler.clone(), log.clone());
                tokio::spawn(serve_one(socket, handler, log));
            }
        });
        Server {
            endpoint: format!("http://{addr}"),
            received,
        }
    }

    /// Answers with `replies` in turn, repeating the last one.
    pub async fn scripted(replies: Vec<Reply>) -> Server {
        let next = AtomicU64::new(0);
        Server::start(move |_| {
            let i = next.fetch_add(1, Ordering::SeqCst) as usize;
            replies[i.min(replies.len() - 1)].clone()
        })
        .await
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }

    pub fn only_request(&self) -> Received {
        let all = self.requests();
        assert_eq!(all.len(), 1, "exactly one request expected: {all:?}");
        all.into_iter().next().expect("one")
    }

    pub fn client(&self) -> vod_client::ClientBuilder {
        Client::builder()
            .endpoint(self.endpoint.as_str())
            .credentials(AK, SK)
            .retry_policy(
                RetryPolicy::default()
                    .with_backoff(Duration::from_millis(1), Duration::from_millis(5)),
            )
    }
}

pub async fn serve_one(mut socket: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Received>>>) {
    let Some(received) = read_request(&mut socket).await else {
        return;
    };
    let r = handler(&received);
    log.lock().expect("lock").push(received);
    if r.status == 1 {
        return; // `hang_up`: the socket is dropped
    }
    if r.status == 0 {
        // Never answer (for timeouts).
        tokio::time::sleep(Duration::from_secs(30)).await;
        return;
    }
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        r.status,
        r.body.len()
    );
    for (name, value) in &r.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(r.body.as_bytes()).await;
    let _ = socket.shutdown().await;
}

pub async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}

// ---------------------------------------------------------------------------------------------
// Request types written by hand

pub const LIST_OP: OperationSpec = OperationSpec {
    name: "getVideoList",
    method: HttpMethod::Post,
    path: "/vod/videoManage/getVideoList",
    body: BodyKind::Json,
    envelope: Envelope::Standard,
    data: DataKind::Object,
    retry_safe: true,
};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ListVideos {
    #[serde(rename = "videoName", skip_serializing_if = "Option::is_none", default)]
    pub video_name: Option<String>,
    #[serde(rename = "pageIndex", skip_serializing_if = "Option::is_none", default)]
    pub page_index: Option<i32>,
    #[serde(
        rename = "pageSize",
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "vod_client::de::lenient"
    )]
    pub page_size: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoList {
    #[serde(deserialize_with = "vod_client::de::lenient")]
    pub total: i64,
    #[serde(
        rename = "videoListInfo",
        default,
        deserialize_with = "vod_client::de::lenient"
    )]
    pub videos: Vec<Video>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Video {
    #[serde(rename = "videoId", deserialize_with = "vod_client::de::lenient")]
    pub video_id: String,
    #[serde(default, deserialize_with = "vod_client::de::lenient")]
    pub duration: Option<f64>,
    #[serde(default, deserialize_with = "vod_client::de::lenient")]
    pub enabled: Option<bool>,
}

impl Request for ListVideos {
    type Output = VideoList;
    const OPERATION: &'static OperationSpec = &LIST_OP;
    fn validate(&self) -> Result<(), Error> {
        let mut v = vod_client::validate::Validator::new(Self::OPERATION);
        v.int_range("pageSize", self.page_size.map(i64::from), Some(1), Some(50));
        v.text_length("videoName", self.video_name.as_deref(), None, Some(40));
        v.finish()
    }
}

impl Paginated for ListVideos {
    type Item = Video;
    const DEFAULT_PAGE_SIZE: i64 = 10;
    fn page_index(&self) -> Option<i64> {
        self.page_index.map(i64::from)
    }
    fn set_page_index(&mut self, index: i64) {
        self.page_index = Some(i32::try_from(index).unwrap_or(i32::MAX));
    }
    fn page_size(&self) -> Option<i64> {
        self.page_size.map(i64::from)
    }
    fn into_items(output: VideoList) -> Vec<Video> {
        output.videos
    }
}

/// A state-changing operation: never retried after the request may have arrived.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeleteVideo {
    #[serde(rename = "videoId")]
    pub video_id: String,
}

impl Request for DeleteVideo {
    type Output = ();
    const OPERATION: &'static OperationSpec = &OperationSpec {
        name: "deleteVideo",
        path: "/vod/videoManage/deleteVideo",
        data: DataKind::None,
        retry_safe: false,
        ..LIST_OP
    };
    fn validate(&self) -> Result<(), Error> {
        let mut v = vod_client::validate::Validator::new(Self::OPERATION);
        v.required_text("videoId", &self.video_id);
        v.finish()
    }
}

/// A GET whose parameters travel in the query string.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AudioToken {
    #[serde(rename = "audioName")]
    pub audio_name: String,
    pub tags: Vec<String>,
    #[serde(rename = "isPrivate")]
    pub private: bool,
    pub size: i64,
}

impl Request for AudioToken {
    type Output = String;
    const OPERATION: &'static OperationSpec = &OperationSpec {
        name: "getAudioUploadToken",
        method: HttpMethod::Get,
        path: "/vod/audio/getUploadToken",
        body: BodyKind::Query,
        data: DataKind::String,
        ..LIST_OP
    };
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// Starts a task; `TaskQuery` reports its state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transcode {
    #[serde(rename = "videoId")]
    pub video_id: String,
}

impl Request for Transcode {
    type Output = String;
    const OPERATION: &'static OperationSpec = &OperationSpec {
        name: "transCode",
        path: "/vod/transCode",
        data: DataKind::String,
        retry_safe: false,
        ..LIST_OP
    };
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskQuery {
    #[serde(rename = "taskId")]
    pub task_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskInfo {
    #[serde(default, deserialize_with = "vod_client::de::lenient")]
    pub state: Option<i64>,
}

impl Request for TaskQuery {
    type Output = TaskInfo;
    const OPERATION: &'static OperationSpec = &OperationSpec {
        name: "getTask",
        path: "/vod/getTask",
        ..LIST_OP
    };
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Waitable for Transcode {
    type Query = TaskQuery;
    fn state_queries(&self, output: &String) -> Vec<(String, TaskQuery)> {
        let query = TaskQuery {
            task_id: output.clone(),
        };
        vec![(format!("taskId={output}"), query)]
    }
    fn task_state(output: &TaskInfo) -> TaskState {
        let state = output
            .state
            .as_ref()
            .map(vod_client::wire::WireText::wire_text);
        vod_client::wait::classify(state, &["2"], &["3"])
    }
}

pub fn list_page(total: i64, ids: &[&str]) -> Value {
    let videos: Vec<Value> = ids.iter().map(|id| json!({"videoId": id})).collect();
    json!({"total": total, "videoListInfo": videos})
}

/// Recomputes the signature from what the server received, step by step.
pub fn expected_authorization(
    algorithm: signer::AuthProfile,
    got: &Received,
    timestamp: &str,
) -> String {
    let (path, query) = signer::split_uri(&got.target);
    let query = if got.method == "POST" {
        String::new()
    } else {
        signer::canonical_query(query.unwrap_or(""))
    };
    let headers: Vec<(&str, &str)> = got
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let names = signer::signed_header_names::<&str>(&[]);
    let canonical = signer::canonical_request(
        &got.method,
        path,
        &query,
        &signer::canonical_headers(&names, &headers),
        &names,
        &signer::hashed_payload(&got.method, &got.body),
    );
    let sts = signer::string_to_sign(algorithm, timestamp, &canonical);
    signer::authorization_header(algorithm, AK, &names, &signer::signature(SK, &sts))
}
