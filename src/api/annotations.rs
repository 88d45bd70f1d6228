//! `parse_annotations`: one comment in, its annotation document out.

use pgrx::prelude::*;
use pgrx::JsonB;

use crate::core::annotations::{parse_with, Routine};

/// The annotation document of a comment, for a routine with `tags`.
#[pg_extern(immutable, parallel_safe)]
fn parse_annotations(
    comment: Option<&str>,
    tags: default!(Option<Vec<Option<String>>>, "NULL"),
) -> JsonB {
    let tags: Vec<String> = tags.unwrap_or_default().into_iter().flatten().collect();
    let routine = Routine {
        tags: &tags,
        parameters: &[],
    };
    let doc = parse_with(comment.unwrap_or(""), routine, &mut || {
        pgrx::check_for_interrupts!();
    });
    JsonB(doc.to_json())
}
