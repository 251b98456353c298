//! Edits: indentation, line endings, clean removal, comments, templates.

use super::*;

fn doc(src: &str) -> Document {
    Document::parse(src.as_bytes()).unwrap()
}

fn text(doc: &Document) -> String {
    let out = doc.print();
    Document::parse(&out).expect("edited output parses");
    String::from_utf8(out).unwrap()
}

fn d(name: &str, args: &[&str]) -> Directive {
    Directive::new(name, args.iter().map(|a| Word::new(a).unwrap())).unwrap()
}

#[test]
fn push_copies_sibling_indentation() {
    let mut x = doc("http {\n  server {\n      listen 80;\n  }\n}\n");
    x.push(&[0, 0], d("listen", &["443", "ssl"])).unwrap();
    assert_eq!(
        text(&x),
        "http {\n  server {\n      listen 80;\n      listen 443 ssl;\n  }\n}\n"
    );
}

#[test]
fn push_into_empty_block_uses_parent_plus_unit() {
    let mut x = doc("http {\n\tserver {\n\t\tlisten 80;\n\t}\n\tserver {\n\t}\n}\n");
    x.push(&[0, 1], d("listen", &["81"])).unwrap();
    assert_eq!(
        text(&x),
        "http {\n\tserver {\n\t\tlisten 80;\n\t}\n\tserver {\n\t\tlisten 81;\n\t}\n}\n"
    );
}

#[test]
fn crlf_files_get_crlf() {
    let mut x = doc("server {\r\n    listen 80;\r\n}\r\n");
    x.push(&[0], d("server_name", &["a.com"])).unwrap();
    assert_eq!(
        text(&x),
        "server {\r\n    listen 80;\r\n    server_name a.com;\r\n}\r\n"
    );
}

#[test]
fn insert_before_keeps_comments_with_their_directive() {
    let mut x = doc("s {\n    a;\n\n    # about b\n    b;\n}\n");
    x.insert_before(&[0, 1], d("new", &[])).unwrap();
    assert_eq!(
        text(&x),
        "s {\n    a;\n    new;\n\n    # about b\n    b;\n}\n"
    );
}

#[test]
fn end_of_file_without_newline() {
    let mut x = doc("a;\nb;");
    x.push(&[], d("c", &[])).unwrap();
    assert_eq!(text(&x), "a;\nb;\nc;");
}

#[test]
fn one_line_blocks_stay_one_line() {
    let mut x = doc("location / { root /srv; }\n");
    x.push(&[0], d("index", &["index.html"])).unwrap();
    assert_eq!(text(&x), "location / { root /srv; index index.html; }\n");
}

#[test]
fn remove_takes_its_line_and_same_line_comment() {
    let mut x = doc("server {\n    listen 80; # old\n    listen 443 ssl;\n}\n");
    x.remove(&[0, 0]).unwrap();
    assert_eq!(text(&x), "server {\n    listen 443 ssl;\n}\n");
}

#[test]
fn remove_keeps_full_line_comments_above() {
    let mut x = doc("server {\n    # the port\n    listen 80;\n    root /x;\n}\n");
    x.remove(&[0, 0]).unwrap();
    assert_eq!(text(&x), "server {\n    # the port\n    root /x;\n}\n");
}

#[test]
fn remove_leaves_no_orphan_blank_line_or_glued_braces() {
    let mut x =
        doc("http {\n    server {\n        a;\n    }\n\n    server {\n        b;\n    }\n}\n");
    x.remove(&[0, 1]).unwrap();
    assert_eq!(text(&x), "http {\n    server {\n        a;\n    }\n}\n");
    let mut y = doc("a; b;\nc;\n");
    y.remove(&[1]).unwrap();
    assert_eq!(text(&y), "a;\nc;\n");
    let mut z = doc("x;\n    a; b;\n");
    z.remove(&[1]).unwrap();
    assert_eq!(text(&z), "x;\n    b;\n");
    let mut w = doc("s { a; }\n");
    w.remove(&[0, 0]).unwrap();
    assert_eq!(text(&w), "s { }\n");
}

#[test]
fn removing_a_first_line_leaves_no_blank_line_under_the_brace() {
    let mut x = doc("server {\n    listen 80;\n\n    location / {\n    }\n}\n\nhttp {}\n");
    x.remove(&[0, 0]).unwrap();
    assert_eq!(
        text(&x),
        "server {\n    location / {\n    }\n}\n\nhttp {}\n"
    );
    x.remove(&[0]).unwrap();
    assert_eq!(text(&x), "http {}\n");
    let mut y = doc("s {\n    # keep me\n    a;\n\n    b;\n}\n");
    y.remove(&[0, 0]).unwrap();
    assert_eq!(text(&y), "s {\n    # keep me\n\n    b;\n}\n");
}

