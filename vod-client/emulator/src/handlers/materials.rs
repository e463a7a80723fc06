//! Material operations (JSON bodies only). Parameter errors answer code 1004.

use vod_client::model::{
    DeleteMaterialRequest, ErrorCode, GetMaterialListOutput, GetMaterialListRequest,
    MaterialEditRequest, OccupancyCheck,
};

use super::audio::{check_domain, name_and_domain};
use super::outputs::material_info;
use super::{fuzzy, given, in_window, page_of, paging, time_window, Ctx};
use crate::errors::ApiError;
use crate::state::Material;

pub(crate) fn get_material_list(
    ctx: &Ctx<'_>,
    request: GetMaterialListRequest,
) -> Result<GetMaterialListOutput, ApiError> {
    let id = request.material_id.as_ref();
    let name = given(request.material_name.as_ref());
    let suffix = given(request.suffix.as_ref());
    let user = given(request.create_user.as_ref());
    let domain = given(request.publish_domain.as_ref());
    let later = || {
        ApiError::spec(
            ErrorCode::StartAfterEnd,
            "the start of the upload-time window is later than its end",
        )
    };
    let window = time_window(
        ctx,
        request.upload_time_start.as_ref(),
        request.upload_time_end.as_ref(),
        later,
    )?;
    let paging = paging(ctx, &request)?;
    let inner = ctx.shared.lock();
    let mut found: Vec<&Material> = inner
        .materials
        .values()
        .filter(|m| {
            id.is_none_or(|i| *i == m.id)
                && name.is_none_or(|n| fuzzy(&m.name, n))
                && suffix.is_none_or(|s| s.eq_ignore_ascii_case(&m.suffix))
                && user.is_none_or(|u| u == m.create_user)
                && domain.is_none_or(|d| d == m.publish_domain)
                && in_window(&m.create_time, window)
        })
        .collect();
    found.sort_by_key(|m| std::cmp::Reverse((m.create_time.timestamp(), m.seq)));
    Ok(GetMaterialListOutput::new(
        i32::try_from(found.len()).unwrap_or(i32::MAX),
        page_of(&found, paging).iter().map(|m| material_info(m)),
    ))
}

pub(crate) fn material_edit(
    ctx: &Ctx<'_>,
    request: MaterialEditRequest,
) -> Result<String, ApiError> {
    let id = request.material_id.as_str();
    let (name, domain) =
        name_and_domain(ctx, request.name.as_ref(), request.publish_domain.as_ref())?;
    let mut inner = ctx.shared.lock();
    if let Some(domain) = domain {
        check_domain(&inner, domain)?;
    }
    let material = inner
        .materials
        .get_mut(id)
        .ok_or_else(|| ctx.error(format!("material {id} does not exist")))?;
    if let Some(name) = name {
        material.name = name.to_string();
    }
    if let Some(domain) = domain {
        material.publish_domain = domain.to_string();
    }
    Ok(String::new())
}

pub(crate) fn delete_material(
    ctx: &Ctx<'_>,
    request: DeleteMaterialRequest,
) -> Result<String, ApiError> {
    let id = request.material_id.as_str();
    let check = request.validate_occupy != Some(OccupancyCheck::Skip);
    let mut inner = ctx.shared.lock();
    let material = inner
        .materials
        .get(id)
        .ok_or_else(|| ctx.error(format!("material {id} does not exist")))?;
    if check && material.occupied {
        return Err(ApiError::spec(
            ErrorCode::ResourceInUse,
            "the material is in use and cannot be deleted",
        ));
    }
    inner.materials.remove(id);
    Ok(String::new())
}
