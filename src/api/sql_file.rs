//! `parse_sql_file`: the endpoint an NpgsqlRest `.sql` file defines.

use pgrx::prelude::*;
use pgrx::JsonB;
use serde_json::{json, Value};

use super::settings;
use crate::core::annotations::{parse_with, Routine};
use crate::core::naming::{default_path, file_stem};
use crate::core::sql_file::scan_with;

/// The annotation document of a `.sql` file's comments, with effective
/// `method` and `path`, `comment`, `statements` and `auto_method`.
#[pg_extern(stable, parallel_safe)]
fn parse_sql_file(content: Option<&str>, file_name: default!(Option<&str>, "NULL")) -> JsonB {
    let mut tick = || {
        pgrx::check_for_interrupts!();
    };
    let file = scan_with(content.unwrap_or(""), &mut tick);
    let doc = parse_with(&file.comment, Routine::default(), &mut tick);
    let method = doc
        .method
        .clone()
        .unwrap_or_else(|| file.auto_method.to_string());
    let path = doc.path.clone().or_else(|| {
        file_name.map(|name| default_path(&settings::url_prefix(), None, file_stem(name)))
    });
    let mut out = doc.to_json();
    if let Value::Object(map) = &mut out {
        map.insert("method".into(), json!(method));
        map.insert("path".into(), json!(path));
        map.insert("comment".into(), json!(file.comment));
        map.insert("statements".into(), json!(file.statements));
        map.insert("auto_method".into(), json!(file.auto_method));
    }
    JsonB(out)
}
