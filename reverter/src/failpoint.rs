//! Fail points: numbered places between the steps of every durable change,
//! where the crash tests stop a process (to SIGKILL it) or inject an I/O
//! error. Compiled into debug builds only (`cfg(debug_assertions)`: the
//! builds `cargo test` and `cargo nextest` make, of this crate and of the
//! certsmith binary); release builds (`cargo build --release`,
//! `scripts/package`) have none, and [`crate::fail_point`] is a no-op there.
//!
//! The plan comes from `CERTSMITH_FAILPOINT` (read once per process) or,
//! for one thread, from [`set`] (this crate's in-process tests):
//! - `list`: print `failpoint N NAME` on stderr at every hit;
//! - `kill:N`: at the N-th hit print `failpoint-reached N NAME` on stderr and
//!   wait to be killed;
//! - `error:N`: make the N-th hit fail with an injected I/O error.
//!
//! Hits are counted per process under the environment's plan (the writes a
//! command makes are sequential, so the numbering is the same run to run),
//! and per thread under [`set`] (tests in one process run in parallel).

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const ENV: &str = "CERTSMITH_FAILPOINT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    Off,
    /// Count hits silently (see [`hits`]).
    #[cfg_attr(not(test), allow(dead_code))]
    Count,
    List,
    Kill(usize),
    Error(usize),
}

impl Plan {
    fn from_env() -> Plan {
        let Ok(text) = std::env::var(ENV) else {
            return Plan::Off;
        };
        let number = |s: &str| s.parse::<usize>().ok();
        match text.split_once(':') {
            None if text == "list" => Plan::List,
            Some(("kill", n)) => number(n).map_or(Plan::Off, Plan::Kill),
            Some(("error", n)) => number(n).map_or(Plan::Off, Plan::Error),
            _ => Plan::Off,
        }
    }
}

static PROCESS_PLAN: OnceLock<Plan> = OnceLock::new();
static PROCESS_HITS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static THREAD_PLAN: Cell<Option<Plan>> = const { Cell::new(None) };
    static THREAD_HITS: Cell<usize> = const { Cell::new(0) };
}

/// Replace this thread's plan and reset its hit counter.
#[cfg(test)]
pub(crate) fn set(plan: Plan) {
    THREAD_PLAN.with(|p| p.set(Some(plan)));
    THREAD_HITS.with(|h| h.set(0));
}

/// How many fail points this thread has passed since the last [`set`].
#[cfg(test)]
pub(crate) fn hits() -> usize {
    THREAD_HITS.with(Cell::get)
}

/// The plan in force here and the number of this hit under it.
fn plan_and_count() -> (Plan, usize) {
    if let Some(plan) = THREAD_PLAN.with(Cell::get) {
        if plan == Plan::Off {
            return (plan, 0);
        }
        let n = THREAD_HITS.with(|h| {
            h.set(h.get() + 1);
            h.get()
        });
        return (plan, n);
    }
    let plan = *PROCESS_PLAN.get_or_init(Plan::from_env);
    if plan == Plan::Off {
        return (plan, 0);
    }
    (plan, PROCESS_HITS.fetch_add(1, Ordering::SeqCst) + 1)
}

pub fn hit(name: &str) -> io::Result<()> {
    let (plan, n) = plan_and_count();
    match plan {
        Plan::List => {
            let _ = writeln!(io::stderr(), "failpoint {n} {name}");
        }
        Plan::Kill(k) if k == n => {
            let _ = writeln!(io::stderr(), "failpoint-reached {n} {name}");
            let _ = io::stderr().flush();
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
        Plan::Error(k) if k == n => {
            return Err(io::Error::other(format!(
                "injected I/O error at fail point {n} ({name})"
            )));
        }
        _ => {}
    }
    Ok(())
}
