//! Audio operations. Parameter errors answer code 1004, as the service's audio endpoints do.

use super::wire::AudioItem;
use super::{comma_list, fuzzy, in_window, page_of, paging, time_window, Ctx, Reply};
use crate::errors::ApiError;
use crate::params::Params;
use crate::state::{Audio, Inner};
use crate::util::is_domain_like;
use vod_client::model::ErrorCode;

pub(crate) fn get_audio_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let users = comma_list(p, "createUser")?;
    let window = time_window(p)?;
    let name = p.text("audioName")?;
    let id = p.text("audioId")?;
    let oldest_first = p.int("listOrder")? == Some(1);
    let paging = paging(p)?;
    let inner = ctx.shared.lock();
    let mut found: Vec<&Audio> = inner
        .audios
        .values()
        .filter(|a| {
            users.as_ref().is_none_or(|u| u.contains(&a.create_user))
                && in_window(a.create_time, window)
                && name.as_ref().is_none_or(|n| fuzzy(&a.audio_name, n))
                && id.as_ref().is_none_or(|i| *i == a.audio_id)
        })
        .collect();
    found.sort_by_key(|a| (a.create_time, a.seq));
    if !oldest_first {
        found.reverse();
    }
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct AudioList<'a> {
        audio_get_list_response_list: Vec<AudioItem<'a>>,
        audio_total: usize,
    }
    Ok(Reply::data(&AudioList {
        audio_get_list_response_list: page_of(&found, paging)
            .iter()
            .map(|a| AudioItem::from(*a))
            .collect(),
        audio_total: found.len(),
    }))
}

/// Checks a `publishDomain` edit: 1527 for illegal characters, 1531 for an unknown domain.
pub(crate) fn check_domain(inner: &Inner, domain: &str) -> Result<(), ApiError> {
    if !is_domain_like(domain) {
        return Err(ApiError::business(
            ErrorCode::DomainIllegal.code(),
            "publishDomain contains illegal characters",
        ));
    }
    if !inner.domains.contains(domain) {
        return Err(ApiError::business(
            ErrorCode::DomainNotFound.code(),
            format!("domain {domain} does not exist"),
        ));
    }
    Ok(())
}

/// A new name (at most 40 characters) and domain, not both empty.
pub(crate) fn name_and_domain(
    p: &Params,
    name_field: &str,
) -> Result<(Option<String>, Option<String>), ApiError> {
    let name = p.text(name_field)?;
    let domain = p.text("publishDomain")?;
    if name.is_none() && domain.is_none() {
        return Err(p.error(format!(
            "{name_field} and publishDomain may not both be empty"
        )));
    }
    Ok((name, domain))
}

pub(crate) fn edit_audio(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.required_text("audioId")?;
    let (name, domain) = name_and_domain(p, "audioName")?;
    let mut inner = ctx.shared.lock();
    if let Some(domain) = &domain {
        check_domain(&inner, domain)?;
    }
    let audio = inner
        .audios
        .get_mut(&id)
        .ok_or_else(|| p.error(format!("audio {id} does not exist")))?;
    if let Some(name) = name {
        audio.audio_name = name;
    }
    if let Some(domain) = domain {
        audio.publish_domain = domain;
    }
    Ok(Reply::data(""))
}

pub(crate) fn delete_audio(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.required_text("audioId")?;
    let check = p.int("validateOccupy")?.unwrap_or(1) == 1;
    let mut inner = ctx.shared.lock();
    let audio = inner
        .audios
        .get(&id)
        .ok_or_else(|| p.error(format!("audio {id} does not exist")))?;
    if check && audio.occupied {
        return Err(ApiError::business(
            ErrorCode::ResourceInUse.code(),
            "the audio is in use and cannot be deleted",
        ));
    }
    inner.audios.remove(&id);
    Ok(Reply::data(""))
}

pub(crate) fn get_audio_publish_code(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.required_text("id")?;
    let now = ctx.shared.clock.now_unix();
    let inner = ctx.shared.lock();
    let audio = inner
        .audios
        .get(&id)
        .ok_or_else(|| p.error(format!("audio {id} does not exist")))?;
    let secret = &ctx.shared.ids.hex32();
    #[derive(serde::Serialize)]
    struct PlayUrl {
        url: String,
    }
    Ok(Reply::data(&PlayUrl {
        url: format!("{}?wsSecret={secret}&wsTime={now:x}", audio.url),
    }))
}
