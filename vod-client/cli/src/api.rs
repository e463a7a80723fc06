//! `vod api METHOD PATH`: any request, signed with the user's profile, like `gh api`, through
//! [`vod_client::Client::raw_request`] (the SDK's own retries, timeouts, signing and errors).

use std::io::{IsTerminal, Read};

use clap::{Arg, ArgAction, ArgMatches, Command};
use serde_json::{Map, Value};

use super::failure::Failure;
use super::Globals;

/// The command's long help: what it does, and the operations known only by method and path
/// (the spec's `undescribed_operations`), which this command is the way to.
fn long_about() -> String {
    let mut text = String::from(
        "Send any request to the API, signed with your profile's credentials, with the same \
         retries, timeouts and error reporting as every other command, and print the answer's \
         data. It reaches operations this version's spec does not describe (new or \
         account-specific endpoints): parameters are sent exactly as given, under the \
         service's own field names; nothing is checked, renamed or invented. For an operation \
         the spec describes, its facts are used (rate limit, envelope, whether it may be \
         retried); otherwise the answer is read as the standard {code, message, data} \
         envelope and a POST is never resent once it may have arrived. GET parameters travel \
         in the query string, POST parameters as a JSON object (or a form with --form).\n\n\
         Operations a source names by method and path, whose fields none describes (reach \
         them here, with the fields your account's documentation gives):",
    );
    for op in vod_client::model::UNDESCRIBED_OPERATIONS {
        text.push_str(&format!(
            "\n  {} {}  ({}: {})",
            op.method, op.path, op.name, op.doc
        ));
    }
    text
}

/// The `api` command.
pub fn command() -> Command {
    Command::new("api")
        .about("Send any request to the API, signed with your profile (like `gh api`)")
        .long_about(long_about())
        .after_help(super::commands::examples_help(&[
            "vod api POST /vod/videoManage/getVideoList -F pageSize=5".into(),
            "vod api POST /vod/videoManage/getVideoList -f videoName=cat --query 'videoListInfo[*].videoId'".into(),
            "echo '{\"pageSize\": 2}' | vod api POST /vod/videoManage/getVideoList --input -".into(),
        ]))
        .arg(
            Arg::new("method")
                .required(true)
                .value_name("METHOD")
                .help("GET or POST"),
        )
        .arg(
            Arg::new("path")
                .required(true)
                .value_name("PATH")
                .help("Path below the endpoint, e.g. /vod/videoManage/getVideoList"),
        )
        .arg(
            Arg::new("raw-field")
                .short('f')
                .long("raw-field")
                .value_name("KEY=VALUE")
                .action(ArgAction::Append)
                .help("A parameter sent as a string (repeatable)"),
        )
        .arg(
            Arg::new("field")
                .short('F')
                .long("field")
                .value_name("KEY=VALUE")
                .action(ArgAction::Append)
                .help(
                    "A typed parameter (repeatable): JSON when VALUE reads as JSON (5, true, \
                     null, [..], {..}), the text of FILE for @FILE, a string otherwise",
                ),
        )
        .arg(
            Arg::new("input")
                .long("input")
                .value_name("FILE|-")
                .help("Read the parameters as a JSON object from FILE, or stdin for -; fields given with -f/-F override it"),
        )
        .arg(
            Arg::new("form")
                .long("form")
                .action(ArgAction::SetTrue)
                .help("Send a POST's parameters as application/x-www-form-urlencoded"),
        )
}

/// Runs `vod api`.
pub fn run(matches: &ArgMatches, globals: &Globals) -> Result<(), Failure> {
    let text = |id: &str| matches.get_one::<String>(id).cloned().unwrap_or_default();
    let (method, path) = (text("method"), text("path"));
    let mut params = match matches.get_one::<String>("input") {
        Some(source) => read_input(source)?,
        None => Map::new(),
    };
    for pair in matches
        .get_many::<String>("raw-field")
        .into_iter()
        .flatten()
    {
        let (key, value) = split(pair, "-f")?;
        params.insert(key, Value::String(value.to_string()));
    }
    for pair in matches.get_many::<String>("field").into_iter().flatten() {
        let (key, value) = split(pair, "-F")?;
        params.insert(key, typed(value)?);
    }
    if globals.debug {
        eprintln!(
            "debug: api {method} {path} {}",
            Value::Object(params.clone())
        );
    }
    let client = super::client(matches, globals.debug)?;
    let runtime = super::runtime()?;
    let response = runtime
        .block_on(
            client
                .raw_request(&method, &path)
                .fields(params)
                .form(matches.get_flag("form"))
                .send(),
        )
        .map_err(Failure::from)?;
    if std::io::stderr().is_terminal() {
        if let Some(id) = &response.request_id {
            eprintln!("request id: {id}");
        }
    }
    globals.print(&response.data)
}

fn split<'a>(pair: &'a str, flag: &str) -> Result<(String, &'a str), Failure> {
    match pair.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => Ok((key.trim().to_string(), value)),
        _ => Err(Failure::usage(format!(
            "{flag} {pair}: expected KEY=VALUE, e.g. pageSize=5"
        ))),
    }
}

/// `-F`: JSON when it reads as JSON, a file's text for `@FILE`, a string otherwise.
fn typed(value: &str) -> Result<Value, Failure> {
    if let Some(file) = value.strip_prefix('@') {
        return std::fs::read_to_string(file)
            .map(|text| Value::String(text.trim_end_matches(['\n', '\r']).to_string()))
            .map_err(|e| Failure::usage(format!("-F @{file}: cannot read: {e}")));
    }
    Ok(serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_string())))
}

fn read_input(source: &str) -> Result<Map<String, Value>, Failure> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("--input -: cannot read stdin: {e}")))?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| Failure::usage(format!("--input {source}: cannot read: {e}")))?
    };
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::usage(format!(
            "--input {source}: expected a JSON object of parameters"
        ))),
        Err(e) => Err(Failure::usage(format!(
            "--input {source}: malformed JSON: {e}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_strings_or_typed() {
        assert_eq!(typed("5").unwrap(), json!(5));
        assert_eq!(typed("true").unwrap(), json!(true));
        assert_eq!(typed("[1,2]").unwrap(), json!([1, 2]));
        assert_eq!(typed("cat").unwrap(), json!("cat"));
        assert_eq!(split("a=b=c", "-f").unwrap(), ("a".to_string(), "b=c"));
        assert!(split("=x", "-f").is_err());
        assert!(split("novalue", "-F").is_err());
    }
}
