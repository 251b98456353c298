//! Apache httpd: loading a config tree (includes, defines, modules), the virtual host model,
//! and the installer.
