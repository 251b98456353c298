//! Parse-tree memory (issue 17 L14): bytes the nginx and Apache trees take per input byte,
//! on two shapes per engine (many blocks with comments; one directive with millions of
//! one-letter arguments). Run: `scripts/bench tree_memory` (release build).
//!
//! Each case runs in its own child process (this program with `--case NAME`), so that the
//! process-wide peak RSS belongs to that case alone. Figures per case:
//! - peak: the most bytes live at once during `parse`, beyond what was live before it
//!   (a counting global allocator: requested sizes, not the allocator's rounding);
//! - tree: the bytes still live after `parse` returned, i.e. held by the tree;
//! - RSS: the kernel's peak resident set (`VmHWM`, reset just before `parse` through
//!   `/proc/self/clear_refs`) minus the resident set before `parse`: allocator rounding
//!   and fragmentation included.
//!
//! Sizes: `TREE_MEMORY_MB` (default 200) for the block shapes, `TREE_MEMORY_ARGS` (default
//! 25,000,000) for the long lines.

#[path = "support/tree_inputs.rs"]
mod tree_inputs;

use certsmith::syntax::{apache, nginx};
use peak_alloc::PeakAlloc;
use std::process::Command;
use std::time::Instant;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

const CASES: [&str; 4] = [
    "nginx-servers",
    "nginx-long-line",
    "apache-vhosts",
    "apache-long-line",
];

fn env_size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn input(case: &str) -> Vec<u8> {
    let bytes = env_size("TREE_MEMORY_MB", 200) * 1_000_000;
    let args = env_size("TREE_MEMORY_ARGS", 25_000_000);
    match case {
        "nginx-servers" => tree_inputs::nginx_servers(bytes),
        "nginx-long-line" => tree_inputs::nginx_long_line(args),
        "apache-vhosts" => tree_inputs::apache_vhosts(bytes),
        "apache-long-line" => tree_inputs::apache_long_line(args),
        other => panic!("unknown case {other}"),
    }
}

/// A `kB` figure from `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Parse `src` with the case's engine; returns the printed length (checked against the
/// input after the figures are taken) and keeps the tree alive until then.
fn run_case(case: &str) {
    let src = input(case);
    let before = ALLOC.current_usage();
    // "5" resets the peak resident set (VmHWM) to the current one.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = status_bytes("VmRSS");
    ALLOC.reset_peak_usage();
    let start = Instant::now();
    let tree: Box<dyn Fn() -> Vec<u8>> = if case.starts_with("nginx") {
        let doc = nginx::Document::parse(&src).expect("nginx parse");
        Box::new(move || doc.print())
    } else {
        let doc = apache::Document::parse(&src).expect("apache parse");
        Box::new(move || doc.print())
    };
    let seconds = start.elapsed().as_secs_f64();
    let peak = ALLOC.peak_usage() - before;
    let held = ALLOC.current_usage() - before;
    let rss = status_bytes("VmHWM").saturating_sub(rss_before);
    println!(
        "RESULT {case} {} {peak} {held} {rss} {seconds:.3}",
        src.len()
    );
    assert!(tree() == src, "{case}: print(parse(x)) != x");
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        run_case(&args[i + 1]);
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let me = std::env::current_exe().expect("current exe");
    println!(
        "tree_memory: bytes per input byte (peak during parse / held by the tree / peak RSS growth)"
    );
    for case in CASES {
        let out = Command::new(&me)
            .args(["--case", case])
            .output()
            .expect("run a case");
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().find_map(|l| l.strip_prefix("RESULT ")) else {
            println!(
                "  {case}: failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        };
        let f: Vec<&str> = line.split(' ').collect();
        let n = |i: usize| f[i].parse::<usize>().unwrap_or(0);
        let (input, peak, held, rss) = (n(1), n(2), n(3), n(4));
        let ratio = |x: usize| x as f64 / input as f64;
        println!(
            "  {case:17} input {:8.1} MB  peak {:8.1} MB = {:5.2}x  tree {:8.1} MB = {:5.2}x  RSS {:8.1} MB = {:5.2}x  parse {} s",
            mb(input),
            mb(peak),
            ratio(peak),
            mb(held),
            ratio(held),
            mb(rss),
            ratio(rss),
            f[5]
        );
    }
}
