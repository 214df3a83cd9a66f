//! Field access that accepts both key casings AWS tools print.
//!
//! GuardDuty wire JSON and EventBridge use camelCase (`resource.resourceType`);
//! the AWS CLI prints GuardDuty and LookupEvents in PascalCase
//! (`Resource.ResourceType`). Importers ask for the camelCase name and get
//! whichever is present.

use crate::model::time::{parse_time, Timestamp};
use serde_json::Value;

/// Looks a field up by its camelCase name, falling back to PascalCase.
pub fn field<'a>(value: &'a Value, camel: &str) -> Option<&'a Value> {
    let map = value.as_object()?;
    if let Some(found) = map.get(camel) {
        return Some(found);
    }
    let mut chars = camel.chars();
    let first = chars.next()?;
    let pascal: String = first.to_uppercase().chain(chars).collect();
    map.get(&pascal)
}

/// Follows a path of camelCase field names.
pub fn path<'a>(value: &'a Value, names: &[&str]) -> Option<&'a Value> {
    names
        .iter()
        .try_fold(value, |current, name| field(current, name))
}

/// A string field at `names`, if it is a non-empty string.
pub fn path_str<'a>(value: &'a Value, names: &[&str]) -> Option<&'a str> {
    path(value, names)?.as_str().filter(|s| !s.is_empty())
}

/// A timestamp field at `names`, in any supported form.
pub fn path_time(value: &Value, names: &[&str]) -> Option<Timestamp> {
    parse_time(path(value, names)?)
}

/// The array at `names`, or an empty slice.
pub fn path_array<'a>(value: &'a Value, names: &[&str]) -> &'a [Value] {
    path(value, names)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// An owned copy of a string field.
pub fn owned(value: &Value, names: &[&str]) -> Option<String> {
    path_str(value, names).map(str::to_string)
}

/// Reads the ARN account and region fields (`arn:partition:service:region:account:...`).
pub fn arn_account_region(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let _service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    Some((account, region))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_both_casings() {
        let camel = json!({"resource": {"resourceType": "ECSCluster"}});
        let pascal = json!({"Resource": {"ResourceType": "ECSCluster"}});
        for doc in [camel, pascal] {
            assert_eq!(
                path_str(&doc, &["resource", "resourceType"]),
                Some("ECSCluster")
            );
        }
        assert_eq!(path_str(&json!({"a": ""}), &["a"]), None);
    }
}
