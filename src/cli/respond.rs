//! `taskscope isolate`, `rollback` and `undo`: plan, confirm, apply, audit.

use super::connection_args::OneRegionAwsArgs;
use super::EXIT_REFUSED;
use crate::bundle::annotations;
use crate::bundle::audit::{CallStatus, ResultStatus};
use crate::collect::aws::Connection;
use crate::config::Config;
use crate::render::sanitize::escape;
use crate::respond::interrupt::{signal_name, SIGNALS};
use crate::respond::outcome::Progress;
use crate::respond::plan::{render_text, StepId};
use crate::respond::request::{
    check_protect_minutes, check_rule_quota, preserve_path, ActionRequest, IsolateRequest,
    RollbackRequest, UndoRequest, DEFAULT_FOLLOW_TIMEOUT, DEFAULT_PROTECT_MINUTES,
    DEFAULT_RULE_QUOTA,
};
use crate::respond::suspects::RollbackHistory;
use crate::respond::{check_allowed, unfinished, AwsResponder, Interrupt};
use crate::respond::{Plan, Responder};
use crate::tui::respond::ActionAccess;
use anyhow::Context;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit status of an action stopped by SIGINT, SIGTERM or SIGHUP: the call
/// in flight was finished and an `interrupted` result recorded.
pub const EXIT_INTERRUPTED: u8 = 6;

