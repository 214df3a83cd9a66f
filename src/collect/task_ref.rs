//! A task as collection knows it: its ID, and its ARN when known.

use crate::model::keys::parse_task_arn;

/// A task known to collection: its ARN when known, and its ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TaskRef {
    /// The task ID (the last ARN segment).
    pub id: String,
    /// The full ARN, when known.
    pub arn: Option<String>,
}

impl TaskRef {
    /// The account the task runs in, from its ARN.
    pub fn account(&self) -> Option<String> {
        parse_task_arn(self.arn.as_deref()?).map(|arn| arn.account)
    }

    /// From a task ID or ARN.
    pub fn from_reference(reference: &str) -> TaskRef {
        let id = crate::model::keys::arn_tail(reference).to_string();
        let arn = reference.starts_with("arn:").then(|| reference.to_string());
        TaskRef { id, arn }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_references_keep_the_id() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef";
        let task = TaskRef::from_reference(arn);
        assert_eq!(task.id, "0123456789abcdef0123456789abcdef");
        assert_eq!(task.arn.as_deref(), Some(arn));
        assert_eq!(TaskRef::from_reference("abc").arn, None);
    }
}
