//! `text[]` read and written in place.
//!
//! Scheme lists are short text arrays resolved on every logout, and a
//! million-element array must not cost several copies of itself: elements
//! are read where they lie (no iterator calls, no copies), and a result is
//! written as one allocation in the array layout Postgres uses.

use std::ptr;

use pgrx::callconv::{BoxRet, FcInfo};
use pgrx::pg_sys;

use super::server_text;
use super::varlena::{self, plain_span};
use crate::core::schemes::SchemeList;
use pgrx::pgrx_sql_entity_graph::metadata::{
    ArgumentError, ReturnsError, ReturnsRef, SqlMappingRef, SqlTranslatable, TypeOrigin,
};

/// Header size of a one-dimensional array without a null bitmap:
/// `ARR_OVERHEAD_NONULLS(1)`, the array header and one (dim, lower bound)
/// pair, rounded up to MAXALIGN.
const ONE_DIM_HEADER: usize = 24;
const VARHDRSZ: usize = 4;

fn int_align(len: usize) -> usize {
    (len + 3) & !3
}

/// A `text[]` result, already laid out; `#[pg_extern]` returns it as is.
pub struct TextArray(pg_sys::Datum);

impl TextArray {
    /// A one-dimensional `text[]` of `names` (`{}` when there are none).
    pub fn new<'a, I>(names: I) -> Self
    where
        I: Iterator<Item = &'a str> + Clone,
    {
        if !server_text::is_utf8() {
            // Elsewhere than UTF-8, each name in the server encoding.
            let converted: Vec<std::borrow::Cow<[u8]>> =
                names.map(server_text::to_server).collect();
            return Self::of_bytes(converted.iter().map(|n| &n[..]));
        }
        Self::of_bytes(names.map(str::as_bytes))
    }

    /// A one-dimensional `text[]` of names already in the server encoding.
    fn of_bytes<'a, I>(names: I) -> Self
    where
        I: Iterator<Item = &'a [u8]> + Clone,
    {
        let (count, data_len) = names.clone().fold((0usize, 0usize), |(n, len), name| {
            (n + 1, len + int_align(VARHDRSZ + name.len()))
        });
        if count == 0 {
            // SAFETY: builds the canonical empty array of the type.
            return TextArray(pg_sys::Datum::from(unsafe {
                pg_sys::construct_empty_array(pg_sys::TEXTOID)
            }));
        }
        let total = ONE_DIM_HEADER + data_len;
        // SAFETY: one zeroed allocation of `total` bytes, filled below within
        // its bounds: the header, the dimension, the lower bound, then each
        // element as a 4-byte-header varlena at a 4-byte boundary (the
        // zeroes are the padding). An array over 1 GB is refused by palloc.
        unsafe {
            let base = pg_sys::palloc0(total).cast::<u8>();
            let header = base.cast::<pg_sys::ArrayType>();
            pgrx::varlena::set_varsize_4b(base.cast(), total as i32);
            (*header).ndim = 1;
            (*header).dataoffset = 0;
            (*header).elemtype = pg_sys::TEXTOID;
            let dims = base
                .add(std::mem::size_of::<pg_sys::ArrayType>())
                .cast::<i32>();
            *dims = count as i32;
            *dims.add(1) = 1;
            let mut at = base.add(ONE_DIM_HEADER);
            for name in names {
                pgrx::varlena::set_varsize_4b(at.cast(), (VARHDRSZ + name.len()) as i32);
                ptr::copy_nonoverlapping(name.as_ptr(), at.add(VARHDRSZ), name.len());
                at = at.add(int_align(VARHDRSZ + name.len()));
            }
            TextArray(pg_sys::Datum::from(base))
        }
    }
}

impl TextArray {
    /// The names of a scheme list; 53200 when the list could not keep
    /// every name for want of memory.
    pub fn of_schemes(list: &SchemeList) -> Self {
        if list.out_of_memory() {
            super::errors::raise(
                pgrx::PgSqlErrorCode::ERRCODE_OUT_OF_MEMORY,
                "out of memory collecting logout scheme names".into(),
                None,
                None,
            );
        }
        Self::new(list.names())
    }
}

impl pgrx::IntoDatum for TextArray {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        Some(self.0)
    }

    fn type_oid() -> pg_sys::Oid {
        pg_sys::TEXTARRAYOID
    }
}

// SAFETY: the datum is a complete text[] in the current memory context.
unsafe impl BoxRet for TextArray {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> pgrx::datum::Datum<'fcx> {
        // SAFETY: as above.
        unsafe { fcinfo.return_raw_datum(self.0) }
    }
}

// SAFETY: the SQL type named here is the one the datum has.
unsafe impl SqlTranslatable for TextArray {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(TextArray);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::literal("text[]"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::literal("text[]")));
}

