//! One function per operation, grouped by resource, and the table that routes paths to them.
//!
//! Handlers are synchronous and pure over the state: they read [`Params`], take the state lock
//! for as short as they can, and return a [`Reply`] or an [`ApiError`]. Transport concerns
//! (body limits, authentication, faults, envelopes, request ids) live in
//! [`crate::server`], so a handler reads like the operation's documentation.

pub(crate) mod audio;
pub(crate) mod categories;
pub(crate) mod materials;
pub(crate) mod processing;
pub(crate) mod pull;
#[cfg(test)]
mod robustness_tests;
pub(crate) mod tokens;
pub(crate) mod videos;
pub(crate) mod wire;

use serde::Serialize;

use super::auth::Caller;
use super::errors::{ApiError, ParamStyle};
use super::params::Params;
use super::state::Shared;
use super::util::parse_time;
use crate::generated::{Operations, ROUTES};
use vod_client::model::ErrorCode;

/// What a handler has to work with.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) caller: &'a Caller<'a>,
    pub(crate) params: &'a Params,
}

/// The `message` of successful answers (spelled out in the bodies below).
#[cfg(test)]
const SUCCESS_MESSAGE: &str = "Operation succeeded";

/// The start of every success envelope with `data`; a test checks it against the envelope
/// serde would write.
const DATA_HEAD: &[u8] = br#"{"code":200,"message":"Operation succeeded","data":"#;

/// A successful answer: the whole JSON body, already written. Handlers serialize while they
/// still hold the state lock, so answers can borrow from the records instead of copying them.
#[derive(Debug)]
pub(crate) struct Reply(pub(crate) Vec<u8>);

impl Reply {
    /// `{"code":200,"message":..,"data":<data>}`.
    pub(crate) fn data<T: Serialize + ?Sized>(data: &T) -> Reply {
        let mut body = Vec::with_capacity(512);
        body.extend_from_slice(DATA_HEAD);
        if serde_json::to_writer(&mut body, data).is_err() {
            // Cannot happen for the answer types (no maps with non-text keys); stay valid JSON.
            body.truncate(DATA_HEAD.len());
            body.extend_from_slice(b"null");
        }
        body.push(b'}');
        Reply(body)
    }

    /// `{"code":200,"message":..}` (no `data`).
    pub(crate) fn no_data() -> Reply {
        Reply(br#"{"code":200,"message":"Operation succeeded"}"#.to_vec())
    }

    /// The value itself, without envelope (startWorkflow).
    pub(crate) fn bare<T: Serialize + ?Sized>(value: &T) -> Reply {
        Reply(serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec()))
    }
}

pub(crate) type Handler = fn(&Ctx<'_>) -> Result<Reply, ApiError>;

/// One operation as the emulator serves it; the table of them ([`ROUTES`]) is generated from
/// the spec (`crate::generated`), so paths, body kinds and error codes are never restated here.
pub(crate) struct Route {
    /// The operation's wire name, e.g. `getVideoList`.
    pub(crate) name: &'static str,
    /// Its path.
    pub(crate) path: &'static str,
    /// Also takes a form body or a query string (`form_body` in the spec); otherwise only a
    /// POST with a JSON body.
    pub(crate) form: bool,
    /// The code of a request that fails the spec's checks.
    pub(crate) parameter_error: ErrorCode,
    /// Request fields whose failure the service answers with a code of their own.
    pub(crate) field_errors: &'static [FieldErrors],
    /// Decodes the parameters into the operation's typed request and runs the checks the
    /// client runs before sending ([`check`]).
    pub(crate) check: fn(&Route, &Params) -> Result<(), ApiError>,
    /// The behaviour.
    pub(crate) handler: Handler,
}

/// The codes the spec gives one request field's failures (`error_code`, `item_error_code`).
pub(crate) struct FieldErrors {
    /// Wire name.
    pub(crate) field: &'static str,
    /// The field is missing, empty or out of its limits.
    pub(crate) whole: Option<ErrorCode>,
    /// An item of the list fails its checks.
    pub(crate) item: Option<ErrorCode>,
    /// Particular rules with a code of their own (`too_large`, ...).
    pub(crate) rules: &'static [(vod_client::Violation, ErrorCode)],
}

impl Route {
    /// The parameter-error convention of this operation.
    pub(crate) fn style(&self) -> ParamStyle {
        ParamStyle(self.parameter_error)
    }
}

/// The behaviour the emulator implements: each method overrides the generated default (the
/// spec's example answer) with the hand-written handler of that operation.
pub(crate) struct Emulated;

impl Operations for Emulated {
    fn get_upload_token(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        tokens::get_upload_token(ctx)
    }
    fn get_audio_upload_token(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        tokens::get_audio_upload_token(ctx)
    }
    fn get_material_upload_token(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        tokens::get_material_upload_token(ctx)
    }
    fn pull_video(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        pull::pull_video(ctx)
    }
    fn pull_video_query(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        pull::pull_video_query(ctx)
    }
    fn get_video_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        videos::get_video_list(ctx)
    }
    fn video_edit(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        videos::video_edit(ctx)
    }
    fn video_block(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        videos::video_block(ctx)
    }
    fn video_enable(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        videos::video_enable(ctx)
    }
    fn delete_video(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        videos::delete_video(ctx)
    }
    fn get_publish_code(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        videos::get_publish_code(ctx)
    }
    fn get_audio_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        audio::get_audio_list(ctx)
    }
    fn edit_audio(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        audio::edit_audio(ctx)
    }
    fn delete_audio(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        audio::delete_audio(ctx)
    }
    fn get_audio_publish_code(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        audio::get_audio_publish_code(ctx)
    }
    fn get_material_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        materials::get_material_list(ctx)
    }
    fn material_edit(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        materials::material_edit(ctx)
    }
    fn delete_material(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        materials::delete_material(ctx)
    }
    fn get_category_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        categories::get_category_list(ctx)
    }
    fn create_category(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        categories::create_category(ctx)
    }
    fn delete_category(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        categories::delete_category(ctx)
    }
    fn delete_video_by_category(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        categories::delete_video_by_category(ctx)
    }
    fn video_clip(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        processing::video_clip(ctx)
    }
    fn video_clip_query(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        processing::video_clip_query(ctx)
    }
    fn video_concat(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        processing::video_concat(ctx)
    }
    fn video_concat_query(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        processing::video_concat_query(ctx)
    }
    fn trans_code(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        processing::trans_code(ctx)
    }
    fn create_clear_ad_task(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        processing::create_clear_ad_task(ctx)
    }
    fn clear_ad_task_query(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        processing::clear_ad_task_query(ctx)
    }
    fn start_workflow(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
        processing::start_workflow(ctx)
    }
}

