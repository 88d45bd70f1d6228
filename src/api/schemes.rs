//! `resolve_logout_schemes` and `logout_schemes_agg`: a logout routine's
//! result in, the schemes to sign out of (empty = every scheme) out.

use pgrx::datum::Internal;
use pgrx::prelude::*;
use pgrx::{PgMemoryContexts, PgSqlErrorCode};

use super::any_argument::{typed, AnyDatum};
use super::errors::{raise, reserve};
use super::server_text::{self, ServerStrings};
use super::text_array::{TextArray, TextElements};
use super::value_walk::{with_columns, Column, Shape, ValueWalker};
use super::varlena;
use crate::core::schemes::first_seen::FirstSeen;
use crate::core::schemes::{new_name, trim_name, SchemeList};

/// The schemes named by `result` (a value and its type).
fn schemes_of(result: Option<(pg_sys::Datum, pg_sys::Oid)>) -> SchemeList {
    let mut list = SchemeList::new();
    if let Some((datum, type_oid)) = result {
        ValueWalker::default().collect(datum, type_oid, &mut list);
    }
    list
}

/// The schemes of a text-like array, read in place and written straight
/// into the result: the usual shape of a logout result, and one that can
/// hold a million names. None when an element is not plain UTF-8 text;
/// the general walk then takes the value.
fn resolve_text_array(elements: TextElements) -> Option<TextArray> {
    let expected = elements.size_hint().1.unwrap_or(0);
    if expected <= SHORT_ARRAY {
        resolve_short_array(elements)
    } else {
        resolve_long_array(elements, expected)
    }
}

/// Arrays up to this many elements keep their names on the stack.
const SHORT_ARRAY: usize = 64;

/// Up to this many names take the smallest list: most logouts name one
/// to three schemes, and a smaller list is quicker to set up.
const FEW_NAMES: usize = 8;

/// At most `N` names borrowed from the value being resolved, kept on the
/// stack and written straight into the result.
struct ShortList<'a, const N: usize> {
    names: [&'a str; N],
    kept: usize,
    seen: FirstSeen,
}

impl<'a, const N: usize> ShortList<'a, N> {
    fn new() -> Self {
        ShortList {
            names: [""; N],
            kept: 0,
            seen: FirstSeen::default(),
        }
    }

    /// Adds a raw name (trimmed; dropped when empty or seen); None when
    /// the list is full.
    fn push(&mut self, raw: &'a str) -> Option<()> {
        let names = &self.names;
        // A short list never needs more than a small table; should even
        // that fail, the general walk takes the value.
        if let Some(name) =
            new_name(&mut self.seen, self.kept as u32, raw, |h| names[h as usize]).ok()?
        {
            *self.names.get_mut(self.kept)? = name;
            self.kept += 1;
        }
        Some(())
    }

    fn to_array(&self) -> TextArray {
        TextArray::new(self.names[..self.kept].iter().copied())
    }

    /// The list of `names`, or None when one is not plain UTF-8 text or
    /// there are more than `N`.
    fn resolve(names: impl Iterator<Item = Option<&'a [u8]>>) -> Option<TextArray> {
        let mut list = Self::new();
        for bytes in names {
            list.push(utf8(bytes?)?)?;
        }
        Some(list.to_array())
    }
}

/// The list of at most `count` raw names, in the smallest list that
/// holds them; None as for [`ShortList::resolve`].
fn resolve_short<'a>(
    names: impl Iterator<Item = Option<&'a [u8]>>,
    count: usize,
) -> Option<TextArray> {
    if count <= FEW_NAMES {
        ShortList::<FEW_NAMES>::resolve(names)
    } else {
        ShortList::<SHORT_ARRAY>::resolve(names)
    }
}

fn resolve_short_array(elements: TextElements) -> Option<TextArray> {
    let count = elements.size_hint().1.unwrap_or(usize::MAX);
    resolve_short(elements.map(|(_, bytes)| bytes), count)
}

/// The schemes of a record whose columns are all text-like (the usual
/// record a logout returns), read in place. None for any other record;
/// the general walk then takes it.
fn resolve_text_record(datum: pg_sys::Datum, walker: &mut ValueWalker) -> Option<TextArray> {
    let resolve = |columns: &[Column]| {
        let text_only = columns
            .iter()
            .all(|&(_, type_oid)| matches!(walker.shape(type_oid), Shape::Text));
        if !text_only {
            return None;
        }
        // SAFETY: text-like values inside the record, which outlives the call.
        let names = columns
            .iter()
            .filter_map(|&(value, _)| value.map(|v| Some(unsafe { varlena::content(v) })));
        resolve_short(names, columns.len())
    };
    // SAFETY: a composite value, live for this call.
    unsafe { with_columns(datum, resolve) }
}

