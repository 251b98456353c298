//! Parser tests: structure, round trip, errors. Edits: `edit/tests.rs`.

use super::*;

fn parse(src: &str) -> Document {
    let file = Document::parse(src.as_bytes()).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    assert_eq!(file.print(), src.as_bytes(), "round trip of {src:?}");
    file
}

fn err(src: &str) -> ParseError {
    Document::parse(src.as_bytes()).expect_err(src)
}

fn names(body: &Body) -> Vec<String> {
    body.nodes
        .iter()
        .map(|n| n.name().to_string_lossy())
        .collect()
}

fn values(node: &Node) -> Vec<String> {
    node.arg_values()
        .iter()
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect()
}

#[test]
fn directives_sections_and_comments() {
    let f = parse(
        "# top\nServerRoot \"/etc/apache2\"\n\n<VirtualHost *:80>\n\tServerName a.com\n</VirtualHost>\n",
    );
    assert_eq!(names(&f.body), ["ServerRoot", "VirtualHost"]);
    assert_eq!(f.body.nodes[0].leading(), b"# top\n");
    assert_eq!(values(&f.body.nodes[0]), ["/etc/apache2"]);
    let vhost = &f.body.nodes[1];
    assert_eq!(values(vhost), ["*:80"]);
    assert_eq!(names(vhost.body().unwrap()), ["ServerName"]);
    assert_eq!(vhost.indentation(), b"");
    assert_eq!(vhost.body().unwrap().nodes[0].indentation(), b"\t");
}

#[test]
fn hash_after_arguments_is_data() {
    let f = parse("Timeout 30 # thirty\n");
    assert_eq!(values(&f.body.nodes[0]), ["30", "#", "thirty"]);
}

#[test]
fn names_compare_case_insensitively_and_keep_spelling() {
    let f = parse("<virtualhost *:80>\nservername a\n</VIRTUALHOST>\n");
    assert!(f.body.nodes[0].is_named("VirtualHost"));
    assert_eq!(f.body.nodes[0].name().raw(), b"virtualhost");
    assert!(f.body.nodes[0].body().unwrap().nodes[0].is_named("ServerName"));
}

#[test]
fn continuations_everywhere() {
    // Between arguments, with an empty continued line, in a comment, in a section header.
    let f = parse(
        "BrowserMatch \"MSIE\" \\\n\t\tnokeepalive \\\n   \\\n\tdowngrade-1.0\n# a comment \\\nstill the comment\n<VirtualHost \\\n\ta:80 \\\n\t\\\n>\n</VirtualHost>\n",
    );
    assert_eq!(names(&f.body), ["BrowserMatch", "VirtualHost"]);
    assert_eq!(
        values(&f.body.nodes[0]),
        ["MSIE", "nokeepalive", "downgrade-1.0"]
    );
    assert_eq!(f.body.nodes[0].args().to_vec()[1].space, b" \\\n\t\t");
    assert_eq!(values(&f.body.nodes[1]), ["a:80"]);
    assert_eq!(
        f.body.nodes[1].as_section().unwrap().before_gt,
        b" \\\n\t\\\n"
    );
    assert!(
        f.body.nodes[1]
            .leading()
            .starts_with(b"# a comment \\\nstill the comment\n")
    );
}

#[test]
fn continuation_before_a_name_is_leading_trivia() {
    let f = parse("  \\\n  ServerName a\n");
    assert_eq!(f.body.nodes[0].leading(), b"  \\\n  ");
}

#[test]
fn crlf_no_final_newline_and_empty_files() {
    let f = parse("<If \"%{HTTPS} == 'on'\">\r\n  Header set X y\r\n</If>");
    assert_eq!(f.style().eol, b"\r\n");
    assert_eq!(values(&f.body.nodes[0]), ["%{HTTPS} == 'on'"]);
    assert_eq!(f.body.nodes[0].as_section().unwrap().close_eol, b"");
    parse("");
    parse("\n\n  \n");
    parse("# only a comment");
    parse("ServerName a");
}

#[test]
fn quotes_escapes_and_missing_closing_quote() {
    let f = parse(
        "LogFormat \"%h \\\"%r\\\" %>s\" common\nErrorDocument 404 \"Not found.\nX 'it\\'s' \"a\"b\n",
    );
    assert_eq!(values(&f.body.nodes[0]), ["%h \"%r\" %>s", "common"]);
    // Apache tolerates a missing closing quote: the argument runs to the end of the line.
    assert_eq!(values(&f.body.nodes[1]), ["404", "Not found."]);
    assert_eq!(values(&f.body.nodes[2]), ["it's", "a", "b"]);
}

#[test]
fn escaped_spaces_in_rewrite_arguments() {
    let f = parse("RewriteCond %{THE_REQUEST} ^[A-Z]{3,9}\\ /.+/trackback/?\\ HTTP/ [NC]\n");
    assert_eq!(values(&f.body.nodes[0]).len(), 3);
}

#[test]
fn two_closing_tags_on_one_line() {
    let f = parse(
        "<IfModule mod_ssl.c>\n\t<VirtualHost *:443>\n\t\tSSLEngine on\n\t</VirtualHost> </IfModule>\n",
    );
    let ifmod = f.body.nodes[0].as_section().unwrap();
    let vhost = ifmod.body.nodes[0].as_section().unwrap();
    assert_eq!(vhost.close_eol, b"");
    assert_eq!(ifmod.body.trailing, b" ");
    assert_eq!(ifmod.close_eol, b"\n");
}

