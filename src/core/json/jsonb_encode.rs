//! A JSON tree ([`Json`]) written straight into jsonb's binary form
//! (jsonb.h).
//!
//! Going through Postgres' builder (`pushJsonbValue`) first copies the
//! whole value into a tree of `JsonbValue`s; writing the bytes directly
//! keeps one copy, the result. A first pass over a [`Counter`] gives the
//! exact size, so a large result is allocated once; a small one may go
//! into a growing `Vec` in one pass instead.
//!
//! Layout: a 4-byte varlena header, then the root container. A container
//! is a `u32` header (child count, kind flags), a `u32` entry per child
//! (type and length; every 32nd an end offset instead), then the
//! children's data. Numerics and containers start 4-byte aligned. Object
//! keys come first, sorted shorter-first then bytewise, then the values in
//! the same order. A scalar root is a one-element array flagged scalar.
//! Nesting is walked with an explicit stack.

use serde_json::{Number, Value};

use crate::core::json::tree::Json;

const LEN_MASK: u32 = 0x0FFF_FFFF;
const TYPE_MASK: u32 = 0x7000_0000;
const HAS_OFFSET: u32 = 0x8000_0000;
const NUMERIC: u32 = 0x1000_0000;
const FALSE: u32 = 0x2000_0000;
const TRUE: u32 = 0x3000_0000;
const NULL: u32 = 0x4000_0000;
const CONTAINER: u32 = 0x5000_0000;
const SCALAR: u32 = 0x1000_0000;
const OBJECT: u32 = 0x2000_0000;
const ARRAY: u32 = 0x4000_0000;
const OFFSET_STRIDE: usize = 32;

/// What jsonb cannot hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// A string holds U+0000.
    Nul,
    /// A string is longer than jsonb's length field.
    StringTooLong,
    /// A container's data is longer than jsonb's offset field.
    ContainerTooLarge,
}

/// Where the bytes go: counted, or written.
pub trait Sink {
    fn position(&self) -> usize;
    fn append(&mut self, bytes: &[u8]);
    fn set_u32(&mut self, at: usize, value: u32);

    /// Zero bytes up to a 4-byte boundary; how many were added.
    fn pad_to_int(&mut self) -> usize {
        let pad = (4 - self.position() % 4) % 4;
        self.append(&[0; 3][..pad]);
        pad
    }
}

/// Counts the bytes a value takes.
#[derive(Default)]
pub struct Counter(pub usize);

impl Sink for Counter {
    fn position(&self) -> usize {
        self.0
    }
    fn append(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
    fn set_u32(&mut self, _at: usize, _value: u32) {}
}

/// Writes into a buffer of the counted size.
pub struct SliceSink<'b> {
    buffer: &'b mut [u8],
    len: usize,
}

impl<'b> SliceSink<'b> {
    pub fn new(buffer: &'b mut [u8]) -> Self {
        SliceSink { buffer, len: 0 }
    }
}

impl Sink for SliceSink<'_> {
    fn position(&self) -> usize {
        self.len
    }
    fn append(&mut self, bytes: &[u8]) {
        let end = self.len + bytes.len();
        if let Some(target) = self.buffer.get_mut(self.len..end) {
            target.copy_from_slice(bytes);
        }
        self.len = end;
    }
    fn set_u32(&mut self, at: usize, value: u32) {
        if let Some(target) = self.buffer.get_mut(at..at + 4) {
            target.copy_from_slice(&value.to_ne_bytes());
        }
    }
}

/// A growing buffer, for values small enough that one pass and a copy
/// cost less than a counting pass.
impl Sink for Vec<u8> {
    fn position(&self) -> usize {
        self.len()
    }
    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn set_u32(&mut self, at: usize, value: u32) {
        self[at..at + 4].copy_from_slice(&value.to_ne_bytes());
    }
}

