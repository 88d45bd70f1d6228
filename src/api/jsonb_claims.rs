//! `user_claims` read from jsonb's binary form in place: a request's
//! claims are neither printed by `jsonb_out` nor parsed again as JSON.
//! The reader takes the usual shapes (an object of strings, booleans,
//! nulls and arrays of strings or booleans); anything else (numbers,
//! which Postgres prints, and every shape that is an error) goes the way
//! of any other jsonb argument, [`JsonbArg`], so its result and its errors
//! stay those of the JSON path.
//!
//! The layout is jsonb.h's (see `jsonb_names`): an object's header counts
//! its pairs, its entries are every key and then every value, and its data
//! holds them in that order.

use std::borrow::Cow;

use pgrx::callconv::{Arg, ArgAbi};
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};
use pgrx::{pg_sys, FromDatum};

use super::errors::reserve;
use super::jsonb_arg::JsonbArg;
use super::jsonb_names::{
    word_at, CONTAINER, COUNT_MASK, ENTRY_HAS_OFFSET, ENTRY_LEN_MASK, ENTRY_TYPE_MASK, FALSE,
    IS_OBJECT, IS_SCALAR, NULL, STRING, TRUE,
};
use super::server_text::to_rust;
use super::varlena;
use crate::core::request::claims::{ClaimValue, Claims};

/// A `jsonb` argument kept as its datum, read when asked.
pub struct JsonbDatum(pg_sys::Datum);

impl JsonbDatum {
    /// The claims, read in place; None for a value the binary reader
    /// leaves to [`JsonbDatum::json`].
    pub fn claims(&self) -> Option<Claims<'_>> {
        // SAFETY: a jsonb datum of this call; a toasted one is detoasted
        // into a copy that lives as long as the memory context.
        let content = unsafe { varlena::content(self.0) };
        read_claims(content).map(Claims::from_pairs)
    }

    /// Whether the value is the empty object `{}` (most requests' `args`),
    /// read from its header without building any JSON.
    pub fn is_empty_object(&self) -> bool {
        // SAFETY: a jsonb datum of this call, read in place; a compressed
        // or external one (never `{}`, which is a few bytes) is not read.
        let content = unsafe { varlena::plain_content(self.0) };
        content
            .and_then(|c| word_at(c, 0))
            .is_some_and(|h| h & IS_OBJECT != 0 && h & COUNT_MASK == 0)
    }

    /// The value as JSON, as a [`JsonbArg`] reads it.
    pub fn json(&self) -> Result<serde_json::Value, String> {
        // SAFETY: a non-null jsonb datum of this call.
        let arg = unsafe { JsonbArg::from_polymorphic_datum(self.0, false, pg_sys::JSONBOID) };
        arg.map_or_else(|| Ok(serde_json::Value::Null), |a| a.0)
    }
}

/// The pairs of a claims object, in storage order.
fn read_claims(content: &[u8]) -> Option<Vec<(Cow<'_, str>, ClaimValue<'_>)>> {
    let header = word_at(content, 0)?;
    if header & IS_OBJECT == 0 {
        return None;
    }
    let pairs = (header & COUNT_MASK) as usize;
    // Every key, then every value: the values' reader starts past the keys.
    let keys = children(content, pairs.checked_mul(2)?)?;
    let mut values = keys.clone().skip(pairs);
    // Counts read from jsonb headers are bounded by the datum's size, not
    // by what memory is left.
    let mut claims = Vec::new();
    reserve(&mut claims, pairs, || {
        format!("reading user_claims of {pairs} claims")
    });
    for key in keys.take(pairs) {
        let (key, value) = (key?, values.next()??);
        if key.kind != STRING {
            return None;
        }
        let claim = to_rust(key.bytes);
        let value = match value.kind {
            NULL => ClaimValue::Null,
            STRING | FALSE | TRUE => ClaimValue::One(scalar_text(&value)?),
            CONTAINER => {
                let array = value.container?;
                let header = word_at(array, 0)?;
                if header & (IS_OBJECT | IS_SCALAR) != 0 {
                    return None;
                }
                let count = (header & COUNT_MASK) as usize;
                let mut texts = Vec::new();
                reserve(&mut texts, count, || {
                    format!("reading a claim of {count} values")
                });
                for item in children(array, count)? {
                    texts.push(scalar_text(&item?)?);
                }
                ClaimValue::Many(texts)
            }
            _ => return None,
        };
        claims.push((claim, value));
    }
    Some(claims)
}

