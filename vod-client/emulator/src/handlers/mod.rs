//! One function per operation, grouped by resource: the behaviour of the generated
//! [`Operations`] trait.
//!
//! A handler takes the operation's typed request, already decoded and checked against the spec
//! ([`decode`]), takes the state lock for as short as it can, and returns the typed output or
//! an [`ApiError`]; the generated route encodes the output ([`serve`]). Transport concerns
//! (body limits, authentication, faults, request ids) live in [`crate::server`], so a handler
//! holds only the service's behaviour: state, filters, paging, tasks and business codes.

pub(crate) mod audio;
pub(crate) mod categories;
pub(crate) mod materials;
pub(crate) mod outputs;
pub(crate) mod processing;
pub(crate) mod pull;
#[cfg(test)]
mod robustness_tests;
pub(crate) mod tokens;
pub(crate) mod videos;

use serde::de::DeserializeOwned;
use serde::Serialize;
use vod_client::jiff::Timestamp;
use vod_client::model::{self, ErrorCode};
use vod_client::operation::{DataKind, Envelope, OperationSpec, Paginated, Request};
use vod_client::Time;

use super::auth::Caller;
use super::errors::{ApiError, ParamStyle};
use super::params::Params;
use super::state::{Inner, Shared};
use super::tasks::TaskKind;
use crate::generated::{Operations, ROUTES};

/// What a handler has to work with besides its typed request.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) caller: &'a Caller<'a>,
    /// The operation being served: its parameter-error convention.
    pub(crate) route: &'static Route,
}

impl Ctx<'_> {
    /// A refusal with the operation's parameter-error code (a business rule the spec cannot
    /// state, such as "this video does not exist").
    pub(crate) fn error(&self, message: impl Into<String>) -> ApiError {
        self.route.style().error(message)
    }
}

/// The `message` of successful answers (spelled out in the bodies below).
#[cfg(test)]
const SUCCESS_MESSAGE: &str = "Operation succeeded";

/// The start of every success envelope with `data`; a test checks it against the envelope
/// serde would write.
const DATA_HEAD: &[u8] = br#"{"code":200,"message":"Operation succeeded","data":"#;

/// A successful answer: the whole JSON body, already written.
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

    /// The answer of `operation` carrying `output`, wrapped as the spec says.
    fn of<O: Serialize>(operation: &OperationSpec, output: &O) -> Reply {
        match (operation.envelope, operation.data) {
            (Envelope::Bare, _) => Reply::bare(output),
            (Envelope::Standard, DataKind::None) => Reply::no_data(),
            (Envelope::Standard, _) => Reply::data(output),
        }
    }
}

/// The typed answer of operation `R` (its generated output type).
pub(crate) type Output<R> = <R as Request>::Output;

