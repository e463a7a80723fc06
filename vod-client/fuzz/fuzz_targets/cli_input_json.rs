//! The command line's `--input-json`: the first byte picks the operation (over the generated
//! `OPERATIONS`; its command from the generated command table), the rest is the file's text.
//! What the command accepts goes into the typed request as the call would (then its
//! validation); a request that reads must serialize to its wire form and read back the same.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use vod_client::model::{visit_operations, OPERATIONS};
use vod_client::operation::{Request, VisitOperation};

struct Typed {
    want: usize,
    at: usize,
    input: Value,
}

impl VisitOperation for Typed {
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
        let name = R::OPERATION.name;
        let Ok(request) = serde_json::from_value::<R>(self.input.take()) else {
            return;
        };
        let _ = request.validate();
        let wire = serde_json::to_value(&request)
            .unwrap_or_else(|e| panic!("{name}: a request does not serialize: {e}"));
        let again = serde_json::from_value::<R>(wire.clone())
            .unwrap_or_else(|e| panic!("{name}: its own wire form does not read: {e}\n{wire}"));
        let wire_again = serde_json::to_value(&again).expect("serializes");
        assert_eq!(wire, wire_again, "{name}: request wire→typed→wire changed");
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&first, text)) = input.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let want = usize::from(first) % OPERATIONS.len();
    let op = OPERATIONS[want];
    let Some(command) = vod_cli::generated::COMMANDS
        .iter()
        .find(|c| c.operation == op.name)
    else {
        return;
    };
    let Ok(input) = vod_cli::fuzzing::input_json(command, text) else {
        return;
    };
    visit_operations(&mut Typed { want, at: 0, input });
});
