//! Intervals as NpgsqlRest's `ParsePostgresInterval` reads them (for
//! `timeout` and `cache_expires`): one number and an optional unit, such as
//! `30`, `30s`, `1.5 h` or `5 minutes`. Compound intervals (`1 hour 30
//! minutes`, `01:30:00`) are not read.

/// Units and their length in .NET ticks (100 ns); no unit means seconds.
const UNITS: &[(&[&str], f64)] = &[
    (&["us", "usec", "microsecond", "microseconds"], 10.0),
    (&["ms", "msec", "millisecond", "milliseconds"], 1e4),
    (&["", "s", "sec", "second", "seconds"], 1e7),
    (&["m", "min", "minute", "minutes"], 6e8),
    (&["h", "hour", "hours"], 3.6e10),
    (&["d", "day", "days"], 8.64e11),
    (&["w", "week", "weeks"], 6.048e12),
];

/// The largest .NET `TimeSpan`, in ticks; a longer interval throws.
const MAX_TICKS: f64 = 9_223_372_036_854_775_807.0;

/// Checks `text` as NpgsqlRest reads an interval; the error names the
/// value and says what is valid.
pub fn check(text: &str) -> Result<(), String> {
    let lower = text.trim().to_lowercase();
    let number_end = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (number, unit) = lower.split_at(number_end);
    let unit = unit.trim_start();
    let value = number
        .parse::<f64>()
        .ok()
        .filter(|_| is_number(number) && unit.bytes().all(|b| b.is_ascii_lowercase()));
    let Some(value) = value else {
        return Err(format!(
            "{text:?} is not an interval: write a number and an optional unit, e.g. 30s or 5 minutes"
        ));
    };
    let Some(ticks) = UNITS.iter().find(|(names, _)| names.contains(&unit)) else {
        return Err(format!(
            "{unit:?} is not an interval unit (us, ms, s, min, h, d, w and their long names)"
        ));
    };
    if value * ticks.1 > MAX_TICKS {
        return Err(format!(
            "{text:?} is longer than the longest interval .NET can hold"
        ));
    }
    Ok(())
}

/// `\d*\.?\d+`: digits with at most one `.`, ending in a digit.
fn is_number(number: &str) -> bool {
    number.matches('.').count() <= 1 && number.ends_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn reads_one_number_and_a_unit() {
        for valid in [
            "30",
            "30s",
            "30 s",
            "1.5h",
            ".5 min",
            "5 minutes",
            "2 Days",
            "10ms",
            "1 week",
            " 7 ",
            "0",
            "5\tmin",
        ] {
            assert_eq!(check(valid), Ok(()), "{valid:?}");
        }
        for invalid in [
            "",
            "abc",
            "5.",
            ".",
            "1.2.3",
            "-5s",
            "1 hour 30 minutes",
            "01:30:00",
            "5 fortnights",
            "5m3",
            "99999999999999999999 weeks",
        ] {
            assert!(check(invalid).is_err(), "{invalid:?}");
        }
    }
}