/// The behaviour of operation `R`: a method of [`Operations`].
pub(crate) type Behaviour<R> = fn(&Ctx<'_>, R) -> Result<Output<R>, ApiError>;

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
    /// Decodes and checks the parameters ([`decode`]), runs the behaviour and encodes its
    /// output ([`serve`]).
    pub(crate) serve: fn(&Ctx<'_>, &Params) -> Result<Reply, ApiError>,
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

/// Serves operation `R`: the parameters decoded into its typed request and checked
/// ([`decode`]), the behaviour run, its typed output encoded with the envelope and wire
/// encodings of the spec.
pub(crate) fn serve<R>(
    ctx: &Ctx<'_>,
    params: &Params,
    behaviour: Behaviour<R>,
) -> Result<Reply, ApiError>
where
    R: Request + DeserializeOwned,
    R::Output: Serialize,
{
    let request = decode::<R>(ctx.route, params)?;
    let output = behaviour(ctx, request)?;
    Ok(Reply::of(R::OPERATION, &output))
}

/// Every operation answers the spec's example ([`crate::EmulatorBuilder::examples_only`]):
/// the generated defaults, none overridden.
pub(crate) struct SpecExamples;

impl Operations for SpecExamples {}

/// The behaviour the emulator implements: each method overrides the generated default (the
/// spec's example answer) with the hand-written handler of that operation.
pub(crate) struct Emulated;

impl Operations for Emulated {
    fn get_upload_token(
        ctx: &Ctx<'_>,
        request: model::GetUploadTokenRequest,
    ) -> Result<Output<model::GetUploadTokenRequest>, ApiError> {
        tokens::get_upload_token(ctx, request)
    }
    fn get_audio_upload_token(
        ctx: &Ctx<'_>,
        request: model::GetAudioUploadTokenRequest,
    ) -> Result<Output<model::GetAudioUploadTokenRequest>, ApiError> {
        tokens::get_audio_upload_token(ctx, request)
    }
    fn get_material_upload_token(
        ctx: &Ctx<'_>,
        request: model::GetMaterialUploadTokenRequest,
    ) -> Result<Output<model::GetMaterialUploadTokenRequest>, ApiError> {
        tokens::get_material_upload_token(ctx, request)
    }
    fn pull_video(
        ctx: &Ctx<'_>,
        request: model::PullVideoRequest,
    ) -> Result<Output<model::PullVideoRequest>, ApiError> {
        pull::pull_video(ctx, request)
    }
    fn pull_video_query(
        ctx: &Ctx<'_>,
        request: model::PullVideoQueryRequest,
    ) -> Result<Output<model::PullVideoQueryRequest>, ApiError> {
        pull::pull_video_query(ctx, request)
    }
    fn get_video_list(
        ctx: &Ctx<'_>,
        request: model::GetVideoListRequest,
    ) -> Result<Output<model::GetVideoListRequest>, ApiError> {
        videos::get_video_list(ctx, request)
    }
    fn video_edit(
        ctx: &Ctx<'_>,
        request: model::VideoEditRequest,
    ) -> Result<Output<model::VideoEditRequest>, ApiError> {
        videos::video_edit(ctx, request)
    }
    fn video_block(
        ctx: &Ctx<'_>,
        request: model::VideoBlockRequest,
    ) -> Result<Output<model::VideoBlockRequest>, ApiError> {
        videos::video_block(ctx, request)
    }
    fn video_enable(
        ctx: &Ctx<'_>,
        request: model::VideoEnableRequest,
    ) -> Result<Output<model::VideoEnableRequest>, ApiError> {
        videos::video_enable(ctx, request)
    }
    fn delete_video(
        ctx: &Ctx<'_>,
        request: model::DeleteVideoRequest,
    ) -> Result<Output<model::DeleteVideoRequest>, ApiError> {
        videos::delete_video(ctx, request)
    }
    fn get_publish_code(
        ctx: &Ctx<'_>,
        request: model::GetPublishCodeRequest,
    ) -> Result<Output<model::GetPublishCodeRequest>, ApiError> {
        videos::get_publish_code(ctx, request)
    }
    fn get_audio_list(
        ctx: &Ctx<'_>,
        request: model::GetAudioListRequest,
    ) -> Result<Output<model::GetAudioListRequest>, ApiError> {
        audio::get_audio_list(ctx, request)
    }
    fn edit_audio(
        ctx: &Ctx<'_>,
        request: model::EditAudioRequest,
    ) -> Result<Output<model::EditAudioRequest>, ApiError> {
        audio::edit_audio(ctx, request)
    }
    fn delete_audio(
        ctx: &Ctx<'_>,
        request: model::DeleteAudioRequest,
    ) -> Result<Output<model::DeleteAudioRequest>, ApiError> {
        audio::delete_audio(ctx, request)
    }
    fn get_audio_publish_code(
        ctx: &Ctx<'_>,
        request: model::GetAudioPublishCodeRequest,
    ) -> Result<Output<model::GetAudioPublishCodeRequest>, ApiError> {
        audio::get_audio_publish_code(ctx, request)
    }
    fn get_material_list(
        ctx: &Ctx<'_>,
        request: model::GetMaterialListRequest,
    ) -> Result<Output<model::GetMaterialListRequest>, ApiError> {
        materials::get_material_list(ctx, request)
    }
    fn material_edit(
        ctx: &Ctx<'_>,
        request: model::MaterialEditRequest,
    ) -> Result<Output<model::MaterialEditRequest>, ApiError> {
        materials::material_edit(ctx, request)
    }
    fn delete_material(
        ctx: &Ctx<'_>,
        request: model::DeleteMaterialRequest,
    ) -> Result<Output<model::DeleteMaterialRequest>, ApiError> {
        materials::delete_material(ctx, request)
    }
    fn get_category_list(
        ctx: &Ctx<'_>,
        request: model::GetCategoryListRequest,
    ) -> Result<Output<model::GetCategoryListRequest>, ApiError> {
        categories::get_category_list(ctx, request)
    }
    fn create_category(
        ctx: &Ctx<'_>,
        request: model::CreateCategoryRequest,
    ) -> Result<Output<model::CreateCategoryRequest>, ApiError> {
        categories::create_category(ctx, request)
    }
    fn delete_category(
        ctx: &Ctx<'_>,
        request: model::DeleteCategoryRequest,
    ) -> Result<Output<model::DeleteCategoryRequest>, ApiError> {
        categories::delete_category(ctx, request)
    }
    fn delete_video_by_category(
        ctx: &Ctx<'_>,
        request: model::DeleteVideoByCategoryRequest,
    ) -> Result<Output<model::DeleteVideoByCategoryRequest>, ApiError> {
        categories::delete_video_by_category(ctx, request)
    }
    fn video_clip(
        ctx: &Ctx<'_>,
        request: model::VideoClipRequest,
    ) -> Result<Output<model::VideoClipRequest>, ApiError> {
        processing::video_clip(ctx, request)
    }
    fn video_clip_query(
        ctx: &Ctx<'_>,
        request: model::VideoClipQueryRequest,
    ) -> Result<Output<model::VideoClipQueryRequest>, ApiError> {
        processing::video_clip_query(ctx, request)
    }
    fn video_concat(
        ctx: &Ctx<'_>,
        request: model::VideoConcatRequest,
    ) -> Result<Output<model::VideoConcatRequest>, ApiError> {
        processing::video_concat(ctx, request)
    }
    fn video_concat_query(
        ctx: &Ctx<'_>,
        request: model::VideoConcatQueryRequest,
    ) -> Result<Output<model::VideoConcatQueryRequest>, ApiError> {
        processing::video_concat_query(ctx, request)
    }
    fn trans_code(
        ctx: &Ctx<'_>,
        request: model::TransCodeRequest,
    ) -> Result<Output<model::TransCodeRequest>, ApiError> {
        processing::trans_code(ctx, request)
    }
    fn create_clear_ad_task(
        ctx: &Ctx<'_>,
        request: model::CreateClearAdTaskRequest,
    ) -> Result<Output<model::CreateClearAdTaskRequest>, ApiError> {
        processing::create_clear_ad_task(ctx, request)
    }
    fn clear_ad_task_query(
        ctx: &Ctx<'_>,
        request: model::ClearAdTaskQueryRequest,
    ) -> Result<Output<model::ClearAdTaskQueryRequest>, ApiError> {
        processing::clear_ad_task_query(ctx, request)
    }
    fn start_workflow(
        ctx: &Ctx<'_>,
        request: model::StartWorkflowRequest,
    ) -> Result<Output<model::StartWorkflowRequest>, ApiError> {
        processing::start_workflow(ctx, request)
    }
}

/// The operation served at `path`.
pub(crate) fn find(path: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|route| route.path == path)
}

/// The request of operation `R`, checked as the spec states and the client checks before
/// sending: the parameters must decode into `R` (required fields, types, wire forms, enum
/// values) and pass `R::validate` (lengths, ranges, list sizes, formats). A failure is
/// answered with the code the spec gives the failing field, else the operation's parameter
/// error.
pub(crate) fn decode<R>(route: &Route, params: &Params) -> Result<R, ApiError>
where
    R: Request + DeserializeOwned,
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
        Ok(()) => Ok(request),
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

/// The `data` member of a whole answer body (`null` when it has none), or the body itself
/// when it has no envelope.
fn data_of(example: &str) -> serde_json::Value {
    let body: serde_json::Value = serde_json::from_str(example).unwrap_or_default();
    match body.get(vod_client::model::ENVELOPE_CODE) {
        Some(_) => body
            .get(vod_client::model::ENVELOPE_DATA)
            .cloned()
            .unwrap_or_default(),
        None => body,
    }
}

/// Fails unless `example` (a whole answer body) reads as the output type `O` of `operation`,
/// as the SDK reads answers: the data member of the envelope, or the bare body.
#[cfg(test)]
pub(crate) fn example_decodes<O: DeserializeOwned>(operation: &str, example: &str) {
    if let Err(e) = serde_json::from_value::<O>(data_of(example)) {
        panic!("{operation}: the spec's example does not decode: {e}\n{example}");
    }
}

/// The answer of an operation nobody wrote behaviour for: the spec's example (documented
/// defaults, empty lists, zero counts) as the typed output, after the generated checks
/// passed. Logged, so that a test author sees which answers are not emulated.
pub(crate) fn from_spec<O: DeserializeOwned>(
    ctx: &Ctx<'_>,
    operation: &str,
    example: &'static str,
) -> Result<O, ApiError> {
    tracing::info!(target: "vod_emulator", operation, "no behaviour written: answered the spec's example");
    // A generated test reads every example as its output type, so this does not fail.
    serde_json::from_value(data_of(example)).map_err(|e| {
        ApiError::spec(
            ErrorCode::OperationFailed,
            format!(
                "{}: the spec's example answer does not decode: {e}",
                ctx.route.name
            ),
        )
    })
}

/// The page a list request asks for, as (offset, size): its index (from 1) and size (the
/// spec's default when unset), with the service's rule that index × size may not exceed
/// 100000.
pub(crate) fn paging<R: Paginated>(ctx: &Ctx<'_>, request: &R) -> Result<(usize, usize), ApiError> {
    let index = request.page_index().unwrap_or(1);
    if index < 1 {
        return Err(ctx.error(format!("the page index must be at least 1, got {index}")));
    }
    let size = request.page_size().unwrap_or(R::DEFAULT_PAGE_SIZE);
    if index.saturating_mul(size) > 100_000 {
        return Err(ctx.error("page index × page size must not exceed 100000"));
    }
    let offset =
        usize::try_from(index.saturating_sub(1).saturating_mul(size)).unwrap_or(usize::MAX);
    Ok((offset, usize::try_from(size).unwrap_or(usize::MAX)))
}

/// One page of `items`, by reference.
pub(crate) fn page_of<T>(items: &[T], (offset, size): (usize, usize)) -> &[T] {
    let start = offset.min(items.len());
    let end = start.saturating_add(size).min(items.len());
    items.get(start..end).unwrap_or_default()
}

/// Starts a task of the caller in the locked state, with the emulator's current timing.
pub(crate) fn start_task(
    ctx: &Ctx<'_>,
    inner: &mut Inner,
    id: String,
    trans_no: Option<String>,
    kind: TaskKind,
) -> String {
    let user = ctx.caller.user.to_string();
    let (run_for, now) = (
        ctx.shared.task_duration(),
        ctx.shared.clock.now_millis_time(),
    );
    inner.start_task(id, trans_no, kind, run_for, user, now)
}

/// A creation-time window: either end may be open.
pub(crate) type Window = (Option<Timestamp>, Option<Timestamp>);

/// A time filter as an instant. The request decoded, so the text had the service's shape; a
/// time that still names no instant is refused.
fn instant(ctx: &Ctx<'_>, time: Option<&Time>) -> Result<Option<Timestamp>, ApiError> {
    time.map(|t| {
        t.timestamp()
            .ok_or_else(|| ctx.error(format!("{t:?} is not a time")))
    })
    .transpose()
}

/// A creation-time window, start not after end (refused with `later`).
pub(crate) fn time_window(
    ctx: &Ctx<'_>,
    start: Option<&Time>,
    end: Option<&Time>,
    later: impl FnOnce() -> ApiError,
) -> Result<Window, ApiError> {
    let (start, end) = (instant(ctx, start)?, instant(ctx, end)?);
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(later());
        }
    }
    Ok((start, end))
}

