//! Callback payload decoding: the body is tried as each notification, as a receiver does. A
//! payload that decodes must serialize back (feature `serde`) and decode to the same value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vod_client::model::{AudioUploadCallback, MaterialUploadCallback, VideoUploadCallback};

macro_rules! round_trip {
    ($ty:ty, $body:expr) => {
        if let Ok(first) = <$ty>::from_body($body) {
            let text = serde_json::to_vec(&first).expect("a decoded callback serializes");
            let again = <$ty>::from_body(&text).unwrap_or_else(|e| {
                panic!(
                    "{}: the re-encoded payload does not decode: {e}\n{}",
                    stringify!($ty),
                    String::from_utf8_lossy(&text)
                )
            });
            assert_eq!(first, again, "{}: decode→encode→decode", stringify!($ty));
        }
    };
}

fuzz_target!(|body: &[u8]| {
    round_trip!(VideoUploadCallback, body);
    round_trip!(AudioUploadCallback, body);
    round_trip!(MaterialUploadCallback, body);
});
