#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    certsmith::cli::main()
}
