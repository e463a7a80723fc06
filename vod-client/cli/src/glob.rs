//! `vod upload -r --include/--exclude`: shell-style glob patterns over the paths found under a
//! directory, written here in a few lines rather than pulling in a crate.
//!
//! - `*` matches any run of characters except `/`; `**` matches across `/` (`**/` also
//!   matches nothing: `**/*.mp4` takes `a.mp4` too); `?` one character except `/`;
//!   `[abc]`, `[a-z]`, `[!abc]` one character of (or not of) a set; `{mp4,mov}` either
//!   alternative.
//! - A pattern with no `/` is matched against the file name alone (`*.mp4` at any depth); one
//!   with a `/` against the path relative to the directory given (`raw/**`), as rsync and
//!   `.gitignore` do.

/// A parsed pattern: its brace alternatives expanded.
#[derive(Debug, Clone)]
pub struct Glob {
    alternatives: Vec<Vec<char>>,
    name_only: bool,
}

impl Glob {
    /// Parses `text`; fails on an unclosed `[` or `{`.
    pub fn new(text: &str) -> Result<Glob, String> {
        if text.is_empty() {
            return Err("an empty pattern matches nothing".into());
        }
        let alternatives = expand_braces(text)?;
        for alt in &alternatives {
            let mut chars = alt.chars();
            while let Some(c) = chars.next() {
                if c == '[' && !chars.any(|c| c == ']') {
                    return Err(format!("`{text}`: `[` without its `]`"));
                }
            }
        }
        Ok(Glob {
            name_only: !text.contains('/'),
            alternatives: alternatives
                .into_iter()
                .map(|a| a.chars().collect())
                .collect(),
        })
    }

    /// Whether `relative` (a path below the directory, `/`-separated) matches.
    pub fn matches(&self, relative: &str) -> bool {
        let subject = if self.name_only {
            relative.rsplit('/').next().unwrap_or(relative)
        } else {
            relative
        };
        let subject: Vec<char> = subject.chars().collect();
        self.alternatives
            .iter()
            .any(|pattern| matches_at(pattern, &subject))
    }
}

/// `a{b,c}d` → `abd`, `acd` (nested braces too).
fn expand_braces(text: &str) -> Result<Vec<String>, String> {
    let Some(open) = text.find('{') else {
        return Ok(vec![text.to_string()]);
    };
    let mut depth = 0;
    let mut close = None;
    let mut splits = Vec::new();
    for (i, c) in text[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            ',' if depth == 1 => splits.push(open + i),
            _ => {}
        }
    }
    let close = close.ok_or_else(|| format!("`{text}`: `{{` without its `}}`"))?;
    let (head, tail) = (&text[..open], &text[close + 1..]);
    let mut bounds = vec![open];
    bounds.extend(splits);
    bounds.push(close);
    let mut out = Vec::new();
    for pair in bounds.windows(2) {
        let choice = &text[pair[0] + 1..pair[1]];
        out.extend(expand_braces(&format!("{head}{choice}{tail}"))?);
    }
    Ok(out)
}

fn matches_at(pattern: &[char], subject: &[char]) -> bool {
    match pattern.first() {
        None => subject.is_empty(),
        Some('*') if pattern.get(1) == Some(&'*') => {
            // `**/` may match nothing at all; `**` any run, `/` included.
            let rest = &pattern[2..];
            if rest.first() == Some(&'/') && matches_at(&rest[1..], subject) {
                return true;
            }
            (0..=subject.len()).any(|i| matches_at(rest, &subject[i..]))
        }
        Some('*') => {
            let rest = &pattern[1..];
            for i in 0..=subject.len() {
                if matches_at(rest, &subject[i..]) {
                    return true;
                }
                if subject.get(i) == Some(&'/') {
                    break;
                }
            }
            false
        }
        Some('?') => {
            subject.first().is_some_and(|c| *c != '/') && matches_at(&pattern[1..], &subject[1..])
        }
        Some('[') => {
            let Some(c) = subject.first() else {
                return false;
            };
            let Some(end) = pattern
                .iter()
                .skip(2)
                .position(|c| *c == ']')
                .map(|i| i + 2)
            else {
                return false;
            };
            let mut set = &pattern[1..end];
            let negate = matches!(set.first(), Some('!' | '^'));
            if negate {
                set = &set[1..];
            }
            let mut hit = false;
            let mut i = 0;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == '-' {
                    hit |= set[i] <= *c && *c <= set[i + 2];
                    i += 3;
                } else {
                    hit |= set[i] == *c;
                    i += 1;
                }
            }
            hit != negate && *c != '/' && matches_at(&pattern[end + 1..], &subject[1..])
        }
        Some(p) => subject.first() == Some(p) && matches_at(&pattern[1..], &subject[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Glob::new(pattern).unwrap().matches(path)
    }

    #[test]
    fn names_paths_and_wildcards() {
        assert!(m("*.mp4", "a.mp4"));
        assert!(m("*.mp4", "deep/down/a.mp4"), "no `/`: the name alone");
        assert!(!m("*.mp4", "a.mp4.part"));
        assert!(m("raw/*", "raw/a.mov"));
        assert!(!m("raw/*", "raw/x/a.mov"), "`*` stays in one directory");
        assert!(m("raw/**", "raw/x/a.mov"));
        assert!(m("**/cut/*.mp4", "cut/a.mp4"));
        assert!(m("**/cut/*.mp4", "x/y/cut/a.mp4"));
        assert!(m("take?.mp4", "take1.mp4"));
        assert!(!m("take?.mp4", "take10.mp4"));
        assert!(m("*.{mp4,mov}", "a.mov"));
        assert!(m("[ab]*.mp4", "b1.mp4"));
        assert!(!m("[!ab]*.mp4", "b1.mp4"));
        assert!(m("clip[0-9].mp4", "clip7.mp4"));
        assert!(!m("clip[0-9].mp4", "clipx.mp4"));
        assert!(Glob::new("*.{mp4").is_err());
        assert!(Glob::new("[ab").is_err());
        assert!(Glob::new("").is_err());
    }
}
