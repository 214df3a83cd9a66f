//! One result row back into the CloudTrail record it was selected from:
//! CloudTrail's field names, struct columns parsed from their JSON text
//! with their lowercased fields respelled and their nulls left out,
//! JSON-holding strings (`requestparameters`...) put back as JSON, and
//! `readonly` as a boolean. A missing value (a null) leaves its field out,
//! as CloudTrail does.

use super::columns::{struct_field, Column, Shape};
use serde::de::IgnoredAny;
use serde_json::{Map, Value};

/// The record, as JSON text, from each column's value (`None`: null).
pub fn rebuild<'a>(fields: impl IntoIterator<Item = (&'static Column, Option<&'a str>)>) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(2048);
    out.push(b'{');
    for (column, value) in fields {
        let Some(text) = value else { continue };
        if out.len() > 1 {
            out.push(b',');
        }
        write_string(&mut out, column.field);
        out.push(b':');
        match column.shape {
            Shape::Text => write_string(&mut out, text),
            Shape::Flag => match text {
                "true" | "false" => out.extend_from_slice(text.as_bytes()),
                _ => write_string(&mut out, text),
            },
            Shape::JsonText => {
                if serde_json::from_str::<IgnoredAny>(text).is_ok() {
                    out.extend_from_slice(text.trim().as_bytes());
                } else {
                    write_string(&mut out, text);
                }
            }
            Shape::Struct => match serde_json::from_str::<Value>(text) {
                Ok(value) => {
                    let in_resources = column.name == "resources";
                    let value = respell(value, "", in_resources);
                    // Writing a Value into a Vec cannot fail.
                    let _ = serde_json::to_writer(&mut out, &value);
                }
                Err(_) => write_string(&mut out, text),
            },
        }
    }
    out.push(b'}');
    // Every piece written is UTF-8: text from `&str`s and serde_json's output.
    String::from_utf8(out).unwrap_or_default()
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    // Writing a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

/// A struct value with CloudTrail's field names and without nulls. The
/// attributes of web identity federation are a map of the provider's own
/// keys: kept as they are.
fn respell(value: Value, parent: &str, in_resources: bool) -> Value {
    match value {
        Value::Object(map) => {
            let respelled: Map<String, Value> = map
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(key, v)| {
                    let v = if key == "attributes" && parent == "webidfederationdata" {
                        v
                    } else {
                        respell(v, &key, in_resources)
                    };
                    (struct_field(&key, in_resources).to_string(), v)
                })
                .collect();
            Value::Object(respelled)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|item| respell(item, parent, in_resources))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::super::columns::named;
    use super::*;
    use serde_json::json;

    fn record(values: &[(&str, Option<&str>)]) -> Value {
        let fields = values
            .iter()
            .map(|(name, value)| (named(name).expect("a known column"), *value));
        serde_json::from_str(&rebuild(fields)).expect("the rebuilt record is JSON")
    }

    #[test]
    fn a_row_becomes_the_cloudtrail_record_it_came_from() {
        let identity = r#"{"type":"AssumedRole","principalid":"AROAEXAMPLE:0123","arn":"arn:aws:sts::111122223333:assumed-role/web/0123","accountid":"111122223333","invokedby":null,"accesskeyid":"ASIAEXAMPLE","username":null,"onbehalfof":null,"sessioncontext":{"attributes":{"mfaauthenticated":"false","creationdate":"2026-11-20T13:00:00Z"},"sessionissuer":{"type":"Role","principalid":"AROAEXAMPLE","arn":"arn:aws:iam::111122223333:role/web","accountid":"111122223333","username":"web"},"ec2roledelivery":null,"webidfederationdata":{"federatedprovider":"p","attributes":{"accountid":"kept"}}}}"#;
        let rebuilt = record(&[
            ("eventversion", Some("1.09")),
            ("useridentity", Some(identity)),
            ("eventtime", Some("2026-11-20T14:05:00Z")),
            ("errorcode", None),
            ("requestparameters", Some(r#"{"bucketName":"b","key":"k"}"#)),
            ("responseelements", Some("not json {")),
            ("readonly", Some("true")),
            (
                "resources",
                Some(
                    r#"[{"arn":"arn:aws:s3:::b/k","accountid":"111122223333","type":"AWS::S3::Object"}]"#,
                ),
            ),
            (
                "tlsdetails",
                Some(
                    r#"{"tlsversion":"TLSv1.3","ciphersuite":"TLS_AES_128_GCM_SHA256","clientprovidedhostheader":"b.s3.amazonaws.com"}"#,
                ),
            ),
        ]);
        assert_eq!(
            rebuilt,
            json!({
                "eventVersion": "1.09",
                "userIdentity": {
                    "type": "AssumedRole",
                    "principalId": "AROAEXAMPLE:0123",
                    "arn": "arn:aws:sts::111122223333:assumed-role/web/0123",
                    "accountId": "111122223333",
                    "accessKeyId": "ASIAEXAMPLE",
                    "sessionContext": {
                        "attributes": {"mfaAuthenticated": "false", "creationDate": "2026-11-20T13:00:00Z"},
                        "sessionIssuer": {
                            "type": "Role",
                            "principalId": "AROAEXAMPLE",
                            "arn": "arn:aws:iam::111122223333:role/web",
                            "accountId": "111122223333",
                            "userName": "web"
                        },
                        "webIdFederationData": {"federatedProvider": "p", "attributes": {"accountid": "kept"}}
                    }
                },
                "eventTime": "2026-11-20T14:05:00Z",
                "requestParameters": {"bucketName": "b", "key": "k"},
                "responseElements": "not json {",
                "readOnly": true,
                "resources": [{"ARN": "arn:aws:s3:::b/k", "accountId": "111122223333", "type": "AWS::S3::Object"}],
                "tlsDetails": {
                    "tlsVersion": "TLSv1.3",
                    "cipherSuite": "TLS_AES_128_GCM_SHA256",
                    "clientProvidedHostHeader": "b.s3.amazonaws.com"
                }
            })
        );
    }

    #[test]
    fn hostile_values_stay_strings_and_never_break_the_record() {
        let rebuilt = record(&[
            ("eventname", Some("a\"b\\c\u{1b}[31m")),
            ("useridentity", Some("{\"type\":")),
            ("readonly", Some("maybe")),
            ("requestparameters", Some(&"[".repeat(10_000))),
        ]);
        assert_eq!(rebuilt["eventName"], "a\"b\\c\u{1b}[31m");
        assert_eq!(rebuilt["userIdentity"], "{\"type\":");
        assert_eq!(rebuilt["readOnly"], "maybe");
        assert_eq!(
            rebuilt["requestParameters"].as_str().map(str::len),
            Some(10_000)
        );
    }
}
