//! Generated inputs for the parse-tree memory measurements (issue 17 L14), shared by
//! `benches/tree_memory.rs` (large sizes) and `tests/tree_memory.rs` (a few MB).
//!
//! Two shapes per engine: many blocks with comments (a big real-looking config) and one
//! directive with a great many one-letter arguments (" a": 2 input bytes per argument,
//! the shape where per-argument overhead shows most).

use std::io::Write;

/// An nginx config of `server` blocks with comments, at least `bytes` long.
pub fn nginx_servers(bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 4096);
    out.extend_from_slice(
        b"user www-data;\nworker_processes auto;\n\nevents {\n    worker_connections 768;\n}\n\nhttp {\n    sendfile on;\n    include mime.types;\n\n",
    );
    let mut i = 0;
    while out.len() < bytes {
        write!(
            out,
            "    # site {i}, kept by hand
    server {{
        listen 80;
        listen [::]:80;
        server_name site{i}.example.com www.site{i}.example.com;
        root /var/www/site{i}; # document root

        location / {{
            try_files $uri $uri/ =404;
        }}

        # PHP through FastCGI
        location ~ \\.php$ {{
            include snippets/fastcgi-php.conf;
            fastcgi_pass unix:/run/php/php-fpm.sock;
        }}
    }}\n"
        )
        .expect("write to a Vec");
        i += 1;
    }
    out.extend_from_slice(b"}\n");
    out
}

/// One nginx directive with `args` one-letter arguments.
pub fn nginx_long_line(args: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 * args + 32);
    out.extend_from_slice(b"server_name");
    push_letters(&mut out, args);
    out.extend_from_slice(b";\n");
    out
}

/// An Apache config of `<VirtualHost>` sections with comments, at least `bytes` long.
pub fn apache_vhosts(bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes + 4096);
    out.extend_from_slice(b"Listen 80\nServerName localhost\n\n");
    let mut i = 0;
    while out.len() < bytes {
        write!(
            out,
            "# site {i}, kept by hand
<VirtualHost *:80>
    ServerName site{i}.example.com
    ServerAlias www.site{i}.example.com
    DocumentRoot /var/www/site{i}
    ErrorLog ${{APACHE_LOG_DIR}}/site{i}-error.log
    CustomLog ${{APACHE_LOG_DIR}}/site{i}-access.log combined
    <Directory /var/www/site{i}>
        Options -Indexes +FollowSymLinks
        AllowOverride All
        Require all granted
    </Directory>
    # Redirect to HTTPS
    RewriteEngine On
</VirtualHost>

"
        )
        .expect("write to a Vec");
        i += 1;
    }
    out
}

/// One Apache directive with `args` one-letter arguments.
pub fn apache_long_line(args: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 * args + 32);
    out.extend_from_slice(b"ServerAlias");
    push_letters(&mut out, args);
    out.push(b'\n');
    out
}

/// ` a b c ... z a b ...`: `count` one-letter words, each after one space.
fn push_letters(out: &mut Vec<u8>, count: usize) {
    for i in 0..count {
        out.push(b' ');
        out.push(b'a' + (i % 26) as u8);
    }
}