/// The operation served at `path`.
pub(crate) fn find(path: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|route| route.path == path)
}

/// The request checks of operation `R`, as the spec states them and the client runs them
/// before sending: the parameters must decode into `R` (required fields, types, wire forms,
/// enum values) and pass `R::validate` (lengths, ranges, list sizes, formats). A failure is
/// answered with the code the spec gives the failing field, else the operation's parameter
/// error.
pub(crate) fn check<R>(route: &Route, params: &Params) -> Result<(), ApiError>
where
    R: vod_client::operation::Request + serde::de::DeserializeOwned,
{
    let request: R = match serde_path_to_error::deserialize(params.as_value()) {
        Ok(request) => request,
        Err(e) => {
            let message = e.inner().to_string();
            let path = match e.path().to_string() {
                root if root == "." => missing_field(&message).unwrap_or_default(),
                path => path,
            };
            let rule = if path.is_empty() || message.starts_with("missing field") {
                vod_client::Violation::Missing
            } else {
                vod_client::Violation::Shape
            };
            return Err(field_error(route, &path, rule, message));
        }
    };
    match request.validate() {
        Ok(()) => Ok(()),
        Err(vod_client::Error::InvalidRequest { problems, .. }) => {
            let (field, rule) = problems
                .first()
                .map_or(("", vod_client::Violation::Other), |p| {
                    (p.field.as_str(), p.violation)
                });
            let message = problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message))
                .collect::<Vec<_>>()
                .join("; ");
            Err(field_error(route, field, rule, message))
        }
        Err(other) => Err(route.style().error(other.to_string())),
    }
}

/// `missing field `videoId`` → `videoId`: serde names a missing field only in its message.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_string)
}

/// The error for a failure at `path` (`videoIds`, `videoIds[2]`, `cmd.x`): the code the spec
/// gives that field (or its items), else the operation's parameter error.
fn field_error(
    route: &Route,
    path: &str,
    rule: vod_client::Violation,
    message: String,
) -> ApiError {
    let field = path.split(['.', '[']).next().unwrap_or("");
    let in_item = path[field.len()..].starts_with('[');
    let own = route
        .field_errors
        .iter()
        .find(|f| f.field == field)
        .and_then(|f| {
            let by_rule = f
                .rules
                .iter()
                .find(|(r, _)| *r == rule)
                .map(|(_, code)| *code);
            let item = if in_item { f.item } else { None };
            item.or(by_rule).or(f.whole)
        });
    own.map_or(route.style(), ParamStyle).error(message)
}

/// Fails unless `example` (a whole answer body) reads as the output type `O` of `operation`,
/// as the SDK reads answers: the data member of the envelope, or the bare body.
#[cfg(test)]
pub(crate) fn example_decodes<O: serde::de::DeserializeOwned>(operation: &str, example: &str) {
    let body: serde_json::Value = serde_json::from_str(example).unwrap_or_default();
    let data = match body.get(vod_client::model::ENVELOPE_CODE) {
        Some(_) => body.get(vod_client::model::ENVELOPE_DATA).cloned(),
        None => Some(body),
    };
    if let Some(data) = data {
        if let Err(e) = serde_json::from_value::<O>(data) {
            panic!("{operation}: the spec's example does not decode: {e}\n{example}");
        }
    }
}