/// Optional text as the service reads it: blank is the same as absent ("fields left out or
/// empty are left unchanged").
pub(crate) fn given(text: Option<&String>) -> Option<&str> {
    text.map(|t| t.trim()).filter(|t| !t.is_empty())
}

/// True when `value` falls in the window; a time that names no instant (only a test can
/// store one) falls in no bounded window.
pub(crate) fn in_window(value: &Time, (start, end): Window) -> bool {
    if start.is_none() && end.is_none() {
        return true;
    }
    value
        .timestamp()
        .is_some_and(|v| start.is_none_or(|s| v >= s) && end.is_none_or(|e| v <= e))
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
    fn windows_compare_instants_and_leave_out_unreadable_times() {
        let at = |secs| Time::from_unix_seconds(secs).timestamp();
        let video_time = Time::from_unix_seconds(100);
        assert!(in_window(&video_time, (None, None)));
        assert!(
            in_window(&video_time, (at(100), at(100))),
            "both ends are inclusive"
        );
        assert!(!in_window(&video_time, (at(101), None)));
        assert!(!in_window(&video_time, (None, at(99))));
        let unreadable = Time::Unparsed("soon".into());
        assert!(in_window(&unreadable, (None, None)));
        assert!(!in_window(&unreadable, (at(0), None)));
        assert!(!in_window(&unreadable, (None, at(i64::from(i32::MAX)))));
    }

    #[test]
    fn pages_never_index_out_of_range() {
        let items = [1, 2, 3];
        assert_eq!(page_of(&items, (1, 10)), &[2, 3]);
        assert_eq!(page_of(&items, (usize::MAX, usize::MAX)), &[] as &[i32]);
        assert_eq!(page_of(&items, (0, usize::MAX)), &[1, 2, 3]);
    }
}
