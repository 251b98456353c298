#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    certsmith::app::main()
}
