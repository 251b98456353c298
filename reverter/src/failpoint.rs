//! Fail points: numbered places between the steps of every durable change,
//! where the crash tests stop a process (to SIGKILL it) or inject an I/O
//! error. Compiled into this crate's unit-test binary only (`cfg(test)`):
//! certsmith's own builds have none.
//!
//! The plan comes from `REVERTER_FAILPOINT` (read once per thread) or from
//! [`set`]:
//! - `list`: print `failpoint N NAME` on stderr at every hit;
//! - `kill:N`: at the N-th hit print `failpoint-reached N NAME` on stderr and
//!   wait to be killed;
//! - `error:N`: make the N-th hit fail with an injected I/O error.

use std::cell::{Cell, RefCell};
use std::io::{self, Write};

pub(crate) const ENV: &str = "REVERTER_FAILPOINT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    Off,
    /// Count hits silently (see [`hits`]).
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

thread_local! {
    static PLAN: RefCell<Option<Plan>> = const { RefCell::new(None) };
    static HITS: Cell<usize> = const { Cell::new(0) };
}

/// Replace this thread's plan and reset its hit counter.
pub(crate) fn set(plan: Plan) {
    PLAN.with(|p| *p.borrow_mut() = Some(plan));
    HITS.with(|h| h.set(0));
}

/// How many fail points this thread has passed since the last [`set`].
pub(crate) fn hits() -> usize {
    HITS.with(Cell::get)
}

pub(crate) fn hit(name: &'static str) -> io::Result<()> {
    let plan = PLAN.with(|p| *p.borrow_mut().get_or_insert_with(Plan::from_env));
    if plan == Plan::Off {
        return Ok(());
    }
    let n = HITS.with(|h| {
        h.set(h.get() + 1);
        h.get()
    });
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
