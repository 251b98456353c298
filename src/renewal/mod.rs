//! Renewal, the parts that are not commands: when a certificate is due
//! ([`due`]), hooks ([`hooks`]), and the scheduler units that run `renew`
//! ([`timer`]). The `renew`, `reconfigure` and `install-timer` verbs in
//! `src/commands/` put these together with ACME and storage.

pub mod due;
pub mod hooks;
pub mod timer;
