//! Tests of lenient decoding, both through `lenient` directly and through the serde
//! attributes the generated structs use.

use super::lenient;
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, PartialEq, Default)]
struct Inner {
    #[serde(default, deserialize_with = "lenient")]
    n: Option<i32>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Sample {
    #[serde(default, deserialize_with = "lenient")]
    int: Option<i32>,
    #[serde(default, deserialize_with = "lenient")]
    long: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    num: Option<f64>,
    #[serde(default, deserialize_with = "lenient")]
    flag: Option<bool>,
    #[serde(default, deserialize_with = "lenient")]
    text: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "lenient")]
    names: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient")]
    objects: Option<Vec<Inner>>,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Required {
    #[serde(deserialize_with = "lenient")]
    id: String,
    #[serde(deserialize_with = "lenient")]
    total: i64,
    #[serde(deserialize_with = "lenient")]
    list: Vec<i32>,
    #[serde(deserialize_with = "lenient")]
    maybe: Vec<Option<i32>>,
}

fn sample(value: serde_json::Value) -> Result<Sample, serde_json::Error> {
    serde_json::from_value(value)
}

fn sample_str(text: &str) -> Result<Sample, serde_json::Error> {
    serde_json::from_str(text)
}

#[test]
fn plain_values_decode() {
    let s = sample_str(
        r#"{"int":12,"long":-5,"num":1.5,"flag":true,"text":"hi","ids":[1,2],
            "names":["a"],"objects":[{"n":3}]}"#,
    )
    .expect("decodes");
    assert_eq!(s.int, Some(12));
    assert_eq!(s.long, Some(-5));
    assert_eq!(s.num, Some(1.5));
    assert_eq!(s.flag, Some(true));
    assert_eq!(s.text.as_deref(), Some("hi"));
    assert_eq!(s.ids, Some(vec![1, 2]));
    assert_eq!(s.names, Some(vec!["a".to_string()]));
    assert_eq!(s.objects, Some(vec![Inner { n: Some(3) }]));
}

#[test]
fn numbers_as_strings() {
    let s = sample_str(
        r#"{"int":" 12 ","long":"9007199254740993","num":"2.25","ids":["1",2,"3.0"],
            "objects":[{"n":"4"}]}"#,
    )
    .expect("decodes");
    assert_eq!(s.int, Some(12));
    assert_eq!(s.long, Some(9_007_199_254_740_993));
    assert_eq!(s.num, Some(2.25));
    assert_eq!(s.ids, Some(vec![1, 2, 3]));
    assert_eq!(s.objects, Some(vec![Inner { n: Some(4) }]));
}

#[test]
fn integral_floats_are_integers_fractions_are_not() {
    assert_eq!(sample(json!({"int": 3.0})).expect("3.0").int, Some(3));
    assert_eq!(sample(json!({"int": "1.0"})).expect("\"1.0\"").int, Some(1));
    assert_eq!(sample(json!({"int": "1e3"})).expect("1e3").int, Some(1000));
    let err = sample(json!({"int": 1.5})).expect_err("fraction");
    assert!(err.to_string().contains("integer"), "{err}");
    assert!(sample(json!({"int": "1.5"})).is_err());
    assert!(sample(json!({"int": "12abc"})).is_err());
    assert!(sample(json!({"int": ""})).is_err());
    assert!(sample(json!({"int": "NaN"})).is_err());
    assert!(sample(json!({"num": "inf"})).is_err());
    assert!(sample(json!({"int": true})).is_err());
    assert!(sample(json!({"int": [1]})).is_err());
}

#[test]
fn out_of_range_integers_fail() {
    assert!(sample(json!({"int": 3_000_000_000_i64})).is_err());
    assert!(sample(json!({"int": "3000000000"})).is_err());
    assert!(sample(json!({"long": 1e19})).is_err());
    assert!(sample(json!({"long": "18446744073709551615"})).is_err());
    assert_eq!(
        sample(json!({"long": "-9223372036854775808"}))
            .expect("min")
            .long,
        Some(i64::MIN)
    );
}

#[test]
fn floats_accept_integers() {
    assert_eq!(sample(json!({"num": 3})).expect("int").num, Some(3.0));
    assert_eq!(sample(json!({"num": "-4"})).expect("text").num, Some(-4.0));
}

