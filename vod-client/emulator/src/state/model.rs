//! The records the emulator keeps.
//!
//! Records are plain data with public fields so tests can read them through
//! [`StateHandle`](super::StateHandle) and adjust them with its `update_*` methods. Their
//! enumerations are the SDK's generated types; how a record travels is the spec's, applied when
//! `handlers::outputs` turns it into an operation's output. Ids and times are the SDK's types
//! too (`VideoId`, `NodeId`, [`Time`]), so a record is the API's value, not a restatement of it.

use vod_client::model::{
    AudioId, Clarity, Encryption, MaterialId, NodeId, ServerType, TranscodeState, VideoId,
    VideoSource, VideoState,
};
use vod_client::Time;

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
    /// Its quality tier.
    pub clarity: Clarity,
    /// The source, or the terminal it was made for.
    pub server_type: ServerType,
    /// Pixel height.
    pub height: i32,
    /// Pixel width.
    pub width: i32,
    /// Size of the file.
    pub file_size: i64,
}

/// A video asset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Video {
    /// Id (32 hex characters).
    pub video_id: VideoId,
    /// Display name.
    pub video_name: String,
    /// Account that created it.
    pub create_user: String,
    /// Whether its outputs are encrypted.
    pub encrypt: Encryption,
    /// Bytes stored.
    pub video_size: u64,
    /// Duration in seconds.
    pub video_duration: u64,
    /// Creation time.
    pub create_time: Time,
    /// Upload time.
    pub upload_time: Time,
    /// Last change.
    pub update_time: Time,
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
    /// Enabled or blocked.
    pub video_state: VideoState,
    /// Its transcoding state.
    pub transcode_state: TranscodeState,
    /// How the video came into the account.
    pub video_source_code: VideoSource,
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
    pub(crate) fn new(video_id: VideoId, name: String, user: String, now: Time, seq: u64) -> Self {
        Video {
            video_id,
            video_name: name,
            create_user: user,
            encrypt: Encryption::Unencrypted,
            video_size: 0,
            video_duration: 0,
            create_time: now.clone(),
            upload_time: now.clone(),
            update_time: now,
            video_description: String::new(),
            categories: Vec::new(),
            image_url: String::new(),
            publish_domain: String::new(),
            player_name: String::new(),
            player_id: String::new(),
            video_state: VideoState::Enabled,
            transcode_state: TranscodeState::UnencryptedOrNotTranscoded,
            video_source_code: VideoSource::Upload,
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
            clarity: Clarity::Original,
            server_type: ServerType::Source,
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
                clarity: Clarity::Sd,
                server_type: ServerType::Pc,
                height: 480,
                width: 854,
                file_size: size / 4,
            },
            Resolution {
                clarity: Clarity::Hd,
                server_type: ServerType::Pc,
                height: 720,
                width: 1280,
                file_size: size / 2,
            },
        ]
    }
}

/// An audio asset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Audio {
    /// Id.
    pub audio_id: AudioId,
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
    /// Creation time.
    pub create_time: Time,
    /// Upload time.
    pub upload_time: Time,
    /// Publishing domain.
    pub publish_domain: String,
    /// When set, deletes that check occupancy are refused.
    pub occupied: bool,
    pub(crate) seq: u64,
}

/// A material (image, subtitle, document).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Material {
    /// Id.
    pub id: MaterialId,
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
    /// Upload time.
    pub create_time: Time,
    /// Publishing domain.
    pub publish_domain: String,
    /// When set, deletes that check occupancy are refused.
    pub occupied: bool,
    pub(crate) seq: u64,
}

/// A category node (two levels: first-level nodes have no parent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Node id.
    pub node_id: NodeId,
    /// Label.
    pub label_name: String,
    /// Parent node (second-level nodes only).
    pub parent_node_id: Option<NodeId>,
    /// Creator.
    pub create_user: String,
}
