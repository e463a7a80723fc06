//! `outcome_check`: every name it maps is checked against the operation, the list it searches
//! and that list's items, each problem at its file:line:column.

use std::path::PathBuf;

use codegen::SourceFile;

const SERVICE: &str = include_str!("fixtures/mini/service.yaml");
const WIDGETS: &str = include_str!("fixtures/mini/widgets.yaml");

fn problems(extra_ops: &str) -> Vec<String> {
    let group = format!("group: checks\ndoc: Outcome checks.\noperations:\n{extra_ops}");
    let sources = vec![
        SourceFile {
            path: PathBuf::from("spec/service.yaml"),
            text: SERVICE.to_string(),
        },
        SourceFile {
            path: PathBuf::from("spec/widgets.yaml"),
            text: WIDGETS.to_string(),
        },
        SourceFile {
            path: PathBuf::from("spec/checks.yaml"),
            text: group,
        },
    ];
    match codegen::generate(&sources) {
        Ok(_) => Vec::new(),
        Err(codegen::Error::Spec(d)) => {
            d.0.iter()
                .map(|p| format!("{}: {}", p.location, p.message))
                .collect()
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

const OP: &str = "  - name: fixtureMakeWidget
    method: POST
    path: /fixture/makeWidget
    body: json
    doc: Makes a widget.
    retry_safe: false
    request:
      - { name: widgetId, type: WidgetId, required: true, doc: Wanted id. }
      - { name: note, type: string, doc: Optional text. }
    response:
      envelope: standard
      data: object
      fields:
        - { name: widgetId, type: WidgetId, required: true, doc: The widget. }
";

#[test]
fn a_well_formed_check_generates() {
    let ok = format!(
        "{OP}    outcome_check:
      query: fixtureListWidgets
      input: {{ widgetId: request.widgetId }}
      find: {{ widgetId: request.widgetId }}
      done_when: found
      output: {{ widgetId: item.widgetId }}
"
    );
    assert_eq!(problems(&ok), Vec::<String>::new());
}

#[test]
fn every_broken_name_is_reported_where_it_stands() {
    let broken = format!(
        "{OP}    outcome_check:
      query: fixtureListWidgetz
      find: {{ widgetId: request.widgetId }}
      done_when: found
  - name: fixtureMakeOther
    method: POST
    path: /fixture/makeOther
    body: json
    doc: Makes another.
    retry_safe: false
    request:
      - {{ name: widgetId, type: WidgetId, required: true, doc: Wanted id. }}
      - {{ name: note, type: string, doc: Optional text. }}
    response:
      envelope: standard
      data: object
      fields:
        - {{ name: widgetId, type: WidgetId, required: true, doc: The widget. }}
    outcome_check:
      query: fixtureListWidgets
      input: {{ nope: request.widgetId }}
      find: {{ widgetId: request.note, state: request.widgetId }}
      done_when: maybe
"
    );
    let found = problems(&broken);
    let expect = [
        "spec/checks.yaml:19:14: outcome_check query `fixtureListWidgetz` is not an operation",
        "spec/checks.yaml:38:22: `nope` is not a request field of `fixtureListWidgets`",
        "spec/checks.yaml:39:25: `request.note` is optional, so it cannot identify the result",
        "spec/checks.yaml:39:46: `state` is FixtureState but `widgetId` is WidgetId",
        "spec/checks.yaml:40:18: unknown done_when `maybe`",
    ];
    for e in expect {
        assert!(found.iter().any(|p| p == e), "missing {e:?} in {found:#?}");
    }
}
