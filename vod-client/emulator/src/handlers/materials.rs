//! Material operations (JSON bodies only). Parameter errors answer code 1004.

use super::audio::{check_domain, name_and_domain};
use super::wire::MaterialItem;
use super::{fuzzy, page_of, paging, Ctx, Reply};
use crate::errors::ApiError;
use crate::state::Material;
use vod_client::model::ErrorCode;

pub(crate) fn get_material_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.text("materialId")?;
    let name = p.text("materialName")?;
    let suffix = p.text("suffix")?;
    let user = p.text("createUser")?;
    let domain = p.text("publishDomain")?;
    let start = p.int("uploadTimeStart")?;
    let end = p.int("uploadTimeEnd")?;
    if let (Some(s), Some(e)) = (start, end) {
        if s > e {
            return Err(ApiError::business(
                ErrorCode::StartAfterEnd.code(),
                "uploadTimeStart is later than uploadTimeEnd",
            ));
        }
    }
    let paging = paging(p)?;
    let inner = ctx.shared.lock();
    let mut found: Vec<&Material> = inner
        .materials
        .values()
        .filter(|m| {
            id.as_ref().is_none_or(|i| *i == m.id)
                && name.as_ref().is_none_or(|n| fuzzy(&m.name, n))
                && suffix
                    .as_ref()
                    .is_none_or(|s| s.eq_ignore_ascii_case(&m.suffix))
                && user.as_ref().is_none_or(|u| *u == m.create_user)
                && domain.as_ref().is_none_or(|d| *d == m.publish_domain)
                && start.is_none_or(|s| m.create_time >= s)
                && end.is_none_or(|e| m.create_time <= e)
        })
        .collect();
    found.sort_by_key(|m| std::cmp::Reverse((m.create_time, m.seq)));
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct MaterialList<'a> {
        total: usize,
        material_list: Vec<MaterialItem<'a>>,
    }
    Ok(Reply::data(&MaterialList {
        total: found.len(),
        material_list: page_of(&found, paging)
            .iter()
            .map(|m| MaterialItem::from(*m))
            .collect(),
    }))
}

pub(crate) fn material_edit(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.required_text("id")?;
    let (name, domain) = name_and_domain(p, "name")?;
    let mut inner = ctx.shared.lock();
    if let Some(domain) = &domain {
        check_domain(&inner, domain)?;
    }
    let material = inner
        .materials
        .get_mut(&id)
        .ok_or_else(|| p.error(format!("material {id} does not exist")))?;
    if let Some(name) = name {
        material.name = name;
    }
    if let Some(domain) = domain {
        material.publish_domain = domain;
    }
    Ok(Reply::data(""))
}

pub(crate) fn delete_material(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.required_text("id")?;
    let check = p.text_enum("validateOccupy", &["0", "1"])?.as_deref() != Some("0");
    let mut inner = ctx.shared.lock();
    let material = inner
        .materials
        .get(&id)
        .ok_or_else(|| p.error(format!("material {id} does not exist")))?;
    if check && material.occupied {
        return Err(ApiError::business(
            ErrorCode::ResourceInUse.code(),
            "the material is in use and cannot be deleted",
        ));
    }
    inner.materials.remove(&id);
    Ok(Reply::data(""))
}
