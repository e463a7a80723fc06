//! Audio operations. Parameter errors answer code 1004, as the service's audio endpoints do.

use vod_client::model::{
    DeleteAudioRequest, EditAudioRequest, ErrorCode, GetAudioListOutput, GetAudioListRequest,
    GetAudioPublishCodeOutput, GetAudioPublishCodeRequest, ListOrder, OccupancyCheck,
};

use super::outputs::audio_info;
use super::{fuzzy, given, in_window, page_of, paging, time_window, Ctx};
use crate::errors::ApiError;
use crate::state::{Audio, Inner};
use crate::util::is_domain_like;

pub(crate) fn get_audio_list(
    ctx: &Ctx<'_>,
    request: GetAudioListRequest,
) -> Result<GetAudioListOutput, ApiError> {
    let users = request.create_user.as_deref();
    let later = || ctx.error("the start time must not be later than the end time");
    let window = time_window(
        ctx,
        request.start_time.as_ref(),
        request.end_time.as_ref(),
        later,
    )?;
    let name = given(request.audio_name.as_ref());
    let id = request.audio_id.as_ref();
    let oldest_first = request.list_order == Some(ListOrder::OldestFirst);
    let paging = paging(ctx, &request)?;
    let inner = ctx.shared.lock();
    let mut found: Vec<&Audio> = inner
        .audios
        .values()
        .filter(|a| {
            users.is_none_or(|u| u.contains(&a.create_user))
                && in_window(&a.create_time, window)
                && name.is_none_or(|n| fuzzy(&a.audio_name, n))
                && id.is_none_or(|i| *i == a.audio_id)
        })
        .collect();
    found.sort_by_key(|a| (a.create_time.timestamp(), a.seq));
    if !oldest_first {
        found.reverse();
    }
    Ok(GetAudioListOutput::new(
        page_of(&found, paging).iter().map(|a| audio_info(a)),
        i32::try_from(found.len()).unwrap_or(i32::MAX),
    ))
}

/// Checks a publishing-domain edit: 1527 for illegal characters, 1531 for an unknown domain.
pub(crate) fn check_domain(inner: &Inner, domain: &str) -> Result<(), ApiError> {
    if !is_domain_like(domain) {
        return Err(ApiError::spec(
            ErrorCode::DomainIllegal,
            "the publishing domain contains illegal characters",
        ));
    }
    if !inner.domains.contains(domain) {
        return Err(ApiError::spec(
            ErrorCode::DomainNotFound,
            format!("domain {domain} does not exist"),
        ));
    }
    Ok(())
}

/// A new name and domain, not both empty.
pub(crate) fn name_and_domain<'a>(
    ctx: &Ctx<'_>,
    name: Option<&'a String>,
    domain: Option<&'a String>,
) -> Result<(Option<&'a str>, Option<&'a str>), ApiError> {
    let (name, domain) = (given(name), given(domain));
    if name.is_none() && domain.is_none() {
        return Err(ctx.error("the new name and the publishing domain may not both be empty"));
    }
    Ok((name, domain))
}

pub(crate) fn edit_audio(ctx: &Ctx<'_>, request: EditAudioRequest) -> Result<String, ApiError> {
    let id = request.audio_id.as_str();
    let (name, domain) = name_and_domain(
        ctx,
        request.audio_name.as_ref(),
        request.publish_domain.as_ref(),
    )?;
    let mut inner = ctx.shared.lock();
    if let Some(domain) = domain {
        check_domain(&inner, domain)?;
    }
    let audio = inner
        .audios
        .get_mut(id)
        .ok_or_else(|| ctx.error(format!("audio {id} does not exist")))?;
    if let Some(name) = name {
        audio.audio_name = name.to_string();
    }
    if let Some(domain) = domain {
        audio.publish_domain = domain.to_string();
    }
    Ok(String::new())
}

pub(crate) fn delete_audio(ctx: &Ctx<'_>, request: DeleteAudioRequest) -> Result<String, ApiError> {
    let id = request.audio_id.as_str();
    let check = request.validate_occupy != Some(OccupancyCheck::Skip);
    let mut inner = ctx.shared.lock();
    let audio = inner
        .audios
        .get(id)
        .ok_or_else(|| ctx.error(format!("audio {id} does not exist")))?;
    if check && audio.occupied {
        return Err(ApiError::spec(
            ErrorCode::ResourceInUse,
            "the audio is in use and cannot be deleted",
        ));
    }
    inner.audios.remove(id);
    Ok(String::new())
}

pub(crate) fn get_audio_publish_code(
    ctx: &Ctx<'_>,
    request: GetAudioPublishCodeRequest,
) -> Result<GetAudioPublishCodeOutput, ApiError> {
    let id = request.id.as_str();
    let now = ctx.shared.clock.now_unix();
    let inner = ctx.shared.lock();
    let audio = inner
        .audios
        .get(id)
        .ok_or_else(|| ctx.error(format!("audio {id} does not exist")))?;
    let secret = ctx.shared.ids.hex32();
    Ok(GetAudioPublishCodeOutput::new(format!(
        "{}?wsSecret={secret}&wsTime={now:x}",
        audio.url
    )))
}
