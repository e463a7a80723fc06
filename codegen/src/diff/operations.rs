//! Rules for operations: routes, answers, paging, waiters, outcome checks, CLI words, and
//! their request and response fields (through [`super::fields`]).

use std::collections::{BTreeMap, BTreeSet};

use super::fields::{compare_fields, Direction, Site};
use super::{same_text, Affects, Change, Level};
use crate::ir::{Api, DataKind, Method, Operation, StateStep};

const WIRE: &[Affects] = &[Affects::Wire];
const RUST: &[Affects] = &[Affects::Rust];
const BOTH: &[Affects] = &[Affects::Wire, Affects::Rust];
const CLI: &[Affects] = &[Affects::Cli];

/// Every operation by wire name, with its group's module.
fn operations(api: &Api) -> BTreeMap<&str, (&Operation, &str)> {
    api.groups
        .iter()
        .flat_map(|g| {
            g.operations
                .iter()
                .map(move |op| (op.wire.as_str(), (op, g.module.as_str())))
        })
        .collect()
}

pub(crate) fn compare(base: &Api, new: &Api, out: &mut Vec<Change>) {
    let (before, after) = (operations(base), operations(new));
    for (wire, (old, old_module)) in &before {
        let Some((now, module)) = after.get(wire) else {
            out.push(
                Change::new(
                    Level::Breaking,
                    BOTH,
                    format!(
                        "The operation `{wire}` is removed: `client.{}()` no longer compiles.",
                        old.method_name
                    ),
                )
                .at(Some(wire), None),
            );
            continue;
        };
        let mut changes = Vec::new();
        if old_module != module {
            changes.push(Change::new(
                Level::Breaking,
                RUST,
                format!("`{wire}` moves from module `{old_module}` to `{module}`: paths to its types through the module break, the re-exports at the root keep working."),
            ));
        }
        compare_operation(old, now, &mut changes);
        out.extend(changes.into_iter().map(|c| {
            let field = c.field.clone();
            c.at(Some(wire), field.as_deref())
        }));
    }
    for (wire, (now, _)) in after.iter().filter(|(w, _)| !before.contains_key(*w)) {
        out.push(
            Change::new(
                Level::Compatible,
                BOTH,
                format!(
                    "The operation `{wire}` is new: `client.{}()`.",
                    now.method_name
                ),
            )
            .at(Some(wire), None),
        );
    }
}

fn compare_operation(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    compare_route(old, new, out);
    compare_answer_shape(old, new, out);
    compare_behaviour(old, new, out);
    compare_cli(old, new, out);
    compare_at_least_one(old, new, out);
    compare_pagination(old, new, out);
    compare_waiter(old, new, out);
    compare_outcome_check(old, new, out);
    let request_type = new.request_type();
    let request_args = format!("`{request_type}::new` and `client.{}(..)`", new.method_name);
    let request = Site {
        operation: Some(&new.wire),
        prefix: "request",
        noun: "request field {}",
        constructor: &request_args,
        direction: Direction {
            sent: true,
            received: false,
        },
    };
    compare_fields(&request, &old.request, &new.request, out);
    let output_args = format!("`{}::new`", new.output_type());
    let response = Site {
        operation: Some(&new.wire),
        prefix: "response",
        noun: "response field {}",
        constructor: &output_args,
        direction: Direction {
            sent: false,
            received: true,
        },
    };
    compare_fields(&response, &old.response, &new.response, out);
}

fn compare_route(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    let route = |op: &Operation| {
        let method = match op.method {
            Method::Get => "GET",
            Method::Post => "POST",
        };
        let body = if op.query_body {
            "query string"
        } else {
            "JSON body"
        };
        format!("{method} {} ({body})", op.path)
    };
    if route(old) != route(new) {
        out.push(Change::new(
            Level::Breaking,
            WIRE,
            format!(
                "Requests now go to {} instead of {}.",
                route(new),
                route(old)
            ),
        ));
    }
    if !same_text(&old.doc, &new.doc) {
        out.push(Change::docs("The operation's documentation changed."));
    }
    if old.rate_limit != new.rate_limit {
        let shown = |r: &Option<String>| r.clone().unwrap_or_else(|| "none".into());
        out.push(Change::docs(format!(
            "The documented rate limit changes from {} to {}.",
            shown(&old.rate_limit),
            shown(&new.rate_limit)
        )));
    }
}

