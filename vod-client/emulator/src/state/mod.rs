//! The emulator's in-memory state and the handle tests use to read and seed it.
//!
//! All records live behind one `Mutex` ([`Shared::lock`]): operations are short (no I/O and
//! no `.await` while the lock is held), so a single lock is both fast enough and the simplest
//! way to keep hundreds of concurrent requests consistent — a read never sees half of a
//! write, and a task finishes exactly once. Upload contexts have their own lock
//! ([`crate::upload::UploadStore`]) because chunk traffic is heavy and unrelated.

pub(crate) mod model;
mod pending;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use vod_client::model::{AudioId, MaterialId, NodeId, TranscodeState, VideoId, VideoSource};
use vod_client::Time;

pub use model::{Audio, Category, CategoryPath, Material, Resolution, Video};

use super::faults::{FaultPlan, Faults};
use super::tasks::{Task, TaskKind, TaskSummary, Tasks};
use super::upload::UploadStore;
use super::util::{Clock, IdGen};
pub(crate) use pending::{PendingUploads, DEFAULT_MAX_PENDING_UPLOADS};

/// A key pair the emulator accepts, and the user name it stands for (`createUser`).
#[derive(Clone)]
pub(crate) struct Account {
    // Plain text (the upload token check borrows it as `&str`); `Debug` redacts it.
    pub(crate) secret: String,
    pub(crate) user: String,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("secret", &"<redacted>")
            .field("user", &self.user)
            .finish()
    }
}

/// What is shared by every request of one emulator.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) accounts: HashMap<String, Account>,
    /// The user of the first account (owner of seeded records).
    pub(crate) default_user: String,
    /// Largest accepted body of an API call, bytes.
    pub(crate) api_body_limit: usize,
    /// Largest accepted upload (form file or one block), bytes.
    pub(crate) upload_limit: u64,
    /// `<base>/upload`, set once the listener is bound.
    pub(crate) base_url: OnceLock<String>,
    pub(crate) clock: Clock,
    pub(crate) ids: IdGen,
    pub(crate) bucket: String,
    pub(crate) video_domain: String,
    pub(crate) audio_domain: String,
    pub(crate) material_domain: String,
    pub(crate) faults: Faults,
    /// What was answered ([`crate::Emulator::journal`]).
    pub(crate) journal: crate::journal::Journal,
    pub(crate) uploads: UploadStore,
    /// Lifetime of the upload tokens the token operations hand out, milliseconds.
    pub(crate) token_lifetime_ms: i64,
    /// Every operation answers the spec's example after the checks, whatever behaviour is
    /// written ([`crate::EmulatorBuilder::examples_only`]).
    pub(crate) examples_only: bool,
    task_millis: AtomicU64,
    requests: AtomicU64,
    inner: Mutex<Inner>,
}

/// Everything that changes.
#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub(crate) videos: HashMap<VideoId, Video>,
    pub(crate) audios: HashMap<AudioId, Audio>,
    pub(crate) materials: HashMap<MaterialId, Material>,
    pub(crate) categories: BTreeMap<NodeId, Category>,
    pub(crate) domains: HashSet<String>,
    pub(crate) pending_uploads: PendingUploads,
    pub(crate) tasks: Tasks,
    pub(crate) fail_next: u32,
    pub(crate) used_workflow_trans_nos: HashSet<String>,
    /// Publishing domain of videos that name none.
    pub(crate) default_domain: String,
    seq: u64,
}

/// Settings fixed when the emulator starts.
#[derive(Clone)]
pub(crate) struct SharedOptions {
    pub(crate) accounts: Vec<(String, String, String)>,
    pub(crate) api_body_limit: usize,
    pub(crate) upload_limit: u64,
    pub(crate) seed: u64,
    pub(crate) task_duration: Duration,
    pub(crate) faults: FaultPlan,
    pub(crate) upload_token_lifetime: Duration,
    pub(crate) max_pending_uploads: usize,
    pub(crate) examples_only: bool,
}

