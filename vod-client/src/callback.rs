//! Decoding the notifications the service POSTs to a customer's callback URL (upload
//! finished, ...). Their payload types are generated from `api-spec/callbacks.yaml`; each gets a
//! `from_body` that calls [`decode`].
//!
//! # An example receiver
//!
//! The account's callback address (a console setting) receives the Video, Audio and Material
//! Upload Callbacks on one URL; the body tells them apart, since each payload has its own
//! required members. An [axum](https://docs.rs/axum) endpoint that decodes all three and
//! answers 200 (anything else makes the service deliver again):
//!
//! ```
//! use axum::{body::Bytes, http::StatusCode, routing::post, Router};
//! use vod_client::model::{AudioUploadCallback, MaterialUploadCallback, VideoUploadCallback};
//!
//! async fn upload_callback(body: Bytes) -> StatusCode {
//!     if let Ok(done) = VideoUploadCallback::from_body(&body) {
//!         for video in &done.video_list_info {
//!             println!("video {} ({}) uploaded", video.video_id, video.video_name);
//!         }
//!     } else if let Ok(done) = AudioUploadCallback::from_body(&body) {
//!         for audio in &done.audio_get_list_response_list {
//!             println!("audio {} ({}) uploaded", audio.audio_id, audio.audio_name);
//!         }
//!     } else if let Ok(done) = MaterialUploadCallback::from_body(&body) {
//!         for material in &done.material_list {
//!             println!("material {} ({}) uploaded", material.id, material.name);
//!         }
//!     } else {
//!         // Log the error of the expected kind to see which field did not fit.
//!         eprintln!("{}", VideoUploadCallback::from_body(&body).unwrap_err());
//!         return StatusCode::BAD_REQUEST;
//!     }
//!     StatusCode::OK
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let app = Router::new().route("/vod/callback", post(upload_callback));
//!     let addr = "127.0.0.1:8080";
//! #   let addr = "127.0.0.1:0"; // a free port for the test
//!     let listener = tokio::net::TcpListener::bind(addr).await?;
//! #   // Hidden: the test posts one callback as the service would, checks the 200 and ends
//! #   // (the server runs until the process exits, as a real receiver would).
//! #   let url = format!("http://{}/vod/callback", listener.local_addr()?);
//! #   tokio::spawn(async move {
//! #       let body = r#"{"code":200,"message":"ok","data":{"videoTotal":1,"videoListInfo":
//! #           [{"videoId":"v1","videoName":"talk.mp4","videoState":0,"transcodeState":2}]}}"#;
//! #       let answer = reqwest::Client::new().post(&url).body(body).send().await;
//! #       let ok = answer.map(|a| a.status() == reqwest::StatusCode::OK).unwrap_or(false);
//! #       std::process::exit(i32::from(!ok));
//! #   });
//!     axum::serve(listener, app).await?;
//!     Ok(())
//! }
//! ```
//!
//! To try it without an account, point the emulator at it:
//! `vod emulator --callback-url http://127.0.0.1:8080/vod/callback` (or
//! `vod_emulator::EmulatorBuilder::callback_url` in a test), then upload a file.

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::excerpt;
use crate::Error;

/// The `{code, message, data}` wrapper some notifications come in.
#[derive(Deserialize)]
struct Wrapped<T> {
    data: T,
}

/// Decodes a notification body. `enveloped`: the payload sits in the `data` member of
/// `{code, message, data}`; a body without that member is read as the bare payload, since
/// the service's documents show both forms. Errors name the callback and the field path.
pub fn decode<T: DeserializeOwned>(
    callback: &'static str,
    body: &[u8],
    enveloped: bool,
) -> Result<T, Error> {
    let has_data = enveloped
        && serde_json::from_slice::<serde_json::Value>(body)
            .map(|v| v.get("data").is_some())
            .unwrap_or(false);
    let decoder = &mut serde_json::Deserializer::from_slice(body);
    // Optional fields that cannot be read are left unset and logged, as in answers.
    let (result, unread) = crate::lenient::collect(|| {
        if has_data {
            Wrapped::<T>::deserialize(decoder).map(|w| w.data)
        } else {
            T::deserialize(decoder)
        }
    });
    if result.is_ok() {
        // Logged only for a payload that decoded: a failed one is reported as the error.
        crate::lenient::warnings(callback, body, unread);
    }
    result.map_err(|e| Error::Decode {
        operation: callback,
        path: crate::json_path::error_path(body, &e),
        message: e.to_string(),
        body_excerpt: excerpt(body, 512),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Payload {
        #[serde(rename = "videoId")]
        video_id: String,
    }

    #[test]
    fn enveloped_and_bare_bodies_decode() {
        let wrapped = br#"{"code":200,"message":"ok","data":{"videoId":"v1"}}"#;
        let bare = br#"{"videoId":"v2"}"#;
        let p: Payload = decode("cb", wrapped, true).unwrap();
        assert_eq!(p.video_id, "v1");
        let p: Payload = decode("cb", bare, true).unwrap();
        assert_eq!(p.video_id, "v2");
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Sized {
        #[serde(default, deserialize_with = "crate::de::lenient")]
        size: Option<u64>,
    }

    #[test]
    fn an_unreadable_optional_member_is_left_unset() {
        let p: Sized = decode("cb", br#"{"data":{"size":"-"}}"#, true).unwrap();
        assert_eq!(p, Sized { size: None });
        let p: Sized = decode("cb", br#"{"size":"7"}"#, true).unwrap();
        assert_eq!(p, Sized { size: Some(7) });
    }

    #[test]
    fn errors_name_the_callback_and_field() {
        let err = decode::<Payload>("videoUploadCallback", br#"{"data":{"videoId":7}}"#, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("videoUploadCallback"), "{err}");
        assert!(err.contains("data.videoId"), "{err}");
        assert!(decode::<Payload>("cb", b"not json", true).is_err());
    }
}