/// A node of the tree being written: the borrowed tree's own, or a
/// serde_json value inside it, or one string of a string array.
#[derive(Clone, Copy)]
enum Item<'v> {
    Node(&'v Json<'v>),
    Value(&'v Value),
    Str(&'v str),
}

/// The children of an open container.
enum Children<'v> {
    Nodes(&'v [Json<'v>]),
    Values(&'v [Value]),
    Strs(&'v [&'v str]),
    Strings(&'v [String]),
    /// The keys, then the values, in jsonb key order, keys distinct (each
    /// with its position among the members given).
    Object(Vec<(&'v str, usize, Item<'v>)>),
    RawScalar(Item<'v>),
}

enum Child<'v> {
    Key(&'v str),
    Value(Item<'v>),
}

impl<'v> Children<'v> {
    fn count(&self) -> usize {
        match self {
            Children::Nodes(items) => items.len(),
            Children::Values(items) => items.len(),
            Children::Strs(items) => items.len(),
            Children::Strings(items) => items.len(),
            Children::Object(pairs) => 2 * pairs.len(),
            Children::RawScalar(_) => 1,
        }
    }

    fn get(&self, i: usize) -> Option<Child<'v>> {
        let item = match self {
            Children::Nodes(items) => items.get(i).map(Item::Node),
            Children::Values(items) => items.get(i).map(Item::Value),
            Children::Strs(items) => items.get(i).map(|s| Item::Str(s)),
            Children::Strings(items) => items.get(i).map(|s| Item::Str(s)),
            Children::Object(pairs) => {
                return match pairs.get(i) {
                    Some((key, _, _)) => Some(Child::Key(key)),
                    None => pairs.get(i - pairs.len()).map(|(_, _, v)| Child::Value(*v)),
                }
            }
            Children::RawScalar(item) => (i == 0).then_some(*item),
        };
        item.map(Child::Value)
    }
}

/// A container being written.
struct Open<'v> {
    children: Children<'v>,
    /// Where the container starts, before its alignment padding.
    start: usize,
    entries_at: usize,
    next: usize,
    data_len: u32,
}

/// Writes the jsonb varlena of `value`, 4-byte header included. `numeric`
/// gives a number's numeric varlena, as Postgres stores it.
pub fn encode(
    value: &Json,
    numeric: &mut impl FnMut(&Number) -> Vec<u8>,
    sink: &mut impl Sink,
) -> Result<(), EncodeError> {
    sink.append(&[0; 4]);
    let root = Item::Node(value);
    let root = children(root).unwrap_or(Children::RawScalar(root));
    let mut stack = vec![open(root, sink)];
    while let Some(top) = stack.last_mut() {
        let Some(child) = top.children.get(top.next) else {
            let done = stack.pop();
            let len = done.map_or(0, |d| sink.position() - d.start);
            let entry = CONTAINER | checked_len(len, EncodeError::ContainerTooLarge)?;
            if let Some(parent) = stack.last_mut() {
                record(parent, entry, sink)?;
            }
            continue;
        };
        let entry = match child {
            Child::Key(key) => string(key, sink)?,
            Child::Value(item) => match children(item) {
                Some(nested) => {
                    let nested = open(nested, sink);
                    stack.push(nested);
                    continue;
                }
                None => scalar(item, numeric, sink)?,
            },
        };
        record(top, entry, sink)?;
    }
    let len = checked_len(sink.position(), EncodeError::ContainerTooLarge)?;
    sink.set_u32(0, varlena_header(len));
    Ok(())
}

/// A 4-byte varlena header (SET_VARSIZE_4B) as a native-order word.
fn varlena_header(len: u32) -> u32 {
    if cfg!(target_endian = "little") {
        len << 2
    } else {
        len
    }
}

fn children(item: Item<'_>) -> Option<Children<'_>> {
    match item {
        Item::Node(&Json::Value(value)) | Item::Value(value) => match value {
            Value::Array(items) => Some(Children::Values(items)),
            Value::Object(map) => Some(object(
                map.iter().map(|(k, v)| (k.as_str(), Item::Value(v))),
            )),
            _ => None,
        },
        Item::Node(Json::Map(map)) => Some(object(
            map.iter().map(|(k, v)| (k.as_str(), Item::Value(v))),
        )),
        Item::Node(Json::Array(items)) => Some(Children::Nodes(items)),
        Item::Node(Json::Strs(items)) => Some(Children::Strs(items)),
        Item::Node(Json::Strings(items)) => Some(Children::Strings(items)),
        Item::Node(Json::Object(members)) => {
            Some(object(members.iter().map(|(k, v)| (*k, Item::Node(v)))))
        }
        _ => None,
    }
}

/// An object's members in jsonb key order (shorter first, then bytewise);
/// of members with the same key, the last given stays, as in `jsonb_in`.
/// (An unstable sort on the key and position: it needs no scratch buffer.)
fn object<'v>(members: impl Iterator<Item = (&'v str, Item<'v>)>) -> Children<'v> {
    let mut pairs: Vec<(&str, usize, Item)> =
        members.enumerate().map(|(i, (k, v))| (k, i, v)).collect();
    pairs.sort_unstable_by(|a, b| {
        (a.0.len(), a.0.as_bytes(), a.1).cmp(&(b.0.len(), b.0.as_bytes(), b.1))
    });
    pairs.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
    Children::Object(pairs)
}

fn open<'v>(children: Children<'v>, sink: &mut impl Sink) -> Open<'v> {
    let start = sink.position();
    sink.pad_to_int();
    let count = children.count();
    let header = match &children {
        Children::Object(_) => OBJECT | (count / 2) as u32,
        Children::RawScalar(_) => ARRAY | SCALAR | 1,
        _ => ARRAY | count as u32,
    };
    sink.append(&header.to_ne_bytes());
    let entries_at = sink.position();
    for _ in 0..count {
        sink.append(&[0; 4]);
    }
    Open {
        children,
        start,
        entries_at,
        next: 0,
        data_len: 0,
    }
}

