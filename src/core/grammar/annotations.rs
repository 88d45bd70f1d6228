//! The annotation grammar: a comment in, a [`Document`] out.
//!
//! Lines are read in order; for each, the first rule that matches wins:
//! tag block → `key = value` → `Name: value` → keyword → prose. A value
//! NpgsqlRest would ignore, or fail on, is kept out of the document (or
//! kept as written) and reported in `warnings`; nothing here fails.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::core::grammar::basic_auth::BasicAuth;
use crate::core::grammar::document::{Annotation, Document, Warning};
use crate::core::grammar::interval;
use crate::core::grammar::keywords::{
    self, is_word, method, parse_bool, Keyword, Setting, Shape, METHODS,
};
use crate::core::grammar::param_forms::{self, ParamForm};
use crate::core::grammar::placeholders;
use crate::core::grammar::proxy::Proxy;
use crate::core::grammar::regex_unescape::regex_unescape;
use crate::core::grammar::routine_params::RoutineParams;
use crate::core::grammar::sse::Sse;
use crate::core::naming::endpoint_path;

/// What the parser knows about the routine the comment belongs to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Routine<'a> {
    /// Tags for `for`, `disabled` and `enabled` lines; none means the
    /// routine has no tags.
    pub tags: &'a [String],
    /// Parameter names. Lines that name parameters are checked against
    /// them, and `name = value` lines resolve to them; none means the
    /// routine is not known, so nothing is checked.
    pub parameters: &'a [String],
}

/// Parses a whole comment.
pub fn parse<'a>(comment: &'a str, routine: Routine) -> Document<'a> {
    parse_with(comment, routine, &mut || {})
}

/// Parses a whole comment, calling `on_progress` about every 64 KiB so a
/// caller can honour query cancellation on huge inputs.
pub fn parse_with<'a>(
    comment: &'a str,
    routine: Routine,
    on_progress: &mut dyn FnMut(),
) -> Document<'a> {
    let mut parser = Parser::new(routine);
    let mut since_progress = 0;
    for line in comment.split(['\r', '\n']) {
        since_progress += line.len() + 1;
        if since_progress >= PROGRESS_BYTES {
            since_progress = 0;
            on_progress();
        }
        parser.line(line.trim());
    }
    parser.finish()
}

/// How much text is parsed between two calls of `on_progress`.
const PROGRESS_BYTES: usize = 64 * 1024;

/// Splits a line into words on spaces and commas, each word trimmed (a tab
/// does not split, but is trimmed from a word's ends); empty words dropped.
pub fn words(line: &str) -> Vec<&str> {
    word_iter(line).collect()
}

fn word_iter(line: &str) -> impl Iterator<Item = &str> {
    line.split([' ', ','])
        .map(str::trim)
        .filter(|w| !w.is_empty())
}

/// Annotations that gather several lines into one value; written to the
/// document when the comment ends.
#[derive(Default)]
struct Gathered {
    sse: Option<Sse>,
    basic_auth: Option<BasicAuth>,
    proxy: Option<Proxy>,
    proxy_out: Option<Proxy>,
    upload: Option<Upload>,
    encrypt: Option<Selection>,
    decrypt: Option<Selection>,
    validate: Map<String, Value>,
    params: Vec<Value>,
}

/// `upload`: the handlers named by `upload for …` (null: the default one)
/// and the parameters that receive the upload's metadata (repeats are
/// dropped when the comment ends).
#[derive(Default)]
struct Upload {
    handlers: Option<Vec<String>>,
    metadata_parameters: Vec<String>,
}

/// `encrypt` / `decrypt`: NpgsqlRest keeps "all" and the list apart.
#[derive(Default)]
struct Selection {
    all: Option<bool>,
    names: Option<Vec<String>>,
}

impl Selection {
    /// `true` when everything is selected, else the list, else `false`.
    fn to_json(&self) -> Value {
        match (self.all, &self.names) {
            (Some(true), _) => json!(true),
            (_, Some(names)) => json!(names),
            (all, None) => json!(all.unwrap_or(false)),
        }
    }
}

struct Parser<'a> {
    doc: Document<'a>,
    /// The routine's tags, lower-cased without a leading `@`.
    tags: HashSet<String>,
    params: RoutineParams,
    /// False inside a `for` block that names none of the routine's tags.
    block_applies: bool,
    /// `authorize_roles`, for dropping repeats in linear time.
    roles: HashSet<String>,
    /// `placeholders`, for dropping repeats in linear time.
    placeholder_names: HashSet<String>,
    gathered: Gathered,
}