/// The answer of an operation nobody wrote behaviour for: the spec's example (documented
/// defaults, empty lists, zero counts), after the generated checks passed. Logged, so that a
/// test author sees which answers are not emulated.
pub(crate) fn from_spec(
    ctx: &Ctx<'_>,
    operation: &str,
    example: &'static str,
) -> Result<Reply, ApiError> {
    let _ = ctx;
    tracing::info!(target: "vod_emulator", operation, "no behaviour written: answered the spec's example");
    Ok(Reply(example.as_bytes().to_vec()))
}

/// `pageIndex` (from 1, default 1) and `pageSize` (default 10), with the service's
/// rule that `pageIndex * pageSize` may not exceed 100000. Returns (offset, size).
pub(crate) fn paging(p: &Params) -> Result<(usize, usize), ApiError> {
    let index = p.int("pageIndex")?.unwrap_or(1);
    if index < 1 {
        return Err(p.error(format!(
            "parameter pageIndex must be at least 1, got {index}"
        )));
    }
    // The size's range is the spec's, checked before this runs.
    let size = p.int("pageSize")?.unwrap_or(10);
    if index.saturating_mul(size) > 100_000 {
        return Err(p.error("pageIndex * pageSize must not exceed 100000"));
    }
    let offset =
        usize::try_from(index.saturating_sub(1).saturating_mul(size)).unwrap_or(usize::MAX);
    Ok((offset, usize::try_from(size).unwrap_or(10)))
}

/// One page of `items`, by reference.
pub(crate) fn page_of<T>(items: &[T], (offset, size): (usize, usize)) -> &[T] {
    let start = offset.min(items.len());
    let end = start.saturating_add(size).min(items.len());
    items.get(start..end).unwrap_or_default()
}

/// A `yyyy-MM-dd HH:mm:ss` parameter as Unix seconds.
pub(crate) fn time_param(p: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    match p.text(name)? {
        None => Ok(None),
        Some(text) => parse_time(&text).map(Some).ok_or_else(|| {
            p.error(format!(
                "parameter {name} must be formatted yyyy-MM-dd HH:mm:ss, got {text:?}"
            ))
        }),
    }
}

/// A creation-time window: `startTime` and `endTime`, start not after end.
pub(crate) fn time_window(p: &Params) -> Result<(Option<i64>, Option<i64>), ApiError> {
    let start = time_param(p, "startTime")?;
    let end = time_param(p, "endTime")?;
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(p.error("startTime must not be later than endTime"));
        }
    }
    Ok((start, end))
}

/// A comma-separated list without empty items (`createUser`, `videoClassification`).
pub(crate) fn comma_list(p: &Params, name: &str) -> Result<Option<Vec<String>>, ApiError> {
    let Some(text) = p.text(name)? else {
        return Ok(None);
    };
    let items: Vec<String> = text.split(',').map(|s| s.trim().to_string()).collect();
    if items.iter().any(String::is_empty) {
        return Err(p.error(format!(
            "parameter {name} must not have empty items or stray commas"
        )));
    }
    Ok(Some(items))
}

/// True when `value` falls in the optional window.
pub(crate) fn in_window(value: i64, (start, end): (Option<i64>, Option<i64>)) -> bool {
    start.is_none_or(|s| value >= s) && end.is_none_or(|e| value <= e)
}

/// Case-insensitive substring match (the service's "fuzzy" name filters).
pub(crate) fn fuzzy(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// A category label: letters, digits, CJK, underscore and space, not starting with a space.
pub(crate) fn is_label_like(label: &str) -> bool {
    !label.starts_with(' ')
        && !label.is_empty()
        && label
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_the_documented_json() {
        let data: serde_json::Value =
            serde_json::from_slice(&Reply::data(&[1, 2]).0).unwrap_or_default();
        assert_eq!(
            data,
            serde_json::json!({ "code": vod_client::SUCCESS_CODE, "message": SUCCESS_MESSAGE, "data": [1, 2] })
        );
        let none: serde_json::Value =
            serde_json::from_slice(&Reply::no_data().0).unwrap_or_default();
        assert_eq!(
            none,
            serde_json::json!({ "code": vod_client::SUCCESS_CODE, "message": SUCCESS_MESSAGE })
        );
    }

    #[test]
    fn pages_never_index_out_of_range() {
        let items = [1, 2, 3];
        assert_eq!(page_of(&items, (1, 10)), &[2, 3]);
        assert_eq!(page_of(&items, (usize::MAX, usize::MAX)), &[] as &[i32]);
        assert_eq!(page_of(&items, (0, usize::MAX)), &[1, 2, 3]);
    }
}
