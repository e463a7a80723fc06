//! The three outputs of `cargo xtask api-diff`: text for a terminal, a CHANGELOG section in
//! Markdown, and one JSON object for CI.

use super::{Change, Level};

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    /// The revision compared against (`HEAD`, a tag, a hash).
    pub base: &'a str,
    /// The changes, in [`super::sort`] order.
    pub changes: &'a [Change],
    /// The workspace version, when it could be read.
    pub current_version: Option<&'a str>,
    /// The version to release next, when the current one could be read.
    pub suggested_version: Option<&'a str>,
    /// One-line remarks (a tool that was not run, a version that could not be read).
    pub notes: &'a [String],
}

const LEVELS: [(Level, &str); 3] = [
    (Level::Breaking, "Breaking"),
    (Level::Compatible, "Added (compatible)"),
    (Level::Docs, "Docs"),
];

fn count(changes: &[Change], level: Level) -> usize {
    changes.iter().filter(|c| c.level == level).count()
}

fn summary(report: &Report) -> String {
    let changes = report.changes;
    let mut line = format!(
        "{} change{}: {} breaking, {} compatible, {} docs.",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        count(changes, Level::Breaking),
        count(changes, Level::Compatible),
        count(changes, Level::Docs)
    );
    if let (Some(now), Some(next)) = (report.current_version, report.suggested_version) {
        line.push_str(&format!(" Suggested version: {now} -> {next}."));
    }
    line
}

/// Where a change sits: `operation request.field`, either part when known.
fn place(change: &Change) -> String {
    [change.operation.as_deref(), change.field.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn affects(change: &Change) -> String {
    change
        .affects
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Two lines per change (level, affects and place; then the sentence), then a summary.
pub fn text(report: &Report) -> String {
    let mut out = format!("api-diff: api-spec/ at {} -> working tree\n", report.base);
    for note in report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out.push('\n');
    for change in report.changes {
        let from = if change.source == super::SOURCE_API_DIFF {
            String::new()
        } else {
            format!(" ({})", change.source)
        };
        let affects = if change.affects.is_empty() {
            String::new()
        } else {
            format!("[{}] ", affects(change))
        };
        out.push_str(&format!(
            "{:<10} {affects}{}{from}\n    {}\n",
            change.level.as_str(),
            place(change),
            change.message
        ));
    }
    if report.changes.is_empty() {
        out.push_str("No changes to the API.\n");
    }
    out.push('\n');
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// A CHANGELOG section: the suggested version as its title, one list per level.
pub fn markdown(report: &Report) -> String {
    let title = report.suggested_version.unwrap_or("Unreleased");
    let mut out = format!(
        "## {title}\n\nAPI changes since `{}` (`cargo xtask api-diff`).\n",
        report.base
    );
    for (level, heading) in LEVELS {
        let entries: Vec<&Change> = report.changes.iter().filter(|c| c.level == level).collect();
        if entries.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {heading}\n\n"));
        for change in entries {
            out.push_str(&markdown_entry(change));
        }
    }
    if report.changes.is_empty() {
        out.push_str("\nNo changes to the API.\n");
    }
    for note in report.notes {
        out.push_str(&format!("\n> Note: {note}\n"));
    }
    out
}

fn markdown_entry(change: &Change) -> String {
    let place = place(change);
    let place = if place.is_empty() {
        String::new()
    } else {
        format!("`{place}`: ")
    };
    let mut tags: Vec<String> = change
        .affects
        .iter()
        .map(|a| a.as_str().to_string())
        .collect();
    if change.source != super::SOURCE_API_DIFF {
        tags.push(format!("from {}", change.source));
    }
    let tags = if tags.is_empty() {
        String::new()
    } else {
        format!(" ({})", tags.join(", "))
    };
    format!("- {place}{}{tags}\n", change.message)
}

/// One JSON object: `base`, `current_version`, `suggested_version`, `changes`, `notes`.
pub fn json(report: &Report) -> String {
    let value = serde_json::json!({
        "base": report.base,
        "current_version": report.current_version,
        "suggested_version": report.suggested_version,
        "changes": report.changes,
        "notes": report.notes,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
