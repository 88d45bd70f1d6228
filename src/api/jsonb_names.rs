//! Scheme names read from jsonb's binary form in place, so a jsonb logout
//! result is neither printed nor parsed again. The rules are the json
//! ones (`core::json_names`): strings are names, arrays are expanded at any
//! depth, null is nothing, numbers and booleans are their text, an object
//! is an error. Nesting is walked with an explicit stack.
//!
//! The layout is jsonb.h's: a container is a `u32` header (count and
//! kind), one `u32` entry per child, then the children's data. An entry
//! holds the child's type and either its length or, on every 32nd
//! child, its end offset.

/// A leaf of a jsonb value that names a scheme.
pub enum JsonbLeaf<'a> {
    Text(&'a [u8]),
    /// A numeric's varlena bytes, to be printed by Postgres.
    Numeric(&'a [u8]),
    Bool(bool),
}

#[derive(Debug, PartialEq, Eq)]
pub enum JsonbWalkError {
    Object,
    /// The bytes do not hold a jsonb value.
    Damaged,
}

// jsonb.h's layout, shared with `jsonb_claims`.
pub(super) const COUNT_MASK: u32 = 0x0FFF_FFFF;
pub(super) const IS_SCALAR: u32 = 0x1000_0000;
pub(super) const IS_OBJECT: u32 = 0x2000_0000;
pub(super) const ENTRY_LEN_MASK: u32 = 0x0FFF_FFFF;
pub(super) const ENTRY_TYPE_MASK: u32 = 0x7000_0000;
pub(super) const ENTRY_HAS_OFFSET: u32 = 0x8000_0000;
pub(super) const STRING: u32 = 0x0000_0000;
const NUMERIC: u32 = 0x1000_0000;
pub(super) const FALSE: u32 = 0x2000_0000;
pub(super) const TRUE: u32 = 0x3000_0000;
pub(super) const NULL: u32 = 0x4000_0000;
pub(super) const CONTAINER: u32 = 0x5000_0000;

/// An array being walked: its entries, its data, the next child.
struct Open<'a> {
    entries: &'a [u8],
    data: &'a [u8],
    next: usize,
    start: usize,
}

/// Calls `leaf` for each named leaf of the jsonb container `content` (the
/// bytes after the varlena header), in document order.
pub fn walk_jsonb<'a>(
    content: &'a [u8],
    mut leaf: impl FnMut(JsonbLeaf<'a>),
) -> Result<(), JsonbWalkError> {
    let mut stack = vec![open(content)?];
    while let Some(top) = stack.last_mut() {
        let Some(entry) = word_at(top.entries, top.next * 4) else {
            stack.pop();
            continue;
        };
        top.next += 1;
        let field = (entry & ENTRY_LEN_MASK) as usize;
        let end = if entry & ENTRY_HAS_OFFSET != 0 {
            field
        } else {
            top.start + field
        };
        let start = std::mem::replace(&mut top.start, end);
        let data = top.data;
        let bytes = data.get(start..end).ok_or(JsonbWalkError::Damaged)?;
        // Numerics and containers start 4-byte aligned within the data.
        let aligned = || {
            data.get(((start + 3) & !3)..end)
                .ok_or(JsonbWalkError::Damaged)
        };
        match entry & ENTRY_TYPE_MASK {
            STRING => leaf(JsonbLeaf::Text(bytes)),
            NUMERIC => leaf(JsonbLeaf::Numeric(aligned()?)),
            FALSE => leaf(JsonbLeaf::Bool(false)),
            TRUE => leaf(JsonbLeaf::Bool(true)),
            NULL => {}
            CONTAINER => {
                let child = open(aligned()?)?;
                stack.push(child);
            }
            _ => return Err(JsonbWalkError::Damaged),
        }
    }
    Ok(())
}

/// A container's children; a scalar is stored as a one-element array.
fn open(container: &[u8]) -> Result<Open<'_>, JsonbWalkError> {
    let header = word_at(container, 0).ok_or(JsonbWalkError::Damaged)?;
    if header & IS_OBJECT != 0 {
        return Err(JsonbWalkError::Object);
    }
    let entries_end = 4 + 4 * (header & COUNT_MASK) as usize;
    Ok(Open {
        entries: container
            .get(4..entries_end)
            .ok_or(JsonbWalkError::Damaged)?,
        data: container
            .get(entries_end..)
            .ok_or(JsonbWalkError::Damaged)?,
        next: 0,
        start: 0,
    })
}

/// The native-endian 32-bit word at `at`, if the bytes hold it.
pub(super) fn word_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
}