impl<'a> Parser<'a> {
    fn new(routine: Routine) -> Self {
        let tags = routine
            .tags
            .iter()
            .map(|t| t.strip_prefix('@').unwrap_or(t).to_lowercase())
            .collect();
        Parser {
            doc: Document::default(),
            tags,
            params: RoutineParams::new(routine.parameters),
            block_applies: true,
            roles: HashSet::new(),
            placeholder_names: HashSet::new(),
            gathered: Gathered::default(),
        }
    }

    /// Reads one line. Its words are listed only for a tag block or a
    /// keyword: prose, most of a long comment, is not split into a list.
    fn line(&mut self, line: &'a str) {
        let mut split = word_iter(line);
        let Some(first) = split.next() else { return };
        let several = split.next().is_some();
        if !self.tags.is_empty() && several && keywords::is_tag_block(first) {
            self.block_applies = self.has_any_tag(&words(line)[1..]);
            self.annotate("for", line);
        } else if !self.block_applies {
            self.doc.unhandled_lines.push(line);
        } else if let Some((name, value)) = split_named(line, '=') {
            self.key_value(line, name, value);
        } else if let Some((name, value)) = split_named(line, ':') {
            self.header(line, name, value);
        } else if let Some((keyword, words)) = keywords::keyword(first)
            .map(|k| (k, words(line)))
            .filter(|(k, words)| words.len() >= k.min_words)
        {
            self.annotate(keyword.name, line);
            self.keyword(keyword, line, &words);
        } else {
            self.doc.unhandled_lines.push(line);
        }
    }