#[test]
fn set_comment_adds_and_replaces() {
    let mut x = doc("server {\n    listen 443 ssl;\n    listen 80; # old\n}\n");
    x.set_comment(&[0, 0], "managed by certsmith").unwrap();
    x.set_comment(&[0, 1], "managed by certsmith").unwrap();
    assert_eq!(
        text(&x),
        "server {\n    listen 443 ssl; # managed by certsmith\n    listen 80; # managed by certsmith\n}\n"
    );
    assert!(x.set_comment(&[0, 0], "two\nlines").is_err());
}

#[test]
fn set_comment_breaks_a_shared_line() {
    let mut x = doc("s {\n    a; b;\n}\nt { c; }\n");
    x.set_comment(&[0, 0], "m").unwrap();
    x.set_comment(&[1, 0], "n").unwrap();
    assert_eq!(text(&x), "s {\n    a; # m\n    b;\n}\nt { c; # n\n}\n");
    let mut y = doc("a;");
    y.set_comment(&[0], "end").unwrap();
    assert_eq!(text(&y), "a; # end");
}

#[test]
fn set_args_quotes_and_keeps_spacing() {
    let mut x = doc("server_name  a.com   b.com;\nif ($a = \"b\") { }\n");
    x.set_args(&[0], [Word::new("x y").unwrap()]).unwrap();
    x.set_args(&[1], ["($a", "=", "c", ")"].map(|w| Word::new(w).unwrap()))
        .unwrap();
    assert_eq!(text(&x), "server_name  \"x y\";\nif ($a = c ) { }\n");
}

#[test]
fn fewer_args_leave_no_gap_before_the_semicolon() {
    let mut x = doc("listen 80   ssl   http2;\n");
    x.set_args(&[0], [Word::new("80").unwrap()]).unwrap();
    assert_eq!(text(&x), "listen 80;\n");
}

#[test]
fn replace_keeps_trivia() {
    let mut x = doc("s {\n    # c\n    listen 80; # m\n}\n");
    x.replace(&[0, 0], d("listen", &["443"])).unwrap();
    assert_eq!(text(&x), "s {\n    # c\n    listen 443; # m\n}\n");
}

#[test]
fn templates_are_reindented() {
    let mut x = doc("http {\n\tserver {\n\t\tlisten 80;\n\t}\n}\n");
    let mut t = Directive::parse(b"server {\n  listen 80;\n\n  # redirect\n  location / {\n    return 301 https://$host$request_uri;\n  }\n}").unwrap();
    t.block_mut()
        .unwrap()
        .find_mut("listen")
        .unwrap()
        .set_args([Word::new("[::]:80").unwrap()]);
    x.push(&[0], t).unwrap();
    assert_eq!(
        text(&x),
        "http {\n\tserver {\n\t\tlisten 80;\n\t}\n\tserver {\n\t\tlisten [::]:80;\n\n\t\t# redirect\n\t\tlocation / {\n\t\t\treturn 301 https://$host$request_uri;\n\t\t}\n\t}\n}\n"
    );
}

#[test]
fn built_blocks_are_laid_out() {
    let mut x = doc("http {\n  include mime.types;\n}\n");
    let server = Directive::with_block(
        "server",
        [],
        vec![d("listen", &["80"]), d("server_name", &["a.com"])],
    )
    .unwrap();
    let at = x.push(&[0], server).unwrap();
    assert_eq!(at, [0, 1]);
    assert_eq!(
        text(&x),
        "http {\n  include mime.types;\n  server {\n    listen 80;\n    server_name a.com;\n  }\n}\n"
    );
}

#[test]
fn style_detection() {
    assert_eq!(doc("a {\n\tb;\n}\n").style().indent, Indent::Tabs);
    assert_eq!(
        doc("a {\n  b {\n    c;\n  }\n}\n").style().indent,
        Indent::Spaces(2)
    );
    assert_eq!(doc("a;").style(), Style::default());
}

#[test]
fn invariants_hold_on_a_sample() {
    for src in [
        "a;\nb { c; d {\n e; } }\n# x\n",
        "s {\n    a; b; # c\n}",
        "x { }",
        "a \"q\")\n;",
    ] {
        assert!(check_roundtrip(src.as_bytes()));
    }
}
