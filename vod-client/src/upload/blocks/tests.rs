use super::*;

/// A resume state of batch `b1` for a 10-byte file in blocks of 4, holding `blocks`.
fn recorder(blocks: &[DoneBlock]) -> Recorder {
    let identity = crate::upload::source::Identity {
        size: 10,
        mtime: None,
        head: String::new(),
    };
    let mut state = State::new(identity, 4, "b1".into());
    for block in blocks {
        state.add_block(block.clone());
    }
    Recorder {
        store: None,
        state: Mutex::new(state),
    }
}

fn prepared(bytes: &'static [u8]) -> Sums {
    Sums {
        crc32: crc32fast::hash(bytes),
        md5: Some(hex::encode(<md5::Md5 as md5::Digest>::digest(bytes))),
    }
}

#[test]
fn chunk_answers_are_checked() {
    let chunk = prepared(b"hello world");
    let ok = br#"{"ctx":"c1","offset":11,"crc32":222957957,"checksum":"5eb63bbbe01eeed093cb22bb8f5acdc3"}"#;
    assert_eq!(check_chunk(Step::Mkblk, 0, ok, 11, &chunk).unwrap(), "c1");
    let stringly = br#"{"ctx":"c1","offset":"11","crc32":"222957957"}"#;
    assert!(check_chunk(Step::Mkblk, 0, stringly, 11, &chunk).is_ok());
    let bad_crc = br#"{"ctx":"c","offset":11,"crc32":1}"#;
    let f = check_chunk(Step::Bput, 2, bad_crc, 11, &chunk).unwrap_err();
    assert_eq!(f.action, Action::Resend(None));
    let text = f.error.to_string();
    assert!(
        text.contains("upload (bput)") && text.contains("block 2"),
        "{text}"
    );
    let bad_md5 = br#"{"ctx":"c","offset":11,"checksum":"00"}"#;
    let f = check_chunk(Step::Bput, 0, bad_md5, 11, &chunk).unwrap_err();
    assert!(f.error.to_string().contains("MD5"), "{}", f.error);
    let f = check_chunk(Step::Bput, 0, br#"{"ctx":"c","offset":5}"#, 11, &chunk).unwrap_err();
    assert_eq!(f.action, Action::Fail);
    assert!(check_chunk(Step::Bput, 0, br#"{"offset":11}"#, 11, &chunk).is_err());
}

#[test]
fn a_restart_forgets_the_blocks_and_takes_the_new_batch() {
    let rec = recorder(&[DoneBlock::new(0, "c0".into(), &[[1; 20]])]);
    assert_eq!(rec.batch(), "b1");
    assert_eq!(rec.done().len(), 1);
    rec.restart("b2".into());
    assert_eq!(rec.batch(), "b2");
    assert!(rec.done().is_empty());
}

/// The block protocol end to end against a local storage host: 10 bytes in blocks of 4,
/// chunks of 2.
mod storage {
    use std::collections::HashMap;

    use super::*;
    use crate::test_server::{serve_raw, Hit, Hits};
    use crate::upload::grant::GrantSource;
    use crate::upload::source::{open, SourceKind};
    use crate::upload::tokens::BatchGrants;

    const DATA: &[u8] = b"0123456789";

    /// A storage host that accepts every chunk (ctx `b<block>-<len>[-<len>...]`) unless
    /// `fault(request, how many times its path was asked before)` answers instead.
    async fn host<F>(fault: F) -> (String, Hits)
    where
        F: Fn(&Hit, usize) -> Option<(u16, String)> + Send + Sync + 'static,
    {
        let asked = Mutex::new(HashMap::<String, usize>::new());
        serve_raw(move |hit| {
            let path = hit.path().to_string();
            let before = {
                let mut asked = asked.lock().expect("asked");
                let n = asked.entry(path.clone()).or_default();
                *n += 1;
                *n - 1
            };
            if let Some(answer) = fault(hit, before) {
                return answer;
            }
            let parts: Vec<&str> = path.split('/').collect();
            let len = hit.body.len() as u64;
            let crc = crc32fast::hash(&hit.body);
            let (ctx, offset) = match parts[1] {
                "mkblk" => (format!("b{}-{len}", parts[3]), len),
                "bput" => (
                    format!("{}-{len}", parts[2]),
                    parts[3].parse::<u64>().expect("offset") + len,
                ),
                "mkfile" => return (200, r#"{"hash":"the-hash","key":"k"}"#.into()),
                _ => return (404, "{}".into()),
            };
            let answer = serde_json::json!({"ctx": ctx, "offset": offset, "crc32": crc});
            (200, answer.to_string())
        })
        .await
    }

    fn job(base: &str, kind: SourceKind) -> Job {
        let (source, size, _) = open(kind, "clip.mp4").expect("source");
        let grants = GrantSource::Batch(BatchGrants {
            client: crate::test_server::client("http://127.0.0.1:9"),
            name: "clip.mp4".into(),
            domain: None,
            audio: false,
        });
        let grant = Grant {
            base: base.into(),
            token: "tok".into(),
            key: "k".into(),
            asset_id: "m1".into(),
            url: None,
        };
        Job {
            http: http::client(base).expect("http"),
            label: "clip.mp4".into(),
            source: Arc::new(source),
            size,
            block_size: 4,
            chunk_size: 2,
            parallel: 1,
            retries: 2,
            retry_delay: Duration::from_millis(1),
            tokens: Arc::new(TokenCell::new(grants, grant)),
            reporter: Reporter::default(),
            mime: None,
            verify_md5: false,
        }
    }

    fn bytes() -> SourceKind {
        SourceKind::Bytes(Bytes::from_static(DATA))
    }

    fn paths(hits: &Hits) -> Vec<String> {
        hits.lock()
            .expect("hits")
            .iter()
            .map(|h| h.path().to_string())
            .collect()
    }

    fn mkfile_body(hits: &Hits) -> String {
        let hits = hits.lock().expect("hits");
        let hit = hits.iter().find(|h| h.path().starts_with("/mkfile/"));
        String::from_utf8(hit.expect("mkfile").body.clone()).expect("text")
    }

    /// The etag pieces of blocks `0123`, `4567` and `89`.
    fn pieces() -> Vec<[u8; 20]> {
        DATA.chunks(4)
            .flat_map(|block| {
                let mut h = PieceHasher::default();
                h.update(block);
                h.finish()
            })
            .collect()
    }

    async fn run(job: Job, rec: Recorder) -> Result<(Vec<[u8; 20]>, Option<String>), Stop> {
        upload(Arc::new(job), Arc::new(rec)).await
    }

    fn failure(stop: Stop) -> UploadError {
        match stop {
            Stop::Failed(e) => e,
            Stop::RestartFile(e) => panic!("restart file: {e}"),
        }
    }

    const ALL: [&str; 6] = [
        "/mkblk/4/0",
        "/bput/b0-2/2",
        "/mkblk/4/1",
        "/bput/b1-2/2",
        "/mkblk/2/2",
        "/mkfile/10",
    ];

    #[tokio::test]
    async fn every_block_goes_in_chunks_then_mkfile_joins_the_last_ctxs() {
        for kind in [bytes(), SourceKind::Reader(Box::new(DATA), 10)] {
            let (base, hits) = host(|_, _| None).await;
            let rec = recorder(&[]);
            let (got, hash) = upload(Arc::new(job(&base, kind)), Arc::new(rec))
                .await
                .map_err(failure)
                .expect("uploaded");
            assert_eq!(got, pieces());
            assert_eq!(hash.as_deref(), Some("the-hash"));
            assert_eq!(paths(&hits), ALL);
            assert_eq!(mkfile_body(&hits), "b0-2-2,b1-2-2,b2-2");
            let sent: Vec<Vec<u8>> = hits.lock().expect("hits")[..5]
                .iter()
                .map(|h| h.body.clone())
                .collect();
            assert_eq!(sent, [&b"01"[..], b"23", b"45", b"67", b"89"]);
            for hit in hits.lock().expect("hits").iter() {
                assert!(hit.head.contains("uploadbatch: b1\r\n"), "{}", hit.head);
                assert!(hit.head.contains("authorization: tok\r\n"), "{}", hit.head);
            }
        }
    }

    #[tokio::test]
    async fn finished_blocks_are_recorded_and_not_sent_again() {
        let (base, hits) = host(|_, _| None).await;
        let rec = Arc::new(recorder(&[
            DoneBlock::new(1, "old1".into(), &pieces()[1..2]),
            // Past the end of the file (a smaller file under the same key): dropped.
            DoneBlock::new(7, "old7".into(), &[[7; 20]]),
        ]));
        let (got, _) = upload(Arc::new(job(&base, bytes())), Arc::clone(&rec))
            .await
            .map_err(failure)
            .expect("uploaded");
        assert_eq!(got, pieces());
        assert_eq!(
            paths(&hits),
            ["/mkblk/4/0", "/bput/b0-2/2", "/mkblk/2/2", "/mkfile/10"]
        );
        assert_eq!(mkfile_body(&hits), "b0-2-2,old1,b2-2");
        let done: Vec<(u32, String)> = rec.done().into_iter().map(|b| (b.index, b.ctx)).collect();
        assert_eq!(
            done[..3],
            [(0, "b0-2-2".into()), (1, "old1".into()), (2, "b2-2".into())]
        );
    }

    /// Both edges of the range kept from a resume state: the last block (count - 1) is still
    /// taken from the record, and the first index past the end (count, left by a longer file
    /// under the same key) reaches neither `mkfile` nor the etag.
    #[tokio::test]
    async fn a_recorded_block_at_the_block_count_is_dropped_and_the_last_one_kept() {
        let (base, hits) = host(|_, _| None).await;
        let rec = recorder(&[
            DoneBlock::new(2, "old2".into(), &pieces()[2..3]),
            DoneBlock::new(3, "old3".into(), &[[3; 20]]),
        ]);
        let (got, _) = run(job(&base, bytes()), rec)
            .await
            .map_err(failure)
            .expect("uploaded");
        assert_eq!(got, pieces());
        let mut asked = ALL.to_vec();
        // Block 2 is recorded: not sent again.
        asked.retain(|p| *p != "/mkblk/2/2");
        assert_eq!(paths(&hits), asked);
        assert_eq!(mkfile_body(&hits), "b0-2-2,b1-2-2,old2");
    }

    #[tokio::test]
    async fn transient_failures_are_resent() {
        let (base, hits) = host(|hit, before| {
            let flaky = hit.path() == "/bput/b1-2/2" || hit.path() == "/mkfile/10";
            (flaky && before < 2).then(|| (503, r#"{"error":"busy"}"#.into()))
        })
        .await;
        let (got, hash) = run(job(&base, bytes()), recorder(&[]))
            .await
            .map_err(failure)
            .expect("uploaded after two resends each");
        assert_eq!((got, hash.as_deref()), (pieces(), Some("the-hash")));
        let asked = paths(&hits);
        assert_eq!(asked.iter().filter(|p| *p == "/bput/b1-2/2").count(), 3);
        assert_eq!(asked.iter().filter(|p| *p == "/mkfile/10").count(), 3);
    }

    #[tokio::test]
    async fn resends_are_bounded_by_the_retry_count() {
        let (base, hits) = host(|hit, _| {
            (hit.path() == "/mkfile/10").then(|| (503, r#"{"error":"busy"}"#.into()))
        })
        .await;
        let err = failure(
            run(job(&base, bytes()), recorder(&[]))
                .await
                .expect_err("busy"),
        );
        assert_eq!(err.step, Step::Mkfile);
        assert_eq!(err.status(), Some(503));
        let asked = paths(&hits);
        assert_eq!(asked.iter().filter(|p| *p == "/mkfile/10").count(), 3);

        let (base, hits) = host(|hit, _| {
            (hit.path() == "/bput/b1-2/2").then(|| (503, r#"{"error":"busy"}"#.into()))
        })
        .await;
        let err = failure(
            run(job(&base, bytes()), recorder(&[]))
                .await
                .expect_err("busy"),
        );
        assert_eq!(
            (err.step, err.block, err.offset),
            (Step::Bput, Some(1), Some(6))
        );
        let asked = paths(&hits);
        assert_eq!(asked.iter().filter(|p| *p == "/bput/b1-2/2").count(), 3);
    }

    #[tokio::test]
    async fn a_refused_ctx_restarts_the_block_a_bounded_number_of_times() {
        let (base, hits) = host(|hit, _| {
            (hit.path() == "/bput/b1-2/2").then(|| (701, r#"{"error":"bad ctx"}"#.into()))
        })
        .await;
        let err = failure(
            run(job(&base, bytes()), recorder(&[]))
                .await
                .expect_err("701"),
        );
        assert_eq!(err.step, Step::Bput);
        assert_eq!((err.block, err.offset), (Some(1), Some(6)));
        assert_eq!(err.status(), Some(701));
        let asked = paths(&hits);
        assert_eq!(asked.iter().filter(|p| *p == "/mkblk/4/1").count(), 4);
        assert!(!asked.iter().any(|p| p.starts_with("/mkfile/")));
    }

    #[tokio::test]
    async fn a_restarted_block_can_still_succeed() {
        let (base, hits) = host(|hit, before| {
            (hit.path() == "/bput/b1-2/2" && before == 0)
                .then(|| (701, r#"{"error":"bad ctx"}"#.into()))
        })
        .await;
        let (got, _) = run(job(&base, bytes()), recorder(&[]))
            .await
            .map_err(failure)
            .expect("uploaded");
        assert_eq!(got, pieces());
        let asked = paths(&hits);
        assert_eq!(asked.iter().filter(|p| *p == "/mkblk/4/1").count(), 2);
    }

    #[tokio::test]
    async fn an_expired_token_on_mkfile_asks_for_a_renewal() {
        // Material tokens cannot be renewed for the same asset: the renewal step fails.
        let (base, _) = host(|hit, _| {
            (hit.path() == "/mkfile/10")
                .then(|| (401, r#"{"code":401,"message":"Token Expired"}"#.into()))
        })
        .await;
        let err = failure(
            run(job(&base, bytes()), recorder(&[]))
                .await
                .expect_err("401"),
        );
        assert_eq!(err.step, Step::Token);
        assert_eq!(err.status(), Some(401));
    }

    #[tokio::test]
    async fn an_expired_token_is_renewed_a_bounded_number_of_times() {
        use std::sync::OnceLock;

        use crate::model::GetUploadTokenRequest;
        use crate::upload::tokens::VideoGrants;

        // One server is both the API (getUploadToken) and the storage host, whose bput
        // always says the token expired.
        let me = Arc::new(OnceLock::<String>::new());
        let grants = Arc::new(Mutex::new(0u32));
        let (base, hits) = host({
            let (me, grants) = (Arc::clone(&me), Arc::clone(&grants));
            move |hit, _| match hit.path() {
                "/vod/videoManage/getUploadToken" => {
                    let mut n = grants.lock().expect("grants");
                    *n += 1;
                    let data = serde_json::json!({"uploadUrl": me.get().expect("base"),
                        "fileKey": "k", "videoId": "v1", "uploadToken": format!("tok-{n}")});
                    Some((
                        200,
                        serde_json::json!({"code": 200, "data": data}).to_string(),
                    ))
                }
                "/bput/b0-2/2" => Some((401, r#"{"code":401,"message":"Token Expired"}"#.into())),
                _ => None,
            }
        })
        .await;
        me.set(base.clone()).expect("once");
        let mut job = job(&base, bytes());
        let grant = job.tokens.get().await.1.as_ref().clone();
        let source = GrantSource::Video(VideoGrants {
            client: crate::test_server::client(&base),
            request: GetUploadTokenRequest::new("clip.mp4").with_file_id("f1"),
        });
        job.tokens = Arc::new(TokenCell::new(source, grant));
        let err = failure(run(job, recorder(&[])).await.expect_err("expired"));
        assert_eq!((err.step, err.status()), (Step::Bput, Some(401)));
        assert_eq!(*grants.lock().expect("grants"), MAX_RENEWALS);
        let hits = hits.lock().expect("hits");
        let tokens: Vec<&str> = hits
            .iter()
            .filter(|h| h.path() == "/bput/b0-2/2")
            .map(|h| {
                let line = h.head.lines().find(|l| l.starts_with("authorization:"));
                line.expect("token").trim_start_matches("authorization: ")
            })
            .collect();
        // The first token, then each renewed one.
        assert_eq!(tokens, ["tok", "tok-1", "tok-2", "tok-3"]);
    }

    #[tokio::test]
    async fn a_file_that_shrinks_during_the_upload_fails_where_the_read_did() {
        let path = std::env::temp_dir().join(format!("vod-blocks-{}.mp4", std::process::id()));
        std::fs::write(&path, DATA).expect("write");
        let (base, hits) = host(|_, _| None).await;
        let job = job(&base, SourceKind::Path(path.clone()));
        // Bytes 7.. are gone: block 1's second chunk (6..8) cannot be read.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_len(7))
            .expect("truncate");
        let result = run(job, recorder(&[])).await;
        let _ = std::fs::remove_file(&path);
        let err = failure(result.expect_err("short file"));
        assert_eq!(err.step, Step::Read);
        assert_eq!((err.block, err.offset), (Some(1), Some(6)));
        assert_eq!(
            paths(&hits)[..3],
            ["/mkblk/4/0", "/bput/b0-2/2", "/mkblk/4/1"]
        );
    }
}
