//! The shape of the generated command table.
//!
//! The generator writes one [`CommandSpec`] per operation into `generated/cli.rs` as plain
//! `static` data; the `commands` module turns that data into clap commands at run time. Keeping the
//! table as data (rather than generating clap code) means the generator needs to know nothing
//! about clap, a new operation needs no hand-written code, and the builder can be tested with a
//! small hand-written table.

/// One `vod <group> <name>` command, bound to one operation of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    /// First word of the command, e.g. `videos`.
    pub group: &'static str,
    /// Second word of the command, e.g. `list`.
    pub name: &'static str,
    /// The operation's wire name, e.g. `getVideoList`; the key passed to `generated::invoke`.
    pub operation: &'static str,
    /// One-line summary, shown in the group's command list.
    pub about: &'static str,
    /// Full description, shown by `--help`.
    pub long_about: &'static str,
    /// The operation changes state on the service (it is not safe to repeat): on a terminal
    /// the command confirms it in one line.
    pub mutation: bool,
    /// The operation pages its answer: the command takes `--all-pages`.
    pub paginated: bool,
    /// The operation starts a task with a state query: the command takes `--wait`.
    pub waitable: bool,
    /// Paginated operations: the item fields `-o table` shows by default, in this order (from
    /// the spec's `cli.columns`). Empty: every field, in the answer's order. `--columns` and
    /// `--query` override it.
    pub columns: &'static [&'static str],
    /// The request's fields, one flag each.
    pub args: &'static [ArgSpec],
    /// Paginated operations: the wire name of the answer's list of items (`videoListInfo`),
    /// whose entries `--all-pages` prints one by one.
    pub items: Option<&'static str>,
    /// Paginated operations: the request's page-number field (`pageIndex`).
    pub page_index: Option<&'static str>,
    /// Paginated operations: the request's page-size field (`pageSize`); its flag's default is
    /// the service's page size.
    pub page_size: Option<&'static str>,
    /// Task operations: the operation `--wait` polls (its answer is what `--wait` prints).
    pub wait_query: Option<&'static str>,
    /// Task operations whose state is found from the request alone: the request fields it is
    /// found from (`videoIds`). Such a command has a sibling `wait-<name>` that follows a task
    /// started earlier. Empty otherwise.
    pub wait_args: &'static [&'static str],
    /// The answer's enums, times and numbers (see [`AnswerField`]): how tables, text and
    /// `--typed` show them.
    pub answer: &'static [AnswerField],
}

/// One member of an operation's answer whose wire form is not what a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerField {
    /// Dotted wire names from the operation's data, e.g. `videoListInfo.videoState`; a list on
    /// the way is walked entry by entry.
    pub path: &'static str,
    /// What the member holds.
    pub kind: AnswerKind,
}

/// What an [`AnswerField`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    /// An enum: (wire value, meaning) pairs and the kebab-case name of each, as flags accept.
    Enum {
        /// (wire value, meaning).
        values: &'static [(&'static str, &'static str)],
        /// Kebab-case names, same order.
        names: &'static [&'static str],
    },
    /// A time, travelling as `wire` says.
    Time(TimeWire),
    /// A number (possibly sent as text).
    Number,
}

/// How a time travels on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeWire {
    /// `yyyy-MM-dd HH:mm:ss` in UTC+8.
    Text,
    /// Unix seconds.
    Seconds,
    /// Unix milliseconds.
    Millis,
}

/// One flag of a command: one field of the operation's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgSpec {
    /// Flag name without dashes, kebab-case, e.g. `video-name`.
    pub flag: &'static str,
    /// The field's wire name, e.g. `videoName`: the key of the JSON object sent to `invoke`.
    pub wire: &'static str,
    /// How the flag's text is parsed and encoded in JSON.
    pub kind: ArgKind,
    /// The field is a list: the flag may be repeated, and takes comma-separated values.
    pub list: bool,
    /// The list travels as one comma-separated string, so no item can hold a comma and
    /// splitting a flag's value at commas loses nothing.
    pub comma: bool,
    /// The request must carry the field (unless `--input-json` supplies the request).
    pub required: bool,
    /// Help text, from the field's documentation.
    pub help: &'static str,
    /// The service's default when the field is absent (documentation only: never sent).
    pub default: Option<&'static str>,
    /// For enum fields, the allowed values: (wire value, meaning). Empty otherwise.
    pub values: &'static [(&'static str, &'static str)],
    /// For enum fields, a kebab-case name for each entry of `values` (same order), accepted
    /// as well as the wire value: `--state blocked` or `--state 1`. Empty otherwise.
    pub names: &'static [&'static str],
}

/// How a flag's text becomes a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// Text, sent as a JSON string.
    String,
    /// A 32-bit integer, sent as a JSON number.
    Integer,
    /// A 64-bit integer, sent as a JSON number.
    Long,
    /// A floating-point number, sent as a JSON number.
    Number,
    /// `true` or `false` (a bare flag means `true`).
    Boolean,
    /// A named object type (or a nested list): the flag takes JSON text.
    Json,
    /// A time: RFC 3339 with any offset, `yyyy-MM-dd HH:mm:ss` (UTC+8) or a date alone
    /// (midnight UTC+8), sent in the field's wire form.
    Time(TimeWire),
}

impl ArgKind {
    /// The placeholder shown in help, e.g. `--page-size <INT>`.
    pub fn value_name(self) -> &'static str {
        match self {
            ArgKind::String => "TEXT",
            ArgKind::Integer | ArgKind::Long => "INT",
            ArgKind::Number => "NUMBER",
            ArgKind::Boolean => "BOOL",
            ArgKind::Json => "JSON",
            ArgKind::Time(_) => "TIME",
        }
    }

    /// What a value of this kind is, for error messages (`must be <description>`).
    pub fn description(self) -> &'static str {
        match self {
            ArgKind::String => "a string",
            ArgKind::Integer => "a 32-bit integer",
            ArgKind::Long => "an integer",
            ArgKind::Number => "a number",
            ArgKind::Boolean => "true or false",
            ArgKind::Json => "a JSON value",
            ArgKind::Time(_) => {
                "a time (RFC 3339 like 2026-12-06T10:00:00Z or +08:00, yyyy-MM-dd HH:mm:ss in UTC+8, or a date yyyy-MM-dd meaning midnight UTC+8)"
            }
        }
    }
}