/// A string's or boolean's text (None for anything else).
fn scalar_text<'a>(child: &Child<'a>) -> Option<Cow<'a, str>> {
    match child.kind {
        STRING => Some(to_rust(child.bytes)),
        TRUE => Some(Cow::Borrowed("true")),
        FALSE => Some(Cow::Borrowed("false")),
        _ => None,
    }
}

/// One child of a container: its type, its bytes, and for a container
/// its (aligned) bytes.
struct Child<'a> {
    kind: u32,
    bytes: &'a [u8],
    container: Option<&'a [u8]>,
}

/// The `count` children of the container `container`, read as they are
/// iterated; an item is None where the container is damaged.
fn children(container: &[u8], count: usize) -> Option<Children<'_>> {
    let entries_end = count.checked_mul(4)?.checked_add(4)?;
    Some(Children {
        entries: container.get(4..entries_end)?,
        data: container.get(entries_end..)?,
        at: 0,
        count,
        start: 0,
    })
}

/// See [`children`].
#[derive(Clone)]
struct Children<'a> {
    entries: &'a [u8],
    data: &'a [u8],
    /// The next child, and where its data starts.
    at: usize,
    count: usize,
    start: usize,
}

impl<'a> Children<'a> {
    fn read(&mut self) -> Option<Child<'a>> {
        let entry = word_at(self.entries, self.at.checked_mul(4)?)?;
        let field = (entry & ENTRY_LEN_MASK) as usize;
        let start = self.start;
        let end = match entry & ENTRY_HAS_OFFSET != 0 {
            true => field,
            false => start.checked_add(field)?,
        };
        let kind = entry & ENTRY_TYPE_MASK;
        let bytes = self.data.get(start..end)?;
        // Containers start 4-byte aligned within the data.
        let container = (kind == CONTAINER)
            .then(|| self.data.get(((start + 3) & !3)..end))
            .flatten();
        self.start = end;
        Some(Child {
            kind,
            bytes,
            container,
        })
    }
}

impl<'a> Iterator for Children<'a> {
    type Item = Option<Child<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.count {
            return None;
        }
        let child = self.read();
        // A damaged child ends the reading.
        self.at = if child.is_some() {
            self.at + 1
        } else {
            self.count
        };
        Some(child)
    }
}

impl FromDatum for JsonbDatum {
    unsafe fn from_polymorphic_datum(
        datum: pg_sys::Datum,
        is_null: bool,
        _: pg_sys::Oid,
    ) -> Option<Self> {
        (!is_null).then_some(JsonbDatum(datum))
    }
}

// SAFETY: unboxed with FromDatum, as pgrx does for its own types.
unsafe impl<'fcx> ArgAbi<'fcx> for JsonbDatum {
    unsafe fn unbox_arg_unchecked(arg: Arg<'_, 'fcx>) -> Self {
        // SAFETY: Postgres passes a jsonb datum; a NULL one is never read
        // (the argument is an Option).
        unsafe { arg.unbox_arg_using_from_datum() }.unwrap_or(JsonbDatum(pg_sys::Datum::from(0)))
    }
}

// SAFETY: the SQL type is jsonb, which FromDatum keeps.
unsafe impl SqlTranslatable for JsonbDatum {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(JsonbDatum);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::literal("jsonb"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::literal("jsonb")));
}
