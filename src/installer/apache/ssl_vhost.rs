//! The SSL twin of a plain-http virtual host: a copy of its lines (byte for byte, so the
//! user's layout carries over) in `<FILE>-le-ssl.conf` next to its file, inside
//! `<IfModule mod_ssl.c>`, with the port of every address changed to the https port and
//! its redirects to https disabled (they would loop), each kept as a comment line.
//! Certificate lines and the TLS settings include are added by the caller.

use super::env::{Variables, expand};
use super::error::{InstallError, edit};
use super::loaded::FileId;
use super::plan::Plan;
use super::query;
use super::vhost::{Address, VirtualHost};
use crate::syntax::apache::{Document, Node, Word};
use std::path::{Path, PathBuf};

/// Where new vhost files go and what they are called.
#[derive(Debug, Clone)]
pub struct FileNaming {
    /// `--apache-vhost-root`: else next to the vhost's own file.
    pub vhost_root: Option<PathBuf>,
    /// `--apache-le-vhost-ext` (`-le-ssl.conf`).
    pub ssl_ext: String,
}

impl Default for FileNaming {
    fn default() -> FileNaming {
        FileNaming {
            vhost_root: None,
            ssl_ext: "-le-ssl.conf".into(),
        }
    }
}

/// The words of a directive or section header joined by single spaces, for a comment.
pub fn node_text(node: &Node) -> String {
    let mut words = vec![String::from_utf8_lossy(node.name().raw()).into_owned()];
    words.extend(
        node.args()
            .iter()
            .map(|a| String::from_utf8_lossy(a.word.raw()).replace(['\r', '\n', '\\'], " ")),
    );
    words.join(" ")
}

/// A redirect to https: `RewriteRule PATTERN https://... [...]` (not a proxy rule),
/// `Redirect [STATUS] PATH https://...`, `RedirectPermanent`, `RedirectMatch`.
pub fn redirects_to_https(node: &Node) -> bool {
    let Node::Directive(_) = node else {
        return false;
    };
    let args: Vec<String> = node
        .arg_values()
        .iter()
        .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
        .collect();
    let https = |a: &String| a.starts_with("https://");
    if node.is_named("RewriteRule") {
        let proxy = args.get(2).is_some_and(|f| {
            f.trim_matches(|c| c == '[' || c == ']')
                .split(',')
                .any(|f| f == "p" || f == "proxy")
        });
        return args.get(1).is_some_and(https) && !proxy;
    }
    [
        "Redirect",
        "RedirectPermanent",
        "RedirectMatch",
        "RedirectTemp",
    ]
    .iter()
    .any(|n| node.is_named(n))
        && args.last().is_some_and(https)
}

/// The file the SSL copy of a vhost in `source` goes to.
pub fn ssl_file_path(source: &Path, naming: &FileNaming) -> PathBuf {
    let dir = naming
        .vhost_root
        .clone()
        .or_else(|| source.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".conf").unwrap_or(&name);
    dir.join(format!("{stem}{}", naming.ssl_ext))
}

/// Create the SSL copy of `http` (in a new file, or appended to the planned or existing
/// file of that name); returns the new vhost.
pub fn create(
    plan: &mut Plan,
    http: &VirtualHost,
    naming: &FileNaming,
    https_port: u16,
) -> Result<VirtualHost, InstallError> {
    let source_file = plan
        .loaded
        .file(http.node.file)
        .ok_or_else(|| InstallError::Other(format!("{}: not loaded", http.file.display())))?;
    let style = source_file.tree.style();
    let path = ssl_file_path(&source_file.real_path, naming);
    let node = plan
        .loaded
        .node(&http.node)
        .ok_or_else(|| InstallError::Other(format!("{}: vhost vanished", http.file.display())))?;
    let mut vhost_bytes = Vec::new();
    node.print_to(&mut vhost_bytes);
    // Drop the comment and blank lines above it; keep its indentation.
    let above = node.leading().len() - node.indentation().len();
    let vhost_bytes = &vhost_bytes[above..];
    let mut text = b"<IfModule mod_ssl.c>".to_vec();
    text.extend_from_slice(style.eol);
    text.extend_from_slice(vhost_bytes);
    if !vhost_bytes.ends_with(b"\n") {
        text.extend_from_slice(style.eol);
    }
    text.extend_from_slice(b"</IfModule>");
    text.extend_from_slice(style.eol);
    let mut copy = Document::parse(&text).map_err(|e| InstallError::File {
        path: http.file.clone(),
        detail: format!(
            "the copy of the vhost at line {} does not parse: {e}",
            http.line
        ),
    })?;
    let vhost_path = vec![0, 0];
    let expanded = expand_defines(&mut copy, &config_defines(plan))?;
    retarget(&mut copy, &vhost_path, &http.addresses, https_port)?;
    disable_redirects(&mut copy, &vhost_path)?;
    let bytes = copy.print();
    let file = add_to_file(plan, &path, &bytes)?;
    if !expanded.is_empty() {
        plan.notes.push(format!(
            "{}: wrote the values of {} (Apache may read this file before the Define)",
            path.display(),
            expanded.join(", ")
        ));
    }
    plan.loaded
        .vhosts()
        .into_iter()
        .rfind(|v| v.node.file == file)
        .ok_or_else(|| InstallError::Other(format!("{}: the new vhost is missing", path.display())))
}

