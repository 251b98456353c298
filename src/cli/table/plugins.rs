//! The built-in plugins' flags: choosing one, and each plugin's own options.

use crate::cli::flags::{Flag, Kind, switch, value};

pub static AUTHENTICATOR: Flag = value(
    "authenticator",
    "NAME",
    "plugins",
    "standalone, webroot, manual, nginx, apache, dns-rfc2136, dns-cloudflare, dns-digitalocean, \
     dns-dnsimple, dns-dnsmadeeasy, dns-gehirn, dns-google, dns-linode, dns-luadns, dns-nsone, \
     dns-ovh, dns-route53, dns-sakuracloud",
)
.short('a')
.conf("authenticator");
pub static INSTALLER: Flag = value(
    "installer",
    "NAME",
    "plugins",
    "nginx, apache, or null (installs nothing)",
)
.short('i')
.conf("installer");
pub static STANDALONE: Flag = switch(
    "standalone",
    "plugins",
    "Answer challenges with a built-in server",
)
.topics(&["certonly"]);
pub static WEBROOT: Flag = switch(
    "webroot",
    "plugins",
    "Answer http-01 by writing into a web root",
)
.topics(&["certonly"]);
pub static MANUAL: Flag = switch(
    "manual",
    "plugins",
    "Answer challenges by hand or with hooks",
)
.topics(&["certonly"]);
pub static NGINX: Flag = switch("nginx", "plugins", "Authenticate and install with nginx")
    .topics(&["run", "certonly", "install"]);
pub static APACHE: Flag = switch(
    "apache",
    "plugins",
    "Authenticate and install with Apache httpd",
)
.topics(&["run", "certonly", "install"]);
pub static DNS_RFC2136: Flag = switch(
    "dns-rfc2136",
    "plugins",
    "Answer dns-01 with RFC 2136 dynamic updates",
)
.topics(&["certonly"]);
pub static PREFERRED_CHALLENGES: Flag = value(
    "preferred-challenges",
    "LIST",
    "options",
    "Challenge types in order of preference (http-01, dns-01, tls-alpn-01)",
)
.conf("pref_challs")
.topics(&["certonly", "renew", "standalone", "manual"]);
pub static HTTP_01_ADDRESS: Flag = value(
    "http-01-address",
    "ADDR",
    "testing",
    "Address the standalone server binds (default all)",
)
.conf("http01_address")
.topics(&["standalone"]);
pub static HTTP_01_PORT: Flag = value(
    "http-01-port",
    "PORT",
    "testing",
    "Port for http-01 (default 80)",
)
.kind(Kind::Port)
.conf("http01_port")
.topics(&["standalone", "manual"]);
pub static HTTPS_PORT: Flag = value(
    "https-port",
    "PORT",
    "testing",
    "Port for tls-alpn-01 (default 443)",
)
.kind(Kind::Port)
.conf("https_port")
.topics(&["nginx"]);
pub static WEBROOT_PATH: Flag = value(
    "webroot-path",
    "DIR",
    "webroot",
    "Web root for the -d names that follow",
)
.kind(Kind::Path)
.short('w')
.conf("webroot_path");
pub static WEBROOT_MAP: Flag = value(
    "webroot-map",
    "JSON",
    "webroot",
    "JSON object mapping names to web roots",
)
.conf("webroot_map");
pub static MANUAL_AUTH_HOOK: Flag = value(
    "manual-auth-hook",
    "CMD",
    "manual",
    "Command that presents a challenge",
)
.conf("manual_auth_hook");
pub static MANUAL_CLEANUP_HOOK: Flag = value(
    "manual-cleanup-hook",
    "CMD",
    "manual",
    "Command that removes a challenge",
)
.conf("manual_cleanup_hook");
pub static MANUAL_PUBLIC_IP_LOGGING_OK: Flag = switch(
    "manual-public-ip-logging-ok",
    "manual",
    "An answer to a question certsmith never asks",
)
.conf("manual_public_ip_logging_ok")
.no_op();
pub static DNS_RFC2136_CREDENTIALS: Flag = value(
    "dns-rfc2136-credentials",
    "FILE",
    "dns-rfc2136",
    "Certbot-format RFC 2136 credentials file",
)
.kind(Kind::Path)
.conf("dns_rfc2136_credentials");
pub static DNS_RFC2136_PROPAGATION_SECONDS: Flag = value(
    "dns-rfc2136-propagation-seconds",
    "SECONDS",
    "dns-rfc2136",
    "Fixed wait instead of polling the authoritative servers",
)
.kind(Kind::Number)
.conf("dns_rfc2136_propagation_seconds");
pub static NGINX_SERVER_ROOT: Flag = value(
    "nginx-server-root",
    "DIR",
    "nginx",
    "nginx configuration root (default /etc/nginx)",
)
.kind(Kind::Path)
.conf("nginx_server_root");
pub static NGINX_CTL: Flag = value("nginx-ctl", "PATH", "nginx", "nginx binary (default nginx)")
    .kind(Kind::Program)
    .conf("nginx_ctl");
