//! The directives the installer writes, built from constant templates and
//! values that enter only through [`Word::new`] (which refuses anything that
//! would not read back as exactly one token), and the `# managed by
//! certsmith` mark on every line the installer adds.

use super::load::NginxConfig;
use super::nodes::NodeRef;
use super::view::Endpoint;
use crate::syntax::nginx::{Directive, EditError, Word};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The same-line comment on every line certsmith adds.
pub const MARK: &str = "managed by certsmith";

pub fn word(value: impl AsRef<[u8]>) -> Result<Word, EditError> {
    Ok(Word::new(value)?)
}

pub fn path_word(path: &Path) -> Result<Word, EditError> {
    word(path.as_os_str().as_bytes())
}

/// `name value;`
pub fn simple(name: &str, values: &[&[u8]]) -> Result<Directive, EditError> {
    let words = values.iter().map(word).collect::<Result<Vec<_>, _>>()?;
    Ok(Directive::new(name, words)?)
}

/// `name PATH;`
pub fn with_path(name: &str, path: &Path) -> Result<Directive, EditError> {
    Ok(Directive::new(name, [path_word(path)?])?)
}

/// `listen ADDRESS:PORT [ssl];` in nginx's spelling (`443` for `*:443`).
pub fn listen(endpoint: &Endpoint, ssl: bool) -> Result<Directive, EditError> {
    let address = if endpoint.address == "*" {
        endpoint.port.to_string()
    } else {
        format!("{}:{}", endpoint.address, endpoint.port)
    };
    let mut words = vec![word(address)?];
    if ssl {
        words.push(word("ssl")?);
    }
    Ok(Directive::new("listen", words)?)
}

/// The redirect target: `https://$host$request_uri` (port added when not 443).
pub fn https_url(https_port: u16) -> String {
    if https_port == 443 {
        "https://$host$request_uri".to_string()
    } else {
        format!("https://$host:{https_port}$request_uri")
    }
}

/// `return 301 URL;`
pub fn return_301(https_port: u16) -> Result<Directive, EditError> {
    simple("return", &[b"301", https_url(https_port).as_bytes()])
}

/// `if ($VARIABLE = VALUE) { return 301 URL; }`
pub fn redirect_if(variable: &str, value: &str, https_port: u16) -> Result<Directive, EditError> {
    let condition = [
        word(format!("(${variable}"))?,
        word("=")?,
        word(format!("{value})"))?,
    ];
    Ok(Directive::with_block(
        "if",
        condition,
        vec![return_301(https_port)?],
    )?)
}

/// `add_header Strict-Transport-Security "max-age=31536000" always;`
pub fn hsts_header() -> Result<Directive, EditError> {
    Directive::parse(br#"add_header Strict-Transport-Security "max-age=31536000" always;"#)
}

/// `add_header Content-Security-Policy "upgrade-insecure-requests";`
pub fn uir_header() -> Result<Directive, EditError> {
    Directive::parse(br#"add_header Content-Security-Policy "upgrade-insecure-requests";"#)
}

/// `location = PATH { default_type text/plain; return 200 "BODY"; }`
pub fn exact_location(path: &str, body: &str) -> Result<Directive, EditError> {
    let children = vec![
        simple("default_type", &[b"text/plain"])?,
        simple("return", &[b"200", body.as_bytes()])?,
    ];
    Ok(Directive::with_block(
        "location",
        [word("=")?, word(path)?],
        children,
    )?)
}

/// A copy of `d` without its comments and layout (insertion lays it out):
/// the words as written, blocks copied the same way.
pub fn bare_copy(d: &Directive) -> Result<Directive, EditError> {
    let name = d.name_word().value_str();
    let args: Vec<Word> = d.args().collect();
    if let Some(body) = d.block() {
        let children = body
            .directives()
            .map(bare_copy)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Directive::with_block(&name, args, children)?)
    } else if d.raw_block().is_some() {
        // Lua: kept as written.
        Directive::parse(&d.print())
    } else {
        Ok(Directive::new(&name, args)?)
    }
}

/// Mark the line of `node` and, for a block, every line inside it.
pub fn mark(config: &mut NginxConfig, node: &NodeRef) -> Result<(), EditError> {
    let count = config
        .directive(node)
        .and_then(|d| d.block())
        .map_or(0, |b| b.len());
    for i in (0..count).rev() {
        let child = NodeRef {
            file: node.file,
            path: [node.path.as_slice(), &[i]].concat(),
        };
        mark(config, &child)?;
    }
    config.set_comment(node, MARK)
}

/// What certsmith adds at server level (a copied `root` in a block modelled
/// on the default server is marked too, but is no anchor).
const ADDED: &[&str] = &[
    "ssl_certificate",
    "ssl_certificate_key",
    "include",
    "add_header",
    "ssl_stapling",
    "ssl_stapling_verify",
    "ssl_trusted_certificate",
    "return",
    "if",
    "set",
];

/// Add `d` to the server block `block`, marked, next to the lines that say
/// what the block is: after the last line certsmith added there, else after
/// the last `listen` or `server_name` written in the block itself, else at
/// its end. So certsmith's lines stay together, in the order added.
pub fn add_to_server(
    config: &mut NginxConfig,
    block: &NodeRef,
    d: Directive,
) -> Result<NodeRef, EditError> {
    let own = super::view::own_children(config, block);
    let anchor = own.iter().rev().find(|n| {
        config.directive(n).is_some_and(|d| {
            let ours = d.comment().is_some_and(|c| c.starts_with(MARK.as_bytes()))
                && ADDED.iter().any(|a| d.is(a));
            ours || d.is("listen") || d.is("server_name")
        })
    });
    let added = match anchor {
        Some(a) => {
            let a = a.clone();
            config.insert_after(&a, d)?
        }
        None => config.push(block, d)?,
    };
    mark(config, &added)?;
    Ok(added)
}
