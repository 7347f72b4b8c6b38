use std::process::ExitCode;

use clap::Parser;
use color_eyre::eyre::WrapErr;
use phonedeck::cli::Cli;
use phonedeck::commands;

fn init_logging(cli: &Cli) -> color_eyre::Result<()> {
    let Some(path) = &cli.global.log_file else {
        return Ok(());
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .wrap_err_with(|| {
            format!(
                "cannot open the log file {}; check --log-file",
                path.display()
            )
        })?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .init();
    Ok(())
}

fn main() -> color_eyre::Result<ExitCode> {
    color_eyre::install()?;
    let cli = Cli::parse();
    init_logging(&cli)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => Ok(ExitCode::from(code)),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            Ok(ExitCode::from(failure.exit))
        }
    }
}
