//! Reading a varlena's bytes in place: postgres.h's `VARATT_IS_*` and
//! `VARSIZE_*` for this machine's byte order, decoded from bytes without
//! assuming alignment (array elements and values inside a short-header
//! tuple lie unaligned), in one place for every reader.

use pgrx::pg_sys;

/// The header length and whole size of a plain (in-line, uncompressed)
/// varlena starting at `bytes[0]`; None for a compressed or out-of-line
/// one, or when `bytes` is too short to hold the header.
pub fn plain_span(bytes: &[u8]) -> Option<(usize, usize)> {
    let first = *bytes.first()?;
    let word = || {
        bytes
            .get(..4)
            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    };
    #[cfg(target_endian = "little")]
    let (short, one_byte, compressed, size_4b) = (
        first >> 1,
        first & 0x01 == 0x01,
        first & 0x03 == 0x02,
        word().map(|w| w >> 2),
    );
    #[cfg(target_endian = "big")]
    let (short, one_byte, compressed, size_4b) = (
        first & 0x7f,
        first & 0x80 == 0x80,
        first & 0xc0 == 0x40,
        word().map(|w| w & 0x3fff_ffff),
    );
    if one_byte {
        // A 1-byte header of size 0 tags an external pointer.
        (short != 0).then_some((1, usize::from(short)))
    } else if compressed {
        None
    } else {
        Some((4, size_4b? as usize))
    }
}

/// The content of a varlena datum when it is stored plainly, read in
/// place; None when it must be detoasted first.
///
/// # Safety
/// `datum` points at a varlena that lives for `'a`.
pub unsafe fn plain_content<'a>(datum: pg_sys::Datum) -> Option<&'a [u8]> {
    let start = datum.cast_mut_ptr::<u8>().cast_const();
    // SAFETY: a varlena has at least its first header byte; a 4-byte
    // header is read only when the first byte says there is one.
    unsafe {
        let one_byte =
            plain_span(std::slice::from_raw_parts(start, 1)).is_some_and(|(h, _)| h == 1);
        let header = std::slice::from_raw_parts(start, if one_byte { 1 } else { 4 });
        let (header_len, size) = plain_span(header)?;
        Some(std::slice::from_raw_parts(
            start.add(header_len),
            size.saturating_sub(header_len),
        ))
    }
}

/// The content of a varlena datum, read in place when it is plain, else
/// from a detoasted copy that lives as long as the memory context.
///
/// # Safety
/// `datum` points at a varlena that lives for `'a`.
pub unsafe fn content<'a>(datum: pg_sys::Datum) -> &'a [u8] {
    // SAFETY: the caller's guarantee; detoasting gives a plain varlena.
    unsafe {
        plain_content(datum).unwrap_or_else(|| {
            let copy = pg_sys::pg_detoast_datum(datum.cast_mut_ptr());
            plain_content(pg_sys::Datum::from(copy)).unwrap_or_default()
        })
    }
}

/// Calls `f` with the content of a varlena datum: in place when it is
/// plain, else from a detoasted copy freed right after, so a loop over
/// many values holds one copy at a time.
///
/// # Safety
/// `datum` points at a varlena that lives while `f` runs.
pub unsafe fn with_content<R>(datum: pg_sys::Datum, f: impl FnOnce(&[u8]) -> R) -> R {
    // SAFETY: the caller's guarantee; detoasting gives a plain varlena,
    // a palloc'd copy that nothing else refers to.
    unsafe {
        if let Some(bytes) = plain_content(datum) {
            return f(bytes);
        }
        let copy = pg_sys::pg_detoast_datum(datum.cast_mut_ptr());
        let result = f(plain_content(pg_sys::Datum::from(copy)).unwrap_or_default());
        if copy.cast::<u8>() != datum.cast_mut_ptr::<u8>() {
            pg_sys::pfree(copy.cast());
        }
        result
    }
}
