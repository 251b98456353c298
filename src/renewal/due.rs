//! When a certificate is due: at once when its OCSP responder says it is
//! revoked (Certbot's first test), else the CA's ARI window when it offers one, else
//! the lineage's `renew_before_expiry`, else a share of the lifetime (the
//! last third, or the last half for certificates of 10 days or less, whose
//! CA expects them renewed early).

use crate::acme::ari::Window;
use crate::x509::format_utc;
use std::fmt;

const DAY: i64 = 86_400;

/// The rule that set the renewal time.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// `--force-renewal`.
    Forced,
    /// `--dry-run` renews everything (against a test server, saving nothing).
    DryRun,
    /// The CA's OCSP responder says the certificate is revoked (a verified
    /// answer; Certbot's `should_autorenew` tests this before any date).
    Revoked,
    /// A point chosen at random in the CA's suggested window (RFC 9773 §4.2).
    Ari(Window),
    /// `renew_before_expiry` from the renewal conf (its text, as written).
    BeforeExpiry(String),
    /// The default: the last third (or half) of the certificate's lifetime.
    Lifetime { short: bool },
    /// The certificate has expired: due whatever else says.
    Expired,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub due: bool,
    /// When renewal is (or was) due, Unix seconds.
    pub renew_at: i64,
    pub not_after: i64,
    pub rule: Rule,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = |t: i64| format_utc(t)[..16].to_string();
        let why = match &self.rule {
            Rule::Forced => "--force-renewal".to_string(),
            Rule::DryRun => "--dry-run".to_string(),
            Rule::Revoked => "revoked, says its OCSP responder".to_string(),
            Rule::Ari(w) => format!(
                "the CA's renewal window {} to {}{}",
                day(w.start),
                day(w.end),
                w.explanation_url
                    .as_deref()
                    .map(|u| format!(" ({u})"))
                    .unwrap_or_default()
            ),
            Rule::BeforeExpiry(text) => format!("renew_before_expiry = {text}"),
            Rule::Lifetime { short: true } => "half of a short lifetime left".to_string(),
            Rule::Lifetime { short: false } => "a third of the lifetime left".to_string(),
            Rule::Expired => "expired".to_string(),
        };
        match &self.rule {
            Rule::Forced | Rule::DryRun | Rule::Revoked => write!(f, "due ({why})"),
            _ if self.due => write!(
                f,
                "due since {} ({why}; expires {})",
                day(self.renew_at),
                day(self.not_after)
            ),
            _ => write!(
                f,
                "not due until {} ({why}; expires {})",
                day(self.renew_at),
                day(self.not_after)
            ),
        }
    }
}

/// Certbot's `renew_before_expiry` values: integer-unit pairs such as
/// `30 days`, `2 weeks`, `1 week 3 days`, `12h`; a bare number is days.
/// Months are 30 days, years 365. Returns seconds.
pub fn parse_interval(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?} is not a time interval (e.g. \"30 days\", \"2 weeks\")");
    let mut total: i64 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        let number: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = rest[digits..].trim_start();
        let letters = rest.bytes().take_while(|c| c.is_ascii_alphabetic()).count();
        let unit = rest[..letters].to_ascii_lowercase();
        rest = rest[letters..].trim_start_matches([' ', ',', '\t']);
        let seconds = match unit.as_str() {
            "" | "d" | "day" | "days" => DAY,
            "s" | "sec" | "secs" | "second" | "seconds" => 1,
            "m" | "min" | "mins" | "minute" | "minutes" => 60,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
            "w" | "week" | "weeks" => 7 * DAY,
            "month" | "months" => 30 * DAY,
            "y" | "year" | "years" => 365 * DAY,
            _ => return Err(bad()),
        };
        total = number
            .checked_mul(seconds)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
    }
    Ok(total)
}