/// The safety switches every action takes.
#[derive(Debug, Clone, clap::Args)]
pub struct Switches {
    /// Print the plan as JSON and make no mutating call (needs no
    /// --allow-actions and no --bundle).
    #[arg(long)]
    pub dry_run: bool,
    /// Confirm the plan without asking.
    #[arg(long)]
    pub yes: bool,
    /// Allow actions for this run (otherwise taskscope is read-only unless
    /// the profile is listed under [actions] allow_profiles in the config).
    #[arg(long)]
    pub allow_actions: bool,
    /// Config file (default: $XDG_CONFIG_HOME/taskscope/config.toml; docs/config.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// The safety switches, and the bundle that receives the audit record.
#[derive(Debug, Clone, clap::Args)]
pub struct ActArgs {
    #[command(flatten)]
    pub switches: Switches,
    /// The bundle that receives the audit record (created when missing).
    #[arg(long, required_unless_present = "dry_run")]
    pub bundle: Option<PathBuf>,
}

/// `undo`'s own options.
#[derive(Debug, Clone, clap::Args)]
pub struct UndoArgs {
    /// The bundle whose audit log records the action; the undo's own
    /// records go there too.
    pub bundle: PathBuf,
    /// The plan ID of the action to undo (default: the last isolate with a
    /// call to reverse).
    #[arg(long)]
    pub action: Option<String>,
}

/// `isolate`'s own options.
#[derive(Debug, Clone, clap::Args)]
pub struct IsolateArgs {
    /// The cluster (name or ARN).
    #[arg(long)]
    pub cluster: String,
    /// The task (ID or ARN).
    #[arg(long)]
    pub task: String,
    /// Run only these steps (comma-separated): preserve, protect, detach,
    /// contain-nacl, contain-group, quarantine, revoke, stop.
    #[arg(long, value_delimiter = ',')]
    pub steps: Vec<String>,
    /// The incident ID, carried by the stop reason and the deny policy's name.
    #[arg(long)]
    pub incident: Option<String>,
    /// Minutes of scale-in protection (1 to 2880).
    #[arg(long, default_value_t = DEFAULT_PROTECT_MINUTES)]
    pub protect_minutes: i32,
    /// A security group to move the service's next tasks to (offers the
    /// quarantine step).
    #[arg(long)]
    pub quarantine_group: Option<String>,
    /// The account's quota of rules per network ACL and direction (1 to 40;
    /// pass it when the quota was raised from AWS's default).
    #[arg(long, default_value_t = DEFAULT_RULE_QUOTA)]
    pub nacl_rule_quota: usize,
    /// How far back the preserve step collects: 24h, 90m, 7d.
    #[arg(long, default_value = "24h")]
    pub since: String,
    /// The preserve step reads CloudTrail through Athena.
    #[command(flatten)]
    pub athena: super::scope_args::AthenaArgs,
}

/// `rollback`'s own options.
#[derive(Debug, Clone, clap::Args)]
pub struct RollbackArgs {
    /// The cluster (name or ARN).
    #[arg(long)]
    pub cluster: String,
    /// The service (name or ARN).
    #[arg(long)]
    pub service: String,
    /// The target: a revision number, family:revision or an ARN (default:
    /// the newest completed deployment not under suspicion).
    #[arg(long)]
    pub to: Option<String>,
    /// Roll back even when the target ran an image digest under suspicion
    /// (never to a suspect revision).
    #[arg(long)]
    pub allow_same_digest: bool,
    /// How long to follow the deployment: 10m, 90s [default: 10m].
    #[arg(long)]
    pub follow_timeout: Option<String>,
    /// Seconds between two polls of the deployment.
    #[arg(long, default_value_t = 5)]
    pub poll_seconds: u64,
}

/// Runs `taskscope isolate`.
pub fn isolate(
    aws: &OneRegionAwsArgs,
    act: &ActArgs,
    args: &IsolateArgs,
) -> anyhow::Result<ExitCode> {
    let mut steps = Vec::new();
    for name in &args.steps {
        let step = StepId::parse(name.trim())
            .with_context(|| format!("--steps: unknown step {name:?}"))?;
        steps.push(step);
    }
    let now = crate::model::time::now();
    let since = now - crate::collect::parse_duration(&args.since).context("--since")?;
    let bundle = act
        .bundle
        .clone()
        .unwrap_or_else(|| PathBuf::from("taskscope-response"));
    let preserve_out = if bundle.exists() {
        preserve_path(&bundle, &args.task, &now)
    } else {
        bundle.clone()
    };
    let request = ActionRequest::Isolate(IsolateRequest {
        cluster: args.cluster.clone(),
        task: args.task.clone(),
        incident: args.incident.clone(),
        protect_minutes: check_protect_minutes(args.protect_minutes)?,
        quarantine_group: args.quarantine_group.clone(),
        nacl_rule_quota: check_rule_quota(args.nacl_rule_quota)?,
        preserve_out,
        since,
        athena: args.athena.source()?.map(Box::new),
    });
    act_on(
        aws,
        &act.switches,
        act.bundle.as_deref(),
        &request,
        &steps,
        None,
    )
}

/// Runs `taskscope rollback`.
pub fn rollback(
    aws: &OneRegionAwsArgs,
    act: &ActArgs,
    args: &RollbackArgs,
) -> anyhow::Result<ExitCode> {
    let follow_timeout = match &args.follow_timeout {
        Some(text) => crate::collect::parse_duration(text)
            .context("--follow-timeout")?
            .to_std()
            .context("--follow-timeout")?,
        None => DEFAULT_FOLLOW_TIMEOUT,
    };
    // Earlier rollbacks in the bundle name the revisions they left.
    let history = match &act.bundle {
        Some(bundle) => RollbackHistory::at(bundle).map_err(anyhow::Error::msg)?,
        None => RollbackHistory::default(),
    };
    let request = ActionRequest::Rollback(RollbackRequest {
        cluster: args.cluster.clone(),
        service: args.service.clone(),
        to: args.to.clone(),
        allow_same_digest: args.allow_same_digest,
        follow_timeout,
        history,
    });
    act_on(
        aws,
        &act.switches,
        act.bundle.as_deref(),
        &request,
        &[],
        Some(std::time::Duration::from_secs(args.poll_seconds.max(1))),
    )
}

/// Runs `taskscope undo`.
pub fn undo(
    aws: &OneRegionAwsArgs,
    switches: &Switches,
    args: &UndoArgs,
) -> anyhow::Result<ExitCode> {
    let request = ActionRequest::Undo(UndoRequest {
        bundle: args.bundle.clone(),
        action: args.action.clone(),
    });
    act_on(aws, switches, Some(&args.bundle), &request, &[], None)
}

/// The console's access to response actions: Some when allowed
/// (`--allow-actions`, or the profile in use listed under `[actions]
/// allow_profiles` in the config at `config`), else None (read-only). AWS is
/// reached only when the first action is asked for, on the console's action
/// worker.
pub fn console_actions(
    allow_actions: bool,
    config: Option<&Path>,
    connection: Connection,
) -> anyhow::Result<Option<ActionAccess>> {
    let config = Config::load(config)?.config;
    let allowed = check_allowed(
        allow_actions,
        &config.actions.allow_profiles,
        connection.profile.as_deref(),
    );
    if allowed.is_err() {
        return Ok(None);
    }
    let user = config
        .author
        .clone()
        .unwrap_or_else(annotations::default_author);
    Ok(Some(ActionAccess::new(move || {
        let responder = AwsResponder::connect(&connection, user.clone())?;
        Ok(Box::new(responder) as Box<dyn Responder>)
    })))
}

fn act_on(
    aws: &OneRegionAwsArgs,
    act: &Switches,
    bundle: Option<&Path>,
    request: &ActionRequest,
    steps: &[StepId],
    poll: Option<std::time::Duration>,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(act.config.as_deref())?.config;
    if !act.dry_run {
        if let Err(refusal) = check_allowed(
            act.allow_actions,
            &config.actions.allow_profiles,
            aws.profile.as_deref(),
        ) {
            eprintln!("taskscope: {refusal}");
            return Ok(ExitCode::from(EXIT_REFUSED));
        }
    }
    let user = config
        .author
        .clone()
        .unwrap_or_else(annotations::default_author);
    let mut responder = AwsResponder::connect(&aws.connection(), user)?;
    if let Some(poll) = poll {
        responder.poll_interval = poll;
    }
    let mut plan = responder.plan(request)?;
    if !steps.is_empty() {
        plan.select_only(steps).map_err(anyhow::Error::msg)?;
    }
    if let Some(bundle) = bundle {
        plan.warnings.extend(unfinished::warning(bundle, &plan));
    }
    if act.dry_run {
        println!("{}", serde_json::to_string_pretty(&plan)?);
        return Ok(ExitCode::from(if plan.refused.is_some() {
            EXIT_REFUSED
        } else {
            0
        }));
    }
    eprint!("{}", render_text(&plan));
    if plan.refused.is_some() {
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    if !plan.steps.iter().any(|s| s.will_run()) {
        eprintln!("nothing to do: every step is done already or deselected");
        return Ok(ExitCode::SUCCESS);
    }
    let Some(confirmed_by) = confirm(&plan, act.yes)? else {
        eprintln!("taskscope: not confirmed; nothing was changed");
        return Ok(ExitCode::from(EXIT_REFUSED));
    };
    let bundle = bundle.context("--bundle is required")?;
    let interrupt = Interrupt::new();
    watch_signals(&interrupt)?;
    let outcome = responder.apply(
        &plan,
        bundle,
        &confirmed_by,
        &interrupt,
        &mut print_progress,
    );
    eprintln!(
        "result: {}",
        match outcome.status {
            ResultStatus::Completed => "completed",
            ResultStatus::Failed => "FAILED",
            ResultStatus::Interrupted => "INTERRUPTED",
        }
    );
    for step in &outcome.steps {
        let status = step.status.name();
        match &step.reason {
            Some(reason) => eprintln!("  {:<13} {status}: {}", step.step, escape(reason)),
            None => eprintln!("  {:<13} {status}", step.step),
        }
    }
    if let Some(error) = &outcome.error {
        eprintln!("error: {}", escape(error));
    }
    eprintln!(
        "state now: {}",
        escape(&serde_json::to_string(&outcome.after)?)
    );
    eprintln!(
        "audit record: {}/audit.jsonl",
        escape(&bundle.display().to_string())
    );
    Ok(match outcome.status {
        ResultStatus::Completed => ExitCode::SUCCESS,
        ResultStatus::Failed => ExitCode::from(super::EXIT_FAILURE),
        ResultStatus::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
    })
}

/// From now on, SIGINT, SIGTERM and SIGHUP raise `interrupt`: the plan
/// stops after the call in flight. A second signal exits at once (the
/// audit log then shows the call started but not its answer).
fn watch_signals(interrupt: &Interrupt) -> anyhow::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new(SIGNALS)?;
    let interrupt = interrupt.clone();
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if interrupt.reason().is_some() {
                eprintln!("taskscope: {} again: exiting now", signal_name(signal));
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
            eprintln!(
                "taskscope: {}: finishing the call in flight, then stopping (send it again to exit at once)",
                signal_name(signal)
            );
            interrupt.raise(signal_name(signal));
        }
    });
    Ok(())
}

