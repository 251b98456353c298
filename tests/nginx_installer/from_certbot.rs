//! A server Certbot configured before: its `# managed by Certbot` lines and
//! its `options-ssl-nginx.conf` include stay valid when certsmith installs a
//! certificate there (real nginx, real Pebble, Certbot's own files from
//! Debian's python3-certbot-nginx).

use super::e2e::Site;
use super::util::{test_certificate, write};

const CERTBOT_OPTIONS: &str =
    "/usr/lib/python3/dist-packages/certbot_nginx/_internal/tls_configs/options-ssl-nginx.conf";
const CERTBOT_DHPARAMS: &str = "/usr/lib/python3/dist-packages/certbot/ssl-dhparams.pem";

/// The TLS server block as `certbot --nginx` leaves it (its line forms and
/// comment), on a certificate Certbot got earlier.
const AS_CERTBOT_LEFT_IT: &str = "server {\n    server_name demo.example;\n    root @DIR@/www;\n\n    listen 443 ssl; # managed by Certbot\n    ssl_certificate @DIR@/old/fullchain.pem; # managed by Certbot\n    ssl_certificate_key @DIR@/old/privkey.pem; # managed by Certbot\n    include @DIR@/letsencrypt/options-ssl-nginx.conf; # managed by Certbot\n    ssl_dhparam @DIR@/letsencrypt/ssl-dhparams.pem; # managed by Certbot\n\n}\nserver {\n    if ($host = demo.example) {\n        return 301 https://$host$request_uri;\n    } # managed by Certbot\n\n    listen 80;\n    server_name demo.example;\n    return 404; # managed by Certbot\n}\n";

#[test]
fn a_server_certbot_configured_keeps_its_options_include_and_works() {
    let site = Site::new(&[("demo.conf", AS_CERTBOT_LEFT_IT)]);
    test_certificate(&site.dir.join("old"), &["demo.example"]);
    for (from, name) in [
        (CERTBOT_OPTIONS, "options-ssl-nginx.conf"),
        (CERTBOT_DHPARAMS, "ssl-dhparams.pem"),
    ] {
        write(
            &site.dir.join("letsencrypt").join(name),
            std::fs::read(from).expect("Debian's certbot nginx plugin files"),
        );
    }
    site.start_nginx();
    let run = site
        .certsmith(&[
            "--nginx",
            "-d",
            "demo.example",
            "-n",
            "--agree-tos",
            "-m",
            "admin@demo.example",
        ])
        .ok();
    assert!(run.stdout.contains("HTTPS is enabled"), "{}", run.stdout);

    let conf = std::fs::read_to_string(site.root.join("sites/demo.conf")).unwrap();
    let live = site.live("demo.example", "fullchain.pem");
    assert!(
        conf.contains(&format!("ssl_certificate {};", live.display())),
        "{conf}"
    );
    // Certbot's settings stay the block's settings: no second set of
    // ssl_protocols/ssl_ciphers (nginx refuses duplicates).
    assert!(!conf.contains("certsmith-options-ssl-nginx.conf"), "{conf}");
    assert!(
        conf.contains("options-ssl-nginx.conf; # managed by Certbot"),
        "{conf}"
    );
    // Served with the new certificate, verified against Pebble's root.
    let root = site.tb.root_pem.display().to_string();
    let https = site
        .tb
        .curl_until("https://demo.example/", &["-i", "--cacert", &root], |r| {
            r.code == 0
        })
        .ok();
    assert!(https.stdout.starts_with("HTTP/1.1 200"), "{}", https.stdout);
}
