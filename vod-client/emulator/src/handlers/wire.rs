//! The answers' `data` members as typed, borrowing `Serialize` structs.
//!
//! Handlers used to build `serde_json::Value` trees and serialize them, which cost most of
//! the emulator's CPU per request (a map node and an owned string per field, then a second
//! walk to write them). These structs borrow from the records under the state lock and are
//! written straight into the answer: numbers sent as text and times are formatted into the
//! output without intermediate strings. Field names and formats follow
//! the spec (`api-spec/`), as the `list_json` renderings they replace did.

use std::fmt;

use serde::ser::{SerializeMap as _, Serializer};
use serde::Serialize;

use crate::state::{Audio, Category, Material, Resolution, Video};
use crate::util::CstTime;

/// A value sent as its decimal text (`"videoSize": "1048576"`).
pub(crate) struct Text<T>(pub(crate) T);

impl<T: fmt::Display> Serialize for Text<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl Serialize for CstTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `videoClassification`: sub-category names, comma separated.
struct Classification<'a>(&'a Video);

impl fmt::Display for Classification<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, category) in self.0.categories.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(&category.child_name)?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResolutionItem {
    clarity: i64,
    server_type: i64,
    height: i64,
    width: i64,
    file_size: i64,
}

struct Resolutions<'a>(&'a [Resolution]);

impl Serialize for Resolutions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|r| ResolutionItem {
            clarity: r.clarity,
            server_type: r.server_type,
            height: r.height,
            width: r.width,
            file_size: r.file_size,
        }))
    }
}

/// A video: an item of `getVideoList` (with creator and creation time) or the `videoInfo`
/// of clip and concat queries (without).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VideoInfo<'a> {
    video_name: &'a str,
    video_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    create_user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    create_time: Option<CstTime>,
    encrypt: i64,
    video_size: Text<u64>,
    video_duration: Text<u64>,
    upload_time: CstTime,
    update_time: CstTime,
    video_description: &'a str,
    video_classification: Text<Classification<'a>>,
    image_url: &'a str,
    publish_domain: &'a str,
    player_name: &'a str,
    player_id: &'a str,
    video_state: i64,
    transcode_state: i64,
    video_source_code: i64,
    video_resolutions: Resolutions<'a>,
}

impl<'a> VideoInfo<'a> {
    /// An item of `getVideoList`.
    pub(crate) fn listed(v: &'a Video) -> Self {
        VideoInfo {
            create_user: Some(&v.create_user),
            create_time: Some(CstTime(v.create_time)),
            ..Self::of_task(v)
        }
    }

    /// The `videoInfo` of clip and concat queries.
    pub(crate) fn of_task(v: &'a Video) -> Self {
        VideoInfo {
            video_name: &v.video_name,
            video_id: &v.video_id,
            create_user: None,
            create_time: None,
            encrypt: v.encrypt,
            video_size: Text(v.video_size),
            video_duration: Text(v.video_duration),
            upload_time: CstTime(v.upload_time),
            update_time: CstTime(v.update_time),
            video_description: &v.video_description,
            video_classification: Text(Classification(v)),
            image_url: &v.image_url,
            publish_domain: &v.publish_domain,
            player_name: &v.player_name,
            player_id: &v.player_id,
            video_state: v.video_state,
            transcode_state: v.transcode_state.wire_value(),
            video_source_code: v.video_source_code.wire_value(),
            video_resolutions: Resolutions(&v.resolutions),
        }
    }
}

/// The `data` of `getVideoList`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VideoList<'a> {
    pub(crate) video_total: usize,
    pub(crate) video_list_info: Vec<VideoInfo<'a>>,
}

/// An item of `getAudioList` (times as Unix seconds).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AudioItem<'a> {
    audio_name: &'a str,
    audio_id: &'a str,
    create_user: &'a str,
    audio_size: u64,
    audio_duration: u64,
    url: &'a str,
    suffix: &'a str,
    create_time: i64,
    upload_time: i64,
}

impl<'a> From<&'a Audio> for AudioItem<'a> {
    fn from(a: &'a Audio) -> Self {
        AudioItem {
            audio_name: &a.audio_name,
            audio_id: &a.audio_id,
            create_user: &a.create_user,
            audio_size: a.audio_size,
            audio_duration: a.audio_duration,
            url: &a.url,
            suffix: &a.suffix,
            create_time: a.create_time,
            upload_time: a.upload_time,
        }
    }
}

/// An item of `getMaterialList` (time as Unix seconds).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MaterialItem<'a> {
    id: &'a str,
    name: &'a str,
    suffix: &'a str,
    file_size: u64,
    url: &'a str,
    create_user: &'a str,
    create_time: i64,
}

impl<'a> From<&'a Material> for MaterialItem<'a> {
    fn from(m: &'a Material) -> Self {
        MaterialItem {
            id: &m.id,
            name: &m.name,
            suffix: &m.suffix,
            file_size: m.file_size,
            url: &m.url,
            create_user: &m.create_user,
            create_time: m.create_time,
        }
    }
}

/// A node of `getCategoryList`. First-level nodes have no parent; they answer
/// `parentNodeId: 0` because the generated client (following the SDK) requires the field.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CategoryItem<'a> {
    label_name: &'a str,
    parent_node_id: i64,
    node_id: i64,
    create_user: &'a str,
}

impl<'a> From<&'a Category> for CategoryItem<'a> {
    fn from(c: &'a Category) -> Self {
        CategoryItem {
            label_name: &c.label_name,
            parent_node_id: c.parent_node_id.unwrap_or(0),
            node_id: c.node_id,
            create_user: &c.create_user,
        }
    }
}

/// One file of the batch token answers, with its id under the member the operation names
/// (`audioId`, `materialId`).
pub(crate) struct BatchItem<'a> {
    pub(crate) name: &'a str,
    pub(crate) suffix: &'a str,
    pub(crate) id_member: &'static str,
    pub(crate) id: &'a str,
    pub(crate) upload_token: String,
    pub(crate) file_full_url: &'a str,
}

impl Serialize for BatchItem<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("name", self.name)?;
        map.serialize_entry("suffix", self.suffix)?;
        map.serialize_entry(self.id_member, self.id)?;
        map.serialize_entry("uploadToken", &self.upload_token)?;
        map.serialize_entry("fileFullUrl", self.file_full_url)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::CategoryPath;

    #[test]
    fn video_fields_as_the_facts_say() {
        let mut v = Video::new("id1".into(), "n\"ame".into(), "u".into(), 1_700_000_000, 1);
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
        let listed = serde_json::to_value(VideoInfo::listed(&v)).unwrap_or_default();
        assert_eq!(listed["videoName"], "n\"ame");
        assert_eq!(listed["videoSize"], "12");
        assert_eq!(listed["videoDuration"], "0");
        assert_eq!(listed["createTime"], "2023-11-15 06:13:20");
        assert_eq!(listed["videoClassification"], "a,b");
        assert_eq!(listed["videoResolutions"][1]["serverType"], 0);
        assert_eq!(listed["videoResolutions"].as_array().map(Vec::len), Some(3));
        let task = serde_json::to_value(VideoInfo::of_task(&v)).unwrap_or_default();
        assert!(task.get("createUser").is_none() && task.get("createTime").is_none());
        assert_eq!(task["uploadTime"], "2023-11-15 06:13:20");
    }
}
