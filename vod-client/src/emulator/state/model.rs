//! The records the emulator keeps, and how each is rendered on the wire.
//!
//! Records are plain data with public fields so tests can read them through
//! [`StateHandle`](super::StateHandle) and adjust them with its `update_*` methods. Wire
//! rendering follows `vod-api-facts.json`: sizes and durations of videos are sent as text,
//! times of videos as `yyyy-MM-dd HH:mm:ss`, times of audio and materials as numbers.

use serde_json::{json, Value};

use crate::emulator::util::format_time;

/// `transcodeState`: transcoding finished.
pub const TRANSCODE_DONE: i64 = 1;
/// `transcodeState`: not transcoded.
pub const TRANSCODE_NONE: i64 = 2;
/// `transcodeState`: transcoding is running.
pub const TRANSCODE_RUNNING: i64 = 3;
/// `transcodeState`: transcoding failed.
pub const TRANSCODE_FAILED: i64 = 4;

/// `videoSourceCode` values the emulator produces.
pub mod source {
    /// Uploaded through the API.
    pub const UPLOAD: i64 = 1;
    /// Pulled from a URL.
    pub const PULL: i64 = 3;
    /// Cut from another video.
    pub const CLIP: i64 = 4;
    /// Joined from other videos.
    pub const CONCAT: i64 = 5;
    /// Produced by the AI ad removal (the service documents no dedicated code; "other").
    pub const OTHER: i64 = 0;
}

/// A `{parentName, childName}` category assignment of a video.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryPath {
    /// First-level category label.
    pub parent_name: String,
    /// Second-level category label.
    pub child_name: String,
}

/// One rendition of a video.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// 1 original, 2 smooth, 3 SD, 4 HD, 5 ultra HD.
    pub clarity: i64,
    /// -1 source, 0 PC, 1 mobile.
    pub server_type: i64,
    /// Pixel height.
    pub height: i64,
    /// Pixel width.
    pub width: i64,
    /// Size of the file.
    pub file_size: i64,
}

/// A video asset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Video {
    /// Id (32 hex characters).
    pub video_id: String,
    /// Display name.
    pub video_name: String,
    /// Account that created it.
    pub create_user: String,
    /// 0 plain, 1 encrypted outputs.
    pub encrypt: i64,
    /// Bytes stored.
    pub video_size: u64,
    /// Duration in seconds.
    pub video_duration: u64,
    /// Creation time, Unix seconds.
    pub create_time: i64,
    /// Upload time, Unix seconds.
    pub upload_time: i64,
    /// Last change, Unix seconds.
    pub update_time: i64,
    /// Free text.
    pub video_description: String,
    /// Category assignments.
    pub categories: Vec<CategoryPath>,
    /// Cover image URL.
    pub image_url: String,
    /// Publishing domain.
    pub publish_domain: String,
    /// Player template name.
    pub player_name: String,
    /// Player template id.
    pub player_id: String,
    /// 0 enabled, 1 blocked.
    pub video_state: i64,
    /// See the `TRANSCODE_*` constants.
    pub transcode_state: i64,
    /// See [`source`].
    pub video_source_code: i64,
    /// Renditions.
    pub resolutions: Vec<Resolution>,
    /// When set, deletes that check occupancy are refused with code 400.
    pub occupied: bool,
    /// WCS etag of the uploaded file, when it came from an upload.
    pub hash: Option<String>,
    /// Storage key of the source file.
    pub file_key: Option<String>,
    pub(crate) seq: u64,
}

impl Video {
    pub(crate) fn new(video_id: String, name: String, user: String, now: i64, seq: u64) -> Self {
        Video {
            video_id,
            video_name: name,
            create_user: user,
            encrypt: 0,
            video_size: 0,
            video_duration: 0,
            create_time: now,
            upload_time: now,
            update_time: now,
            video_description: String::new(),
            categories: Vec::new(),
            image_url: String::new(),
            publish_domain: String::new(),
            player_name: String::new(),
            player_id: String::new(),
            video_state: 0,
            transcode_state: TRANSCODE_NONE,
            video_source_code: source::UPLOAD,
            resolutions: Vec::new(),
            occupied: false,
            hash: None,
            file_key: None,
            seq,
        }
    }

    /// The `videoClassification` text: sub-category names, comma separated.
    pub fn classification(&self) -> String {
        let names: Vec<&str> = self
            .categories
            .iter()
            .map(|c| c.child_name.as_str())
            .collect();
        names.join(",")
    }

    /// The source rendition, sized after the stored file.
    pub(crate) fn source_resolution(&self) -> Resolution {
        Resolution {
            clarity: 1,
            server_type: -1,
            height: 1080,
            width: 1920,
            file_size: i64::try_from(self.video_size).unwrap_or(i64::MAX),
        }
    }

