-- Databases in LATIN1 and EUC_JP: text crosses between the server
-- encoding and the extension unchanged, in every function and every
-- result; nothing fails for a non-ASCII character.
\set suite `echo "$PG_ABS_SRCDIR"`
\set regress_db :DBNAME
\set case_file :suite '/fixtures/encoding_cases.sql'
create database npgsqlrest_logout_latin1 encoding 'LATIN1' template template0
  lc_collate 'C' lc_ctype 'C';
create database npgsqlrest_logout_euc_jp encoding 'EUC_JP' template template0
  lc_collate 'C' lc_ctype 'C';
\c npgsqlrest_logout_latin1
\encoding UTF8
\set w1 'café'
\set w2 'rôle'
\set w3 'thé'
\i :case_file
\c npgsqlrest_logout_euc_jp
\encoding UTF8
\set w1 '日本'
\set w2 'ログアウト'
\set w3 '語'
\i :case_file
\c :regress_db
drop database npgsqlrest_logout_latin1;
drop database npgsqlrest_logout_euc_jp;
