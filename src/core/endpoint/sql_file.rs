//! One pass over the text of a `.sql` endpoint file.
//!
//! The pass collects the annotation comments, splits the statements and
//! infers the default HTTP method. It follows PostgreSQL's lexical rules
//! closely enough that nothing inside a string, a quoted identifier or a
//! dollar-quoted body is taken for a comment, a statement break or a keyword.
//!
//! The scan is iterative and linear: every construct is consumed once, left to
//! right, so a 100 MB file costs one walk over its bytes. All the characters
//! that matter are ASCII, and a UTF-8 multi-byte sequence never contains an
//! ASCII byte, so walking bytes is safe and every cut falls on a char boundary.

/// What one pass over a `.sql` file finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFile {
    /// Comment text: each `--` comment's text after `--` (up to the line
    /// end), and each block comment's text between its outermost markers,
    /// one comment per line, joined with `"\n"`.
    pub comment: String,
    /// Statements split on `;` outside quotes and comments, trimmed, empty
    /// ones dropped; each comment is replaced by a single space.
    pub statements: Vec<String>,
    /// `"POST"`, `"DELETE"`, `"PUT"` or `"GET"`, from the words in the file.
    pub auto_method: &'static str,
}

/// Input bytes between two `on_progress` calls: often enough for a
/// cancellation check to feel immediate, rarely enough to cost nothing.
const PROGRESS_INTERVAL: usize = 64 * 1024;

/// Scans `content` once; see [`SqlFile`] for what comes back.
#[must_use]
pub fn scan(content: &str) -> SqlFile {
    scan_with(content, &mut || {})
}

/// Scans `content` once, calling `on_progress` about every 64 KiB scanned so
/// the caller can check for query cancellation on a huge file.
#[must_use]
pub fn scan_with(content: &str, on_progress: &mut dyn FnMut()) -> SqlFile {
    let mut scanner = Scanner::new(content, on_progress);
    scanner.run();
    scanner.finish()
}

/// How far the scanner is into `DO [LANGUAGE name] $$`, the one shape that
/// makes a file a DO block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DoState {
    Idle,
    AfterDo,
    AfterLanguage,
}

/// The method-deciding words found outside quotes and comments.
#[derive(Debug, Default)]
struct Verbs {
    do_block: bool,
    delete: bool,
    update: bool,
    insert: bool,
}

impl Verbs {
    /// A DO block may do anything, so it is POST; otherwise the most
    /// destructive verb wins.
    fn method(&self) -> &'static str {
        if self.do_block {
            "POST"
        } else if self.delete {
            "DELETE"
        } else if self.update {
            "POST"
        } else if self.insert {
            "PUT"
        } else {
            "GET"
        }
    }
}

/// The scan state. `statement` holds the current statement's text up to
/// `segment_start`; text from there on is copied only when a comment or a
/// `;` ends the verbatim run, so each byte is copied at most once.
struct Scanner<'a, 'p> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    next_tick: usize,
    on_progress: &'p mut dyn FnMut(),
    comment: String,
    has_comment: bool,
    statements: Vec<String>,
    statement: String,
    segment_start: usize,
    verbs: Verbs,
    do_state: DoState,
}

