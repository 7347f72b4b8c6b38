//! `phonedeck completions SHELL` and `phonedeck man`: generated from the same clap
//! definition the binary parses, so they never fall behind it.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

use super::{EXIT_OK, Failure};

fn write_out(bytes: &[u8]) -> Result<u8, Failure> {
    std::io::stdout()
        .write_all(bytes)
        .map_err(|e| Failure::failed(format!("cannot write to standard output: {e}")))?;
    Ok(EXIT_OK)
}

pub fn completions(shell: Shell) -> Result<u8, Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "phonedeck", &mut script);
    write_out(&script)
}

pub fn man() -> Result<u8, Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Failure::failed(format!("cannot render the manual page: {e}")))?;
    write_out(&page)
}
