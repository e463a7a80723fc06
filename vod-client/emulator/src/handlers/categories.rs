//! Category operations. Categories have two levels; errors answer HTTP 400 with code
//! 24112000, as the service's category endpoints do.

use vod_client::model::{
    CreateCategoryOutput, CreateCategoryRequest, DeleteCategoryRequest,
    DeleteVideoByCategoryOutput, DeleteVideoByCategoryRequest, GetCategoryListOutput,
    GetCategoryListRequest, NodeId,
};

use super::outputs::category_node;
use super::{is_label_like, page_of, paging, Ctx};
use crate::errors::ApiError;
use crate::state::{Category, Inner};

pub(crate) fn get_category_list(
    ctx: &Ctx<'_>,
    request: GetCategoryListRequest,
) -> Result<GetCategoryListOutput, ApiError> {
    let parent = request.parent_node_id;
    let paging = paging(ctx, &request)?;
    let (offset, size) = paging;
    let inner = ctx.shared.lock();
    if let Some(pid) = parent {
        if !inner.categories.contains_key(&pid) {
            return Err(ctx.error(format!("parent node {pid} does not exist")));
        }
    }
    let nodes: Vec<&Category> = inner
        .categories
        .values()
        .filter(|c| c.parent_node_id == parent)
        .collect();
    let number = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(GetCategoryListOutput::new(
        i64::try_from(nodes.len()).unwrap_or(i64::MAX),
        page_of(&nodes, paging).iter().map(|c| category_node(c)),
    )
    .with_page_size(number(size))
    .with_page_index(number(offset / size.max(1) + 1)))
}

pub(crate) fn create_category(
    ctx: &Ctx<'_>,
    request: CreateCategoryRequest,
) -> Result<CreateCategoryOutput, ApiError> {
    let label = request.label_name.trim();
    if !is_label_like(label) {
        return Err(
            ctx.error("a category label may hold letters, digits, CJK, underscore and space only")
        );
    }
    let parent = request.parent_node_id;
    let id = NodeId::new(ctx.shared.ids.number());
    let mut inner = ctx.shared.lock();
    check_parent(ctx, &inner, parent)?;
    if inner
        .categories
        .values()
        .any(|c| c.parent_node_id == parent && c.label_name == label)
    {
        return Err(ctx.error(format!("a category named {label:?} already exists here")));
    }
    inner.categories.insert(
        id,
        Category {
            node_id: id,
            label_name: label.to_string(),
            parent_node_id: parent,
            create_user: ctx.caller.user.to_string(),
        },
    );
    Ok(CreateCategoryOutput::new(id))
}

fn check_parent(ctx: &Ctx<'_>, inner: &Inner, parent: Option<NodeId>) -> Result<(), ApiError> {
    let Some(pid) = parent else { return Ok(()) };
    match inner.categories.get(&pid) {
        None => Err(ctx.error(format!("parent node {pid} does not exist"))),
        Some(node) if node.parent_node_id.is_some() => {
            Err(ctx.error("categories have two levels; the parent must be a first-level node"))
        }
        Some(_) => Ok(()),
    }
}

pub(crate) fn delete_category(
    ctx: &Ctx<'_>,
    request: DeleteCategoryRequest,
) -> Result<(), ApiError> {
    let id = request.node_id;
    let mut inner = ctx.shared.lock();
    let node = inner
        .categories
        .get(&id)
        .cloned()
        .ok_or_else(|| ctx.error(format!("node {id} does not exist")))?;
    if inner.children_of(id).next().is_some() {
        return Err(ctx.error("the node has children; delete them first"));
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
    Ok(())
}

pub(crate) fn delete_video_by_category(
    ctx: &Ctx<'_>,
    request: DeleteVideoByCategoryRequest,
) -> Result<DeleteVideoByCategoryOutput, ApiError> {
    let id = request.node_id;
    let task_id = ctx.shared.ids.number();
    let mut inner = ctx.shared.lock();
    let node = inner
        .categories
        .get(&id)
        .cloned()
        .ok_or_else(|| ctx.error(format!("node {id} does not exist")))?;
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
    Ok(DeleteVideoByCategoryOutput::new(task_id))
}
