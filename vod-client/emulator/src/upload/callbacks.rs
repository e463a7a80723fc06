//! Upload callbacks: what the service POSTs to the account's callback address (set in the
//! console; here [`EmulatorBuilder::callback_url`](crate::EmulatorBuilder::callback_url))
//! once an upload is registered.
//!
//! The bodies are the documented notifications, in the `{code, message, data}` envelope:
//! Video Upload Callback `data {videoTotal, videoListInfo: [video]}`, audio
//! `data {audioTotal, audioGetListResponseList: [audio]}`, material
//! `data {total, materialList: [material]}`, each item shaped as in the matching list
//! operation, so [`vod_client::model::VideoUploadCallback::from_body`] and its siblings decode them.
//! A delivery that fails (no connection, a non-2xx answer) is retried with a doubling pause;
//! every attempt is logged under the `vod_emulator` target.

use std::time::Duration;

use serde_json::{json, Value};

/// Attempts per delivery.
const ATTEMPTS: u32 = 5;
/// Pause before the second attempt (doubling after).
const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// One notification to send.
#[derive(Debug, Clone)]
pub(crate) struct Callback {
    pub(crate) kind: &'static str,
    pub(crate) body: Value,
}

fn envelope(data: Value) -> Value {
    json!({ "code": 200, "message": "success", "data": data })
}

impl Callback {
    pub(crate) fn video(info: Value) -> Callback {
        Callback {
            kind: "videoUploadCallback",
            body: envelope(json!({ "videoTotal": 1, "videoListInfo": [info] })),
        }
    }

    pub(crate) fn audio(info: Value) -> Callback {
        Callback {
            kind: "audioUploadCallback",
            body: envelope(json!({ "audioTotal": 1, "audioGetListResponseList": [info] })),
        }
    }

    pub(crate) fn material(info: Value) -> Callback {
        Callback {
            kind: "materialUploadCallback",
            body: envelope(json!({ "total": 1, "materialList": [info] })),
        }
    }
}

/// Sends `callback` to `url` in the background, retrying failed deliveries.
pub(crate) fn deliver(url: String, callback: Callback) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!(target: "vod_emulator", %url, "no runtime to deliver the {} on", callback.kind);
        return;
    };
    runtime.spawn(async move {
        let http = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .no_proxy()
            .build()
        {
            Ok(http) => http,
            Err(e) => {
                tracing::warn!(target: "vod_emulator", error = %e, "cannot build the callback client");
                return;
            }
        };
        let mut pause = FIRST_PAUSE;
        for attempt in 1..=ATTEMPTS {
            let sent = http.post(&url).json(&callback.body).send().await;
            match sent {
                Ok(answer) if answer.status().is_success() => {
                    tracing::info!(target: "vod_emulator", kind = callback.kind, %url, attempt, status = answer.status().as_u16(), "callback delivered");
                    return;
                }
                Ok(answer) => {
                    tracing::warn!(target: "vod_emulator", kind = callback.kind, %url, attempt, status = answer.status().as_u16(), "callback refused");
                }
                Err(e) => {
                    tracing::warn!(target: "vod_emulator", kind = callback.kind, %url, attempt, error = %e, "callback not delivered");
                }
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
        }
        tracing::warn!(target: "vod_emulator", kind = callback.kind, %url, "callback given up after {ATTEMPTS} attempts");
    });
}
