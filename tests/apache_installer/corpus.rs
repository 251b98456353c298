//! For every vhost name of the corpus trees and of generated configurations: install +
//! redirect + HSTS with a test certificate. The planned change must equal its golden
//! diff (fixtures/apache/install/), real Apache must accept the written configuration
//! (`apache2ctl -t` through the installer's own control program), a second run must
//! plan nothing, and rolling the checkpoint back must restore every file and link.
//! Each test reports every failing name, not just the first.

use super::common::*;
use certsmith::installer::apache::{Plan, install, no_questions};
use reverter::{Kind, Reverter};

/// Names a certificate can carry (two labels at least, no wildcard).
pub fn certificate_names(plan: &Plan) -> Vec<String> {
    let mut names: Vec<String> = plan
        .loaded
        .vhosts()
        .iter()
        .filter(|v| v.active || !v.enabled)
        .flat_map(|v| v.names())
        .filter(|n| {
            n.contains('.')
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The whole cycle for one case; `Err` says what went wrong.
pub fn run_case(tree: &Tree, names: &[&str], golden_rel: &str) -> Result<(), String> {
    run_case_with(tree, names, golden_rel, |_| {})
}

/// [`run_case`] with the request adjusted by `adjust` (more enhancements, say).
pub fn run_case_with(
    tree: &Tree,
    names: &[&str],
    golden_rel: &str,
    adjust: impl Fn(&mut certsmith::installer::apache::InstallRequest),
) -> Result<(), String> {
    let before = tree.snapshot();
    let apache = tree.apache();
    let info = apache.inspect().map_err(|e| format!("inspect: {e}"))?;
    let mut plan = apache.load(&info).map_err(|e| format!("load: {e}"))?;
    let cert = tree.test_cert(names);
    let mut request = tree.request(names, &cert);
    adjust(&mut request);
    let report = match install(&mut plan, &request, &mut no_questions) {
        Ok(r) => r,
        Err(e) => {
            let unchanged = snapshot_diff(&before, &tree.snapshot());
            if !unchanged.iter().all(|l| l.contains("/config/live/")) {
                return Err(format!("a failed install changed files: {unchanged:?}"));
            }
            return golden(golden_rel, &tree.normalize(&format!("error: {e}\n")));
        }
    };
    let mut text = String::new();
    for line in report.done.iter().chain(&report.notes) {
        text.push_str(&format!("# {line}\n"));
    }
    text.push_str(&String::from_utf8_lossy(&plan.diff()));
    golden(golden_rel, &tree.normalize(&text))?;

    let mut reverter = Reverter::open(tree.work()).map_err(|e| e.to_string())?;
    plan.check_writable().map_err(|e| e.to_string())?;
    let mut tx = reverter
        .begin(Kind::Permanent, "test install")
        .map_err(|e| e.to_string())?;
    plan.write(&mut tx).map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
    match apache.ctl.configtest() {
        Err(e) => return Err(format!("Apache rejects the result: {e}")),
        Ok(warnings) => {
            let new: Vec<&String> = warnings
                .iter()
                .filter(|w| !info.warnings.contains(w))
                .collect();
            if !new.is_empty() {
                return Err(format!("Apache warns about the result: {new:?}"));
            }
        }
    }

    let info = apache
        .inspect()
        .map_err(|e| format!("inspect again: {e}"))?;
    let mut again = apache.load(&info).map_err(|e| format!("load again: {e}"))?;
    install(&mut again, &request, &mut no_questions).map_err(|e| format!("second run: {e}"))?;
    if !again.is_empty() {
        return Err(format!(
            "the second run plans more:\n{}",
            String::from_utf8_lossy(&again.diff())
        ));
    }

    reverter.rollback_latest().map_err(|e| e.to_string())?;
    let left: Vec<String> = snapshot_diff(&before, &tree.snapshot())
        .into_iter()
        .filter(|l| !l.contains("/config/live/"))
        .collect();
    if !left.is_empty() {
        return Err(format!("rollback left differences: {left:?}"));
    }
    Ok(())
}

fn report(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_name_of_the_corpus_trees() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for tree_name in ["simple_vhost", "two_vhost_80", "vhost_with_tls"] {
        let probe = Tree::corpus(tree_name);
        let apache = probe.apache();
        let info = apache.inspect().unwrap();
        let names = certificate_names(&apache.load(&info).unwrap());
        assert!(!names.is_empty(), "{tree_name}: no names");
        for name in names {
            cases += 1;
            let tree = Tree::corpus(tree_name);
            if let Err(e) = run_case(&tree, &[&name], &format!("{tree_name}/{name}.diff")) {
                failures.push(format!("{tree_name} {name}: {e}"));
            }
        }
    }
    assert!(cases >= 6, "only {cases} names");
    report(failures);
}

#[test]
fn all_names_of_a_vhost_at_once() {
    let tree = Tree::corpus("vhost_with_tls");
    report(
        run_case(
            &tree,
            &["example.com", "www.example.com"],
            "vhost_with_tls/both-names.diff",
        )
        .err()
        .into_iter()
        .collect(),
    );
}

#[test]
fn uir_and_ocsp_stapling_in_new_and_existing_tls_vhosts() {
    let mut failures = Vec::new();
    for (tree_name, name) in [
        ("simple_vhost", "example.com"),
        ("vhost_with_tls", "example.com"),
    ] {
        let tree = Tree::corpus(tree_name);
        let golden = format!("{tree_name}/{name}-uir-staple.diff");
        if let Err(e) = run_case_with(&tree, &[name], &golden, |r| {
            r.enhance.uir = true;
            r.enhance.staple_ocsp = true;
        }) {
            failures.push(format!("{tree_name} {name}: {e}"));
        }
    }
    report(failures);
}

pub const MULTI: &str = "\
# Three sites in one file.
<VirtualHost *:80>
    ServerName a.example.org
    DocumentRoot /var/www/html
</VirtualHost>

<VirtualHost *:80>
    ServerName b.example.org
    ServerAlias www.b.example.org
    DocumentRoot /var/www/html
</VirtualHost>

<VirtualHost *:80>
    ServerName c.example.org
    DocumentRoot /var/www/html
    RewriteEngine on
    RewriteCond %{HTTPS} off
    RewriteRule ^/(.*) https://c.example.org/$1 [R=301,L]
</VirtualHost>
";

pub const IFMODULE: &str = "\
<IfModule mod_alias.c>
\t<VirtualHost *:80>
\t\tServerName active.example.org
\t\tDocumentRoot /var/www/html
\t</VirtualHost>
</IfModule>
<IfModule mod_nonexistent.c>
\t<VirtualHost *:80>
\t\tServerName inactive.example.org
\t\tDocumentRoot /var/www/html
\t</VirtualHost>
</IfModule>
";

pub const DEFAULT: &str = "<VirtualHost *:80>\n\tDocumentRoot /var/www/html\n</VirtualHost>\n";

pub const DEFINED: &str = "\
Define SITE defined.example.org
<VirtualHost *:80>
  ServerName ${SITE}
  ServerAlias www.${SITE}
  DocumentRoot /var/www/html
</VirtualHost>
";

pub const MACRO: &str = "\
<Macro Site $name>
  <VirtualHost *:80>
    ServerName $name
    DocumentRoot /var/www/html
  </VirtualHost>
</Macro>
Use Site macro.example.org
UndefMacro Site
";

pub const CRLF: &str = "<VirtualHost *:80>\r\n\tServerName crlf.example.org\r\n\tDocumentRoot /var/www/html\r\n</VirtualHost>";

/// Generated one-file Debian sites for the comparison with Certbot: (what, file, text, name).
pub const GENERATED: &[(&str, &str, &str, &str)] = &[
    (
        "several vhosts in one file",
        "sites-available/multi.conf",
        MULTI,
        "b.example.org",
    ),
    (
        "redirect rules in the http vhost",
        "sites-available/multi.conf",
        MULTI,
        "c.example.org",
    ),
    (
        "vhosts in <IfModule>",
        "sites-available/modules.conf",
        IFMODULE,
        "active.example.org",
    ),
    (
        "Define'd ServerName",
        "sites-available/defined.conf",
        DEFINED,
        "defined.example.org",
    ),
    (
        "mod_macro user",
        "sites-available/macro.conf",
        MACRO,
        "macro.example.org",
    ),
    (
        "CRLF, no final newline",
        "sites-available/crlf.conf",
        CRLF,
        "crlf.example.org",
    ),
    (
        "ServerAlias continued on the next line",
        "sites-available/cont.conf",
        "<VirtualHost *:80>\n\tServerName main.example.org\n\tServerAlias one.example.org \\\n\t\ttwo.example.org\n\tDocumentRoot /var/www/html\n</VirtualHost>\n",
        "two.example.org",
    ),
    (
        "section header continued on the next line",
        "sites-available/head.conf",
        "<VirtualHost \\\n    *:80>\n\tServerName head.example.org\n</VirtualHost>\n",
        "head.example.org",
    ),
    (
        "text after the closing tag",
        "sites-available/after.conf",
        "<VirtualHost *:80>\n\tServerName after.example.org\n</VirtualHost> # end of site\n",
        "after.example.org",
    ),
    (
        "name in an included file",
        "sites-available/inc.conf",
        "<VirtualHost *:80>\n\tInclude /etc/apache2/conf-available/charset.conf\n\tServerName inc.example.org\n</VirtualHost>\n",
        "inc.example.org",
    ),
    (
        "Latin-1 comment",
        "sites-available/latin1.conf",
        "# Caf\u{e9} \u{e0} la carte\n<VirtualHost *:80>\n\tServerName latin.example.org\n</VirtualHost>\n",
        "latin.example.org",
    ),
    (
        "ServerName with scheme and port",
        "sites-available/scheme.conf",
        "<VirtualHost *:80>\n\tServerName http://scheme.example.org:80\n</VirtualHost>\n",
        "scheme.example.org",
    ),
    (
        "vhost in <IfDefine !X>",
        "sites-available/ifdefine.conf",
        "<IfDefine !NOSITE>\n<VirtualHost *:80>\n\tServerName ifdefine.example.org\n</VirtualHost>\n</IfDefine>\n",
        "ifdefine.example.org",
    ),
    (
        "mod_alias redirect already there",
        "sites-available/alias.conf",
        "<VirtualHost *:80>\n\tServerName alias.example.org\n\tRedirect permanent / https://alias.example.org/\n</VirtualHost>\n",
        "alias.example.org",
    ),
];

fn generated_cases(label: &str, files: &[(&str, &str)], modules: &[&str], names: &[&str]) {
    let mut failures = Vec::new();
    for name in names {
        let tree = Tree::debian(label, files);
        for m in modules {
            tree.enable_module(m);
        }
        if let Err(e) = run_case(&tree, &[name], &format!("{label}/{name}.diff")) {
            failures.push(format!("{label} {name}: {e}"));
        }
    }
    report(failures);
}

#[test]
fn several_vhosts_in_one_file() {
    generated_cases(
        "multi",
        &[("sites-available/multi.conf", MULTI)],
        &["rewrite"],
        &[
            "a.example.org",
            "b.example.org",
            "www.b.example.org",
            "c.example.org",
        ],
    );
}

#[test]
fn vhosts_in_ifmodule_sections() {
    generated_cases(
        "ifmodule",
        &[
            ("sites-available/000-default.conf", DEFAULT),
            ("sites-available/modules.conf", IFMODULE),
        ],
        &[],
        &["active.example.org", "inactive.example.org"],
    );
}

#[test]
fn defined_names() {
    generated_cases(
        "define",
        &[("sites-available/defined.conf", DEFINED)],
        &[],
        &["defined.example.org", "www.defined.example.org"],
    );
}

#[test]
fn macro_users_are_refused_others_served() {
    let files: &[(&str, &str)] = &[
        ("sites-available/000-default.conf", DEFAULT),
        ("sites-available/macro.conf", MACRO),
        (
            "sites-available/plain.conf",
            "<VirtualHost *:80>\n\tServerName plain.example.org\n</VirtualHost>\n",
        ),
    ];
    let mut failures = Vec::new();
    for name in ["macro.example.org", "plain.example.org"] {
        let tree = Tree::debian("macro", files);
        tree.enable_module("macro");
        if let Err(e) = run_case(&tree, &[name], &format!("macro/{name}.diff")) {
            failures.push(format!("macro {name}: {e}"));
        }
    }
    report(failures);
}

#[test]
fn crlf_file_without_final_newline() {
    generated_cases(
        "crlf",
        &[("sites-available/crlf.conf", CRLF)],
        &[],
        &["crlf.example.org"],
    );
}

/// RHEL's layout: `conf/httpd.conf`, modules from `conf.modules.d`, sites in `conf.d`;
/// mod_ssl gets a `LoadModule` line, the SSL vhost file is read through `conf.d/*.conf`.
#[test]
fn rhel_layout() {
    let httpd = "\
Listen 80
Include conf.modules.d/*.conf
User www-data
Group www-data
ServerName localhost
PidFile STATE/httpd.pid
ErrorLog STATE/error_log
<Directory />
    AllowOverride none
    Require all denied
</Directory>
IncludeOptional conf.d/*.conf
";
    let base = "\
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule alias_module modules/mod_alias.so
";
    let site = "\
<VirtualHost *:80>
    ServerName rhel.example.org
    DocumentRoot \"/var/www/html\"
</VirtualHost>
";
    let tree = Tree::plain("rhel", &[]);
    let state = tree.state().display().to_string();
    tree.write("conf/httpd.conf", &httpd.replace("STATE", &state));
    tree.write("conf.modules.d/00-base.conf", base);
    tree.write("conf.d/site.conf", site);
    std::os::unix::fs::symlink("/usr/lib/apache2/modules", tree.root.join("modules")).unwrap();
    report(
        run_case(&tree, &["rhel.example.org"], "rhel/rhel.example.org.diff")
            .err()
            .into_iter()
            .collect(),
    );
}