/// The non-null elements of an array of a text-like type (text, varchar,
/// bpchar: 4-byte aligned varlenas), in storage order, each with its byte
/// offset in the data area. An element that is not a plain in-line
/// varlena comes as `None`: arrays store their elements detoasted, so
/// only a damaged value has one.
///
/// The array is read as bytes where it lies, even in a tuple with a
/// 1-byte header (unaligned): offsets inside an array are relative to its
/// data area, so no copy into an aligned array is needed.
#[derive(Clone)]
pub struct TextElements<'a> {
    data: &'a [u8],
    nulls: &'a [u8],
    count: usize,
    index: usize,
    offset: usize,
}

impl<'a> TextElements<'a> {
    /// # Safety
    /// `datum` is an array of a text-like type, live for `'a`.
    pub unsafe fn of(datum: pg_sys::Datum) -> Self {
        // SAFETY: the caller's guarantee.
        Self::from_content(unsafe { varlena::content(datum) })
    }

    /// From the bytes after the varlena header: `ndim`, `dataoffset`,
    /// `elemtype`, then per dimension its length, then its lower bound,
    /// then the null bitmap if `dataoffset` is set, then the data.
    fn from_content(content: &'a [u8]) -> Self {
        let int_at = |at: usize| {
            content
                .get(at..at + 4)
                .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
        };
        let ndim = int_at(0).max(0) as usize;
        let count = if ndim == 0 {
            0
        } else {
            (0..ndim)
                .map(|d| int_at(12 + 4 * d).max(0) as usize)
                .product()
        };
        let after_dims = 12 + 8 * ndim;
        let data_offset = int_at(4).max(0) as usize;
        // Offsets in the header count from the start of the 4-byte header.
        let (data_at, nulls) = if data_offset != 0 {
            (
                data_offset - VARHDRSZ.min(data_offset),
                content.get(after_dims..data_offset.saturating_sub(VARHDRSZ)),
            )
        } else {
            (((after_dims + VARHDRSZ + 7) & !7) - VARHDRSZ, None)
        };
        TextElements {
            data: content.get(data_at..).unwrap_or_default(),
            nulls: nulls.unwrap_or_default(),
            count,
            index: 0,
            offset: 0,
        }
    }

    /// The size of the elements' data area in bytes.
    pub fn data_len(&self) -> usize {
        self.data.len()
    }

    /// The element at a byte offset this iterator gave earlier.
    pub fn at(&self, offset: u32) -> Option<&'a [u8]> {
        element_at(self.data, offset as usize).and_then(|(bytes, _)| bytes)
    }

    fn is_null(&self, index: usize) -> bool {
        // A set bit is a value; no bitmap, no nulls.
        !self.nulls.is_empty()
            && self
                .nulls
                .get(index / 8)
                .is_none_or(|b| b & (1 << (index % 8)) == 0)
    }
}

impl<'a> Iterator for TextElements<'a> {
    type Item = (u32, Option<&'a [u8]>);

    fn next(&mut self) -> Option<Self::Item> {
        while self.index < self.count {
            let index = self.index;
            self.index += 1;
            if self.is_null(index) {
                continue;
            }
            let offset = self.offset;
            let (bytes, size) = element_at(self.data, offset)?;
            self.offset = int_align(offset + size);
            return Some((offset as u32, bytes));
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.count - self.index))
    }
}

/// The varlena at `offset` in `data`: its content when plain, and its
/// size (the rest of the data for a toasted one, which ends the walk).
/// None past the end of the data.
fn element_at(data: &[u8], offset: usize) -> Option<(Option<&[u8]>, usize)> {
    let rest = data.get(offset..)?;
    match plain_span(rest) {
        Some((header, size)) => Some((rest.get(header..size), size)),
        None => Some((None, rest.len())),
    }
}

/// A `text[]` column of a table result, named as pgrx names `Vec<String>`
/// there (`TEXT[]`), so the function's SQL stays as it was.
pub struct TextArrayColumn(pub TextArray);

impl pgrx::IntoDatum for TextArrayColumn {
    fn into_datum(self) -> Option<pg_sys::Datum> {
        self.0.into_datum()
    }

    fn type_oid() -> pg_sys::Oid {
        pg_sys::TEXTARRAYOID
    }
}

// SAFETY: as for TextArray.
unsafe impl BoxRet for TextArrayColumn {
    unsafe fn box_into<'fcx>(self, fcinfo: &mut FcInfo<'fcx>) -> pgrx::datum::Datum<'fcx> {
        // SAFETY: as for TextArray.
        unsafe { self.0.box_into(fcinfo) }
    }
}

// SAFETY: the SQL type named here is the one the datum has.
unsafe impl SqlTranslatable for TextArrayColumn {
    const TYPE_IDENT: &'static str = pgrx::pgrx_resolved_type!(TextArrayColumn);
    const TYPE_ORIGIN: TypeOrigin = TypeOrigin::External;
    const ARGUMENT_SQL: Result<SqlMappingRef, ArgumentError> = Ok(SqlMappingRef::literal("TEXT[]"));
    const RETURN_SQL: Result<ReturnsRef, ReturnsError> =
        Ok(ReturnsRef::One(SqlMappingRef::literal("TEXT[]")));
}