impl<'a, 'p> Scanner<'a, 'p> {
    fn new(text: &'a str, on_progress: &'p mut dyn FnMut()) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            next_tick: PROGRESS_INTERVAL,
            on_progress,
            comment: String::new(),
            has_comment: false,
            statements: Vec::new(),
            statement: String::new(),
            segment_start: 0,
            verbs: Verbs::default(),
            do_state: DoState::Idle,
        }
    }

    /// Walks the text outside quotes and comments, handing each construct to
    /// the function that consumes it whole.
    fn run(&mut self) {
        while let Some(byte) = self.byte_at(self.pos) {
            self.tick();
            let next = self.byte_at(self.pos + 1);
            match byte {
                b'-' if next == Some(b'-') => self.line_comment(),
                b'/' if next == Some(b'*') => self.block_comment(),
                b'\'' | b'"' => self.quoted(byte, false),
                b'$' => self.dollar(),
                b';' => self.end_statement(),
                _ if is_word_start(byte) => self.word(),
                _ if byte.is_ascii_whitespace() => self.pos += 1,
                _ => {
                    self.do_state = DoState::Idle;
                    self.pos += 1;
                }
            }
        }
    }

    fn finish(mut self) -> SqlFile {
        self.push_statement(self.bytes.len());
        SqlFile {
            comment: self.comment,
            statements: self.statements,
            auto_method: self.verbs.method(),
        }
    }

    /// Reports progress once `PROGRESS_INTERVAL` bytes have passed since the
    /// last report.
    fn tick(&mut self) {
        if self.pos >= self.next_tick {
            (self.on_progress)();
            self.next_tick = self.pos.saturating_add(PROGRESS_INTERVAL);
        }
    }

    fn byte_at(&self, index: usize) -> Option<u8> {
        self.bytes.get(index).copied()
    }

    /// The text between two cut points. Cuts are always at ASCII bytes or the
    /// end, hence char boundaries; `get` only keeps that promise panic-free.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// Advances past the bytes `keep` accepts.
    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        while let Some(byte) = self.byte_at(self.pos) {
            if !keep(byte) {
                break;
            }
            self.tick();
            self.pos += 1;
        }
    }

    /// `--` runs to the line end (`\n`, `\r\n` or a lone `\r`), which stays
    /// in the statement text.
    fn line_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        self.skip_while(|byte| byte != b'\n' && byte != b'\r');
        self.take_comment(start, start + 2, self.pos);
    }

    /// `/* */` nests, so only the outermost `*/` ends it; an unterminated one
    /// runs to the end of the text.
    fn block_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1_usize;
        let mut text_end = self.bytes.len();
        while let Some(byte) = self.byte_at(self.pos) {
            self.tick();
            match (byte, self.byte_at(self.pos + 1)) {
                (b'/', Some(b'*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                    if depth == 0 {
                        text_end = self.pos - 2;
                        break;
                    }
                }
                _ => self.pos += 1,
            }
        }
        self.take_comment(start, start + 2, text_end);
    }

    /// Moves the comment that began at `start` and ends at `self.pos` out of
    /// the statement (a space keeps the tokens around it apart) and into the
    /// annotation text.
    fn take_comment(&mut self, start: usize, text_start: usize, text_end: usize) {
        self.flush_segment(start);
        self.statement.push(' ');
        self.segment_start = self.pos;
        if self.has_comment {
            self.comment.push('\n');
        }
        self.comment.push_str(self.slice(text_start, text_end));
        self.has_comment = true;
    }

    /// Skips a string or quoted identifier. A doubled quote escapes itself;
    /// in an `E''` string a backslash also escapes the byte after it.
    fn quoted(&mut self, quote: u8, backslash_escapes: bool) {
        self.pos += 1;
        while let Some(byte) = self.byte_at(self.pos) {
            self.tick();
            if byte == quote {
                if self.byte_at(self.pos + 1) != Some(quote) {
                    self.pos += 1;
                    break;
                }
                self.pos += 2;
            } else if byte == b'\\' && backslash_escapes {
                self.pos += 2;
            } else {
                self.pos += 1;
            }
        }
        self.pos = self.pos.min(self.bytes.len());
        // A quoted language name, as in `DO LANGUAGE 'plpgsql' $$`.
        self.do_state = match self.do_state {
            DoState::AfterLanguage => DoState::AfterDo,
            _ => DoState::Idle,
        };
    }

    /// A `$` opens a dollar quote, or else is a `$1` parameter or stray.
    fn dollar(&mut self) {
        if let Some(open_end) = dollar_delimiter_end(self.bytes, self.pos) {
            self.dollar_body(open_end);
        } else {
            self.pos += 1;
            self.skip_while(|byte| byte.is_ascii_digit());
            self.do_state = DoState::Idle;
        }
    }

    /// Skips a dollar-quoted body up to the delimiter that opened it.
    /// Linear: a failed match at one `$` only reads tag bytes, which hold no
    /// `$`, so no byte is compared from two different `$`s but the last.
    fn dollar_body(&mut self, open_end: usize) {
        let bytes = self.bytes;
        let delimiter = bytes.get(self.pos..open_end).unwrap_or_default();
        if self.do_state == DoState::AfterDo {
            self.verbs.do_block = true;
        }
        self.pos = open_end;
        while let Some(byte) = self.byte_at(self.pos) {
            self.tick();
            let closes = byte == b'$'
                && bytes
                    .get(self.pos..)
                    .is_some_and(|rest| rest.starts_with(delimiter));
            if closes {
                self.pos += delimiter.len();
                break;
            }
            self.pos += 1;
        }
        self.do_state = DoState::Idle;
    }

    /// Consumes an identifier, keyword or number; a lone `E` before a quote
    /// is instead the prefix of an escape string.
    fn word(&mut self) {
        let start = self.pos;
        self.skip_while(is_word_byte);
        let bytes = self.bytes;
        let word = bytes.get(start..self.pos).unwrap_or_default();
        if matches!(word, b"e" | b"E") && self.byte_at(self.pos) == Some(b'\'') {
            self.quoted(b'\'', true);
        } else {
            self.note_word(word);
        }
    }

    fn note_word(&mut self, word: &[u8]) {
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword.as_bytes());
        self.verbs.delete |= is("delete");
        self.verbs.update |= is("update");
        self.verbs.insert |= is("insert");
        self.do_state = match self.do_state {
            _ if is("do") => DoState::AfterDo,
            DoState::AfterDo if is("language") => DoState::AfterLanguage,
            DoState::AfterLanguage => DoState::AfterDo,
            _ => DoState::Idle,
        };
    }

    fn end_statement(&mut self) {
        self.push_statement(self.pos);
        self.pos += 1;
        self.segment_start = self.pos;
        self.do_state = DoState::Idle;
    }

    /// Ends the current statement at `end`, keeping it if anything but
    /// whitespace is left.
    fn push_statement(&mut self, end: usize) {
        self.flush_segment(end);
        let trimmed = self.statement.trim();
        if !trimmed.is_empty() {
            self.statements.push(trimmed.to_owned());
        }
        self.statement.clear();
    }

    /// Copies the verbatim run from `segment_start` to `end` into the
    /// statement.
    fn flush_segment(&mut self, end: usize) {
        let segment = self.slice(self.segment_start, end);
        self.statement.push_str(segment);
    }
}

