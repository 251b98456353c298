//! The timeline `certificates` draws under a lineage's expiry date on a
//! terminal: one line from issuance to expiry, the renewal window (from the
//! time `renew` would renew by its own rules) set apart, today marked, and
//! the days in words:
//!
//! ```text
//! [*===================|~~~~~~~~~] day 0 of 90; renewal due in 59 days
//! ```
//!
//! `=` is the time before the window, `|` its start, `~` the window up to
//! expiry, `*` today. Coloured (green before the window, yellow in it, today
//! in the colour of the state: green, yellow when due, red when expired or
//! invalid) only when asked to.

const WIDTH: usize = 30;
const DAY: i64 = 86_400;

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// A certificate's life, in Unix seconds.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub issued: i64,
    /// When `renew` would renew it (the window's start).
    pub renew_at: i64,
    pub expires: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Waiting,
    Due,
    Expired,
}

fn phase(span: &Span, now: i64) -> Phase {
    if now >= span.expires {
        Phase::Expired
    } else if now >= span.renew_at {
        Phase::Due
    } else {
        Phase::Waiting
    }
}

/// The cell `t` falls in (times outside the life clamped to its ends).
fn cell(span: &Span, t: i64) -> usize {
    let life = i128::from((span.expires - span.issued).max(1));
    let offset = i128::from(t.saturating_sub(span.issued)).clamp(0, life);
    let at = offset * WIDTH as i128 / life;
    (at as usize).min(WIDTH - 1)
}

/// `less than a day`, `1 day`, `N days`.
fn days(seconds: i64) -> String {
    match seconds.max(0) / DAY {
        0 => "less than a day".to_string(),
        1 => "1 day".to_string(),
        n => format!("{n} days"),
    }
}

/// What the bar means, in words.
fn words(span: &Span, now: i64) -> String {
    let life = ((span.expires - span.issued).max(0) + DAY / 2) / DAY;
    let day = (now - span.issued).max(0) / DAY;
    match phase(span, now) {
        Phase::Waiting => format!(
            "day {day} of {life}; renewal due in {}",
            days(span.renew_at - now)
        ),
        Phase::Due => format!(
            "day {day} of {life}; renewal due (window opened {} ago)",
            days(now - span.renew_at)
        ),
        Phase::Expired => format!("expired {} ago", days(now - span.expires)),
    }
}

/// The cells, each with its colour.
fn cells(span: &Span, now: i64, invalid: bool) -> Vec<(char, &'static str)> {
    let today = cell(span, now);
    // A window that opens at issuance (renew_before_expiry longer than the
    // life) has no start to mark.
    let start = (span.renew_at > span.issued).then(|| cell(span, span.renew_at));
    let marker = match (phase(span, now), invalid) {
        (Phase::Expired, _) | (_, true) => RED,
        (Phase::Due, false) => YELLOW,
        (Phase::Waiting, false) => GREEN,
    };
    (0..WIDTH)
        .map(|i| match start {
            _ if i == today => ('*', marker),
            Some(s) if i == s => ('|', YELLOW),
            Some(s) if i < s => ('=', GREEN),
            _ => ('~', YELLOW),
        })
        .collect()
}

/// The line after `Timeline: `. `invalid`: revoked or a test certificate
/// (today is then red). `colour`: with ANSI colours (a terminal, no
/// `NO_COLOR`); else plain ASCII.
pub fn render(span: &Span, now: i64, invalid: bool, colour: bool) -> String {
    let mut out = String::from("[");
    // The style of the run being written: (bold, colour).
    let mut run: Option<(bool, &str)> = None;
    for (c, paint) in cells(span, now, invalid) {
        let style = (c == '*', paint);
        if colour && run != Some(style) {
            out.push_str(RESET);
            if style.0 {
                out.push_str(BOLD);
            }
            out.push_str(style.1);
            run = Some(style);
        }
        out.push(c);
    }
    if colour {
        out.push_str(RESET);
    }
    out.push_str("] ");
    out.push_str(&words(span, now));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIFE: Span = Span {
        issued: 0,
        renew_at: 60 * DAY,
        expires: 90 * DAY,
    };

    #[test]
    fn a_fresh_certificate() {
        assert_eq!(
            render(&LIFE, 100, false, false),
            "[*===================|~~~~~~~~~] day 0 of 90; renewal due in 59 days"
        );
    }

    #[test]
    fn half_way_due_and_expired() {
        assert_eq!(
            render(&LIFE, 45 * DAY, false, false),
            "[===============*====|~~~~~~~~~] day 45 of 90; renewal due in 15 days"
        );
        assert_eq!(
            render(&LIFE, 75 * DAY + 5, false, false),
            "[====================|~~~~*~~~~] day 75 of 90; renewal due (window opened 15 days ago)"
        );
        assert_eq!(
            render(&LIFE, 91 * DAY, false, false),
            "[====================|~~~~~~~~*] expired 1 day ago"
        );
        assert_eq!(
            render(&LIFE, 90 * DAY + 60, false, false),
            "[====================|~~~~~~~~*] expired less than a day ago"
        );
    }

    #[test]
    fn a_window_from_issuance_has_no_start_mark() {
        let span = Span {
            renew_at: -5,
            ..LIFE
        };
        let line = render(&span, 10 * DAY, false, false);
        assert!(line.starts_with("[~~~*~~~~"), "{line}");
        assert!(!line.contains('|') && !line.contains('='), "{line}");
    }

    #[test]
    fn colours_mark_the_phases_and_plain_is_the_same_text() {
        let coloured = render(&LIFE, 100, false, true);
        assert!(
            coloured.starts_with("[\x1b[0m\x1b[1m\x1b[32m*\x1b[0m\x1b[32m===="),
            "{coloured:?}"
        );
        assert!(
            coloured.contains("\x1b[0m\x1b[33m|~~~~~~~~~\x1b[0m] day 0"),
            "{coloured:?}"
        );
        let plain: String = strip(&coloured);
        assert_eq!(plain, render(&LIFE, 100, false, false));
        // Expired or revoked: today in red.
        assert!(render(&LIFE, 91 * DAY, false, true).contains("\x1b[1m\x1b[31m*"));
        assert!(render(&LIFE, 100, true, true).contains("\x1b[1m\x1b[31m*"));
        assert!(render(&LIFE, 70 * DAY, false, true).contains("\x1b[1m\x1b[33m*"));
    }

    /// The text without its escape sequences.
    fn strip(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