impl Shared {
    pub(crate) fn new(options: SharedOptions) -> Self {
        let default_user = options
            .accounts
            .first()
            .map(|(_, _, user)| user.clone())
            .unwrap_or_default();
        let accounts = options
            .accounts
            .into_iter()
            .map(|(ak, sk, user)| (ak, Account { secret: sk, user }))
            .collect();
        let video_domain = "vod.emulator.test".to_string();
        let audio_domain = "audio.emulator.test".to_string();
        let material_domain = "material.emulator.test".to_string();
        let inner = Inner {
            domains: [&video_domain, &audio_domain, &material_domain]
                .into_iter()
                .cloned()
                .collect(),
            default_domain: video_domain.clone(),
            pending_uploads: PendingUploads::with_max(options.max_pending_uploads),
            ..Inner::default()
        };
        Shared {
            accounts,
            default_user,
            api_body_limit: options.api_body_limit,
            upload_limit: options.upload_limit,
            base_url: OnceLock::new(),
            clock: Clock::default(),
            ids: IdGen::new(options.seed),
            bucket: "vod-emulator".to_string(),
            video_domain,
            audio_domain,
            material_domain,
            faults: Faults::from_plan(&options.faults),
            examples_only: options.examples_only,
            journal: crate::journal::Journal::default(),
            uploads: UploadStore::default(),
            token_lifetime_ms: i64::try_from(options.upload_token_lifetime.as_millis())
                .unwrap_or(i64::MAX),
            task_millis: AtomicU64::new(millis(options.task_duration)),
            requests: AtomicU64::new(0),
            inner: Mutex::new(inner),
        }
    }

    /// Locks the state after finishing the tasks whose time is up.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        guard.advance(Instant::now(), &self.ids, &self.clock);
        guard
    }

    /// How long a new task runs.
    pub(crate) fn task_duration(&self) -> Duration {
        Duration::from_millis(self.task_millis.load(Ordering::Relaxed))
    }

    /// The URL prefix of upload calls.
    pub(crate) fn upload_url(&self) -> String {
        self.base_url
            .get()
            .map(|b| format!("{b}/upload"))
            .unwrap_or_else(|| "http://127.0.0.1/upload".to_string())
    }

    /// A fresh request id (32 hex).
    pub(crate) fn request_id(&self) -> String {
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        format!("{:016x}{:016x}", self.clock.now_millis(), n)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl Inner {
    /// The next creation sequence number (orders records created in the same second).
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq = self.seq.saturating_add(1);
        self.seq
    }

    /// Creates and stores a video; returns its id.
    pub(crate) fn create_video(
        &mut self,
        id: VideoId,
        name: String,
        user: String,
        now: Time,
    ) -> VideoId {
        let seq = self.next_seq();
        let video = Video::new(id.clone(), name, user, now, seq);
        self.videos.insert(id.clone(), video);
        id
    }

    /// Whether the next task should fail (consumes one planned failure).
    pub(crate) fn take_failure(&mut self) -> bool {
        if self.fail_next > 0 {
            self.fail_next -= 1;
            true
        } else {
            false
        }
    }

    /// Finishes every task due at `now` and applies its effects.
    pub(crate) fn advance(&mut self, now: Instant, ids: &IdGen, clock: &Clock) {
        for task in self.tasks.take_due(now) {
            self.finish_task(task, ids, clock.now());
        }
    }

    fn finish_task(&mut self, task: Task, ids: &IdGen, now: Time) {
        let fail = task.fail;
        let mut kind = task.kind.clone();
        let output = match &mut kind {
            TaskKind::Clip {
                source,
                filename,
                duration,
            } if !fail => {
                let (size, domain) = self.video_traits(std::slice::from_ref(source));
                let id =
                    self.create_video(ids.video_id(), filename.clone(), task.user.clone(), now);
                self.finish_new_video(&id, VideoSource::Clip, size / 2, *duration, domain);
                Some(id)
            }
            TaskKind::Concat { sources, filename } if !fail => {
                let (size, domain) = self.video_traits(sources);
                let duration = sources
                    .iter()
                    .filter_map(|s| self.videos.get(s))
                    .fold(0u64, |total, v| total.saturating_add(v.video_duration));
                let id =
                    self.create_video(ids.video_id(), filename.clone(), task.user.clone(), now);
                self.finish_new_video(&id, VideoSource::Concat, size, duration, domain);
                Some(id)
            }
            TaskKind::ClearAd { video_id } if !fail => {
                let (size, domain) = self.video_traits(std::slice::from_ref(video_id));
                let name = self
                    .videos
                    .get(video_id)
                    .map(|v| format!("{}-noads", v.video_name))
                    .unwrap_or_else(|| "noads".to_string());
                let id = self.create_video(ids.video_id(), name, task.user.clone(), now);
                self.finish_new_video(&id, VideoSource::Other, size, 0, domain);
                Some(id)
            }
            TaskKind::Transcode { video_id } | TaskKind::Workflow { target: video_id } => {
                self.finish_transcode(video_id, fail, now);
                None
            }
            TaskKind::Pull { items, .. } if !fail => {
                for item in items.iter_mut() {
                    let id = self.create_video(
                        ids.video_id(),
                        item.file_name.clone(),
                        task.user.clone(),
                        now.clone(),
                    );
                    self.finish_new_video(&id, VideoSource::UrlPull, 1 << 20, 60, None);
                    item.video_id = Some(id);
                }
                None
            }
            _ => None,
        };
        self.tasks.finish(&task.id, fail, output, kind);
    }

    /// Total size and publish domain of some source videos.
    fn video_traits(&self, ids: &[VideoId]) -> (u64, Option<String>) {
        let sources: Vec<&Video> = ids.iter().filter_map(|id| self.videos.get(id)).collect();
        let size = sources
            .iter()
            .fold(0u64, |total, v| total.saturating_add(v.video_size));
        let domain = sources.first().map(|v| v.publish_domain.clone());
        (size, domain)
    }

    fn finish_new_video(
        &mut self,
        id: &VideoId,
        source: VideoSource,
        size: u64,
        duration: u64,
        domain: Option<String>,
    ) {
        if let Some(video) = self.videos.get_mut(id) {
            video.video_source_code = source;
            video.video_size = size;
            video.video_duration = duration;
            video.publish_domain = domain
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| self.default_domain.clone());
            video.transcode_state = TranscodeState::Done;
            video.resolutions = video.transcoded_resolutions();
        }
    }

    fn finish_transcode(&mut self, video_id: &VideoId, fail: bool, now: Time) {
        if let Some(video) = self.videos.get_mut(video_id) {
            video.update_time = now;
            if fail {
                video.transcode_state = TranscodeState::Failed;
            } else {
                video.transcode_state = TranscodeState::Done;
                video.resolutions = video.transcoded_resolutions();
            }
        }
    }

    /// Starts a task and returns its id.
    pub(crate) fn start_task(
        &mut self,
        id: String,
        trans_no: Option<String>,
        kind: TaskKind,
        run_for: Duration,
        user: String,
        now: Time,
    ) -> String {
        let fail = self.take_failure();
        if let TaskKind::Transcode { video_id } | TaskKind::Workflow { target: video_id } = &kind {
            if let Some(video) = self.videos.get_mut(video_id) {
                video.transcode_state = TranscodeState::Running;
            }
        }
        self.tasks.insert(Task {
            id: id.clone(),
            trans_no,
            kind,
            started: Instant::now(),
            run_for,
            fail,
            finished: false,
            created: now,
            user,
            output: None,
        });
        id
    }

    /// Children of a category node.
    pub(crate) fn children_of(&self, node_id: NodeId) -> impl Iterator<Item = &Category> {
        self.categories
            .values()
            .filter(move |c| c.parent_node_id == Some(node_id))
    }
}

