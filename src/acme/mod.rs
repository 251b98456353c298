//! ACME (RFC 8555): accounts, orders, CSRs and key types, and the `Solver` trait that
//! authenticators implement.