    fn finish(mut self) -> Document<'a> {
        let gathered = self.gathered;
        let settings = &mut self.doc.settings;
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                settings.insert(key.to_string(), value);
            }
        };
        put("sse", gathered.sse.map(|s| s.to_json()));
        put("basic_auth", gathered.basic_auth.map(|b| b.to_json()));
        put("proxy", gathered.proxy.map(|p| p.to_json()));
        put("proxy_out", gathered.proxy_out.map(|p| p.to_json()));
        put("encrypt", gathered.encrypt.map(|s| s.to_json()));
        put("decrypt", gathered.decrypt.map(|s| s.to_json()));
        put(
            "upload",
            gathered.upload.map(|u| {
                let metadata = distinct(u.metadata_parameters.into_iter());
                json!({"handlers": u.handlers, "metadata_parameters": metadata})
            }),
        );
        put(
            "validate",
            (!gathered.validate.is_empty()).then_some(Value::Object(gathered.validate)),
        );
        put(
            "param",
            (!gathered.params.is_empty()).then_some(Value::Array(gathered.params)),
        );
        self.doc
    }

    fn has_any_tag(&self, listed: &[&str]) -> bool {
        listed.iter().any(|l| self.tags.contains(&l.to_lowercase()))
    }

    fn annotate(&mut self, name: &'static str, line: &'a str) {
        self.doc.annotations.push(Annotation { name, text: line });
    }

    fn warn(&mut self, line: &'a str, reason: impl Into<String>) {
        self.doc.warnings.push(Warning {
            text: line,
            reason: reason.into(),
            about_parameter: false,
        });
    }

    /// A warning that a value names no parameter of the routine.
    fn warn_parameter(&mut self, line: &'a str, reason: String) {
        self.warn(line, reason);
        if let Some(last) = self.doc.warnings.last_mut() {
            last.about_parameter = true;
        }
    }

    fn report(&mut self, line: &'a str, result: Result<(), String>) {
        if let Err(reason) = result {
            self.warn(line, reason);
        }
    }

    fn set(&mut self, name: &str, value: impl Into<Value>) {
        self.doc.settings.insert(name.to_string(), value.into());
    }

    /// Decodes escapes as NpgsqlRest does; where .NET would throw, the
    /// text is kept as written, with a warning.
    fn unescape(&mut self, line: &'a str, text: &str) -> String {
        regex_unescape(text).unwrap_or_else(|reason| {
            self.warn(
                line,
                format!(
                    "{reason}, so the value is kept as written (NpgsqlRest would fail to start)"
                ),
            );
            text.to_string()
        })
    }

    /// `name = value`: a routine parameter (exact name), an annotation
    /// setting, or a custom parameter, in that order.
    fn key_value(&mut self, line: &'a str, name: &str, raw_value: &str) {
        if self.params.has_actual(name) {
            // A SQL expression, used as written.
            let value = Value::String(raw_value.to_string());
            self.doc.resolved_parameters.insert(name.to_string(), value);
            if !self.doc.resolved_order.iter().any(|n| n == name) {
                self.doc.resolved_order.push(name.to_string());
            }
            return;
        }
        let value = self.unescape(line, raw_value);
        let settable = keywords::keyword(name).and_then(|k| k.setting.map(|s| (k, s)));
        if let Some((keyword, setting)) = settable {
            self.annotate(keyword.name, line);
            self.setting(keyword, setting, line, &value);
        } else {
            self.note_placeholders(line, &value);
            let name = name.strip_prefix('@').unwrap_or(name);
            self.doc
                .custom_parameters
                .insert(name.to_string(), Value::String(value));
        }
    }

    fn setting(&mut self, keyword: &Keyword, setting: Setting, line: &'a str, value: &str) {
        let name = keyword.name;
        match setting {
            Setting::Bool => match parse_bool(value) {
                Some(flag) => self.set(name, flag),
                None => self.warn(line, not_bool(value)),
            },
            Setting::Number => self.number(name, line, value),
            Setting::Text => self.set(name, value),
            Setting::Interval => self.interval(name, line, value),
            Setting::Own => self.own_setting(name, line, value),
        }
    }

    /// `name = value` for annotations whose value has a rule of its own.
    fn own_setting(&mut self, name: &str, line: &'a str, value: &str) {
        let result = match name {
            "encrypt" | "decrypt" => match parse_bool(value) {
                Some(flag) => {
                    self.selection(name).all = Some(flag);
                    Ok(())
                }
                None => Err(not_bool(value)),
            },
            n if n.starts_with("basic_auth") => self.basic_auth().setting(name, value),
            _ => self.sse().setting(name, value),
        };
        self.report(line, result);
    }

    fn number(&mut self, name: &str, line: &'a str, value: &str) {
        match value.trim().parse::<u64>() {
            Ok(n) => self.set(name, n),
            Err(_) => self.warn(line, format!("{value:?} is not a whole number")),
        }
    }

    fn interval(&mut self, name: &str, line: &'a str, value: &str) {
        match interval::check(value) {
            Ok(()) => self.set(name, value),
            Err(reason) => self.warn(line, reason),
        }
    }

    /// `Name: value`: a response header, or the content type.
    fn header(&mut self, line: &'a str, name: &str, value: &str) {
        self.note_placeholders(line, value);
        let bare = name.strip_prefix('@').unwrap_or(name);
        if bare.eq_ignore_ascii_case("content-type") || bare.eq_ignore_ascii_case("content_type") {
            self.doc.content_type = Some(value.to_string());
            return;
        }
        let values = self
            .doc
            .headers
            .entry(name.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = values {
            values.push(Value::String(value.to_string()));
        }
    }

    /// Lists the `{name}` placeholders of a header or custom-parameter
    /// value; warns about names no parameter has, when the routine is known.
    fn note_placeholders(&mut self, line: &'a str, value: &str) {
        for name in placeholders::names(value) {
            if self.params.known() && self.params.find_ignore_case(name).is_none() {
                self.warn(
                    line,
                    format!(
                        "{{{name}}} names no parameter of the routine, so it is sent as written"
                    ),
                );
            }
            if self.placeholder_names.insert(name.to_string()) {
                self.doc.placeholders.push(name.to_string());
            }
        }
    }

    fn keyword(&mut self, keyword: &'static Keyword, line: &'a str, words: &[&str]) {
        let name = keyword.name;
        let args = &words[1..];
        let first = args.first().copied().unwrap_or("");
        match keyword.shape {
            Shape::Flag => self.set(name, true),
            Shape::Text => self.text(name, line),
            Shape::OneWord { lower } => match args {
                [word] => self.set(name, cased(word, lower)),
                [] => self.warn(line, "a name is missing"),
                _ => self.warn(
                    line,
                    format!(
                        "{:?} is more than one name, so the line is ignored",
                        args.join(" ")
                    ),
                ),
            },
            Shape::Joined { lower } => self.set(name, cased(&args.join(" "), lower)),
            Shape::Number => self.number(name, line, first),
            Shape::Interval => self.interval(name, line, &args.join(" ")),
            Shape::Choice(options) => match keywords::choice(options, first) {
                Some(value) if name == "request_param_type" => {
                    self.doc.request_param_type = Some(value)
                }
                Some(value) => self.set(name, value),
                None => self.warn(
                    line,
                    format!("{first:?} is not one of {}", keywords::spellings(options)),
                ),
            },
            Shape::Own => self.own(name, line, words),
        }
    }

    /// `separator` / `new_line`: the raw text after the line's first space.
    fn text(&mut self, name: &str, line: &'a str) {
        match line.split_once(' ') {
            Some((_, text)) => {
                let text = self.unescape(line, text);
                self.set(name, text);
            }
            None => self.warn(line, "the value is missing: it follows the first space"),
        }
    }

    /// Keywords whose arguments follow a rule of their own.
    fn own(&mut self, name: &'static str, line: &'a str, words: &[&str]) {
        let args = &words[1..];
        let result = match name {
            "http" => self.http(args),
            "timeout" => self.timeout(args),
            "cached" => self.cached(line, args),
            "upload" => self.upload(line, args),
            "param" => self.param(line, words),
            "validate" => self.validate(line, args),
            "encrypt" => self.encrypt(line, args),
            "decrypt" => self.decrypt(args),
            "proxy" => self.gathered.proxy.get_or_insert_default().keyword(words),
            "proxy_out" => self
                .gathered
                .proxy_out
                .get_or_insert_default()
                .keyword(words),
            n if n.starts_with("basic_auth") => self.basic_auth().keyword(name, line, words),
            n if n.starts_with("sse") => self.sse().keyword(name, words),
            _ => {
                self.core_keyword(name, args);
                Ok(())
            }
        };
        self.report(line, result);
    }

    /// The keywords of the core keys: path, roles and flags.
    fn core_keyword(&mut self, name: &str, args: &[&str]) {
        match name {
            "path" => self.doc.path = args.first().map(|p| endpoint_path(p)),
            "authorize" => self.authorize(args),
            "allow_anonymous" => {
                self.doc.requires_authorization = false;
                self.doc.allow_anonymous = true;
            }
            "login" => self.doc.login = true,
            "logout" => self.doc.logout = true,
            "internal" => self.doc.internal = true,
            _ => {
                // `disabled` / `enabled`, alone or for the routine's tags.
                if args.is_empty() || self.has_any_tag(args) {
                    self.doc.disabled = name == "disabled";
                }
            }
        }
    }

    /// `HTTP`, `HTTP METHOD`, `HTTP path`, `HTTP METHOD path`.
    fn http(&mut self, args: &[&str]) -> Result<(), String> {
        self.doc.http = true;
        match args {
            [] => Ok(()),
            [word] => {
                match method(word) {
                    Some(m) => self.method(m),
                    None => self.doc.path = Some(endpoint_path(word)),
                }
                Ok(())
            }
            [word, path] => {
                self.doc.path = Some(endpoint_path(path));
                match method(word) {
                    Some(m) => {
                        self.method(m);
                        Ok(())
                    }
                    None => Err(format!(
                        "{word:?} is not an HTTP method ({})",
                        METHODS.join(", ")
                    )),
                }
            }
            _ => Err("too many words: only the HTTP flag is set".to_string()),
        }
    }

    fn method(&mut self, method: &'static str) {
        self.doc.method = Some(method.to_string());
        self.doc.request_param_type = Some(if method == "GET" {
            "query_string"
        } else {
            "body_json"
        });
    }

    /// `authorize [role…]`: roles replace earlier ones; a bare line keeps them.
    fn authorize(&mut self, roles: &[&str]) {
        self.doc.requires_authorization = true;
        if roles.is_empty() {
            return;
        }
        self.doc.authorize_roles.clear();
        self.roles.clear();
        for role in roles {
            let role = role.to_lowercase();
            if self.roles.insert(role.clone()) {
                self.doc.authorize_roles.push(role);
            }
        }
    }

    /// `timeout <interval>`: NpgsqlRest reads only the first word, and an
    /// invalid one resets the timeout to the server default.
    fn timeout(&mut self, args: &[&str]) -> Result<(), String> {
        let first = args.first().copied().unwrap_or("");
        if let Err(reason) = interval::check(first) {
            self.doc.settings.remove("timeout");
            return Err(format!("{reason}; the server default applies"));
        }
        self.set("timeout", first);
        match args {
            [_, _, ..] => Err(format!(
                "only the first word {first:?} is read; write {:?} or \"timeout = {}\"",
                args.concat(),
                args.join(" ")
            )),
            _ => Ok(()),
        }
    }

    /// `cached [param…]`: the parameters the cache key is made of; a bare
    /// line gives `[]`, every parameter.
    fn cached(&mut self, line: &'a str, args: &[&str]) -> Result<(), String> {
        let names = distinct(args.iter().map(|a| a.to_string()));
        let names = self.keep_params(line, names, RoutineParams::has_actual);
        self.set("cached", names);
        Ok(())
    }

    /// `encrypt [param…]`: every parameter, or the ones listed (lower-cased).
    fn encrypt(&mut self, line: &'a str, args: &[&str]) -> Result<(), String> {
        let names = distinct(args.iter().map(|a| a.to_lowercase()));
        let names = self.keep_params(line, names, RoutineParams::has_actual);
        self.select("encrypt", args.is_empty(), names);
        Ok(())
    }

    /// `decrypt [column…]`: every column, or the ones listed (lower-cased).
    fn decrypt(&mut self, args: &[&str]) -> Result<(), String> {
        let columns = distinct(args.iter().map(|a| a.to_lowercase()));
        self.select("decrypt", args.is_empty(), columns);
        Ok(())
    }

    /// A bare `encrypt`/`decrypt` line selects everything; a list replaces
    /// the earlier list.
    fn select(&mut self, name: &str, bare: bool, names: Vec<String>) {
        let selection = self.selection(name);
        if bare {
            selection.all = Some(true);
        } else {
            selection.names = Some(names);
        }
    }

    /// `upload`, `upload for handler…`, `upload param as metadata`. NpgsqlRest
    /// makes an upload endpoint a POST reading the query string.
    fn upload(&mut self, line: &'a str, args: &[&str]) -> Result<(), String> {
        self.start_upload();
        match args {
            [] => Ok(()),
            [for_word, handlers @ ..] if is_word(for_word, "for") && !handlers.is_empty() => {
                let handlers = handlers.iter().map(|h| h.to_lowercase()).collect();
                self.gathered.upload.get_or_insert_default().handlers = Some(handlers);
                Ok(())
            }
            [param, as_word, metadata, ..]
                if is_word(as_word, "as") && is_word(metadata, "metadata") =>
            {
                self.upload_metadata(line, &param.to_lowercase());
                Ok(())
            }
            _ => Err(format!(
                "{:?} is ignored: write \"upload for <handler>\" or \"upload <parameter> as metadata\"",
                args.join(" ")
            )),
        }
    }

    fn start_upload(&mut self) {
        self.gathered.upload.get_or_insert_default();
        self.doc.method = Some("POST".to_string());
        self.doc.request_param_type = Some("query_string");
    }

    /// Marks the parameter that receives the upload's metadata.
    fn upload_metadata(&mut self, line: &'a str, name: &str) -> Option<String> {
        let name = self.target(line, name, RoutineParams::find_exact)?;
        let upload = self.gathered.upload.get_or_insert_default();
        upload.metadata_parameters.push(name.clone());
        Some(name)
    }

    /// `validate <param> using <rule>…`: rules add up per parameter.
    fn validate(&mut self, line: &'a str, args: &[&str]) -> Result<(), String> {
        let [param, using, rules @ ..] = args else {
            return Ok(());
        };
        if !using.eq_ignore_ascii_case("using") {
            return Err(format!(
                "{using:?} should be \"using\": write validate <parameter> using <rule>, ..."
            ));
        }
        let Some(param) = self.target(line, param, RoutineParams::find_exact) else {
            return Ok(());
        };
        let ordered = rules.iter().map(|r| (param.clone(), r.to_string()));
        self.doc.validations.extend(ordered);
        let list = self
            .gathered
            .validate
            .entry(param)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = list {
            list.extend(rules.iter().map(|r| json!(r)));
        }
        Ok(())
    }

    /// `param …`: one object per line that takes effect.
    fn param(&mut self, line: &'a str, words: &[&str]) -> Result<(), String> {
        let object = match param_forms::parse(words) {
            ParamForm::Incomplete => {
                return Err("nothing to do: write param <name> and a new name, a type, \
                     a default, \"is hash of <name>\" or \"is upload metadata\""
                    .to_string())
            }
            ParamForm::HashOf { parameter, source } => {
                let parameter = self.target(line, &parameter, RoutineParams::find_exact);
                let source = parameter
                    .as_ref()
                    .and_then(|_| self.target(line, &source, RoutineParams::find_exact));
                match (parameter, source) {
                    (Some(p), Some(s)) => json!({"parameter": p, "hash_of": s}),
                    _ => return Ok(()),
                }
            }
            ParamForm::UploadMetadata { parameter } => {
                self.start_upload();
                match self.upload_metadata(line, &parameter) {
                    Some(p) => json!({"parameter": p, "upload_metadata": true}),
                    None => return Ok(()),
                }
            }
            ParamForm::Default { parameter, value } => {
                match self.target(line, &parameter, RoutineParams::find_ignore_case) {
                    Some(p) => json!({"parameter": p, "default": value}),
                    None => return Ok(()),
                }
            }
            ParamForm::Rename {
                parameter,
                new_name,
                type_name,
                default,
                keeps_name,
            } => {
                param_forms::check_name(new_name)?;
                let Some(p) = self.target(line, &parameter, RoutineParams::find_ignore_case) else {
                    return Ok(());
                };
                if let Some(index) = self.params.find_ignore_case(&parameter) {
                    self.params.rename(index, new_name);
                }
                let mut object = Map::new();
                object.insert("parameter".into(), json!(p));
                if !keeps_name {
                    object.insert("rename".into(), json!(new_name));
                }
                if let Some(type_name) = type_name {
                    object.insert("type".into(), json!(type_name));
                }
                if let Some(default) = default {
                    object.insert("default".into(), json!(default));
                }
                Value::Object(object)
            }
        };
        self.gathered.params.push(object);
        Ok(())
    }

    /// The routine parameter a line names, by its actual name; the name as
    /// written when the routine is not known. Unknown names are warned about.
    fn target(
        &mut self,
        line: &'a str,
        name: &str,
        find: fn(&RoutineParams, &str) -> Option<usize>,
    ) -> Option<String> {
        if !self.params.known() {
            return Some(name.to_string());
        }
        let found = find(&self.params, name).and_then(|i| self.params.actual(i));
        let found = found.map(str::to_string);
        if found.is_none() {
            self.warn_parameter(line, format!("{name:?} is not a parameter of the routine"));
        }
        found
    }

    /// The names `is_param` accepts, when the routine is known; one
    /// warning lists the others.
    fn keep_params(
        &mut self,
        line: &'a str,
        names: Vec<String>,
        is_param: fn(&RoutineParams, &str) -> bool,
    ) -> Vec<String> {
        if !self.params.known() {
            return names;
        }
        let (kept, unknown): (Vec<String>, Vec<String>) =
            names.into_iter().partition(|n| is_param(&self.params, n));
        if !unknown.is_empty() {
            let unknown: Vec<String> = unknown.iter().map(|n| format!("{n:?}")).collect();
            self.warn_parameter(
                line,
                format!(
                    "not a parameter of the routine, so ignored: {}",
                    unknown.join(", ")
                ),
            );
        }
        kept
    }

    fn selection(&mut self, name: &str) -> &mut Selection {
        let slot = if name == "encrypt" {
            &mut self.gathered.encrypt
        } else {
            &mut self.gathered.decrypt
        };
        slot.get_or_insert_default()
    }

    fn sse(&mut self) -> &mut Sse {
        self.gathered.sse.get_or_insert_default()
    }

    fn basic_auth(&mut self) -> &mut BasicAuth {
        self.gathered.basic_auth.get_or_insert_default()
    }
}

fn not_bool(value: &str) -> String {
    format!("{value:?} is not true or false")
}

fn cased(text: &str, lower: bool) -> String {
    if lower {
        text.to_lowercase()
    } else {
        text.to_string()
    }
}

/// The names in first-seen order, repeats dropped.
fn distinct(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    names.filter(|n| seen.insert(n.clone())).collect()
}

/// Splits `name<sep>value` when the text before the first `sep` is a name:
/// letters, digits, `-`, `_`, `@` only (an empty name counts).
fn split_named(line: &str, sep: char) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(sep)?;
    let name = name.trim();
    let is_name = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '@'));
    is_name.then_some((name, value.trim()))
}