pub static APACHE_SERVER_ROOT: Flag = value(
    "apache-server-root",
    "DIR",
    "apache",
    "Apache ServerRoot (default per distribution)",
)
.kind(Kind::Path)
.conf("apache_server_root");
pub static APACHE_CTL: Flag = value(
    "apache-ctl",
    "PATH",
    "apache",
    "apachectl binary (default apache2ctl or apachectl)",
)
.kind(Kind::Program)
.conf("apache_ctl");
pub static APACHE_ENMOD: Flag = value(
    "apache-enmod",
    "PATH",
    "apache",
    "a2enmod binary; certsmith enables modules itself",
)
.kind(Kind::Program)
.conf("apache_enmod")
.no_op();
pub static APACHE_DISMOD: Flag = value(
    "apache-dismod",
    "PATH",
    "apache",
    "a2dismod binary; certsmith disables modules itself",
)
.kind(Kind::Program)
.conf("apache_dismod")
.no_op();
pub static APACHE_BIN: Flag = value(
    "apache-bin",
    "PATH",
    "apache",
    "Apache binary; certsmith runs --apache-ctl",
)
.kind(Kind::Program)
.conf("apache_bin")
.no_op();
pub static APACHE_CHALLENGE_LOCATION: Flag = value(
    "apache-challenge-location",
    "DIR",
    "apache",
    "certsmith keeps challenge files in its work dir",
)
.kind(Kind::Path)
.conf("apache_challenge_location")
.no_op();
pub static APACHE_LOGS_ROOT: Flag = value(
    "apache-logs-root",
    "DIR",
    "apache",
    "Apache's log directory; certsmith writes no Apache logs",
)
.kind(Kind::Path)
.conf("apache_logs_root")
.no_op();
pub static NGINX_SLEEP_SECONDS: Flag = value(
    "nginx-sleep-seconds",
    "SECONDS",
    "nginx",
    "certsmith waits until nginx answers instead",
)
.kind(Kind::Number)
.conf("nginx_sleep_seconds")
.no_op();
pub static APACHE_VHOST_ROOT: Flag = value(
    "apache-vhost-root",
    "DIR",
    "apache",
    "Where new vhost files go",
)
.kind(Kind::Path)
.conf("apache_vhost_root");
pub static APACHE_LE_VHOST_EXT: Flag = value(
    "apache-le-vhost-ext",
    "EXT",
    "apache",
    "Suffix of created SSL vhost files (default -le-ssl.conf)",
)
.conf("apache_le_vhost_ext");
pub static APACHE_HANDLE_MODULES: Flag = value(
    "apache-handle-modules",
    "BOOL",
    "apache",
    "Enable needed modules (default true on Debian)",
)
.kind(Kind::Bool)
.conf("apache_handle_modules");
pub static APACHE_HANDLE_SITES: Flag = value(
    "apache-handle-sites",
    "BOOL",
    "apache",
    "Enable created sites (default true on Debian)",
)
.kind(Kind::Bool)
.conf("apache_handle_sites");

pub static CONFIGURATOR: Flag = value(
    "configurator",
    "NAME",
    "plugins",
    "A plugin that both authenticates and installs (as -a NAME -i NAME)",
);
