//! Authenticators: standalone, webroot, manual (and DNS): implementations of `acme::Solver`.