/// The renewal time by the lineage's own rules (no ARI).
pub fn local(
    not_before: i64,
    not_after: i64,
    renew_before_expiry: Option<&str>,
) -> Result<(i64, Rule), String> {
    if let Some(text) = renew_before_expiry {
        let interval = parse_interval(text)?;
        return Ok((
            not_after.saturating_sub(interval),
            Rule::BeforeExpiry(text.trim().to_string()),
        ));
    }
    let lifetime = (not_after - not_before).max(0);
    let short = lifetime <= 10 * DAY;
    let left = if short { lifetime / 2 } else { lifetime / 3 };
    Ok((not_after - left, Rule::Lifetime { short }))
}

/// A point in the window, `fraction` (0..1) of the way through it.
pub fn ari_point(window: &Window, fraction: f64) -> i64 {
    let span = (window.end - window.start).max(0) as f64;
    window.start + (span * fraction.clamp(0.0, 1.0)) as i64
}

/// Decide from a renewal time; an expired certificate is always due.
pub fn decide(renew_at: i64, rule: Rule, not_after: i64, now: i64) -> Decision {
    if now >= not_after {
        return Decision {
            due: true,
            renew_at: renew_at.min(not_after),
            not_after,
            rule: Rule::Expired,
        };
    }
    Decision {
        due: now >= renew_at,
        renew_at,
        not_after,
        rule,
    }
}

/// A decision that does not depend on time (`--force-renewal`, `--dry-run`,
/// revoked).
pub fn always(rule: Rule, not_after: i64, now: i64) -> Decision {
    Decision {
        due: true,
        renew_at: now,
        not_after,
        rule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("30 days"), Ok(30 * DAY));
        assert_eq!(parse_interval("30"), Ok(30 * DAY));
        assert_eq!(parse_interval("2 weeks"), Ok(14 * DAY));
        assert_eq!(parse_interval("1 week 3 days"), Ok(10 * DAY));
        assert_eq!(parse_interval("1w, 12h"), Ok(7 * DAY + 12 * 3600));
        assert_eq!(parse_interval(" 90 Seconds "), Ok(90));
        assert_eq!(parse_interval("1 month"), Ok(30 * DAY));
        for bad in [
            "",
            "days",
            "30 fortnights",
            "-3 days",
            "3.5 days",
            "99999999999999999 years",
        ] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lifetime_shares() {
        // 90 days: due with 30 days left.
        let (at, rule) = local(0, 90 * DAY, None).unwrap();
        assert_eq!((at, rule), (60 * DAY, Rule::Lifetime { short: false }));
        // 6 days: due with 3 days left.
        let (at, rule) = local(0, 6 * DAY, None).unwrap();
        assert_eq!((at, rule), (3 * DAY, Rule::Lifetime { short: true }));
        // renew_before_expiry wins over the lifetime rule.
        let (at, _) = local(0, 90 * DAY, Some("7 days")).unwrap();
        assert_eq!(at, 83 * DAY);
        assert!(local(0, 90 * DAY, Some("soon")).is_err());
    }

    #[test]
    fn decisions() {
        let d = decide(100, Rule::Lifetime { short: false }, 200, 99);
        assert!(!d.due);
        assert!(decide(100, Rule::Lifetime { short: false }, 200, 100).due);
        let expired = decide(500, Rule::BeforeExpiry("1 day".into()), 200, 300);
        assert!(expired.due && expired.rule == Rule::Expired);
        let w = Window {
            start: 1000,
            end: 2000,
            explanation_url: None,
        };
        assert_eq!(ari_point(&w, 0.0), 1000);
        assert_eq!(ari_point(&w, 0.5), 1500);
        assert_eq!(ari_point(&w, 7.0), 2000);
        let text = decide(ari_point(&w, 0.5), Rule::Ari(w), 5000, 0).to_string();
        assert!(text.starts_with("not due until 1970-01-01 00:25"), "{text}");
        let revoked = always(Rule::Revoked, 90 * DAY, 0);
        assert!(revoked.due);
        assert_eq!(
            revoked.to_string(),
            "due (revoked, says its OCSP responder)"
        );
    }
}
