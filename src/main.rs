//! The `taskscope` command.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = taskscope::cli::Cli::parse();
    match taskscope::cli::run(cli) {
        Ok(code) => code,
        Err(error) => {
            let message = format!("{error:#}");
            eprintln!(
                "taskscope: error: {}",
                taskscope::export::redact::log_text(&message, taskscope::cli::LOG_ERROR_CHARS)
            );
            ExitCode::from(taskscope::cli::exit_status(&error))
        }
    }
}