#[test]
fn booleans() {
    for (value, expected) in [
        (json!(true), true),
        (json!(false), false),
        (json!(1), true),
        (json!(0), false),
        (json!("1"), true),
        (json!("0"), false),
        (json!("true"), true),
        (json!(" FALSE "), false),
    ] {
        let s = sample(json!({ "flag": value })).expect("bool");
        assert_eq!(s.flag, Some(expected), "{value}");
    }
    for bad in [json!(2), json!(-1), json!("yes"), json!(0.5)] {
        assert!(sample(json!({ "flag": bad })).is_err(), "{bad}");
    }
}

#[test]
fn strings_accept_numbers_and_booleans() {
    assert_eq!(
        sample(json!({"text": 42})).expect("int").text.as_deref(),
        Some("42")
    );
    assert_eq!(
        sample(json!({"text": -1})).expect("neg").text.as_deref(),
        Some("-1")
    );
    assert_eq!(
        sample(json!({"text": 1.5})).expect("f").text.as_deref(),
        Some("1.5")
    );
    assert_eq!(
        sample(json!({"text": true})).expect("b").text.as_deref(),
        Some("true")
    );
    assert_eq!(
        sample(json!({"names": [1, "x"]})).expect("list").names,
        Some(vec!["1".into(), "x".into()])
    );
    assert!(sample(json!({"text": {"a": 1}})).is_err());
    assert!(sample(json!({"text": [1]})).is_err());
}

#[test]
fn null_and_missing() {
    let s = sample(json!({"int": null, "text": null, "ids": null})).expect("nulls");
    assert_eq!(s.int, None);
    assert_eq!(s.text, None);
    assert_eq!(s.ids, None);
    let s = sample(json!({})).expect("missing");
    assert_eq!(s.int, None);
    assert_eq!(s.objects, None);
}

#[test]
fn required_fields() {
    let r: Required = serde_json::from_value(json!({
        "id": 123, "total": "7", "list": null, "maybe": [null, "2", 3]
    }))
    .expect("decodes");
    assert_eq!(
        r,
        Required {
            id: "123".into(),
            total: 7,
            list: vec![],
            maybe: vec![None, Some(2), Some(3)],
        }
    );
    let r: Required =
        serde_json::from_value(json!({"id": "a", "total": 1, "list": "", "maybe": []}))
            .expect("empty");
    assert!(r.list.is_empty());
    let err = serde_json::from_value::<Required>(json!({"id": "a", "list": [], "maybe": []}))
        .expect_err("missing total");
    assert!(err.to_string().contains("total"), "{err}");
    let err = serde_json::from_value::<Required>(
        json!({"id": null, "total": 1, "list": [], "maybe": []}),
    )
    .expect_err("null id");
    assert!(err.to_string().contains("string"), "{err}");
    assert!(serde_json::from_value::<Required>(
        json!({"id": "a", "total": 1, "list": "x", "maybe": []})
    )
    .is_err());
    assert!(serde_json::from_value::<Required>(
        json!({"id": "a", "total": 1, "list": {}, "maybe": []})
    )
    .is_err());
}

#[test]
fn borrowed_and_owned_inputs_agree() {
    let text = r#"{"text":"a\"b","int":"5"}"#;
    let from_str = sample_str(text).expect("str");
    let value: serde_json::Value = serde_json::from_str(text).expect("value");
    let from_value = sample(value).expect("value");
    assert_eq!(from_str, from_value);
    assert_eq!(from_str.text.as_deref(), Some("a\"b"));
}

#[test]
fn errors_carry_the_field_path() {
    let text = r#"{"objects":[{"n":1},{"n":"x"}]}"#;
    let de = &mut serde_json::Deserializer::from_str(text);
    let err = serde_path_to_error::deserialize::<_, Sample>(de).expect_err("bad n");
    assert_eq!(err.path().to_string(), "objects[1].n");
}

#[test]
fn the_loose_wrapper_keeps_the_deserializers_human_readable_flag() {
    use serde::Deserializer as _;
    // Types such as `IpAddr` and many time types read different forms depending on it.
    assert!(super::Loose(&mut serde_json::Deserializer::from_str("1")).is_human_readable());
    let addr: std::net::IpAddr = Deserialize::deserialize(super::Loose(
        &mut serde_json::Deserializer::from_str(r#""127.0.0.1""#),
    ))
    .expect("an address as text");
    assert_eq!(addr, std::net::IpAddr::from([127, 0, 0, 1]));
}