/// A long array keeps no copy of its names: the set of names seen holds
/// element offsets, a bitmap marks the elements kept, and the names are
/// read again from the array to write the result.
fn resolve_long_array(elements: TextElements, expected: usize) -> Option<TextArray> {
    let array = elements.clone();
    let name_at = |offset: u32| {
        // SAFETY: only offsets of elements found plain and valid UTF-8
        // below are looked up again.
        trim_name(unsafe { std::str::from_utf8_unchecked(array.at(offset).unwrap_or_default()) })
    };
    // Sized by what the set will hold: the non-null elements, of which
    // the data holds at most one per 4 bytes (each starts 4-byte aligned),
    // not the array's length, which counts NULLs.
    let most = expected.min(elements.data_len() / 4 + 1);
    let mut seen = FirstSeen::try_with_expected(most).unwrap_or_else(|_| out_of_memory(most));
    let mut kept: Vec<u64> = Vec::new();
    let words = most.div_ceil(64);
    reserve(&mut kept, words, || {
        format!("resolving {most} scheme names")
    });
    kept.resize(words, 0);
    for (i, (offset, bytes)) in elements.clone().enumerate() {
        if i % 65536 == 65535 {
            pgrx::check_for_interrupts!();
        }
        let name = new_name(&mut seen, offset, utf8(bytes?)?, name_at)
            .unwrap_or_else(|_| out_of_memory(most));
        if name.is_some() {
            *kept.get_mut(i / 64)? |= 1 << (i % 64);
        }
    }
    // The bitmap says what to write: the set goes before the result is
    // allocated, so the two never take memory at once.
    drop(seen);
    let names = elements
        .enumerate()
        .filter(|(i, _)| kept.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0))
        .map(|(_, (offset, _))| name_at(offset));
    Some(TextArray::new(names))
}

/// Raises 53200 for a set of `names` names that could not be allocated.
fn out_of_memory(names: usize) -> ! {
    super::errors::out_of_memory(format!("resolving {names} scheme names"))
}