/// Stores a child's entry; every 32nd holds the end offset of its data.
fn record(parent: &mut Open, entry: u32, sink: &mut impl Sink) -> Result<(), EncodeError> {
    let total = u64::from(parent.data_len) + u64::from(entry & LEN_MASK);
    parent.data_len = checked_len(total as usize, EncodeError::ContainerTooLarge)?;
    let entry = if parent.next.is_multiple_of(OFFSET_STRIDE) {
        (entry & TYPE_MASK) | parent.data_len | HAS_OFFSET
    } else {
        entry
    };
    sink.set_u32(parent.entries_at + 4 * parent.next, entry);
    parent.next += 1;
    Ok(())
}

fn checked_len(len: usize, error: EncodeError) -> Result<u32, EncodeError> {
    u32::try_from(len)
        .ok()
        .filter(|&l| l <= LEN_MASK)
        .ok_or(error)
}

fn string(s: &str, sink: &mut impl Sink) -> Result<u32, EncodeError> {
    let len = checked_len(s.len(), EncodeError::StringTooLong)?;
    if s.as_bytes().contains(&0) {
        return Err(EncodeError::Nul);
    }
    sink.append(s.as_bytes());
    Ok(len)
}

fn scalar(
    item: Item,
    numeric: &mut impl FnMut(&Number) -> Vec<u8>,
    sink: &mut impl Sink,
) -> Result<u32, EncodeError> {
    let value = match item {
        Item::Str(s) | Item::Node(&Json::Str(s)) => return string(s, sink),
        Item::Node(Json::Bool(b)) => return Ok(if *b { TRUE } else { FALSE }),
        Item::Node(Json::Null) => return Ok(NULL),
        Item::Node(&Json::Value(value)) | Item::Value(value) => value,
        // Containers are opened by the caller, never written as scalars.
        Item::Node(_) => return Ok(NULL),
    };
    Ok(match value {
        Value::Null => NULL,
        Value::Bool(false) => FALSE,
        Value::Bool(true) => TRUE,
        Value::String(s) => string(s, sink)?,
        Value::Number(n) => {
            let bytes = numeric(n);
            let pad = sink.pad_to_int();
            sink.append(&bytes);
            NUMERIC | checked_len(pad + bytes.len(), EncodeError::ContainerTooLarge)?
        }
        Value::Array(_) | Value::Object(_) => NULL,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bytes_of(value: &Value) -> Vec<u8> {
        let mut numeric = |_: &Number| vec![0x10, 0, 0, 0];
        let mut counter = Counter::default();
        let value = &Json::Value(value);
        encode(value, &mut numeric, &mut counter).expect("encodes");
        let mut buffer = vec![0xAA; counter.0];
        encode(value, &mut numeric, &mut SliceSink::new(&mut buffer)).expect("encodes");
        let mut grown = Vec::new();
        encode(value, &mut numeric, &mut grown).expect("encodes");
        assert_eq!(buffer, grown, "the sinks agree for {value:?}");
        buffer
    }

    fn words(bytes: &[u8]) -> Vec<u32> {
        bytes
            .chunks_exact(4)
            .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    #[test]
    fn lays_out_like_postgres() {
        // Checked against jsonb.h; the first word is the varlena header.
        let header = varlena_header;
        assert_eq!(words(&bytes_of(&json!([]))), [header(8), ARRAY]);
        assert_eq!(words(&bytes_of(&json!({}))), [header(8), OBJECT]);
        assert_eq!(
            words(&bytes_of(&json!(null))),
            [header(12), ARRAY | SCALAR | 1, NULL | HAS_OFFSET]
        );
        assert_eq!(
            words(&bytes_of(&json!([true, false]))),
            [header(16), ARRAY | 2, TRUE | HAS_OFFSET, FALSE]
        );
        let ab = bytes_of(&json!(["ab", "c"]));
        assert_eq!(&ab[..4], &header(19).to_ne_bytes());
        assert_eq!(&ab[4..16], &[2, 0, 0, 0x40, 2, 0, 0, 0x80, 1, 0, 0, 0]);
        assert_eq!(&ab[16..], b"abc");
    }

    #[test]
    fn object_keys_sort_shorter_first_then_bytewise() {
        let bytes = bytes_of(&json!({"bb": 1, "a": 2, "ab": 3, "c": null}));
        let keys = &bytes[4 + 4 + 8 * 4..][..6];
        assert_eq!(keys, b"acabbb");
    }

    #[test]
    fn every_32nd_entry_holds_an_offset() {
        let items: Vec<Value> = (0..70).map(|_| json!("x")).collect();
        let w = words(&bytes_of(&Value::Array(items)));
        let entries = &w[2..72];
        for (i, entry) in entries.iter().enumerate() {
            let expected = if i % 32 == 0 {
                HAS_OFFSET | (i as u32 + 1)
            } else {
                1
            };
            assert_eq!(*entry, expected, "entry {i}");
        }
    }

    #[test]
    fn nested_containers_and_numerics_are_aligned() {
        let bytes = bytes_of(&json!(["a", [1], 2]));
        assert_eq!(bytes.len() % 4, 0, "ends on a number: {bytes:?}");
        let w = words(&bytes);
        // [a]: len 1 at offset 0; the inner array starts padded to 4.
        assert_eq!(w[2], HAS_OFFSET | 1);
        assert_eq!(w[3] & TYPE_MASK, CONTAINER);
        assert_eq!(
            w[3] & LEN_MASK,
            3 + 4 + 4 + 4,
            "pad, header, entry, numeric"
        );
    }

    #[test]
    fn deep_nesting_needs_no_recursion() {
        let mut value = json!("leaf");
        for _ in 0..100_000 {
            value = Value::Array(vec![value]);
        }
        let bytes = bytes_of(&value);
        assert!(bytes.len() > 100_000 * 8);
        // Dropping a deep serde value recurses; leak it instead.
        std::mem::forget(value);
    }

    fn tree_bytes(tree: &Json) -> Vec<u8> {
        let mut numeric = |_: &Number| vec![0x10, 0, 0, 0];
        let mut buffer = Vec::new();
        encode(tree, &mut numeric, &mut buffer).expect("encodes");
        buffer
    }

    #[test]
    fn a_borrowed_tree_writes_as_its_serde_form() {
        let lines = ["one", "", "three"];
        let roles = vec!["admin".to_string()];
        let settings = json!({"timeout": "5s", "cached": [1, {"x": null}]});
        let Value::Object(map) = &settings else {
            unreachable!()
        };
        let trees = [
            Json::Null,
            Json::Str("x"),
            Json::Bool(false),
            Json::Strs(&lines),
            Json::Strings(&roles),
            Json::Map(map),
            Json::Object(vec![
                ("lines", Json::Strs(&lines)),
                ("roles", Json::Strings(&roles)),
                ("empty", Json::Array(vec![])),
                ("set", Json::Value(&settings)),
                ("nested", Json::Array(vec![Json::Str("a"), Json::Map(map)])),
            ]),
        ];
        for tree in &trees {
            assert_eq!(tree_bytes(tree), bytes_of(&tree.to_value()), "{tree:?}");
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let tree = Json::Object(vec![
            ("b", Json::Str("first")),
            ("a", Json::Null),
            ("b", Json::Str("second")),
            ("b", Json::Str("last")),
        ]);
        assert_eq!(
            tree_bytes(&tree),
            bytes_of(&json!({"a": null, "b": "last"}))
        );
    }

    #[test]
    fn refuses_what_jsonb_cannot_hold() {
        let mut numeric = |_: &Number| Vec::new();
        let mut refused = |value: &Json| encode(value, &mut numeric, &mut Counter::default());
        let nul = json!({"k": "a\u{0}b"});
        assert_eq!(refused(&Json::Value(&nul)), Err(EncodeError::Nul));
        let key = json!({"a\u{0}": 1});
        assert_eq!(refused(&Json::Value(&key)), Err(EncodeError::Nul));
        let line = ["a\u{0}"];
        assert_eq!(refused(&Json::Strs(&line)), Err(EncodeError::Nul));
    }
}
