//! How the console looks, and whether it may act.

use std::path::PathBuf;

/// Console appearance and configuration.
#[derive(Debug, Clone, clap::Args)]
pub struct Look {
    /// Theme: dark, light, high-contrast, colorblind, or a TOML file (docs/themes.md).
    #[arg(long)]
    pub theme: Option<String>,
    /// Config file (default: $XDG_CONFIG_HOME/taskscope/config.toml; docs/config.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// No colours (as with NO_COLOR set): selection and severity by bold, underline, reverse.
    #[arg(long)]
    pub no_color: bool,
}

/// Response actions in the console (docs/response.md).
#[cfg(feature = "aws")]
#[derive(Debug, Clone, clap::Args)]
pub struct ConsoleActions {
    /// Allow response actions in the console (i isolates a task, r rolls
    /// back its service); otherwise it is read-only unless the AWS profile
    /// is listed under [actions] allow_profiles in the config.
    #[arg(long)]
    pub allow_actions: bool,
}