/// Where the opening delimiter of a dollar quote starting at `start` ends,
/// if `$` there opens one: `$$` or `$tag$`, a tag being an identifier
/// without `$` (so `$1` is a parameter, not a quote).
fn dollar_delimiter_end(bytes: &[u8], start: usize) -> Option<usize> {
    let first = *bytes.get(start + 1)?;
    if first == b'$' {
        return Some(start + 2);
    }
    if !is_word_start(first) || first.is_ascii_digit() {
        return None;
    }
    let tag_len = bytes
        .get(start + 1..)?
        .iter()
        .take_while(|&&byte| is_tag_byte(byte))
        .count();
    let close = start + 1 + tag_len;
    (bytes.get(close) == Some(&b'$')).then_some(close + 1)
}

/// Starts a word: a letter, `_`, any non-ASCII byte (as PostgreSQL allows in
/// identifiers) or a digit (so `1delete` is one token, not a keyword).
fn is_word_start(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || !byte.is_ascii()
}

/// Continues a dollar-quote tag.
fn is_tag_byte(byte: u8) -> bool {
    is_word_start(byte)
}

/// Continues a word; PostgreSQL identifiers may contain `$` after the first
/// character, so `a$$b` is one identifier, not a dollar quote.
fn is_word_byte(byte: u8) -> bool {
    is_word_start(byte) || byte == b'$'
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One table row: input and everything `scan` must return for it.
    struct Case {
        name: &'static str,
        input: &'static str,
        comment: &'static str,
        statements: &'static [&'static str],
        method: &'static str,
    }

    const CASES: &[Case] = &[
        Case {
            name: "seed file",
            input: "-- HTTP POST\n-- @logout\n-- @authorize\ndelete from sessions where user_id = current_user_id();\n",
            comment: " HTTP POST\n @logout\n @authorize",
            statements: &["delete from sessions where user_id = current_user_id()"],
            method: "DELETE",
        },
        Case {
            name: "empty file",
            input: "",
            comment: "",
            statements: &[],
            method: "GET",
        },
        Case {
            name: "whitespace only",
            input: " \n\t \r\n  \r",
            comment: "",
            statements: &[],
            method: "GET",
        },
        Case {
            name: "single statement without semicolon",
            input: "select 1",
            comment: "",
            statements: &["select 1"],
            method: "GET",
        },
        Case {
            name: "trailing semicolon",
            input: "select 1;",
            comment: "",
            statements: &["select 1"],
            method: "GET",
        },
        Case {
            name: "doubled semicolons",
            input: "select 1;;select 2;;",
            comment: "",
            statements: &["select 1", "select 2"],
            method: "GET",
        },
        Case {
            name: "only semicolons",
            input: " ; ;; ",
            comment: "",
            statements: &[],
            method: "GET",
        },
        Case {
            name: "line comment replaced by a space",
            input: "select 1--x\nfrom t",
            comment: "x",
            statements: &["select 1 \nfrom t"],
            method: "GET",
        },
        Case {
            name: "inline block comment",
            input: "select /* c */ 1",
            comment: " c ",
            statements: &["select   1"],
            method: "GET",
        },
        Case {
            name: "nested block comment is one comment",
            input: "/* a /* b */ c */select 1",
            comment: " a /* b */ c ",
            statements: &["select 1"],
            method: "GET",
        },
        Case {
            name: "deeply nested block comment",
            input: "/*1/*2/*3*/2*/1*/ x",
            comment: "1/*2/*3*/2*/1",
            statements: &["x"],
            method: "GET",
        },
        Case {
            name: "multi-line block comment keeps its newlines",
            input: "/* line1\nline2 */\nselect 1;",
            comment: " line1\nline2 ",
            statements: &["select 1"],
            method: "GET",
        },
        Case {
            name: "slash star slash does not close",
            input: "/*/ x */ y",
            comment: "/ x ",
            statements: &["y"],
            method: "GET",
        },
        Case {
            name: "stray close marker and lone dash and slash are text",
            input: "select 1 */ 2, a-b, c/d;",
            comment: "",
            statements: &["select 1 */ 2, a-b, c/d"],
            method: "GET",
        },
        Case {
            name: "triple dash keeps the third dash",
            input: "select 1 ---x",
            comment: "-x",
            statements: &["select 1"],
            method: "GET",
        },
        Case {
            name: "comment markers inside each other",
            input: "-- x /* y\nselect 1; /* -- z */",
            comment: " x /* y\n -- z ",
            statements: &["select 1"],
            method: "GET",
        },
        Case {
            name: "comments around a semicolon",
            input: "select 1/*a*/;/*b*/select 2",
            comment: "a\nb",
            statements: &["select 1", "select 2"],
            method: "GET",
        },
        Case {
            name: "empty line comments still take a line",
            input: "--\n--x\n",
            comment: "\nx",
            statements: &[],
            method: "GET",
        },
        Case {
            name: "comment markers inside a string",
            input: "select '-- not a comment /* nor this */';",
            comment: "",
            statements: &["select '-- not a comment /* nor this */'"],
            method: "GET",
        },
        Case {
            name: "semicolon inside a string",
            input: "select 'a;b'; select 2",
            comment: "",
            statements: &["select 'a;b'", "select 2"],
            method: "GET",
        },
        Case {
            name: "doubled quote inside a string",
            input: "select 'it''s; fine';",
            comment: "",
            statements: &["select 'it''s; fine'"],
            method: "GET",
        },
        Case {
            name: "E string with backslash quote",
            input: "select E'it\\'s; -- x'; select 2",
            comment: "",
            statements: &["select E'it\\'s; -- x'", "select 2"],
            method: "GET",
        },
        Case {
            name: "lowercase e string with escaped backslash",
            input: "select e'\\\\'; select 1",
            comment: "",
            statements: &["select e'\\\\'", "select 1"],
            method: "GET",
        },
        Case {
            name: "E string with doubled quote",
            input: "select E'a''b;c'",
            comment: "",
            statements: &["select E'a''b;c'"],
            method: "GET",
        },
        Case {
            name: "plain string ends at the quote after a backslash",
            input: "select 'a\\'; select 1",
            comment: "",
            statements: &["select 'a\\'", "select 1"],
            method: "GET",
        },
        Case {
            name: "identifier ending in e is no E prefix",
            input: "select one'\\';x",
            comment: "",
            statements: &["select one'\\'", "x"],
            method: "GET",
        },
        Case {
            name: "semicolon inside a quoted identifier",
            input: "select \"a;b\" from t; select 2",
            comment: "",
            statements: &["select \"a;b\" from t", "select 2"],
            method: "GET",
        },
        Case {
            name: "doubled quote inside a quoted identifier",
            input: "select \"a\"\";--b\" from t;",
            comment: "",
            statements: &["select \"a\"\";--b\" from t"],
            method: "GET",
        },
        Case {
            name: "dollar quote hides semicolons and comments",
            input: "select $$a;b--c/*d$$;",
            comment: "",
            statements: &["select $$a;b--c/*d$$"],
            method: "GET",
        },
        Case {
            name: "tagged dollar quote hides plain dollar quotes",
            input: "select $fn$ $$ ; $fn$; select 2",
            comment: "",
            statements: &["select $fn$ $$ ; $fn$", "select 2"],
            method: "GET",
        },
        Case {
            name: "other tag does not close a dollar quote",
            input: "select $a$ x $b$ ; $ab$ ; $a$;",
            comment: "",
            statements: &["select $a$ x $b$ ; $ab$ ; $a$"],
            method: "GET",
        },
        Case {
            name: "positional parameters",
            input: "select * from t where a = $1 and b = $2; select $10",
            comment: "",
            statements: &["select * from t where a = $1 and b = $2", "select $10"],
            method: "GET",
        },
        Case {
            name: "dollar inside an identifier",
            input: "select a$$b; select 2",
            comment: "",
            statements: &["select a$$b", "select 2"],
            method: "GET",
        },
        Case {
            name: "DO block beats DELETE",
            input: "DO $$ BEGIN DELETE FROM t; END $$;",
            comment: "",
            statements: &["DO $$ BEGIN DELETE FROM t; END $$"],
            method: "POST",
        },
        Case {
            name: "lowercase DO block with tag",
            input: "do $body$ begin perform 1; end $body$;",
            comment: "",
            statements: &["do $body$ begin perform 1; end $body$"],
            method: "POST",
        },
        Case {
            name: "DO LANGUAGE before the body",
            input: "DO LANGUAGE plpgsql $$ BEGIN END $$;",
            comment: "",
            statements: &["DO LANGUAGE plpgsql $$ BEGIN END $$"],
            method: "POST",
        },
        Case {
            name: "DO LANGUAGE quoted name",
            input: "do language 'plpgsql' $$ $$",
            comment: "",
            statements: &["do language 'plpgsql' $$ $$"],
            method: "POST",
        },
        Case {
            name: "DO LANGUAGE after the body",
            input: "DO $$ BEGIN END $$ LANGUAGE plpgsql;",
            comment: "",
            statements: &["DO $$ BEGIN END $$ LANGUAGE plpgsql"],
            method: "POST",
        },
        Case {
            name: "line comment between DO and its body",
            input: "do -- run\n$$ begin end $$",
            comment: " run",
            statements: &["do  \n$$ begin end $$"],
            method: "POST",
        },
        Case {
            name: "block comment between DO and its body",
            input: "do/*x*/$$ $$",
            comment: "x",
            statements: &["do $$ $$"],
            method: "POST",
        },
        Case {
            name: "DO block after a DELETE",
            input: "delete from t; do $$ begin end $$;",
            comment: "",
            statements: &["delete from t", "do $$ begin end $$"],
            method: "POST",
        },
        Case {
            name: "DO followed by a plain string is not a DO block",
            input: "DO 'begin end'",
            comment: "",
            statements: &["DO 'begin end'"],
            method: "GET",
        },
        Case {
            name: "semicolon between DO and a dollar quote",
            input: "do; select $$x$$",
            comment: "",
            statements: &["do", "select $$x$$"],
            method: "GET",
        },
        Case {
            name: "quoted do identifier is no DO",
            input: "select 1 as \"do\", $$x$$",
            comment: "",
            statements: &["select 1 as \"do\", $$x$$"],
            method: "GET",
        },
        Case {
            name: "ON CONFLICT DO UPDATE is POST",
            input: "insert into t values (1) on conflict (id) do update set n = 1;",
            comment: "",
            statements: &["insert into t values (1) on conflict (id) do update set n = 1"],
            method: "POST",
        },
        Case {
            name: "ON CONFLICT DO NOTHING is PUT",
            input: "insert into t values (1) on conflict do nothing;",
            comment: "",
            statements: &["insert into t values (1) on conflict do nothing"],
            method: "PUT",
        },
        Case {
            name: "DELETE beats UPDATE",
            input: "update t set a = 1; delete from u;",
            comment: "",
            statements: &["update t set a = 1", "delete from u"],
            method: "DELETE",
        },
        Case {
            name: "UPDATE beats INSERT",
            input: "insert into a values (1); update b set c = 2;",
            comment: "",
            statements: &["insert into a values (1)", "update b set c = 2"],
            method: "POST",
        },
        Case {
            name: "INSERT alone is PUT",
            input: "INSERT INTO t (a) VALUES ('x')",
            comment: "",
            statements: &["INSERT INTO t (a) VALUES ('x')"],
            method: "PUT",
        },
        Case {
            name: "keywords match in any case",
            input: "DeLeTe FROM t",
            comment: "",
            statements: &["DeLeTe FROM t"],
            method: "DELETE",
        },
        Case {
            name: "longer words do not count",
            input: "select deleted, updated_at, insertion, undelete, delete$x, 1delete from t",
            comment: "",
            statements: &[
                "select deleted, updated_at, insertion, undelete, delete$x, 1delete from t",
            ],
            method: "GET",
        },
        Case {
            name: "keywords inside strings do not count",
            input: "select 'delete', E'update', 'insert', 'do $$'",
            comment: "",
            statements: &["select 'delete', E'update', 'insert', 'do $$'"],
            method: "GET",
        },
        Case {
            name: "keywords inside quoted identifiers do not count",
            input: "select \"delete\", \"UPDATE\", \"insert\" from t",
            comment: "",
            statements: &["select \"delete\", \"UPDATE\", \"insert\" from t"],
            method: "GET",
        },
        Case {
            name: "keywords inside comments do not count",
            input: "-- delete me\n/* update */ select 1 /* do $$ */",
            comment: " delete me\n update \n do $$ ",
            statements: &["select 1"],
            method: "GET",
        },
        Case {
            name: "keywords inside dollar quotes do not count",
            input: "select $$delete$$, $q$ update insert $q$",
            comment: "",
            statements: &["select $$delete$$, $q$ update insert $q$"],
            method: "GET",
        },
        Case {
            name: "CRLF line ends",
            input: "-- a\r\n-- b\r\nselect 1;\r\nselect 2;\r\n",
            comment: " a\n b",
            statements: &["select 1", "select 2"],
            method: "GET",
        },
        Case {
            name: "lone CR line ends",
            input: "-- a\rselect 1;\r-- b\rselect 2",
            comment: " a\n b",
            statements: &["select 1", "select 2"],
            method: "GET",
        },
        Case {
            name: "unterminated string runs into the last statement",
            input: "select 1; select 'abc; -- x",
            comment: "",
            statements: &["select 1", "select 'abc; -- x"],
            method: "GET",
        },
        Case {
            name: "unterminated E string ending in a backslash",
            input: "select E'abc\\",
            comment: "",
            statements: &["select E'abc\\"],
            method: "GET",
        },
        Case {
            name: "unterminated quoted identifier",
            input: "select \"abc; delete",
            comment: "",
            statements: &["select \"abc; delete"],
            method: "GET",
        },
        Case {
            name: "unterminated dollar quote",
            input: "select $tag$ abc; $tag",
            comment: "",
            statements: &["select $tag$ abc; $tag"],
            method: "GET",
        },
        Case {
            name: "unterminated block comment",
            input: "select 1; /* abc; /* nested */ def",
            comment: " abc; /* nested */ def",
            statements: &["select 1"],
            method: "GET",
        },
        Case {
            name: "line comment at end of text",
            input: "select 1 -- tail",
            comment: " tail",
            statements: &["select 1"],
            method: "GET",
        },
        Case {
            name: "multi-byte text everywhere",
            input: "-- héllo ☃\nselect 'ü;€' as \"ñ\"; select '😀' /*é*/",
            comment: " héllo ☃\né",
            statements: &["select 'ü;€' as \"ñ\"", "select '😀'"],
            method: "GET",
        },
        Case {
            name: "multi-byte dollar tag",
            input: "select $é$ x; $é$; select 1",
            comment: "",
            statements: &["select $é$ x; $é$", "select 1"],
            method: "GET",
        },
        Case {
            name: "multi-byte right after a dollar and a dash pair",
            input: "select $€; select 2--é",
            comment: "é",
            statements: &["select $€", "select 2"],
            method: "GET",
        },
        Case {
            name: "multi-byte after a backslash in an E string",
            input: "select E'\\é;'; delete",
            comment: "",
            statements: &["select E'\\é;'", "delete"],
            method: "DELETE",
        },
    ];

    #[test]
    fn table() {
        assert!(CASES.len() >= 45, "only {} cases", CASES.len());
        for case in CASES {
            let expected = SqlFile {
                comment: case.comment.to_string(),
                statements: case.statements.iter().map(ToString::to_string).collect(),
                auto_method: case.method,
            };
            assert_eq!(scan(case.input), expected, "case: {}", case.name);
        }
    }

    #[test]
    fn progress_is_reported_per_64_kib() {
        let input = "select 1; -- x\n".repeat(70_000);
        let mut calls = 0_usize;
        let file = scan_with(&input, &mut || calls += 1);
        assert_eq!(file.statements.len(), 70_000);
        let expected = input.len() / PROGRESS_INTERVAL;
        assert!(
            calls.abs_diff(expected) <= 1,
            "{calls} calls, expected ~{expected}"
        );
    }

    #[test]
    fn progress_is_reported_inside_long_constructs() {
        for (open, close) in [("'", "'"), ("/*", "*/"), ("$t$", "$t$"), ("--", "")] {
            let input = format!("{open}{}{close}", "x".repeat(1 << 20));
            let mut calls = 0_usize;
            let file = scan_with(&input, &mut || calls += 1);
            assert!(file.statements.len() <= 1, "{open}: one construct");
            assert!(calls >= 15, "{open}: {calls} calls");
        }
    }

    #[test]
    fn pathological_dollar_tags_finish() {
        let tag = "a".repeat(1000);
        let body = format!("${tag}b").repeat(1000);
        let input = format!("${tag}${body}${tag}$; delete");
        let file = scan(&input);
        assert_eq!(file.statements.len(), 2);
        assert_eq!(file.auto_method, "DELETE");
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(input in any::<String>()) {
            check_invariants(&input)?;
        }

        #[test]
        fn never_panics_on_special_characters(
            input in "[-/*'\"$;\\\\\r\n EeDOdo_0-9a-zé€]{0,80}"
        ) {
            check_invariants(&input)?;
        }
    }

    /// What holds for every input: no more statements than `;` + 1, each
    /// trimmed and non-empty, and a known method.
    fn check_invariants(input: &str) -> Result<(), TestCaseError> {
        let file = scan(input);
        let semicolons = input.matches(';').count();
        prop_assert!(file.statements.len() <= semicolons + 1);
        for statement in &file.statements {
            prop_assert!(!statement.is_empty());
            prop_assert_eq!(statement.trim(), statement.as_str());
        }
        prop_assert!(["POST", "DELETE", "PUT", "GET"].contains(&file.auto_method));
        Ok(())
    }
}
