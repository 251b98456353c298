//! Unit tests of the parser and printer; edits are tested in `edit_tests`.

use super::*;

fn roundtrip(src: &str) -> Document {
    let doc = Document::parse(src.as_bytes()).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    assert_eq!(String::from_utf8_lossy(&doc.print()), src);
    doc
}

fn err(src: &str) -> String {
    match Document::parse(src.as_bytes()) {
        Ok(_) => panic!("{src:?} parsed"),
        Err(e) => e.to_string(),
    }
}

fn names(body: &Body) -> Vec<String> {
    body.directives()
        .map(|d| String::from_utf8_lossy(&d.name()).into_owned())
        .collect()
}

fn values(d: &Directive) -> Vec<String> {
    d.arg_values()
        .iter()
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect()
}

#[test]
fn empty_and_trivia_only_files() {
    for src in ["", "\n", "  # only a comment", "# a\r\n\r\n# b\n"] {
        let doc = roundtrip(src);
        assert!(doc.body().is_empty());
    }
}

#[test]
fn trivia_ownership() {
    let doc = roundtrip(
        "# top\n\nuser www; # same line\n  # above\n  pid /run/x.pid;\nhttp { # open\n}  # close\n# end\n",
    );
    let top = doc.body();
    assert_eq!(names(top), ["user", "pid", "http"]);
    let user = &top.directives().as_slice()[0];
    assert_eq!(user.leading(), b"# top\n\n");
    assert_eq!(user.trailing(), b" # same line\n");
    assert_eq!(user.comment(), Some(&b"same line"[..]));
    let pid = &top.directives().as_slice()[1];
    assert_eq!(pid.leading(), b"  # above\n  ");
    let http = &top.directives().as_slice()[2];
    assert_eq!(http.comment(), Some(&b"open"[..]));
    assert_eq!(http.trailing(), b"  # close\n");
    assert_eq!(top.trailing(), b"# end\n");
}

#[test]
fn quotes_escapes_and_variables() {
    let doc = roundtrip(
        "a \"x y\" 'it\\'s' \"multi\nline\" b\\;c ${host}x \"$a{\";\nif ($http_user_agent ~* \"^a{2};b\")  { return 403; }\n",
    );
    let d = doc.body().find("a").unwrap();
    assert_eq!(
        values(d),
        ["x y", "it's", "multi\nline", "b\\;c", "${host}x", "$a{"]
    );
    let i = doc.body().find("if").unwrap();
    assert_eq!(values(i), ["($http_user_agent", "~*", "^a{2};b", ")"]);
    assert_eq!(i.block().unwrap().len(), 1);
}

#[test]
fn words_glued_like_nginx() {
    let doc = roundtrip("a}b c#d e\"f\";\nserver{}\nlocation /x{ }\n");
    assert_eq!(values(doc.body().find("a}b").unwrap()), ["c#d", "e\"f\""]);
    assert_eq!(names(doc.body()), ["a}b", "server", "location"]);
}

#[test]
fn comments_between_block_args_and_brace() {
    let doc = roundtrip("server # why\n  # more\n{\n    listen 80 # mid\n      ;\n}\n");
    let s = doc.body().find("server").unwrap();
    assert_eq!(s.block().unwrap().len(), 1);
}

#[test]
fn crlf_and_no_final_newline() {
    let doc = roundtrip("events {\r\n    worker_connections 10;\r\n}\r\nhttp {}");
    assert_eq!(doc.style().newline, Newline::CrLf);
}

#[test]
fn lua_blocks_stay_raw() {
    let src = "content_by_lua_block {\n  local s = \"}\" -- }\n  ngx.say([[ { ]])\n  local t = { a = '{' }\n}\nx;\n";
    let doc = roundtrip(src);
    let lua = doc.body().find("content_by_lua_block").unwrap();
    assert!(lua.raw_block().unwrap().starts_with(b"\n  local s"));
    assert_eq!(names(doc.body()), ["content_by_lua_block", "x"]);
}

#[test]
fn map_geo_types_split_clients_upstream() {
    roundtrip(
        "map $http_host $name {\n  hostnames;\n  default 0;\n  ~^(?<a>.+)\\.x$ $a;\n  \"\" 1;\n}\n\
         geo $geo { default 0; 127.0.0.1/32 2; }\n\
         types { text/html html htm; }\n\
         split_clients \"${remote_addr}AAA\" $variant { 0.5% .one; * \"\"; }\n\
         upstream b { server 127.0.0.1:8080 weight=5; server unix:/tmp/s; }\n",
    );
}

#[test]
fn binary_bytes_are_data() {
    let src = b"a \xff\xfe; # \x80\x81\n";
    let doc = Document::parse(src).unwrap();
    assert_eq!(doc.print(), src);
}

#[test]
fn positioned_errors() {
    assert_eq!(err("a;\n}"), "2:1: unexpected \"}\"");
    assert_eq!(err(";"), "1:1: unexpected \";\"");
    assert_eq!(err("{"), "1:1: unexpected \"{\"");
    assert_eq!(err("a b }"), "1:5: unexpected \"}\"");
    assert_eq!(err("a \"b\"c;"), "1:6: unexpected \"c\"");
    assert_eq!(err("a \"b\"#c;"), "1:6: unexpected \"#\"");
    assert_eq!(
        err("a b"),
        "1:4: unexpected end of file, expecting \";\" or \"}\""
    );
    assert_eq!(
        err("http {\n  server {\n"),
        "3:1: unexpected end of file: unclosed block started at 2:10"
    );
    assert_eq!(
        err("a 'b;\n"),
        "2:1: unexpected end of file: unclosed quote started at 1:3"
    );
    assert_eq!(
        err("x_by_lua_block { \"}\" "),
        "1:22: unexpected end of file: unclosed lua block started at 1:16"
    );
    assert_eq!(
        err("a \\"),
        "1:4: unexpected end of file, expecting \";\" or \"}\""
    );
}

#[test]
fn nesting_limit() {
    let ok = "a {".repeat(MAX_DEPTH) + &"}".repeat(MAX_DEPTH);
    roundtrip(&ok);
    let deep = "a {".repeat(MAX_DEPTH + 1) + &"}".repeat(MAX_DEPTH + 1);
    assert!(err(&deep).contains("nested deeper than"));
    // Far deeper than the limit: an error, not a stack overflow.
    let very = "a{".repeat(1_000_000);
    assert!(err(&very).contains("nested deeper than"));
}

#[test]
fn offsets_of_nodes() {
    let src = "a;\nhttp {\n  server { listen 80; }\n}\n";
    let doc = roundtrip(src);
    let off = doc.offset_of(&[1, 0, 0]).unwrap();
    assert!(src[off..].starts_with("listen"));
    assert_eq!(doc.offset_of(&[1, 5]), None);
}

#[test]
fn offsets_of_many_directives_agree_with_offset_of() {
    let doc = Document::parse(
        b"user x;\r\nhttp {\n  # c\n  server { listen 80; server_name a; }\n\n  server {\n    listen 81;\n    location / { root /a; }\n  }\n}\nevents {}\n",
    )
    .unwrap();
    let walked = doc.walk();
    let paths: Vec<&[usize]> = walked.iter().map(|(p, _)| p.as_slice()).collect();
    let one_by_one: Vec<Option<usize>> = paths.iter().map(|p| doc.offset_of(p)).collect();
    assert_eq!(doc.offsets_of(&paths), one_by_one);
    assert_eq!(doc.offsets_of(&[&[9][..], &[1, 7][..]]), vec![None, None]);
}
