//! Interleaved A/B timing for the benches that compare ours with a floor or a peer.
//!
//! The machine these figures come from is shared with other builds, so a plain "run A, then
//! run B" comparison mostly measures which one was unlucky. Here A and B alternate in short
//! rounds (A first in even rounds, B first in odd ones) and each round yields one ratio; the
//! median of those ratios, and their spread, are what BENCHMARKS.md reports.

// Each bench uses a part of this module.
#![allow(dead_code)]

use std::time::Duration;

/// Rounds and their per-round ratios for one pair.
pub struct Interleaved {
    /// A's time per operation in each round, in nanoseconds.
    pub a_ns: Vec<f64>,
    /// B's time per operation in each round, in nanoseconds.
    pub b_ns: Vec<f64>,
}

impl Interleaved {
    /// Runs `rounds` rounds; `a` and `b` each run one batch of `ops` operations and return
    /// how long the batch took.
    pub fn run(
        rounds: usize,
        ops: u32,
        mut a: impl FnMut() -> Duration,
        mut b: impl FnMut() -> Duration,
    ) -> Self {
        // One untimed round of each warms caches, connection pools and the allocator.
        a();
        b();
        let per_op = |d: Duration| d.as_nanos() as f64 / f64::from(ops.max(1));
        let (mut a_ns, mut b_ns) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
        for round in 0..rounds {
            if round % 2 == 0 {
                a_ns.push(per_op(a()));
                b_ns.push(per_op(b()));
            } else {
                b_ns.push(per_op(b()));
                a_ns.push(per_op(a()));
            }
        }
        Interleaved { a_ns, b_ns }
    }

    /// Prints the medians and the ratio A/B: its median with the interquartile range (a
    /// round that another process preempted lands in the tails, not in that range).
    pub fn report(&self, label: &str, a: &str, b: &str, unit: Unit) {
        let ratios: Vec<f64> = self
            .a_ns
            .iter()
            .zip(&self.b_ns)
            .map(|(a, b)| a / b)
            .collect();
        let (am, bm) = (median(&self.a_ns), median(&self.b_ns));
        let (r25, r50, r75) = (
            percentile(&ratios, 0.25),
            median(&ratios),
            percentile(&ratios, 0.75),
        );
        println!(
            "{label}: {a} {} | {b} {} | {a}/{b} median {r50:.3} (IQR {r25:.3}–{r75:.3}, {} rounds)",
            unit.show(am),
            unit.show(bm),
            ratios.len()
        );
    }
}

impl Interleaved {
    /// Prints the rates and B's rate over A's (A's time over B's), per round: median and
    /// interquartile range.
    pub fn report_rate(&self, label: &str, a: &str, b: &str, unit: Unit) {
        let ratios: Vec<f64> = self
            .a_ns
            .iter()
            .zip(&self.b_ns)
            .map(|(a, b)| a / b)
            .collect();
        println!(
            "{label}: {a} {} | {b} {} | {b}/{a} median {:.3} (IQR {:.3}–{:.3}, {} rounds)",
            unit.show(median(&self.a_ns)),
            unit.show(median(&self.b_ns)),
            median(&ratios),
            percentile(&ratios, 0.25),
            percentile(&ratios, 0.75),
            ratios.len()
        );
    }
}

/// How to show a per-operation time.
#[derive(Clone, Copy)]
pub enum Unit {
    /// Nanoseconds per operation.
    Nanos,
    /// Operations per second.
    PerSecond,
}

impl Unit {
    fn show(self, ns: f64) -> String {
        match self {
            Unit::Nanos if ns >= 10_000.0 => format!("{:.1} µs", ns / 1000.0),
            Unit::Nanos => format!("{ns:.0} ns"),
            Unit::PerSecond => format!("{:.0} req/s", 1e9 / ns),
        }
    }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let v = sorted(values);
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = (p * (v.len() - 1) as f64).round() as usize;
    v[rank.min(v.len() - 1)]
}

fn median(values: &[f64]) -> f64 {
    percentile(values, 0.5)
}

/// A number from the environment, or the default.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
