//! Comparing what the audit record holds with what AWS holds now: policy
//! documents as JSON, and awsvpc configurations in any order.

use serde_json::{json, Value};

/// True when the two documents hold the same JSON (or, unparsed, the same text).
pub(super) fn same_document(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// An awsvpc configuration in a form that compares: sorted lists, and the
/// public IP setting ECS assumes when it is left out.
pub(super) fn comparable(configuration: &Value) -> Value {
    let sorted = |name: &str| {
        let mut values: Vec<String> = configuration[name]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        values.sort();
        values
    };
    json!({
        "subnets": sorted("subnets"),
        "securityGroups": sorted("securityGroups"),
        "assignPublicIp": configuration["assignPublicIp"].as_str().unwrap_or("DISABLED"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configurations_compare_in_any_order() {
        let a = json!({"subnets": ["b", "a"], "securityGroups": ["sg-1"]});
        let b = json!({"subnets": ["a", "b"], "securityGroups": ["sg-1"], "assignPublicIp": "DISABLED"});
        assert_eq!(comparable(&a), comparable(&b));
        let c = json!({"subnets": ["a", "b"], "securityGroups": ["sg-q"]});
        assert_ne!(comparable(&a), comparable(&c));
    }
}
