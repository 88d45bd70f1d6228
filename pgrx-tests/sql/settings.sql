-- The settings (SPEC §3), validated when set.
select parse_annotations(null) is not null as loaded;
show npgsqlrest_logout.url_prefix;
show npgsqlrest_logout.comments_mode;
set npgsqlrest_logout.comments_mode = 'onlyannotated';
show npgsqlrest_logout.comments_mode;
set npgsqlrest_logout.comments_mode = 'everything';
set npgsqlrest_logout.url_prefix = '/v1';
show npgsqlrest_logout.url_prefix;
set npgsqlrest_logout.url_prefix = '/api?x=1';
reset npgsqlrest_logout.url_prefix;
reset npgsqlrest_logout.comments_mode;