/// A handle on one emulator's state: read records, seed them, steer tasks and faults.
///
/// Cloning is cheap; every clone sees the same state.
#[derive(Debug, Clone)]
pub struct StateHandle {
    pub(crate) shared: Arc<Shared>,
}

impl StateHandle {
    /// Adds a ready video (uploaded, transcoded, enabled) and returns its id, ready to give
    /// the client.
    pub fn add_video(&self, name: &str) -> VideoId {
        let s = &self.shared;
        let now = s.clock.now();
        let user = s.default_user.clone();
        let mut inner = s.lock();
        let id = inner.create_video(s.ids.video_id(), name.to_string(), user, now);
        if let Some(v) = inner.videos.get_mut(&id) {
            v.video_size = 1 << 20;
            v.video_duration = 60;
            v.publish_domain = s.video_domain.clone();
            v.transcode_state = TranscodeState::Done;
            v.resolutions = v.transcoded_resolutions();
        }
        id
    }

    /// A copy of one video.
    pub fn video(&self, id: impl AsRef<str>) -> Option<Video> {
        self.shared.lock().videos.get(id.as_ref()).cloned()
    }

    /// Every API call answered, oldest first (see [`crate::Emulator::journal`]).
    pub fn journal(&self) -> Vec<crate::CallRecord> {
        self.shared.journal.records()
    }

    /// Copies of all videos, oldest first.
    pub fn videos(&self) -> Vec<Video> {
        let mut all: Vec<Video> = self.shared.lock().videos.values().cloned().collect();
        all.sort_by_key(|v| (v.create_time.timestamp(), v.seq));
        all
    }

    /// Changes one video in place; false when it does not exist.
    pub fn update_video(&self, id: impl AsRef<str>, change: impl FnOnce(&mut Video)) -> bool {
        self.shared
            .lock()
            .videos
            .get_mut(id.as_ref())
            .map(change)
            .is_some()
    }

