//! The records as the generated output types of the SDK.
//!
//! Handlers answer typed values; how each member travels (sizes as decimal text, video times
//! as `yyyy-MM-dd HH:mm:ss` in UTC+8, audio times as Unix seconds, enums as their wire
//! values) is the spec's, applied by the route that encodes the output. Nothing here knows a
//! wire name or a wire format.

use serde::de::DeserializeOwned;
use serde::Serialize;
use vod_client::model::{
    AudioInfo, CategoryNode, MaterialInfo, TaskVideoInfo, VideoInfo, VideoResolution,
};

use crate::state::{Audio, Category, Material, Resolution, Video};

/// An item of `getVideoList`.
///
/// Members are assigned in place rather than through the `with_*` chain: each builder call
/// moves the whole output (hundreds of bytes), and a page of videos made that copying a
/// measurable share of the emulator's CPU per call (BENCHMARKS.md).
pub(crate) fn video_info(v: &Video) -> VideoInfo {
    let mut info = VideoInfo::new(
        v.video_name.as_str(),
        v.video_id.clone(),
        v.video_state.clone(),
        v.transcode_state.clone(),
    );
    info.create_user = Some(v.create_user.clone());
    info.create_time = Some(v.create_time.clone());
    info.encrypt = Some(v.encrypt.clone());
    info.video_size = Some(v.video_size);
    info.video_duration = Some(duration(v));
    info.upload_time = Some(v.upload_time.clone());
    info.update_time = Some(v.update_time.clone());
    info.video_description = Some(v.video_description.clone());
    info.video_classification = Some(v.classification());
    info.image_url = Some(v.image_url.clone());
    info.publish_domain = Some(v.publish_domain.clone());
    info.player_name = Some(v.player_name.clone());
    info.player_id = Some(v.player_id.clone());
    info.video_source_code = Some(v.video_source_code.clone());
    info.video_resolutions = Some(resolutions(&v.resolutions));
    info
}

/// The video a clip or concat task made, as its query reports it: the listed video without
/// creator and creation time.
pub(crate) fn task_video_info(v: &Video) -> Option<TaskVideoInfo> {
    reshape(&video_info(v))
}

/// The same record as another generated type whose members are a subset of `item`'s (the
/// query's `videoInfo`, the callbacks' items): read from `item`'s encoding, so that the record
/// is turned into members once, here.
pub(crate) fn reshape<T: DeserializeOwned>(item: &impl Serialize) -> Option<T> {
    serde_json::to_value(item)
        .and_then(serde_json::from_value)
        .ok()
}

/// Whole seconds, as the emulator's videos last.
#[allow(clippy::cast_precision_loss)]
fn duration(v: &Video) -> f64 {
    v.video_duration as f64
}

fn resolutions(list: &[Resolution]) -> Vec<VideoResolution> {
    list.iter()
        .map(|r| {
            VideoResolution::new(r.clarity.clone())
                .with_server_type(r.server_type.clone())
                .with_height(r.height)
                .with_width(r.width)
                .with_file_size(r.file_size)
        })
        .collect()
}

/// An item of `getAudioList`.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn audio_info(a: &Audio) -> AudioInfo {
    AudioInfo::new(a.audio_name.as_str(), a.audio_id.as_str())
        .with_create_user(a.create_user.as_str())
        .with_audio_size(a.audio_size)
        .with_audio_duration(a.audio_duration as f64)
        .with_url(a.url.as_str())
        .with_suffix(a.suffix.as_str())
        .with_create_time(a.create_time.clone())
        .with_upload_time(a.upload_time.clone())
}

/// An item of `getMaterialList`.
pub(crate) fn material_info(m: &Material) -> MaterialInfo {
    MaterialInfo::new(m.id.as_str(), m.name.as_str())
        .with_suffix(m.suffix.as_str())
        .with_file_size(m.file_size)
        .with_url(m.url.as_str())
        .with_create_user(m.create_user.as_str())
        .with_create_time(m.create_time.clone())
}

/// A node of `getCategoryList`. First-level nodes answer parent 0, as the service's SDK
/// expects of them.
pub(crate) fn category_node(c: &Category) -> CategoryNode {
    CategoryNode::new(c.label_name.as_str(), c.node_id)
        .with_parent_node_id(c.parent_node_id.unwrap_or_default())
        .with_create_user(c.create_user.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::CategoryPath;

    /// The encodings come from the spec through the SDK's types; this pins what the records
    /// become on the wire.
    #[test]
    fn a_video_travels_as_the_spec_says() {
        let created = vod_client::Time::from_unix_seconds(1_700_000_000);
        let mut v = Video::new("id1".into(), "n\"ame".into(), "u".into(), created, 1);
        v.video_size = 12;
        v.categories = vec![
            CategoryPath {
                parent_name: "p".into(),
                child_name: "a".into(),
            },
            CategoryPath {
                parent_name: "p".into(),
                child_name: "b".into(),
            },
        ];
        v.resolutions = v.transcoded_resolutions();
        let listed = serde_json::to_value(video_info(&v)).unwrap_or_default();
        assert_eq!(listed["videoName"], "n\"ame");
        assert_eq!(listed["videoSize"], "12");
        assert_eq!(listed["videoDuration"], "0");
        assert_eq!(listed["createTime"], "2023-11-15 06:13:20");
        assert_eq!(listed["videoClassification"], "a,b");
        assert_eq!(listed["videoResolutions"][1]["serverType"], 0);
        assert_eq!(listed["videoResolutions"].as_array().map(Vec::len), Some(3));
        let task = serde_json::to_value(task_video_info(&v)).unwrap_or_default();
        assert_eq!(task["videoName"], "n\"ame");
        assert!(task.get("createUser").is_none() && task.get("createTime").is_none());
        assert_eq!(task["uploadTime"], "2023-11-15 06:13:20");
    }
}
