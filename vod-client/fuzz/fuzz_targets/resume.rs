//! The upload resume-state reader: any saved state that reads must write back to a state that
//! reads to the same bytes again.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vod_client::fuzzing::resume_state;

fuzz_target!(|bytes: &[u8]| {
    if let Some(encoded) = resume_state(bytes) {
        let again = resume_state(&encoded).unwrap_or_else(|| {
            panic!(
                "a state written back does not read: {}",
                String::from_utf8_lossy(&encoded)
            )
        });
        assert_eq!(encoded, again, "decode→encode→decode changed the state");
    }
});
