//! Upload callbacks: what the service POSTs to the account's callback address (set in the
//! console; here [`EmulatorBuilder::callback_url`](crate::EmulatorBuilder::callback_url))
//! once an upload is registered.
//!
//! The bodies are the generated callback types of the spec (`callbacks.yaml`), in the
//! standard envelope, each item shaped as in the matching list operation, so
//! [`vod_client::model::VideoUploadCallback::from_body`] and its siblings decode them.
//! A delivery that fails (no connection, a non-2xx answer) is retried with a doubling pause;
//! every attempt is logged under the `vod_emulator` target.

use std::time::Duration;

use serde::Serialize;
use vod_client::model::{AudioUploadCallback, MaterialUploadCallback, VideoUploadCallback};

use crate::handlers::outputs;
use crate::handlers::Reply;
use crate::state::{Audio, Material, Video};

/// Attempts per delivery.
const ATTEMPTS: u32 = 5;
/// Pause before the second attempt (doubling after).
const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// One notification to send: the generated callback type, in the standard envelope.
#[derive(Debug)]
pub(crate) struct Callback {
    /// Which notification (its Rust type), for the log.
    pub(crate) kind: &'static str,
    pub(crate) body: Vec<u8>,
}

impl Callback {
    fn of<T: Serialize>(payload: &T) -> Callback {
        let kind = std::any::type_name::<T>()
            .rsplit("::")
            .next()
            .unwrap_or_default();
        Callback {
            kind,
            body: Reply::data(payload).0,
        }
    }

    pub(crate) fn video(video: &Video) -> Callback {
        let item = outputs::reshape(&outputs::video_info(video));
        Callback::of(&VideoUploadCallback::new(1, item))
    }

    pub(crate) fn audio(audio: &Audio) -> Callback {
        let item = outputs::reshape(&outputs::audio_info(audio));
        Callback::of(&AudioUploadCallback::new(1, item))
    }

    pub(crate) fn material(material: &Material) -> Callback {
        let item = outputs::reshape(&outputs::material_info(material));
        Callback::of(&MaterialUploadCallback::new(1, item))
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
            let sent = http
                .post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(callback.body.clone())
                .send()
                .await;
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
