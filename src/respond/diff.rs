//! Comparing two task definitions on what matters for a rollback: images
//! (and their digests), environment variable and secret names, roles,
//! privileged, read-only root filesystem, entry point and command.

use super::plan::DiffLine;
use std::collections::{BTreeMap, BTreeSet};

/// One container of a task definition, as compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    /// The image reference as written (`repo:tag` or `repo@sha256:...`).
    pub image: String,
    /// Environment variable names, sorted.
    pub environment: Vec<String>,
    /// Secret names, sorted.
    pub secrets: Vec<String>,
    /// Whether it runs privileged.
    pub privileged: bool,
    /// Whether its root filesystem is read-only.
    pub readonly_root: bool,
    /// The entry point, joined by spaces.
    pub entry_point: String,
    /// The command, joined by spaces.
    pub command: String,
}

/// A task definition, as compared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Definition {
    /// Its ARN.
    pub arn: String,
    /// Its family.
    pub family: String,
    /// Its revision.
    pub revision: i64,
    /// The task role ARN.
    pub task_role: String,
    /// The execution role ARN.
    pub execution_role: String,
    /// Containers by name.
    pub containers: BTreeMap<String, Container>,
}

impl Definition {
    /// Reads the compared fields from the SDK's task definition.
    pub fn from_sdk(definition: &aws_sdk_ecs::types::TaskDefinition) -> Definition {
        let containers = definition
            .container_definitions()
            .iter()
            .map(|c| {
                let mut environment: Vec<String> = c
                    .environment()
                    .iter()
                    .filter_map(|e| e.name().map(str::to_string))
                    .collect();
                environment.sort();
                let mut secrets: Vec<String> =
                    c.secrets().iter().map(|s| s.name().to_string()).collect();
                secrets.sort();
                let container = Container {
                    image: c.image().unwrap_or_default().to_string(),
                    environment,
                    secrets,
                    privileged: c.privileged().unwrap_or(false),
                    readonly_root: c.readonly_root_filesystem().unwrap_or(false),
                    entry_point: c.entry_point().join(" "),
                    command: c.command().join(" "),
                };
                (c.name().unwrap_or_default().to_string(), container)
            })
            .collect();
        Definition {
            arn: definition
                .task_definition_arn()
                .unwrap_or_default()
                .to_string(),
            family: definition.family().unwrap_or_default().to_string(),
            revision: i64::from(definition.revision()),
            task_role: definition.task_role_arn().unwrap_or_default().to_string(),
            execution_role: definition
                .execution_role_arn()
                .unwrap_or_default()
                .to_string(),
            containers,
        }
    }

    /// `family:revision`.
    pub fn short(&self) -> String {
        format!("{}:{}", self.family, self.revision)
    }

    /// The digests its image references pin (`...@sha256:...`).
    pub fn pinned_digests(&self) -> BTreeSet<String> {
        self.containers
            .values()
            .filter_map(|c| {
                c.image
                    .split_once('@')
                    .map(|(_, digest)| digest.to_string())
            })
            .collect()
    }
}

/// The lines that compare `current` with `target`, changed or not, task
/// level first, then each container by name. A container only one side has
/// shows `(none)` on the other.
pub fn compare(current: &Definition, target: &Definition) -> Vec<DiffLine> {
    let line = |field: &str, current: String, target: String| DiffLine {
        field: field.to_string(),
        current,
        target,
    };
    let mut lines = vec![
        line("revision", current.short(), target.short()),
        line(
            "task role",
            current.task_role.clone(),
            target.task_role.clone(),
        ),
        line(
            "execution role",
            current.execution_role.clone(),
            target.execution_role.clone(),
        ),
    ];
    let names: BTreeSet<&String> = current
        .containers
        .keys()
        .chain(target.containers.keys())
        .collect();
    let absent = Container {
        image: "(none)".into(),
        ..Container::default()
    };
    for name in names {
        let a = current.containers.get(name).unwrap_or(&absent);
        let b = target.containers.get(name).unwrap_or(&absent);
        let fields: [(&str, String, String); 7] = [
            ("image", a.image.clone(), b.image.clone()),
            (
                "environment",
                a.environment.join(", "),
                b.environment.join(", "),
            ),
            ("secrets", a.secrets.join(", "), b.secrets.join(", ")),
            (
                "privileged",
                a.privileged.to_string(),
                b.privileged.to_string(),
            ),
            (
                "readonlyRootFilesystem",
                a.readonly_root.to_string(),
                b.readonly_root.to_string(),
            ),
            ("entryPoint", a.entry_point.clone(), b.entry_point.clone()),
            ("command", a.command.clone(), b.command.clone()),
        ];
        for (field, current, target) in fields {
            lines.push(line(&format!("{name} {field}"), current, target));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(revision: i64, image: &str, environment: &[&str]) -> Definition {
        let container = Container {
            image: image.to_string(),
            environment: environment.iter().map(|s| s.to_string()).collect(),
            ..Container::default()
        };
        Definition {
            arn: format!("arn:aws:ecs:us-east-1:1:task-definition/web:{revision}"),
            family: "web".into(),
            revision,
            containers: BTreeMap::from([("app".to_string(), container)]),
            ..Definition::default()
        }
    }

    #[test]
    fn changed_lines_are_the_ones_that_differ() {
        let current = definition(3, "repo@sha256:bad", &["A", "DEBUG"]);
        let target = definition(2, "repo@sha256:good", &["A"]);
        let changed: Vec<String> = compare(&current, &target)
            .into_iter()
            .filter(DiffLine::changed)
            .map(|l| format!("{}: {} -> {}", l.field, l.current, l.target))
            .collect();
        assert_eq!(
            changed,
            [
                "revision: web:3 -> web:2",
                "app image: repo@sha256:bad -> repo@sha256:good",
                "app environment: A, DEBUG -> A",
            ]
        );
    }

    #[test]
    fn only_pinned_images_have_digests() {
        assert_eq!(
            definition(1, "repo@sha256:abc", &[]).pinned_digests(),
            BTreeSet::from(["sha256:abc".to_string()])
        );
        assert!(definition(1, "repo:latest", &[])
            .pinned_digests()
            .is_empty());
    }
}
