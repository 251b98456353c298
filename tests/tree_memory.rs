//! Parse-tree memory (issue 17 L14): the tree a parse leaves must hold at most 4 bytes per
//! input byte, for both engines, on a config of many blocks with comments and on one
//! directive with a million one-letter arguments. Bytes are counted by a counting global
//! allocator (its own test binary: the allocator is per binary), so the test is
//! deterministic. The large-size figures are `benches/tree_memory.rs`'s.

#[path = "../benches/support/tree_inputs.rs"]
mod tree_inputs;

use certsmith::syntax::{apache, nginx};
use peak_alloc::PeakAlloc;
use std::sync::Mutex;

#[global_allocator]
static ALLOC: PeakAlloc = PeakAlloc;

/// The counters are process-wide: one measurement at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const MAX_RATIO: f64 = 4.0;

/// (bytes held by what `parse` returned, most bytes live at once during it), beyond what
/// was live before. The tree is dropped after counting.
fn measure<T>(src: &[u8], parse: impl FnOnce(&[u8]) -> T) -> (usize, usize) {
    let _one_at_a_time = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let before = ALLOC.current_usage();
    ALLOC.reset_peak_usage();
    let tree = parse(src);
    let held = ALLOC.current_usage().saturating_sub(before);
    let peak = ALLOC.peak_usage().saturating_sub(before);
    drop(tree);
    (held, peak)
}

fn assert_within(case: &str, src: &[u8], (held, peak): (usize, usize)) {
    let ratio = held as f64 / src.len() as f64;
    let peak_ratio = peak as f64 / src.len() as f64;
    eprintln!(
        "{case}: input {} bytes, tree {held} bytes ({ratio:.2}x), peak during parse {peak} bytes ({peak_ratio:.2}x)",
        src.len()
    );
    assert!(
        ratio <= MAX_RATIO,
        "{case}: the tree holds {ratio:.2} bytes per input byte (limit {MAX_RATIO})"
    );
}

fn nginx_tree(src: &[u8]) -> nginx::Document {
    nginx::Document::parse(src).expect("nginx parse")
}

fn apache_tree(src: &[u8]) -> apache::Document {
    apache::Document::parse(src).expect("apache parse")
}

#[test]
fn nginx_server_blocks_take_at_most_4x_the_input() {
    let src = tree_inputs::nginx_servers(4_000_000);
    let figures = measure(&src, nginx_tree);
    assert_within("nginx servers", &src, figures);
}

#[test]
fn an_nginx_line_of_a_million_arguments_takes_at_most_4x_the_input() {
    let src = tree_inputs::nginx_long_line(1_000_000);
    let figures = measure(&src, nginx_tree);
    assert_within("nginx long line", &src, figures);
}

#[test]
fn apache_virtual_hosts_take_at_most_4x_the_input() {
    let src = tree_inputs::apache_vhosts(4_000_000);
    let figures = measure(&src, apache_tree);
    assert_within("apache vhosts", &src, figures);
}

#[test]
fn an_apache_line_of_a_million_arguments_takes_at_most_4x_the_input() {
    let src = tree_inputs::apache_long_line(1_000_000);
    let figures = measure(&src, apache_tree);
    assert_within("apache long line", &src, figures);
}

#[test]
fn the_measured_trees_print_back_their_input() {
    // The figures above are only worth something for trees that hold the whole input.
    let nginx_src = tree_inputs::nginx_servers(100_000);
    assert_eq!(nginx_tree(&nginx_src).print(), nginx_src);
    let line = tree_inputs::nginx_long_line(10_000);
    assert_eq!(nginx_tree(&line).print(), line);
    let apache_src = tree_inputs::apache_vhosts(100_000);
    assert_eq!(apache_tree(&apache_src).print(), apache_src);
    let line = tree_inputs::apache_long_line(10_000);
    assert_eq!(apache_tree(&line).print(), line);
}
