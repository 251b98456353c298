//! Edit tests on small inputs; golden files on real trees live in tests/apache/.

use super::super::*;
use super::parse_snippet;

fn file(src: &str) -> Document {
    Document::parse(src.as_bytes()).unwrap()
}

fn text(f: &Document) -> String {
    String::from_utf8(f.print()).unwrap()
}

fn directive(name: &str, args: &[&str]) -> Node {
    Directive::new(name, args.iter().map(|a| Word::new(a).unwrap()))
        .unwrap()
        .into()
}

#[test]
fn style_detection() {
    assert_eq!(file("<A>\n\tB\n</A>\n").style().indent_unit, b"\t");
    assert_eq!(
        file("<A>\n  B\n  <C>\n    D\n  </C>\n</A>\n")
            .style()
            .indent_unit,
        b"  "
    );
    assert_eq!(file("A\n").style().indent_unit, b"    ");
    assert_eq!(file("A\r\nB\n").style().eol, b"\r\n");
}

#[test]
fn push_uses_sibling_indentation() {
    let mut f = file("<VirtualHost *:80>\n    ServerName a\n\n</VirtualHost>\n");
    f.push(&[0], directive("ServerAlias", &["b"])).unwrap();
    assert_eq!(
        text(&f),
        "<VirtualHost *:80>\n    ServerName a\n    ServerAlias b\n\n</VirtualHost>\n"
    );
}

#[test]
fn push_into_empty_section_uses_parent_plus_unit() {
    let mut f = file("<A>\n\t<B>\n\t\tx\n\t</B>\n\t<C>\n\t</C>\n</A>\n");
    f.push(&[0, 1], directive("Y", &["1"])).unwrap();
    assert_eq!(
        text(&f),
        "<A>\n\t<B>\n\t\tx\n\t</B>\n\t<C>\n\t\tY 1\n\t</C>\n</A>\n"
    );
}

#[test]
fn crlf_and_missing_final_newline() {
    let mut f = file("A 1\r\nB 2");
    f.push(&[], directive("C", &["3"])).unwrap();
    assert_eq!(text(&f), "A 1\r\nB 2\r\nC 3");
    f.remove(&[2]).unwrap();
    assert_eq!(text(&f), "A 1\r\nB 2");
}

#[test]
fn remove_keeps_comments_and_collapses_blank_lines() {
    let mut f = file("A\n\n# about B\nB\n\nC\n");
    f.remove(&[1]).unwrap();
    assert_eq!(text(&f), "A\n\n# about B\n\nC\n");
    let mut f = file("A\n\nB\n\nC\n");
    f.remove(&[1]).unwrap();
    assert_eq!(text(&f), "A\n\nC\n");
    let mut f = file("<V>\n  A\n\n  B\n</V>\n");
    f.remove(&[0, 1]).unwrap();
    assert_eq!(text(&f), "<V>\n  A\n</V>\n");
}

#[test]
fn remove_section_with_parent_close_on_same_line() {
    let mut f = file("<IfModule m>\n\t<V>\n\t</V> </IfModule>\n");
    f.remove(&[0, 0]).unwrap();
    assert_eq!(text(&f), "<IfModule m>\n</IfModule>\n");
    let mut f = file("<IfModule m>\n\t<V>\n\t</V> </IfModule>\n");
    f.push(&[0], directive("X", &[])).unwrap();
    assert_eq!(text(&f), "<IfModule m>\n\t<V>\n\t</V>\n\tX\n</IfModule>\n");
}

#[test]
fn replace_keeps_leading_and_line_end() {
    let mut f = file("# c\n  A 1   \n");
    f.replace(&[0], directive("B", &["2"])).unwrap();
    assert_eq!(text(&f), "# c\n  B 2   \n");
}

#[test]
fn set_args_keeps_spacing_and_quotes_values() {
    let mut f = file("Alias  /a \\\n   /b\n");
    f.set_args(
        &[0],
        vec![
            Word::new("/c").unwrap(),
            Word::new("/d e").unwrap(),
            Word::new("f").unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(text(&f), "Alias  /c \\\n   \"/d e\" f\n");
    let mut f = file("<VirtualHost *:80>\n</VirtualHost>\n");
    f.set_args(&[0], vec![Word::new("*:443").unwrap()]).unwrap();
    assert_eq!(text(&f), "<VirtualHost *:443>\n</VirtualHost>\n");
}

#[test]
fn templates_are_reindented() {
    let tpl = parse_snippet(b"<IfModule mod_ssl.c>\n<VirtualHost *:443>\n    # TLS\n    SSLEngine on\n</VirtualHost>\n</IfModule>\n").unwrap();
    let mut f = file("<VirtualHost *:80>\r\n\tServerName a\r\n</VirtualHost>\r\n");
    for node in tpl {
        f.push(&[], node).unwrap();
    }
    assert_eq!(
        text(&f),
        "<VirtualHost *:80>\r\n\tServerName a\r\n</VirtualHost>\r\n<IfModule mod_ssl.c>\r\n\t<VirtualHost *:443>\r\n\t\t# TLS\r\n\t\tSSLEngine on\r\n\t</VirtualHost>\r\n</IfModule>\r\n"
    );
}

#[test]
fn comments_above_are_idempotent_and_checked() {
    let mut f = file("<V>\n  A\n</V>\n");
    f.set_comment(&[0, 0], "managed by certsmith").unwrap();
    f.set_comment(&[0, 0], "managed by certsmith").unwrap();
    assert_eq!(text(&f), "<V>\n  # managed by certsmith\n  A\n</V>\n");
    assert!(f.set_comment(&[0, 0], "a\nb").is_err());
    assert!(f.set_comment(&[0, 0], "ends \\").is_err());
}

#[test]
fn bad_paths_are_errors() {
    let mut f = file("A\n<B>\n</B>\n");
    assert_eq!(f.remove(&[5]), Err(EditError::NoSuchNode(vec![5])));
    assert_eq!(
        f.push(&[0], directive("X", &[])),
        Err(EditError::NotASection(vec![0]))
    );
    assert!(matches!(
        f.insert(&[1], 3, directive("X", &[])),
        Err(EditError::OutOfRange { .. })
    ));
    assert!(Directive::new("Bad Name", vec![]).is_err());
}

#[test]
fn push_template_then_fill_values() {
    let mut f = file("<VirtualHost *:80>\n  ServerName a\n</VirtualHost>\n");
    let paths = f
        .push_template(
            &[0],
            b"RewriteEngine on\nRewriteRule ^ https://x%{REQUEST_URI} [L,R=301]\n",
        )
        .unwrap();
    assert_eq!(paths, [vec![0, 1], vec![0, 2]]);
    let target = Word::new("^").unwrap();
    f.set_args(
        &paths[1],
        vec![
            target,
            Word::new("https://a%{REQUEST_URI}").unwrap(),
            Word::new("[L,R=301]").unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(
        text(&f),
        "<VirtualHost *:80>\n  ServerName a\n  RewriteEngine on\n  RewriteRule ^ https://a%{REQUEST_URI} [L,R=301]\n</VirtualHost>\n"
    );
    let names: Vec<String> = f
        .walk()
        .iter()
        .map(|(_, n)| n.name().to_string_lossy())
        .collect();
    assert_eq!(
        names,
        ["VirtualHost", "ServerName", "RewriteEngine", "RewriteRule"]
    );
}