fn data_words(data: DataKind) -> &'static str {
    match data {
        DataKind::Object | DataKind::SingleItemList => "an object",
        DataKind::String => "a string",
        DataKind::None => "nothing",
    }
}

fn compare_answer_shape(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    if old.bare != new.bare {
        let now = if new.bare {
            "without the `{code, message, data}` envelope"
        } else {
            "inside the `{code, message, data}` envelope"
        };
        out.push(Change::new(
            Level::Breaking,
            WIRE,
            format!("Answers are now read {now}."),
        ));
    }
    match (old.data, new.data) {
        (a, b) if a == b => {}
        (DataKind::Object, DataKind::SingleItemList) => out.push(Change::new(
            Level::Compatible,
            WIRE,
            "Answers holding a one-item list instead of an object are now accepted too.",
        )),
        (DataKind::SingleItemList, DataKind::Object) => out.push(Change::new(
            Level::Breaking,
            WIRE,
            "Answers holding a one-item list instead of an object are no longer accepted.",
        )),
        (a, b) => out.push(Change::new(
            Level::Breaking,
            BOTH,
            format!(
                "The answer's data is now {} instead of {}; `send()` returns a different type.",
                data_words(b),
                data_words(a)
            ),
        )),
    }
}

/// Retry and form-body flags change what the runtime does, never what compiles or what the
/// service accepts: a POST without `form_body` is sent as JSON, which the service always takes.
fn compare_behaviour(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    if old.parameter_error != new.parameter_error {
        let code = |c: &Option<String>| {
            c.as_deref()
                .map_or("none".to_string(), |c| format!("`{c}`"))
        };
        out.push(Change::new(
            Level::Breaking,
            WIRE,
            format!(
                "A request that fails its checks is answered with {} instead of {}; callers matching the old code miss it.",
                code(&new.parameter_error),
                code(&old.parameter_error)
            ),
        ));
    }
    if old.retry_safe != new.retry_safe {
        let now = if new.retry_safe {
            "is now resent"
        } else {
            "is no longer resent"
        };
        out.push(Change::new(
            Level::Compatible,
            WIRE,
            format!("It {now} after a transient failure by the default retry policy."),
        ));
    }
    if old.form_body != new.form_body {
        let now = if new.form_body {
            "is now sent form-encoded"
        } else {
            "is now sent as JSON"
        };
        out.push(Change::new(
            Level::Compatible,
            WIRE,
            format!("With `ClientBuilder::form_bodies(true)` it {now}."),
        ));
    }
}

fn compare_cli(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    if (&old.cli_group, &old.cli_name) != (&new.cli_group, &new.cli_name) {
        out.push(Change::new(
            Level::Breaking,
            CLI,
            format!(
                "The command `vod {} {}` is now `vod {} {}`; scripts using the old words fail.",
                old.cli_group, old.cli_name, new.cli_group, new.cli_name
            ),
        ));
    }
    if old.cli_columns != new.cli_columns {
        out.push(Change::new(
            Level::Compatible,
            CLI,
            format!(
                "`-o table` now shows [{}] by default (was [{}]).",
                new.cli_columns.join(", "),
                old.cli_columns.join(", ")
            ),
        ));
    }
}

fn at_least_one_groups(op: &Operation) -> BTreeSet<BTreeSet<String>> {
    op.at_least_one
        .iter()
        .map(|g| g.iter().map(|f| f.wire.clone()).collect())
        .collect()
}

fn compare_at_least_one(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    let (before, after) = (at_least_one_groups(old), at_least_one_groups(new));
    let words = |g: &BTreeSet<String>| g.iter().cloned().collect::<Vec<_>>().join(", ");
    for group in after.difference(&before) {
        out.push(Change::new(
            Level::Breaking,
            WIRE,
            format!("Requests must now give at least one of [{}]; requests without any are refused before sending.", words(group)),
        ));
    }
    for group in before.difference(&after) {
        out.push(Change::new(
            Level::Compatible,
            WIRE,
            format!(
                "Requests no longer need at least one of [{}].",
                words(group)
            ),
        ));
    }
}

