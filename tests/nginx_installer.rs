//! Integration tests of the nginx installer (`certsmith --nginx`, `install`,
//! `enhance`, `certonly --nginx`, `rollback`): real nginx, real Pebble, in
//! private network and mount namespaces. One binary; each test makes its
//! own namespaces, so they run in parallel.

#[path = "support/mod.rs"]
mod support;

#[path = "nginx_installer/util.rs"]
mod util;

#[path = "nginx_installer/testbed.rs"]
mod testbed;

#[path = "nginx_installer/e2e.rs"]
mod e2e;

// A server Certbot configured before, installed on by certsmith.
#[path = "nginx_installer/from_certbot.rs"]
mod from_certbot;

#[path = "nginx_installer/interrupt.rs"]
mod interrupt;

#[path = "nginx_installer/corpus.rs"]
mod corpus;

#[path = "nginx_installer/bad_input.rs"]
mod bad_input;

#[path = "nginx_installer/prompts.rs"]
mod prompts;

// Clients under load across install, renew and rollback (issue 17).
#[path = "nginx_installer/load.rs"]
mod load;

// Real SIGKILLs at every fail point of a `--nginx` run and a rollback.
#[path = "nginx_installer/killed.rs"]
mod killed;
// What a person sees at a terminal and through a pipe (issue 18 item 3).
#[path = "nginx_installer/screens.rs"]
mod screens;
