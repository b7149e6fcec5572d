//! A small flag parser: `--name value` pairs and bare `--switch`es, every value checked.

use std::collections::BTreeMap;

pub struct Args {
    flags: BTreeMap<String, String>,
}

impl Args {
    /// Parse `--name value` pairs; `allowed` lists the flags this command knows.
    pub fn parse(argv: &[String], allowed: &[&str]) -> Result<Args, String> {
        let mut flags = BTreeMap::new();
        let mut it = argv.iter();
        while let Some(a) = it.next() {
            let Some(name) = a.strip_prefix("--") else {
                return Err(format!("unexpected argument {a:?}"));
            };
            if !allowed.contains(&name) {
                return Err(format!("unknown flag --{name}; this command takes: --{}", allowed.join(", --")));
            }
            let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
            if flags.insert(name.to_string(), value.clone()).is_some() {
                return Err(format!("--{name} given twice"));
            }
        }
        Ok(Args { flags })
    }

    /// The flags as given, but for `except`, in one order (by name): `--a 1 --b x`.
    pub fn canonical(&self, except: &[&str]) -> String {
        let given = self.flags.iter().filter(|(name, _)| !except.contains(&name.as_str()));
        given.map(|(name, value)| format!("--{name} {value}")).collect::<Vec<_>>().join(" ")
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.flags.get(name).map(String::as_str)
    }

    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.get(name).ok_or_else(|| format!("--{name} is required"))
    }

    pub fn u64_or(&self, name: &str, default: u64) -> Result<u64, String> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| format!("--{name} must be a whole number (got {v:?})")),
        }
    }

    /// A whole number in `min..=max`: required when `default` is `None`.
    pub fn bounded(&self, name: &str, default: Option<u64>, min: u64, max: u64) -> Result<u64, String> {
        let v = match default {
            Some(d) => self.u64_or(name, d)?,
            None => self.required(name)?.parse().map_err(|_| format!("--{name} must be a whole number"))?,
        };
        if v < min || v > max {
            return Err(format!("--{name} must be between {min} and {max} (got {v})"));
        }
        Ok(v)
    }

    /// A seed range `A..B` (B exclusive) or `A..=B`.
    pub fn range(&self, name: &str) -> Result<(u64, u64), String> {
        let v = self.required(name)?;
        let bad = || format!("--{name} must look like 0..1000 or 0..=999 (got {v:?})");
        let (a, b, inclusive) = if let Some((a, b)) = v.split_once("..=") {
            (a, b, true)
        } else if let Some((a, b)) = v.split_once("..") {
            (a, b, false)
        } else {
            return Err(bad());
        };
        let a: u64 = a.parse().map_err(|_| bad())?;
        let b: u64 = b.parse().map_err(|_| bad())?;
        let end = if inclusive { b.checked_add(1).ok_or_else(bad)? } else { b };
        if end <= a {
            return Err(format!("--{name} is empty ({v})"));
        }
        Ok((a, end))
    }
}