#[test]
fn empty_sections_macros_and_htaccess() {
    let f = parse(
        "<IfModule mod_ssl.c>\n</IfModule>\n<Directory />\n\n</Directory>\n<Macro VHost $host>\n<VirtualHost *:80>\nServerName $host\n</VirtualHost>\n</Macro>\nUse VHost example.com\n",
    );
    assert_eq!(names(&f.body), ["IfModule", "Directory", "Macro", "Use"]);
    assert!(f.body.nodes[0].body().unwrap().nodes.is_empty());
    parse(
        "RewriteEngine On\nRewriteRule ^(.*)$ index.php [L,QSA]\n<Files ~ \"\\.ht\">\nRequire all denied\n</Files>\n",
    );
}

#[test]
fn text_after_header_and_close_is_kept() {
    let f = parse("<Directory /x> ignored\n</Directory> ignored too\n");
    let s = f.body.nodes[0].as_section().unwrap();
    assert_eq!(s.header_eol, b" ignored\n");
    assert_eq!(s.close_eol, b" ignored too\n");
    // The header ends at the last '>' of its line.
    let f = parse("<If \"%{X} > 5\">\n</If>\n");
    assert_eq!(values(&f.body.nodes[0]), ["%{X} > 5"]);
}

#[test]
fn errors_have_positions() {
    let e = err("<VirtualHost *:80>\n  ServerName a\n</Directory>\n");
    assert_eq!((e.pos.line, e.pos.col), (3, 1));
    assert!(matches!(e.kind, ErrorKind::MismatchedClose { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "3:1: expected </VirtualHost> (for <VirtualHost> at 1:1) but saw </Directory>"
    );

    let e = err("ServerName a\n  <VirtualHost *:80>\n  ServerName b\n");
    assert_eq!(
        (e.pos.line, e.pos.col, e.kind.clone()),
        (
            2,
            3,
            ErrorKind::Unclosed {
                name: "VirtualHost".into()
            }
        )
    );

    let e = err("a\n</Files>\n");
    assert_eq!(
        (e.pos.line, e.kind.clone()),
        (
            2,
            ErrorKind::UnmatchedClose {
                name: "Files".into()
            }
        )
    );

    let e = err("<Directory /x\n</Directory>\n");
    assert!(matches!(e.kind, ErrorKind::MissingGt { .. }));
    let e = err("<Directory /x>\n</Directory >\n");
    assert!(matches!(e.kind, ErrorKind::MissingCloseGt { .. }));
    assert!(matches!(err("<>\n</>\n").kind, ErrorKind::EmptySectionName));
    assert!(matches!(
        err("<VirtualHost> x\n</VirtualHost>\n").kind,
        ErrorKind::MissingGt { .. }
    ));
    let e = err("ServerName a\nX \0\n");
    assert_eq!(
        (e.pos.line, e.pos.col, e.kind.clone()),
        (2, 3, ErrorKind::Binary)
    );
    // A closing tag after a closing tag closes the parent: at top level there is none.
    assert!(matches!(
        err("<A>\n</A> </B>\n").kind,
        ErrorKind::UnmatchedClose { .. }
    ));
}

#[test]
fn section_names_are_bare_words() {
    // After `<`, quotes are data, as Apache reads `<"x">`: `</>` does not close `<"">`.
    assert!(matches!(
        err("<\"\">\n</>\n").kind,
        ErrorKind::MismatchedClose { .. }
    ));
    let f = parse("<\"x\" a>\n</\"x\">\n");
    assert_eq!(&*f.body.nodes[0].name_value(), b"\"x\"");
    assert!(f.body.nodes[0].is_named("\"x\""));
}

#[test]
fn nesting_depth_is_limited() {
    let ok = "<A>\n".repeat(MAX_DEPTH) + &"</A>\n".repeat(MAX_DEPTH);
    parse(&ok);
    let deep = "<A>\n".repeat(MAX_DEPTH + 1) + &"</A>\n".repeat(MAX_DEPTH + 1);
    let e = err(&deep);
    assert_eq!(
        (e.pos.line as usize, e.kind),
        (MAX_DEPTH + 1, ErrorKind::TooDeep)
    );
}

#[test]
fn truncated_input_never_panics() {
    let src = "<IfModule mod_ssl.c>\n\t<VirtualHost _default_:443>\n\t\tSSLCertificateFile \"/a b\" \\\n\t\t\t# c\n\t</VirtualHost> </IfModule>\r\n";
    for cut in 0..=src.len() {
        let _ =
            check_roundtrip(&src.as_bytes()[..cut]).unwrap_or_else(|e| panic!("cut {cut}: {e}"));
    }
}

#[test]
fn offsets_and_lines() {
    let f = parse("# c\nA 1\n<B>\n  # d\n  C 2\n</B>\n");
    assert_eq!(f.line_of(&[0]), Some(2));
    assert_eq!(f.line_of(&[1]), Some(3));
    assert_eq!(f.line_of(&[1, 0]), Some(5));
    assert_eq!(f.body.offset_of(&[1, 0]), Some(20));
    assert_eq!(f.line_of(&[7]), None);
}

mod prop;
