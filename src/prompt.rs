//! One question at the terminal. Depends on nothing above it; whether to ask at all
//! (`-n`, no terminal) is the caller's decision.

use std::io::{self, BufRead, Write};

/// Print `prompt` and read one line from stdin; end of input is an error.
pub fn ask(prompt: &str) -> io::Result<String> {
    print!("{prompt}");
    io::stdout().flush()?;
    let mut line = String::new();
    if io::stdin().lock().read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "no answer (end of input)",
        ));
    }
    Ok(line)
}
