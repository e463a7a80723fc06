//! Category operations. Categories have two levels; errors answer HTTP 400 with code
//! 24112000, as the service's category endpoints do.

use serde::Serialize;

use super::wire::CategoryItem;
use super::{is_label_like, page_of, paging, Ctx, Reply};
use crate::errors::ApiError;
use crate::params::Params;
use crate::state::{Category, Inner};

/// A node id parameter: an integer (form and JSON text accepted).
fn node_id(p: &Params, name: &str) -> Result<Option<i64>, ApiError> {
    p.int(name)
}

pub(crate) fn get_category_list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let parent = node_id(p, "parentNodeId")?;
    let paging = paging(p)?;
    let (offset, size) = paging;
    let inner = ctx.shared.lock();
    if let Some(pid) = parent {
        if !inner.categories.contains_key(&pid) {
            return Err(p.error(format!("parent node {pid} does not exist")));
        }
    }
    let nodes: Vec<&Category> = inner
        .categories
        .values()
        .filter(|c| c.parent_node_id == parent)
        .collect();
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct CategoryList<'a> {
        total: usize,
        page_size: usize,
        page_index: usize,
        category_list: Vec<CategoryItem<'a>>,
    }
    Ok(Reply::data(&CategoryList {
        total: nodes.len(),
        page_size: size,
        page_index: offset / size.max(1) + 1,
        category_list: page_of(&nodes, paging)
            .iter()
            .map(|c| CategoryItem::from(*c))
            .collect(),
    }))
}

pub(crate) fn create_category(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let label = p.required_text("labelName")?;
    if label.chars().count() > 32 {
        return Err(p.error("labelName must be at most 32 characters"));
    }
    if !is_label_like(&label) {
        return Err(p.error("labelName may hold letters, digits, CJK, underscore and space only"));
    }
    let parent = node_id(p, "parentNodeId")?;
    let id = ctx.shared.ids.number();
    let mut inner = ctx.shared.lock();
    check_parent(&inner, p, parent)?;
    if inner
        .categories
        .values()
        .any(|c| c.parent_node_id == parent && c.label_name == label)
    {
        return Err(p.error(format!("a category named {label:?} already exists here")));
    }
    inner.categories.insert(
        id,
        Category {
            node_id: id,
            label_name: label,
            parent_node_id: parent,
            create_user: ctx.caller.user.to_string(),
        },
    );
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Created {
        node_id: i64,
    }
    Ok(Reply::data(&Created { node_id: id }))
}

fn check_parent(inner: &Inner, p: &Params, parent: Option<i64>) -> Result<(), ApiError> {
    let Some(pid) = parent else { return Ok(()) };
    match inner.categories.get(&pid) {
        None => Err(p.error(format!("parent node {pid} does not exist"))),
        Some(node) if node.parent_node_id.is_some() => {
            Err(p.error("categories have two levels; the parent must be a first-level node"))
        }
        Some(_) => Ok(()),
    }
}

pub(crate) fn delete_category(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.required_int("nodeId")?;
    let mut inner = ctx.shared.lock();
    let node = inner
        .categories
        .get(&id)
        .cloned()
        .ok_or_else(|| p.error(format!("node {id} does not exist")))?;
    if inner.children_of(id).next().is_some() {
        return Err(p.error("the node has children; delete them first"));
    }
    inner.categories.remove(&id);
    let parent_name = node
        .parent_node_id
        .and_then(|pid| inner.categories.get(&pid))
        .map(|c| c.label_name.clone());
    if let Some(parent_name) = parent_name {
        for video in inner.videos.values_mut() {
            video
                .categories
                .retain(|c| !(c.parent_name == parent_name && c.child_name == node.label_name));
        }
    }
    Ok(Reply::no_data())
}

pub(crate) fn delete_video_by_category(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let p = ctx.params;
    let id = p.required_int("nodeId")?;
    p.text("notifyUrl")?;
    let task_id = ctx.shared.ids.number();
    let mut inner = ctx.shared.lock();
    let node = inner
        .categories
        .get(&id)
        .cloned()
        .ok_or_else(|| p.error(format!("node {id} does not exist")))?;
    // (parent label, child label or None for "any child of this parent").
    let target: (String, Option<String>) = match node
        .parent_node_id
        .and_then(|pid| inner.categories.get(&pid))
    {
        Some(parent) => (parent.label_name.clone(), Some(node.label_name.clone())),
        None => (node.label_name.clone(), None),
    };
    inner.videos.retain(|_, v| {
        !v.categories.iter().any(|c| {
            c.parent_name == target.0
                && target.1.as_ref().is_none_or(|child| *child == c.child_name)
        })
    });
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Started {
        task_id: i64,
    }
    Ok(Reply::data(&Started { task_id }))
}