/// Variables the configuration itself defines (`Define NAME VALUE` directives Apache
/// applies), with their final values.
fn config_defines(plan: &Plan) -> Variables {
    let mut out = Variables::new();
    for id in query::active_named(&plan.loaded, "Define") {
        if let [name, _, ..] = plan.loaded.arg_values(&id).as_slice() {
            let name = String::from_utf8_lossy(name).into_owned();
            if let Some(value) = plan.loaded.variables.get(&name) {
                out.insert(name, value.clone());
            }
        }
    }
    out
}

/// Replace `${NAME}` of configuration-defined variables by their values in every word of
/// the copy: its file may be read before the `Define` (`x-le-ssl.conf` sorts before
/// `x.conf`), where Apache would leave `${NAME}` as it is. Returns the `${NAME}`s replaced.
fn expand_defines(doc: &mut Document, defines: &Variables) -> Result<Vec<String>, InstallError> {
    let mut replaced = Vec::new();
    if defines.is_empty() {
        return Ok(replaced);
    }
    let paths: Vec<Vec<usize>> = doc.walk().into_iter().map(|(p, _)| p).collect();
    for path in paths {
        let Some(node) = doc.get(&path) else { continue };
        if !node
            .args()
            .iter()
            .any(|a| a.word.raw().windows(2).any(|w| w == b"${"))
        {
            continue;
        }
        let mut changed = false;
        let mut words = Vec::new();
        for arg in node.args() {
            let value = arg.word.value();
            let new = expand(&value, defines);
            if new != value {
                changed = true;
                for name in defines.keys() {
                    let var = format!("${{{name}}}");
                    if value.windows(var.len()).any(|w| w == var.as_bytes())
                        && !replaced.contains(&var)
                    {
                        replaced.push(var);
                    }
                }
                words.push(Word::new(new.as_ref())?);
            } else {
                words.push(arg.word.clone());
            }
        }
        if changed {
            doc.set_args(&path, words)
                .map_err(edit("a copied directive"))?;
        }
    }
    Ok(replaced)
}

/// Ports of every address set to `port` (an address without one gets it).
fn retarget(
    doc: &mut Document,
    vhost: &[usize],
    addresses: &[Address],
    port: u16,
) -> Result<(), InstallError> {
    let args = addresses
        .iter()
        .map(|a| {
            Word::new(
                Address {
                    host: a.host.clone(),
                    port: Some(port.to_string()),
                }
                .to_string(),
            )
        })
        .collect::<Result<Vec<Word>, _>>()?;
    // Addresses written with ${VAR} are replaced by their values: the port must change.
    doc.set_args(vhost, args)
        .map_err(edit("the SSL vhost's addresses"))
}

/// Remove redirects to https (and the `RewriteCond` lines that guard them) from the
/// vhost's body and its conditional sections, each leaving its words as a comment line.
fn disable_redirects(doc: &mut Document, body: &[usize]) -> Result<(), InstallError> {
    let Some(children) = doc.body_at(body).map(|b| b.nodes.len()) else {
        return Ok(());
    };
    let mut doomed: Vec<usize> = Vec::new();
    let mut sections: Vec<usize> = Vec::new();
    for i in 0..children {
        let mut path = body.to_vec();
        path.push(i);
        let Some(node) = doc.get(&path) else { continue };
        if node.body().is_some() && node.name_bytes().len() > 2 {
            if node.name_bytes()[..2].eq_ignore_ascii_case(b"if") {
                sections.push(i);
            }
            continue;
        }
        if redirects_to_https(node) {
            let mut first = i;
            while first > 0
                && doc
                    .get(&[body, &[first - 1]].concat())
                    .is_some_and(|n| n.is_named("RewriteCond"))
                && node.is_named("RewriteRule")
            {
                first -= 1;
            }
            doomed.extend(first..=i);
        }
    }
    for &i in sections.iter().rev() {
        disable_redirects(doc, &[body, &[i]].concat())?;
    }
    doomed.sort_unstable();
    doomed.dedup();
    if let Some(&first) = doomed.first() {
        let path = [body, &[first]].concat();
        doc.set_comment(
            &path,
            "certsmith: redirect to https disabled in this TLS copy (it would loop):",
        )
        .map_err(edit("a redirect in the SSL vhost"))?;
    }
    for &i in doomed.iter().rev() {
        let path = [body, &[i]].concat();
        let text = doc.get(&path).map(node_text).unwrap_or_default();
        doc.set_comment(&path, &text)
            .map_err(edit("a redirect in the SSL vhost"))?;
    }
    for &i in doomed.iter().rev() {
        doc.remove(&[body, &[i]].concat())
            .map_err(edit("a redirect in the SSL vhost"))?;
    }
    Ok(())
}

