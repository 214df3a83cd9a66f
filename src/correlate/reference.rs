//! Task references as a user types them (`--task`): a task ID, a task ARN of
//! either format, or a unique prefix of a task ID.

use super::Incident;
use crate::model::keys::parse_task_arn;
use crate::model::TaskFacts;
use std::fmt;

/// The fewest characters a task ID prefix must have: shorter ones match too
/// many tasks by chance in a large incident.
pub const MIN_TASK_ID_PREFIX: usize = 6;

/// The most candidates an ambiguous prefix lists.
const LISTED_CANDIDATES: usize = 8;

/// Why a reference names no single task. Its text holds the reference and
/// task IDs unescaped (they come from the user and the evidence): escape it
/// before it reaches a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskReferenceError {
    /// No task has this ID, or an ID starting with it.
    NotFound(String),
    /// Not a known ID and too short to be taken as a prefix.
    TooShort(String),
    /// Several task IDs start with the prefix.
    Ambiguous {
        /// The prefix as given.
        prefix: String,
        /// The first matching IDs, sorted.
        candidates: Vec<String>,
        /// How many more match.
        more: usize,
    },
}

impl fmt::Display for TaskReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskReferenceError::NotFound(reference) => {
                write!(f, "no task {reference} in this bundle")
            }
            TaskReferenceError::TooShort(reference) => write!(
                f,
                "no task {reference} in this bundle, and a task ID prefix needs at least \
                 {MIN_TASK_ID_PREFIX} characters ({} given)",
                reference.chars().count()
            ),
            TaskReferenceError::Ambiguous {
                prefix,
                candidates,
                more,
            } => {
                write!(
                    f,
                    "task ID prefix {prefix} is ambiguous; it starts {}: {}",
                    candidates.len() + more,
                    candidates.join(", ")
                )?;
                if *more > 0 {
                    write!(f, " and {more} more")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for TaskReferenceError {}

impl Incident {
    /// Resolves a task reference among the incident's tasks (see
    /// [`resolve_task`]).
    pub fn resolve_task(&self, reference: &str) -> Result<usize, TaskReferenceError> {
        resolve_task(&self.tasks, reference)
    }

    /// Finds a task by reference, as [`Incident::resolve_task`] does.
    pub fn find_task(&self, reference: &str) -> Option<usize> {
        self.resolve_task(reference).ok()
    }
}

/// Resolves a task reference to the position of its task in `tasks`: a task
/// ID or task ARN (either format), case-insensitively, or else a prefix of at
/// least [`MIN_TASK_ID_PREFIX`] characters that starts exactly one task ID.
pub fn resolve_task(tasks: &[TaskFacts], reference: &str) -> Result<usize, TaskReferenceError> {
    let position_of = |id: &str| tasks.iter().position(|task| task.id == id);
    if let Some(arn) = parse_task_arn(reference) {
        return position_of(&arn.id)
            .ok_or_else(|| TaskReferenceError::NotFound(reference.to_string()));
    }
    let id = reference.to_ascii_lowercase();
    if let Some(task) = position_of(&id) {
        return Ok(task);
    }
    if id.chars().count() < MIN_TASK_ID_PREFIX {
        return Err(TaskReferenceError::TooShort(reference.to_string()));
    }
    let mut matching = tasks
        .iter()
        .enumerate()
        .filter(|(_, task)| task.id.starts_with(&id));
    match (matching.next(), matching.next()) {
        (None, _) => Err(TaskReferenceError::NotFound(reference.to_string())),
        (Some((task, _)), None) => Ok(task),
        (Some(first), Some(second)) => {
            let mut candidates: Vec<&str> = [first, second]
                .into_iter()
                .chain(matching)
                .map(|(_, task)| task.id.as_str())
                .collect();
            candidates.sort_unstable();
            let more = candidates.len().saturating_sub(LISTED_CANDIDATES);
            candidates.truncate(LISTED_CANDIDATES);
            Err(TaskReferenceError::Ambiguous {
                prefix: reference.to_string(),
                candidates: candidates.into_iter().map(str::to_string).collect(),
                more,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(ids: &[&str]) -> Incident {
        Incident::build(
            Vec::new(),
            ids.iter().map(|id| TaskFacts::new(*id)).collect(),
        )
    }

    const A: &str = "8d2e6f1a0b1c4d2e9f3a5b7c9d1e3f50";
    const B: &str = "8d2e6f1b0b1c4d2e9f3a5b7c9d1e3f51";
    const OLD: &str = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";

    fn id_of(incident: &Incident, reference: &str) -> Result<String, TaskReferenceError> {
        incident
            .resolve_task(reference)
            .map(|task| incident.tasks[task].id.clone())
    }

    #[test]
    fn ids_arns_and_unique_prefixes_resolve() {
        let incident = incident(&[A, B, OLD]);
        assert_eq!(id_of(&incident, A), Ok(A.to_string()));
        assert_eq!(id_of(&incident, &A.to_uppercase()), Ok(A.to_string()));
        assert_eq!(id_of(&incident, "8d2e6f1a"), Ok(A.to_string()));
        let new = format!("arn:aws:ecs:us-east-1:111122223333:task/prod/{B}");
        assert_eq!(id_of(&incident, &new), Ok(B.to_string()));
        let old = format!("arn:aws:ecs:us-east-1:111122223333:task/{OLD}");
        assert_eq!(id_of(&incident, &old), Ok(OLD.to_string()));
        assert_eq!(id_of(&incident, "0a1b2c3d-4e"), Ok(OLD.to_string()));
    }

    #[test]
    fn short_ambiguous_and_unknown_references_are_refused() {
        let incident = incident(&[A, B, OLD]);
        assert_eq!(
            id_of(&incident, "8d2e6"),
            Err(TaskReferenceError::TooShort("8d2e6".to_string()))
        );
        let error = id_of(&incident, "8D2E6F").unwrap_err();
        assert_eq!(
            error,
            TaskReferenceError::Ambiguous {
                prefix: "8D2E6F".to_string(),
                candidates: vec![A.to_string(), B.to_string()],
                more: 0,
            }
        );
        assert!(error.to_string().contains(&format!("{A}, {B}")));
        assert_eq!(
            id_of(&incident, "ffffffff"),
            Err(TaskReferenceError::NotFound("ffffffff".to_string()))
        );
        // An ARN names one task exactly; it is never a prefix.
        let partial = "arn:aws:ecs:us-east-1:111122223333:task/prod/8d2e6f1a";
        assert!(matches!(
            id_of(&incident, partial),
            Err(TaskReferenceError::NotFound(_))
        ));
    }

    #[test]
    fn a_long_candidate_list_is_cut() {
        let ids: Vec<String> = (0..20).map(|n| format!("abcdef{n:026x}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let Err(TaskReferenceError::Ambiguous {
            candidates, more, ..
        }) = id_of(&incident(&refs), "abcdef")
        else {
            panic!("ambiguous");
        };
        assert_eq!(candidates.len(), LISTED_CANDIDATES);
        assert_eq!(more, 20 - LISTED_CANDIDATES);
        assert_eq!(candidates[0], ids[0]);
    }
}