/// Text read in place as UTF-8; ASCII, the usual case, is checked
/// inline. None for non-ASCII text in a database that is not UTF-8: it
/// needs converting, which the general walk does.
fn utf8(bytes: &[u8]) -> Option<&str> {
    if bytes.is_ascii() {
        // SAFETY: ASCII is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(bytes) })
    } else if server_text::is_utf8() {
        std::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// Checks names against the schemes the caller has; NULL means no check.
fn within_available(list: SchemeList, available: Option<ServerStrings>) -> TextArray {
    let Some(ServerStrings(available)) = available else {
        return TextArray::of_schemes(&list);
    };
    if list.out_of_memory() {
        return TextArray::of_schemes(&list);
    }
    match list.within(&available) {
        Ok(names) => TextArray::new(names.iter().map(String::as_str)),
        Err(unknown) => raise(
            PgSqlErrorCode::ERRCODE_INVALID_PARAMETER_VALUE,
            format!("logout scheme \"{}\" is not one of the available schemes", unknown.name),
            Some(format!("Available schemes: {}.", quoted_list(&unknown.available))),
            Some("Scheme names are case-sensitive; return one of the available schemes, or nothing to sign out of all."),
        ),
    }
}

fn quoted_list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The schemes a logout result names; `{}` means every scheme.
#[pg_extern(stable, parallel_safe)]
fn resolve_logout_schemes(result: Option<AnyDatum>, fcinfo: pg_sys::FunctionCallInfo) -> TextArray {
    let result = typed(result, fcinfo, 0);
    if let Some((datum, type_oid)) = result {
        let mut walker = ValueWalker::default();
        let resolved = match walker.shape(type_oid) {
            // One name needs no list: it is kept unless blank.
            Shape::Text => {
                // SAFETY: a text-like value, live for this call.
                let name = utf8(unsafe { varlena::content(datum) }).map(trim_name);
                name.map(|n| TextArray::new(std::iter::once(n).filter(|n| !n.is_empty())))
            }
            // SAFETY: a text-like array, live for this call.
            Shape::TextArray => resolve_text_array(unsafe { TextElements::of(datum) }),
            Shape::Record => resolve_text_record(datum, &mut walker),
            Shape::Other => None,
        };
        if let Some(names) = resolved {
            return names;
        }
    }
    TextArray::of_schemes(&schemes_of(result))
}

/// As `resolve_logout_schemes(result)`, checked against the schemes the
/// front-end has: `{}` becomes all of them, an unknown name is an error.
#[pg_extern(stable, parallel_safe, name = "resolve_logout_schemes")]
fn resolve_logout_schemes_within(
    result: Option<AnyDatum>,
    available_schemes: Option<ServerStrings>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> TextArray {
    within_available(schemes_of(typed(result, fcinfo, 0)), available_schemes)
}

/// Transition function of `logout_schemes_agg`: adds one row's schemes.
#[pg_extern(stable, parallel_safe)]
fn logout_schemes_agg_step(
    state: Option<Internal>,
    value: Option<AnyDatum>,
    fcinfo: pg_sys::FunctionCallInfo,
) -> Option<Internal> {
    let mut aggregate_context = std::ptr::null_mut();
    // SAFETY: fcinfo is this call's; the function only checks the context.
    if unsafe { pg_sys::AggCheckCallContext(fcinfo, &mut aggregate_context) } == 0 {
        raise(
            PgSqlErrorCode::ERRCODE_FEATURE_NOT_SUPPORTED,
            "logout_schemes_agg_step can only be called by the aggregate logout_schemes_agg".into(),
            None,
            None,
        );
    }
    let mut state = state.filter(Internal::initialized).unwrap_or_else(|| {
        // SAFETY: the aggregate context outlives every call of the aggregate.
        unsafe {
            PgMemoryContexts::For(aggregate_context).switch_to(|_| Internal::new(SchemeList::new()))
        }
    });
    // SAFETY: this state was created above as a SchemeList.
    let value = typed(value, fcinfo, 1);
    if let (Some(list), Some((datum, type_oid))) = (unsafe { state.get_mut::<SchemeList>() }, value)
    {
        ValueWalker::default().collect(datum, type_oid, list);
    }
    Some(state)
}

/// Final function of `logout_schemes_agg`.
#[pg_extern(stable, parallel_safe)]
fn logout_schemes_agg_final(state: Option<Internal>) -> TextArray {
    // SAFETY: the state was made by logout_schemes_agg_step.
    match state
        .as_ref()
        .and_then(|s| unsafe { s.get::<SchemeList>() })
    {
        Some(list) => TextArray::of_schemes(list),
        None => TextArray::new(std::iter::empty()),
    }
}

extension_sql!(
    r#"
CREATE AGGREGATE logout_schemes_agg(anyelement) (
    SFUNC = @extschema@.logout_schemes_agg_step,
    STYPE = internal,
    FINALFUNC = @extschema@.logout_schemes_agg_final
);
COMMENT ON AGGREGATE logout_schemes_agg(anyelement) IS
    'The schemes named by all rows of a logout result; {} means every scheme.';
"#,
    name = "logout_schemes_agg",
    requires = [logout_schemes_agg_step, logout_schemes_agg_final],
);

#[cfg(any(test, feature = "pg_test"))]
#[pg_schema]
mod tests {
    use crate::api::test_support::{sqlstate_of, text_of};
    use pgrx::prelude::*;

    fn resolve(expr: &str) -> Option<String> {
        text_of(&format!("select resolve_logout_schemes({expr})::text"))
    }

    #[pg_test]
    fn resolves_values_of_any_type() {
        Spi::run("create type pair as (a text, b text[]); create domain scheme as text; create domain schemes as text[]; create type mood as enum ('Cookies', 'Bearer')")
            .expect("types are created");
        let cases = [
            ("null::text", "{}"),
            ("'Cookies'::text", "{Cookies}"),
            ("' Cookies '::varchar", "{Cookies}"),
            ("''::text", "{}"),
            ("42", "{42}"),
            ("true", "{t}"),
            ("array['Cookies', 'Bearer']", "{Cookies,Bearer}"),
            ("array['Cookies', null, 'Cookies', ' ']", "{Cookies}"),
            ("array[['a', 'b'], ['c', 'a']]", "{a,b,c}"),
            ("array[1, 2, 1]", "{1,2}"),
            ("'{}'::text[]", "{}"),
            ("row('a', array['b', 'a'])::pair", "{a,b}"),
            ("row(null, array[null, 'x'])::pair", "{x}"),
            (
                "array[row('a', array['b'])::pair, row('c', null)::pair]",
                "{a,b,c}",
            ),
            ("row(1, row('x', 'y'))", "{1,x,y}"),
            ("'Cookies'::scheme", "{Cookies}"),
            ("array['Cookies', 'Bearer']::schemes", "{Cookies,Bearer}"),
            ("'Bearer'::mood", "{Bearer}"),
            (
                "'[\"Cookies\", [\"Bearer\", null], 7]'::jsonb",
                "{Cookies,Bearer,7}",
            ),
            ("'\"Cookies\"'::json", "{Cookies}"),
            ("'null'::jsonb", "{}"),
            ("array['\"a\"'::jsonb, '[\"b\"]'::jsonb]", "{a,b}"),
            ("'\\x41'::bytea", "{\"\\\\x41\"}"),
            ("point(1, 2)", "{\"(1,2)\"}"),
            ("int4range(1, 3)", "{\"[1,3)\"}"),
        ];
        for (expr, expected) in cases {
            assert_eq!(resolve(expr).as_deref(), Some(expected), "value {expr}");
        }
    }

    /// Each call site keeps its own argument type: two calls of different
    /// types over many rows of one query each read their own.
    #[pg_test]
    fn each_call_site_keeps_its_type() {
        let sql = "select string_agg(a::text || b::text || c::text || d::text, ';')
                   from (select resolve_logout_schemes(g) a,
                                resolve_logout_schemes(array['s' || g, 's' || g]) b,
                                resolve_logout_schemes(row('r', g)) c,
                                logout_schemes_agg(g::text) over (order by g) d
                         from generate_series(1, 3) g) t";
        assert_eq!(
            text_of(sql).as_deref(),
            Some("{1}{s1}{r,1}{1};{2}{s2}{r,2}{1,2};{3}{s3}{r,3}{1,2,3}")
        );
    }

    /// Records of text columns are read in place; the same records inside
    /// an array take the general walk, and both must agree.
    #[pg_test]
    fn text_records_agree_with_the_general_walk() {
        Spi::run(
            "create domain scheme_name as varchar(20);
             create type trio as (a text, b varchar, c scheme_name);
             create table dropped (a text, b int, c bpchar(8), d text);
             alter table dropped drop column b;
             insert into dropped values ('x', 'Cookies', ' x ');
             do $$ begin execute (select 'create table wide as select '
                 || string_agg(format('%L::text as c%s', 'n' || (g % 70), g), ', ')
                 from generate_series(1, 100) g); end $$;
             do $$ begin execute (select 'create table forty as select '
                 || string_agg(format('%L::text as c%s', ' n' || (g % 20), g), ', ')
                 from generate_series(1, 40) g); end $$",
        )
        .expect("set up");
        let cases = [
            (
                "row('Cookies', 'Bearer', 'Cookies')::trio",
                "{Cookies,Bearer}",
            ),
            ("row(' Cookies ', null, '')::trio", "{Cookies}"),
            ("row(null, null, null)::trio", "{}"),
            ("row('a', 'A', ' a')::trio", "{a,A}"),
            ("(select t from dropped t)", "{x,Cookies}"),
            ("row('x', 1, 'y')", "{x,1,y}"),
            ("row('x', null::int)", "{x}"),
        ];
        for (expr, expected) in cases {
            assert_eq!(resolve(expr).as_deref(), Some(expected), "value {expr}");
            let general = resolve(&format!("array[{expr}]"));
            assert_eq!(general.as_deref(), Some(expected), "array of {expr}");
        }
        let wide = "select resolve_logout_schemes(w) = resolve_logout_schemes(array[w]) and cardinality(resolve_logout_schemes(w)) = 70 from wide w";
        assert_eq!(Spi::get_one::<bool>(wide), Ok(Some(true)));
        // More columns than are deformed on the stack, few enough names to
        // be read in place.
        let forty = "select resolve_logout_schemes(f) = resolve_logout_schemes(array[f]) and cardinality(resolve_logout_schemes(f)) = 20 from forty f";
        assert_eq!(Spi::get_one::<bool>(forty), Ok(Some(true)));
    }

    #[pg_test]
    fn void_routines_sign_out_of_every_scheme() {
        Spi::run("create function signout() returns void language sql as 'select'")
            .expect("created");
        assert_eq!(resolve("signout()").as_deref(), Some("{}"));
    }

    #[pg_test]
    fn json_objects_are_rejected() {
        assert_eq!(
            sqlstate_of("select resolve_logout_schemes('{\"a\": 1}'::jsonb)").as_deref(),
            Some("22023")
        );
        assert_eq!(
            sqlstate_of("select resolve_logout_schemes('[\"a\", {}]'::json)").as_deref(),
            Some("22023")
        );
    }

    #[pg_test]
    fn available_schemes_expand_and_check() {
        let available = "array['Cookies', 'Bearer']";
        let cases = [
            ("null::text", "{Cookies,Bearer}"),
            ("'Bearer'::text", "{Bearer}"),
            ("array['Bearer', 'Cookies']", "{Bearer,Cookies}"),
        ];
        for (expr, expected) in cases {
            let got = text_of(&format!(
                "select resolve_logout_schemes({expr}, {available})::text"
            ));
            assert_eq!(got.as_deref(), Some(expected), "value {expr}");
        }
        let got = text_of("select resolve_logout_schemes('x'::text, null)::text");
        assert_eq!(got.as_deref(), Some("{x}"));
        for bad in ["'cookies'::text", "array['Cookies', 'Jwt']"] {
            let sql = format!("select resolve_logout_schemes({bad}, {available})");
            assert_eq!(sqlstate_of(&sql).as_deref(), Some("22023"), "value {bad}");
        }
    }

    #[pg_test]
    fn unknown_scheme_message_names_the_valid_ones() {
        Spi::run(
            "create function pg_temp.message_of(q text) returns text language plpgsql as $$
             declare m text; d text;
             begin execute q; return null;
             exception when others then
               get stacked diagnostics m = message_text, d = pg_exception_detail;
               return m || ' / ' || d; end $$",
        )
        .expect("created");
        let got = text_of("select pg_temp.message_of('select resolve_logout_schemes(''Jwt''::text, array[''Cookies''])')");
        assert_eq!(
            got.as_deref(),
            Some("logout scheme \"Jwt\" is not one of the available schemes / Available schemes: \"Cookies\".")
        );
    }

    #[pg_test]
    fn aggregate_reads_every_row() {
        let cases = [
            (
                "select logout_schemes_agg(x) from (values ('a'), (null), ('b'), ('a')) t(x)",
                "{a,b}",
            ),
            (
                "select logout_schemes_agg(t) from (values ('a', array['b']), ('c', null)) t(x, y)",
                "{a,b,c}",
            ),
            (
                "select logout_schemes_agg(x) from (select 1 where false) t(x)",
                "{}",
            ),
            (
                "select logout_schemes_agg(x) from unnest(array['x', 'y']) x",
                "{x,y}",
            ),
        ];
        for (sql, expected) in cases {
            let got = text_of(&format!("select ({sql})::text"));
            assert_eq!(got.as_deref(), Some(expected), "query {sql}");
        }
    }

    #[pg_test]
    fn step_function_cannot_be_called_from_sql() {
        // An `internal` argument cannot be written in SQL: the call fails.
        // Minor releases differ in how: most find no such function
        // (42883); some 17.x releases reject it as unsupported (0A000).
        let sql = "select logout_schemes_agg_step(null, 'a'::text)";
        let state = sqlstate_of(sql);
        assert!(
            matches!(state.as_deref(), Some("42883" | "0A000")),
            "calling the step function from SQL gave {state:?}"
        );
    }

    /// Text arrays are read in place in every storage form: in line with
    /// a short header, compressed, out of line, with a null bitmap, in
    /// several dimensions, from PL/pgSQL's expanded form; the result is
    /// what SQL's own dedup gives.
    #[pg_test]
    fn text_arrays_agree_with_sql_in_every_storage_form() {
        Spi::run(
            "create temp table arrays as
             select g, array(select case when (g + i) % 11 = 0 then null
                                         when (g * i) % 7 = 0 then ' n' || (i % 5) || ' '
                                         else 'n' || ((g * i) % (g + 3)) end
                             from generate_series(1, g % 90) i) as a
             from generate_series(1, 300) g
             union all select 1000, array(select 'long' || (i % 3000) from generate_series(1, 60000) i)
             union all select 1001, (select array_agg(repeat('x', 3000) || (i % 2)) from generate_series(1, 40) i);
             create function pg_temp.expected(a text[]) returns text[] language sql as $$
               select coalesce(array_agg(n order by first), '{}')
               from (select btrim(e) n, min(o) as first from unnest(a) with ordinality u(e, o)
                     where btrim(e) <> '' group by 1) s $$",
        )
        .expect("arrays are created");
        let checks = [
            "select count(*) from arrays where resolve_logout_schemes(a) is distinct from pg_temp.expected(a)",
            "select count(*) from arrays where resolve_logout_schemes(a::varchar[]) is distinct from pg_temp.expected(a)",
            "select count(*) from arrays where resolve_logout_schemes(array[a, a]) is distinct from pg_temp.expected(a)",
            "select count(*) from arrays where resolve_logout_schemes(to_jsonb(a)) is distinct from pg_temp.expected(a)",
            "select count(*) from arrays where resolve_logout_schemes(a) is distinct from resolve_logout_schemes(to_json(a))",
        ];
        for sql in checks {
            assert_eq!(
                text_of(&format!("select ({sql})::text")).as_deref(),
                Some("0"),
                "{sql}"
            );
        }
        // Stored in a quarter of its text's size: compressed.
        let compressed = text_of(
            "select bool_or(pg_column_size(a) * 4 < octet_length(a::text))::text from arrays where g = 1001",
        );
        assert_eq!(
            compressed.as_deref(),
            Some("true"),
            "a compressed array is among the cases"
        );
        // pg_column_compression() is PostgreSQL 14+.
        #[cfg(not(feature = "pg13"))]
        {
            let stored = text_of(
                "select string_agg(distinct pg_catalog.pg_column_compression(a), ',') from arrays",
            );
            assert_eq!(
                stored.as_deref(),
                Some("pglz"),
                "a compressed array is among the cases"
            );
        }
        let got = text_of(
            "select resolve_logout_schemes(x)::text from (select '[2:4]={b, a ,b}'::text[] x) t",
        );
        assert_eq!(got.as_deref(), Some("{b,a}"));
        let got = text_of(
            "create function pg_temp.grow() returns text[] language plpgsql as $$
             declare a text[] := '{}'; begin
               for i in 1..40 loop a[i] := 'n' || (i % 6); end loop; a[45] := 'z';
               return resolve_logout_schemes(a); end $$;
             select pg_temp.grow()::text",
        );
        assert_eq!(got.as_deref(), Some("{n1,n2,n3,n4,n5,n0,z}"));
    }

    /// jsonb is read from its binary form; the json text reading is the
    /// reference.
    #[pg_test]
    fn jsonb_agrees_with_json_text() {
        let sql = "select count(*)::text from (
                     select jsonb_build_array(g, 'x' || (g % 7), g::numeric / 7, g % 3 = 0, null,
                                              jsonb_build_array('y' || g, jsonb_build_array(1e3, -0.5)),
                                              (select jsonb_agg('z' || i) from generate_series(1, g % 70) i)) d
                     from generate_series(1, 200) g) t
                   where resolve_logout_schemes(d) is distinct from resolve_logout_schemes(d::json)";
        assert_eq!(text_of(sql).as_deref(), Some("0"));
        for (doc, expected) in [
            ("'12e3'", "{12000}"),
            ("'\"é x \"'", "{\"é x\"}"),
            ("'[[[[\"deep\"]]], []]'", "{deep}"),
            ("'[true, false, true]'", "{true,false}"),
        ] {
            assert_eq!(
                resolve(&format!("{doc}::jsonb")).as_deref(),
                Some(expected),
                "jsonb {doc}"
            );
        }
        assert_eq!(
            sqlstate_of("select resolve_logout_schemes('[1, [{\"a\": 2}]]'::jsonb)").as_deref(),
            Some("22023")
        );
    }

    #[pg_test]
    fn million_element_arrays_resolve() {
        let got = text_of("select array_length(resolve_logout_schemes(array(select g from generate_series(1, 1000000) g)), 1)::text");
        assert_eq!(got.as_deref(), Some("1000000"));
    }

    #[pg_test]
    fn deeply_nested_jsonb_resolves() {
        let sql = "select resolve_logout_schemes((repeat('[', 5000) || '\"deep\"' || repeat(']', 5000))::jsonb)::text";
        assert_eq!(text_of(sql).as_deref(), Some("{deep}"));
    }
}
