//! The `tracing` event of each optional answer field left unread.
//!
//! A test binary of its own, holding one test: tracing caches a callsite's interest for the
//! whole process, so a test thread that reached the same `warn!` with no subscriber could
//! hide the event from the subscriber set here. Alone in its process, nothing else reaches it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use vod_client::fuzzing::decode_answer;
use vod_client::model::{GetVideoListOutput, GetVideoListRequest};
use vod_client::operation::Request;
use vod_client::Response;

/// One event as the subscriber saw it: its level and each field's text.
#[derive(Debug)]
struct Event {
    level: tracing::Level,
    fields: BTreeMap<&'static str, String>,
}

impl Event {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// A `tracing` subscriber that keeps every event.
#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl Recorder {
    fn take(&self) -> Vec<Event> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Fields(BTreeMap<&'static str, String>);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
                self.0.insert(field.name(), format!("{value:?}"));
            }
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                self.0.insert(field.name(), value.to_string());
            }
        }
        let mut fields = Fields(BTreeMap::new());
        event.record(&mut fields);
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Event {
                level: *event.metadata().level(),
                fields: fields.0,
            });
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// A getVideoList answer of two videos, the first with `first` among its members and the
/// second with `second` (JSON members, each with a leading comma when not empty).
fn page(first: &str, second: &str) -> String {
    let required = r#""videoState":0,"transcodeState":2"#;
    format!(
        r#"{{"code":200,"message":"ok","data":{{"videoTotal":2,"videoListInfo":[
            {{"videoName":"a","videoId":"v1",{required}{first}}},
            {{"videoName":"b","videoId":"v2",{required}{second}}}]}}}}"#
    )
}

/// Decodes `body` as a getVideoList answer, returning it with the events logged meanwhile.
fn decode_logged(
    recorder: &Arc<Recorder>,
    body: &str,
) -> (Response<GetVideoListOutput>, Vec<Event>) {
    let answer = tracing::subscriber::with_default(Arc::clone(recorder), || {
        decode_answer::<GetVideoListOutput>(GetVideoListRequest::OPERATION, 200, body.as_bytes())
    });
    let answer = answer.unwrap_or_else(|e| panic!("decodes: {e}\n{body}"));
    (answer, recorder.take())
}

#[test]
fn each_unread_value_is_logged_once_with_operation_path_and_excerpt() {
    let recorder = Arc::new(Recorder::default());

    let (answer, events) = decode_logged(&recorder, &page(r#","videoSize":"s""#, ""));
    assert_eq!(answer.data.video_list_info[0].video_size, None);
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.level, tracing::Level::WARN, "{event:?}");
    assert_eq!(event.field("operation"), Some("getVideoList"), "{event:?}");
    assert_eq!(
        event.field("path"),
        Some("data.videoListInfo[0].videoSize"),
        "{event:?}"
    );
    assert_eq!(event.field("value"), Some("s"), "{event:?}");
    // The log and `warnings()` tell the same story.
    let warning = &answer.warnings()[0];
    assert_eq!(event.field("reason"), Some(warning.reason.as_str()));

    // Two unread values in one answer: one event each, in the answer's order, and a long
    // value cut to its excerpt.
    let long = "x".repeat(100);
    let (answer, events) = decode_logged(
        &recorder,
        &page(
            r#","videoSize":"-""#,
            &format!(r#","videoSize":"20","createTime":"{long}""#),
        ),
    );
    let logged: Vec<(Option<&str>, Option<&str>, Option<&str>)> = events
        .iter()
        .map(|e| (e.field("operation"), e.field("path"), e.field("value")))
        .collect();
    let excerpt = format!("{}…", &long[..64]);
    assert_eq!(
        logged,
        [
            (
                Some("getVideoList"),
                Some("data.videoListInfo[0].videoSize"),
                Some("-")
            ),
            (
                Some("getVideoList"),
                Some("data.videoListInfo[1].createTime"),
                Some(excerpt.as_str())
            ),
        ]
    );
    assert!(events.iter().all(|e| e.level == tracing::Level::WARN));
    assert_eq!(answer.warnings().len(), 2);

    let (answer, events) = decode_logged(&recorder, &page(r#","videoSize":"10""#, ""));
    assert!(answer.warnings().is_empty());
    assert!(events.is_empty(), "a clean answer logs nothing: {events:?}");
}