    /// Renditions a finished transcode adds: SD and HD for PC.
    pub(crate) fn transcoded_resolutions(&self) -> Vec<Resolution> {
        let size = i64::try_from(self.video_size).unwrap_or(i64::MAX);
        vec![
            self.source_resolution(),
            Resolution {
                clarity: 3,
                server_type: 0,
                height: 480,
                width: 854,
                file_size: size / 4,
            },
            Resolution {
                clarity: 4,
                server_type: 0,
                height: 720,
                width: 1280,
                file_size: size / 2,
            },
        ]
    }

    /// An item of `getVideoList`.
    pub(crate) fn list_json(&self) -> Value {
        let mut v = self.task_json();
        if let Value::Object(map) = &mut v {
            map.insert("createUser".into(), json!(self.create_user));
            map.insert("createTime".into(), json!(format_time(self.create_time)));
        }
        v
    }

    /// The `videoInfo` of clip and concat queries (no creator, no creation time).
    pub(crate) fn task_json(&self) -> Value {
        json!({
            "videoName": self.video_name,
            "videoId": self.video_id,
            "encrypt": self.encrypt,
            "videoSize": self.video_size.to_string(),
            "videoDuration": self.video_duration.to_string(),
            "uploadTime": format_time(self.upload_time),
            "updateTime": format_time(self.update_time),
            "videoDescription": self.video_description,
            "videoClassification": self.classification(),
            "imageUrl": self.image_url,
            "publishDomain": self.publish_domain,
            "playerName": self.player_name,
            "playerId": self.player_id,
            "videoState": self.video_state,
            "transcodeState": self.transcode_state,
            "videoSourceCode": self.video_source_code,
            "videoResolutions": self.resolutions.iter().map(resolution_json).collect::<Vec<_>>(),
        })
    }
}

fn resolution_json(r: &Resolution) -> Value {
    json!({
        "clarity": r.clarity,
        "serverType": r.server_type,
        "height": r.height,
        "width": r.width,
        "fileSize": r.file_size,
    })
}

/// An audio asset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Audio {
    /// Id.
    pub audio_id: String,
    /// Name.
    pub audio_name: String,
    /// Creator.
    pub create_user: String,
    /// Bytes.
    pub audio_size: u64,
    /// Seconds.
    pub audio_duration: u64,
    /// File URL.
    pub url: String,
    /// Extension (`mp3`).
    pub suffix: String,
    /// Creation time, Unix seconds.
    pub create_time: i64,
    /// Upload time, Unix seconds.
    pub upload_time: i64,
    /// Publishing domain.
    pub publish_domain: String,
    /// When set, deletes that check occupancy are refused.
    pub occupied: bool,
    pub(crate) seq: u64,
}

impl Audio {
    pub(crate) fn list_json(&self) -> Value {
        json!({
            "audioName": self.audio_name,
            "audioId": self.audio_id,
            "createUser": self.create_user,
            "audioSize": self.audio_size,
            "audioDuration": self.audio_duration,
            "url": self.url,
            "suffix": self.suffix,
            "createTime": self.create_time,
            "uploadTime": self.upload_time,
        })
    }
}

/// A material (image, subtitle, document).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Material {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Extension.
    pub suffix: String,
    /// Size.
    pub file_size: u64,
    /// File URL.
    pub url: String,
    /// Creator.
    pub create_user: String,
    /// Upload time, Unix seconds.
    pub create_time: i64,
    /// Publishing domain.
    pub publish_domain: String,
    /// When set, deletes that check occupancy are refused.
    pub occupied: bool,
    pub(crate) seq: u64,
}

impl Material {
    pub(crate) fn list_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "suffix": self.suffix,
            "fileSize": self.file_size,
            "url": self.url,
            "createUser": self.create_user,
            "createTime": self.create_time,
        })
    }
}

/// A category node (two levels: first-level nodes have no parent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Node id.
    pub node_id: i64,
    /// Label.
    pub label_name: String,
    /// Parent node (second-level nodes only).
    pub parent_node_id: Option<i64>,
    /// Creator.
    pub create_user: String,
}

impl Category {
    /// A node of `getCategoryList`. First-level nodes have no parent; they answer
    /// `parentNodeId: 0` because the generated client (following the SDK) requires the field.
    pub(crate) fn list_json(&self) -> Value {
        json!({
            "labelName": self.label_name,
            "parentNodeId": self.parent_node_id.unwrap_or(0),
            "nodeId": self.node_id,
            "createUser": self.create_user,
        })
    }
}