fn print_progress(progress: Progress) {
    match progress {
        Progress::Step(step) => eprintln!("- {}", step.name()),
        Progress::Call {
            operation,
            status,
            detail,
            ..
        } => {
            let status = match status {
                CallStatus::Ok => "ok",
                CallStatus::Failed => "FAILED",
            };
            eprintln!("    {} {status} {}", escape(&operation), escape(&detail));
        }
        Progress::StepEnded {
            step,
            status,
            reason: Some(reason),
        } => eprintln!("    {} {}: {}", step.name(), status.name(), escape(&reason)),
        Progress::StepEnded { .. } => {}
        Progress::ServiceEvent(message) => eprintln!("    event: {}", escape(&message)),
    }
}

/// `--yes`, or the confirmation text typed on a terminal. `None`: not confirmed.
fn confirm(plan: &Plan, yes: bool) -> anyhow::Result<Option<String>> {
    if yes {
        return Ok(Some("--yes".to_string()));
    }
    if !io::stdin().is_terminal() {
        eprintln!("taskscope: pass --yes, or run on a terminal to type the confirmation");
        return Ok(None);
    }
    eprint!(
        "type {} to run this plan as {}: ",
        escape(&plan.confirm_with),
        escape(&plan.target.caller)
    );
    io::stderr().flush()?;
    let mut typed = String::new();
    io::stdin().lock().read_line(&mut typed)?;
    Ok((typed.trim() == plan.confirm_with).then(|| format!("typed {}", plan.confirm_with)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_gets_actions_only_with_the_flag_or_an_allowed_profile() {
        let dir = tempfile::TempDir::new().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "[actions]\nallow_profiles = [\"ir\"]\n").unwrap();
        let connection = |profile: &str| Connection {
            profile: Some(profile.into()),
            regions: vec!["us-east-1".into()],
            endpoint_url: Some("http://127.0.0.1:9".into()),
            members: None,
        };
        let access = |flag, profile| console_actions(flag, Some(&config), connection(profile));
        assert!(access(false, "prod").unwrap().is_none(), "read-only");
        assert!(access(true, "prod").unwrap().is_some(), "the flag");
        // Credentials in the environment (of whoever runs the tests)
        // override any profile, and then the list does not apply.
        let keys = crate::respond::identity::credential_variables(
            &crate::respond::identity::process_environment,
        );
        assert_eq!(
            access(false, "ir").unwrap().is_some(),
            keys.is_empty(),
            "an allowed profile, unless environment credentials override it"
        );
    }
}
