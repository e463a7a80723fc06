//! Answer decoding of every operation's output: the first byte picks the operation (over the
//! generated `OPERATIONS`), the rest is the body of an HTTP 200 answer. An answer that decodes
//! must serialize back to its wire form (feature `serde`), and that must decode to the same
//! value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use vod_client::fuzzing::decode_answer;
use vod_client::model::{visit_operations, OPERATIONS};
use vod_client::operation::{Envelope, Request, VisitOperation};

struct Answer<'a> {
    want: usize,
    at: usize,
    body: &'a [u8],
}

impl VisitOperation for Answer<'_> {
    fn visit<R>(&mut self)
    where
        R: Request + DeserializeOwned + 'static,
        R::Output: Serialize + 'static,
    {
        let here = self.at;
        self.at += 1;
        if here != self.want {
            return;
        }
        let op = R::OPERATION;
        let Ok(first) = decode_answer::<R::Output>(op, 200, self.body) else {
            return;
        };
        let data = serde_json::to_value(&first.data)
            .unwrap_or_else(|e| panic!("{}: a decoded answer does not serialize: {e}", op.name));
        let body = match op.envelope {
            Envelope::Standard => serde_json::json!({"code": 200, "message": "ok", "data": data}),
            Envelope::Bare => data.clone(),
        };
        let text = serde_json::to_vec(&body).expect("JSON");
        let again = decode_answer::<R::Output>(op, 200, &text).unwrap_or_else(|e| {
            panic!(
                "{}: the re-encoded answer does not decode: {e}\n{body}",
                op.name
            )
        });
        let data_again = serde_json::to_value(&again.data).expect("serializes");
        assert_eq!(
            data, data_again,
            "{}: decode→encode→decode changed the answer",
            op.name
        );
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&first, body)) = input.split_first() else {
        return;
    };
    let want = usize::from(first) % OPERATIONS.len();
    visit_operations(&mut Answer { want, at: 0, body });
});