/// Put `bytes` (whole sections) into the file at `path`: a new file, or appended to the
/// one this plan creates or Apache reads there.
fn add_to_file(plan: &mut Plan, path: &Path, bytes: &[u8]) -> Result<FileId, InstallError> {
    let existing = plan
        .loaded
        .files()
        .iter()
        .position(|f| f.real_path == path || f.path == path);
    let Some(file) = existing else {
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(InstallError::File {
                path: path.to_path_buf(),
                detail: "exists, but Apache does not read it; move it away (or give --apache-le-vhost-ext another suffix)".into(),
            });
        }
        let doc = Document::parse(bytes).map_err(|e| InstallError::Other(format!("{e}")))?;
        return Ok(plan.create_file(path.to_path_buf(), doc));
    };
    let tree = plan
        .loaded
        .tree_mut(file)
        .map_err(edit("the SSL vhost file"))?;
    let eol = tree.style().eol;
    let mut text = tree.print();
    if !text.is_empty() && !text.ends_with(b"\n") {
        text.extend_from_slice(eol);
    }
    if !text.is_empty() {
        text.extend_from_slice(eol);
    }
    text.extend_from_slice(bytes);
    *tree = Document::parse(&text).map_err(|e| InstallError::File {
        path: path.to_path_buf(),
        detail: format!("appending a vhost: {e}"),
    })?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(src: &str) -> Node {
        Document::parse(src.as_bytes()).unwrap().body.nodes[0].clone()
    }

    #[test]
    fn what_counts_as_a_redirect_to_https() {
        assert!(redirects_to_https(&first(
            "RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]\n"
        )));
        assert!(redirects_to_https(&first(
            "Redirect permanent / https://a.com/\n"
        )));
        assert!(redirects_to_https(&first(
            "RedirectMatch ^/(.*) HTTPS://a.com/$1\n"
        )));
        assert!(!redirects_to_https(&first(
            "RewriteRule ^/api https://backend/ [P]\n"
        )));
        assert!(!redirects_to_https(&first("RewriteRule ^/a /b [L]\n")));
        assert!(!redirects_to_https(&first("Redirect / http://a.com/\n")));
    }

    #[test]
    fn ssl_file_names() {
        let n = FileNaming::default();
        assert_eq!(
            ssl_file_path(Path::new("/etc/apache2/sites-available/example.conf"), &n),
            Path::new("/etc/apache2/sites-available/example-le-ssl.conf")
        );
        let n = FileNaming {
            vhost_root: Some("/v".into()),
            ssl_ext: "-ssl.conf".into(),
        };
        assert_eq!(
            ssl_file_path(Path::new("/x/site"), &n),
            Path::new("/v/site-ssl.conf")
        );
    }

    #[test]
    fn redirects_become_comments() {
        let src = "<IfModule mod_ssl.c>\n<VirtualHost *:80>\n\tServerName a.com\n\tRewriteEngine on\n\tRewriteCond %{SERVER_NAME} =a.com\n\tRewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]\n\tDocumentRoot /srv\n</VirtualHost>\n</IfModule>\n";
        let mut doc = Document::parse(src.as_bytes()).unwrap();
        disable_redirects(&mut doc, &[0, 0]).unwrap();
        retarget(&mut doc, &[0, 0], &[Address::parse("*:80")], 443).unwrap();
        assert_eq!(
            String::from_utf8(doc.print()).unwrap(),
            "<IfModule mod_ssl.c>\n<VirtualHost *:443>\n\tServerName a.com\n\tRewriteEngine on\n\t# certsmith: redirect to https disabled in this TLS copy (it would loop):\n\t# RewriteCond %{SERVER_NAME} =a.com\n\t# RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]\n\tDocumentRoot /srv\n</VirtualHost>\n</IfModule>\n"
        );
    }
}
