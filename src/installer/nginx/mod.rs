//! nginx: loading a config tree (includes followed), queries over it, and the installer.
