//! Timestamps: ISO-8601 UTC from `SystemTime` (calendar dates by the `time` crate).

use std::time::{SystemTime, UNIX_EPOCH};
use time::{OffsetDateTime, PrimitiveDateTime};

/// Seconds and nanoseconds since the epoch (negative before it).
pub(crate) fn to_parts(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        ),
        Err(e) => {
            let d = e.duration();
            let secs = -i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            match d.subsec_nanos() {
                0 => (secs, 0),
                n => (secs - 1, 1_000_000_000 - n),
            }
        }
    }
}

/// `2025-11-29T09:03:00Z`
pub fn iso8601(t: SystemTime) -> String {
    stamp(t, "-", ":")
}

/// `20251129T090300Z`, for directory names.
pub(crate) fn compact(t: SystemTime) -> String {
    stamp(t, "", "")
}

/// `t` in UTC as `YYYY{d}MM{d}DDTHH{c}MM{c}SSZ`.
fn stamp(t: SystemTime, d: &str, c: &str) -> String {
    let u = utc(t);
    format!(
        "{:04}{d}{:02}{d}{:02}T{:02}{c}{:02}{c}{:02}Z",
        u.year(),
        u8::from(u.month()),
        u.day(),
        u.hour(),
        u.minute(),
        u.second()
    )
}

/// The UTC date and time of `t`, to the second (sub-seconds dropped, never
/// rounded up). Instants outside years -9999 to 9999 are clamped to them.
fn utc(t: SystemTime) -> OffsetDateTime {
    let (secs, _) = to_parts(t);
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or_else(|_| {
        if secs < 0 {
            PrimitiveDateTime::MIN.assume_utc()
        } else {
            PrimitiveDateTime::MAX.assume_utc()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        // Values checked with `date -u -d @N`.
        assert_eq!(iso8601(at(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(at(1_732_871_000)), "2024-11-29T09:03:20Z");
        assert_eq!(iso8601(at(4_107_542_399)), "2100-02-28T23:59:59Z");
        assert_eq!(compact(at(1_732_871_000)), "20241129T090320Z");
        assert_eq!(
            iso8601(UNIX_EPOCH - Duration::from_secs(1)),
            "1969-12-31T23:59:59Z"
        );
    }

    #[test]
    fn every_day_of_four_centuries_has_its_date() {
        let mut expected = (1970i64, 1u32, 1u32);
        for day in 0..146_097u64 {
            let (y, m, d) = expected;
            let want = format!("{y:04}-{m:02}-{d:02}T00:00:00Z");
            assert_eq!(iso8601(at(day * 86_400)), want, "day {day}");
            expected = next_day(expected);
        }
    }

    fn next_day((y, m, d): (i64, u32, u32)) -> (i64, u32, u32) {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let len = match m {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        match (d == len, m == 12) {
            (false, _) => (y, m, d + 1),
            (true, false) => (y, m + 1, 1),
            (true, true) => (y + 1, 1, 1),
        }
    }

    #[test]
    fn parts_handle_times_before_the_epoch() {
        let t = UNIX_EPOCH - Duration::new(1, 250_000_000);
        assert_eq!(to_parts(t), (-2, 750_000_000));
        assert_eq!(crate::fsops::system_time(-2, 750_000_000), t);
    }
}