    /// Adds an mp3 audio and returns its id.
    pub fn add_audio(&self, name: &str) -> AudioId {
        let s = &self.shared;
        let now = s.clock.now();
        let id = AudioId::new(s.ids.hex32());
        let mut inner = s.lock();
        let seq = inner.next_seq();
        inner.audios.insert(
            id.clone(),
            Audio {
                audio_id: id.clone(),
                audio_name: name.to_string(),
                create_user: s.default_user.clone(),
                audio_size: 4096,
                audio_duration: 3,
                url: format!("http://{}/audio/{id}.mp3", s.audio_domain),
                suffix: "mp3".into(),
                create_time: now.clone(),
                upload_time: now,
                publish_domain: s.audio_domain.clone(),
                occupied: false,
                seq,
            },
        );
        id
    }

    /// A copy of one audio.
    pub fn audio(&self, id: impl AsRef<str>) -> Option<Audio> {
        self.shared.lock().audios.get(id.as_ref()).cloned()
    }

    /// Changes one audio in place; false when it does not exist.
    pub fn update_audio(&self, id: impl AsRef<str>, change: impl FnOnce(&mut Audio)) -> bool {
        self.shared
            .lock()
            .audios
            .get_mut(id.as_ref())
            .map(change)
            .is_some()
    }

    /// Adds a material and returns its id.
    pub fn add_material(&self, name: &str, suffix: &str) -> MaterialId {
        let s = &self.shared;
        let now = s.clock.now();
        let id = MaterialId::new(s.ids.hex32());
        let mut inner = s.lock();
        let seq = inner.next_seq();
        inner.materials.insert(
            id.clone(),
            Material {
                id: id.clone(),
                name: name.to_string(),
                suffix: suffix.to_string(),
                file_size: 2048,
                url: format!("http://{}/material/{id}.{suffix}", s.material_domain),
                create_user: s.default_user.clone(),
                create_time: now,
                publish_domain: s.material_domain.clone(),
                occupied: false,
                seq,
            },
        );
        id
    }

    /// A copy of one material.
    pub fn material(&self, id: impl AsRef<str>) -> Option<Material> {
        self.shared.lock().materials.get(id.as_ref()).cloned()
    }

    /// Changes one material in place; false when it does not exist.
    pub fn update_material(&self, id: impl AsRef<str>, change: impl FnOnce(&mut Material)) -> bool {
        self.shared
            .lock()
            .materials
            .get_mut(id.as_ref())
            .map(change)
            .is_some()
    }

    /// Adds a category node (under `parent` when given) and returns its id.
    pub fn add_category(&self, label: &str, parent: Option<NodeId>) -> NodeId {
        let s = &self.shared;
        let id = NodeId::new(s.ids.number());
        s.lock().categories.insert(
            id,
            Category {
                node_id: id,
                label_name: label.to_string(),
                parent_node_id: parent,
                create_user: s.default_user.clone(),
            },
        );
        id
    }

    /// All category nodes, by id.
    pub fn categories(&self) -> Vec<Category> {
        self.shared.lock().categories.values().cloned().collect()
    }

    /// Makes a publishing domain known (edits naming an unknown domain fail with 1531).
    pub fn add_domain(&self, domain: &str) {
        self.shared.lock().domains.insert(domain.to_string());
    }

    /// The default publishing domain of videos.
    pub fn video_domain(&self) -> String {
        self.shared.video_domain.clone()
    }

    /// Makes the next `n` tasks (of any kind) fail when their time is up.
    pub fn fail_next_tasks(&self, n: u32) {
        self.shared.lock().fail_next = n;
    }

    /// How long tasks created from now on run.
    pub fn set_task_duration(&self, duration: Duration) {
        self.shared
            .task_millis
            .store(millis(duration), Ordering::Relaxed);
    }

    /// Every task so far, in creation order.
    pub fn tasks(&self) -> Vec<TaskSummary> {
        self.shared.lock().tasks.summaries(Instant::now())
    }

    /// Fault injection switches.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Moves the emulator's clock by `secs` (positive: ahead); authentication compares
    /// request timestamps with this clock.
    pub fn set_clock_skew(&self, secs: i64) {
        self.shared.clock.set_skew(secs);
    }

    /// How many announced uploads (upload tokens handed out, bytes not yet received) the
    /// emulator remembers; expired ones are not counted.
    pub fn pending_uploads(&self) -> usize {
        let now_ms = self.shared.clock.now_millis();
        let mut inner = self.shared.lock();
        inner.pending_uploads.prune(now_ms);
        inner.pending_uploads.len()
    }

    /// The stored object of an upload key: size and WCS etag.
    pub fn object(&self, key: &str) -> Option<(u64, String)> {
        self.shared.uploads.object(key)
    }
}