fn compare_pagination(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    let fields = |op: &Operation| {
        op.pagination.as_ref().map(|p| {
            format!(
                "page {}, size {}, items {}",
                p.page_index.wire, p.page_size.wire, p.items.wire
            )
        })
    };
    match (fields(old), fields(new)) {
        (a, b) if a == b => {}
        (None, Some(_)) => out.push(Change::new(
            Level::Compatible,
            RUST,
            "It now pages: `.into_paginator()` is new.",
        )),
        (Some(_), None) => out.push(Change::new(
            Level::Breaking,
            RUST,
            "It no longer pages: code calling `.into_paginator()` no longer compiles.",
        )),
        (Some(a), Some(b)) => out.push(Change::new(
            Level::Breaking,
            WIRE,
            format!("The paginator now pages by ({b}) instead of ({a})."),
        )),
        (None, None) => {}
    }
}

/// A waiter described by the wire names it uses, so that equal waiters compare equal.
fn waiter_facts(op: &Operation) -> Option<(String, String, String, String)> {
    let w = op.waiter.as_ref()?;
    let inputs: BTreeSet<String> = w
        .inputs
        .iter()
        .map(|i| {
            let from = if i.from_request {
                "request"
            } else {
                "response"
            };
            let each = if i.each { "each " } else { "" };
            format!("{} = {each}{from}.{}", i.target.wire, i.source.wire)
        })
        .collect();
    let state: Vec<String> = w
        .state
        .iter()
        .map(|s| match s {
            StateStep::Field(f) => f.wire.clone(),
            StateStep::First => "[0]".into(),
        })
        .collect();
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    Some((
        w.query.wire.clone(),
        inputs.into_iter().collect::<Vec<_>>().join(", "),
        state.join(".").replace(".[0]", "[0]"),
        format!(
            "success {:?}, failure {:?}",
            set(&w.success),
            set(&w.failure)
        ),
    ))
}

fn compare_waiter(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    match (waiter_facts(old), waiter_facts(new)) {
        (a, b) if a == b => {}
        (None, Some(_)) => out.push(Change::new(
            Level::Compatible,
            RUST,
            "It now starts a task that can be waited on (`.start().await?.wait_until_done()`).",
        )),
        (Some(_), None) => out.push(Change::new(
            Level::Breaking,
            RUST,
            "It no longer has a waiter: code calling `.start()` and waiting no longer compiles.",
        )),
        (Some(a), Some(b)) => {
            let parts = [
                ("queries", &a.0, &b.0),
                ("fills the query with", &a.1, &b.1),
                ("reads the state at", &a.2, &b.2),
                ("ends on", &a.3, &b.3),
            ];
            for (what, was, is) in parts.iter().filter(|(_, was, is)| was != is) {
                out.push(Change::new(
                    Level::Breaking,
                    WIRE,
                    format!("Its waiter now {what} `{is}` instead of `{was}`: waits may end at a different time."),
                ));
            }
        }
        (None, None) => {}
    }
}

fn outcome_facts(op: &Operation) -> Option<String> {
    let c = op.outcome_check.as_ref()?;
    let pairs = |v: &[(crate::ir::Field, crate::ir::Field)]| {
        let mut p: Vec<String> = v
            .iter()
            .map(|(a, b)| format!("{}={}", a.wire, b.wire))
            .collect();
        p.sort();
        p.join(",")
    };
    Some(format!(
        "query {}, input [{}], find [{}], done when {}, output [{}]",
        c.query.wire,
        pairs(&c.inputs),
        pairs(&c.find),
        if c.done_when_found { "found" } else { "absent" },
        pairs(&c.output)
    ))
}

fn compare_outcome_check(old: &Operation, new: &Operation, out: &mut Vec<Change>) {
    match (outcome_facts(old), outcome_facts(new)) {
        (a, b) if a == b => {}
        (None, Some(_)) => out.push(Change::new(
            Level::Compatible,
            WIRE,
            "A lost answer is now resolved by searching the list instead of failing with `Error::Ambiguous`.",
        )),
        (Some(_), None) => out.push(Change::new(
            Level::Breaking,
            WIRE,
            "A lost answer now fails with `Error::Ambiguous` instead of being resolved by searching the list.",
        )),
        (Some(a), Some(b)) => out.push(Change::new(
            Level::Breaking,
            WIRE,
            format!("A lost answer is now resolved by ({b}) instead of ({a})."),
        )),
        (None, None) => {}
    }
}
