//! The columns of the AWS-documented CloudTrail table in Athena (the
//! "Querying AWS CloudTrail logs" DDL), with the CloudTrail record field
//! each one holds. Collection selects exactly these columns and import reads
//! them back by name: this list is the one place both sides agree on.

/// How a column's value comes back in a result page, and so how it is put
/// back into the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string field, copied as is.
    Text,
    /// A string column holding a JSON document (`requestparameters`...):
    /// put back as JSON when it parses, as a string otherwise.
    JsonText,
    /// A struct or array column, selected as JSON text with
    /// `json_format(CAST(column AS JSON))`; Athena lowercases its field
    /// names, so they are put back in CloudTrail's spelling.
    Struct,
    /// A string column holding `true` or `false`, put back as a boolean.
    Flag,
}

/// One column of the table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The column's name in the table (lowercase, as Athena reports it).
    pub name: &'static str,
    /// The CloudTrail record field it holds.
    pub field: &'static str,
    /// How its value is read back.
    pub shape: Shape,
}

const fn column(name: &'static str, field: &'static str, shape: Shape) -> Column {
    Column { name, field, shape }
}

/// Every column selected, in record order.
pub const COLUMNS: [Column; 29] = [
    column("eventversion", "eventVersion", Shape::Text),
    column("useridentity", "userIdentity", Shape::Struct),
    column("eventtime", "eventTime", Shape::Text),
    column("eventsource", "eventSource", Shape::Text),
    column("eventname", "eventName", Shape::Text),
    column("awsregion", "awsRegion", Shape::Text),
    column("sourceipaddress", "sourceIPAddress", Shape::Text),
    column("useragent", "userAgent", Shape::Text),
    column("errorcode", "errorCode", Shape::Text),
    column("errormessage", "errorMessage", Shape::Text),
    column("requestparameters", "requestParameters", Shape::JsonText),
    column("responseelements", "responseElements", Shape::JsonText),
    column(
        "additionaleventdata",
        "additionalEventData",
        Shape::JsonText,
    ),
    column("requestid", "requestID", Shape::Text),
    column("eventid", "eventID", Shape::Text),
    column("readonly", "readOnly", Shape::Flag),
    column("resources", "resources", Shape::Struct),
    column("eventtype", "eventType", Shape::Text),
    column("apiversion", "apiVersion", Shape::Text),
    column("recipientaccountid", "recipientAccountId", Shape::Text),
    column(
        "serviceeventdetails",
        "serviceEventDetails",
        Shape::JsonText,
    ),
    column("sharedeventid", "sharedEventID", Shape::Text),
    column("vpcendpointid", "vpcEndpointId", Shape::Text),
    column("vpcendpointaccountid", "vpcEndpointAccountId", Shape::Text),
    column("eventcategory", "eventCategory", Shape::Text),
    column("addendum", "addendum", Shape::Struct),
    column(
        "sessioncredentialfromconsole",
        "sessionCredentialFromConsole",
        Shape::Text,
    ),
    column("edgedevicedetails", "edgeDeviceDetails", Shape::JsonText),
    column("tlsdetails", "tlsDetails", Shape::Struct),
];

/// The column a name from a result page's metadata is, if one of ours.
pub fn named(name: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// The SELECT list: each column by name, struct columns as JSON text
/// under their own name.
pub fn select_list() -> String {
    COLUMNS
        .iter()
        .map(|c| match c.shape {
            Shape::Struct => json_text(c.name),
            Shape::Text | Shape::JsonText | Shape::Flag => c.name.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A struct, array or map column selected as JSON text under its own name
/// (Athena returns such a column readable only when cast to JSON).
pub fn json_text(column: &str) -> String {
    format!("json_format(CAST({column} AS JSON)) AS {column}")
}

/// CloudTrail's spelling of the fields inside struct columns, which Athena
/// returns lowercased. Names not listed (`type`, `arn`, `reason`...) are
/// the same in both.
const STRUCT_FIELDS: [(&str, &str); 25] = [
    ("principalid", "principalId"),
    ("accountid", "accountId"),
    ("invokedby", "invokedBy"),
    ("accesskeyid", "accessKeyId"),
    ("username", "userName"),
    ("onbehalfof", "onBehalfOf"),
    ("userid", "userId"),
    ("identitystorearn", "identityStoreArn"),
    ("sessioncontext", "sessionContext"),
    ("mfaauthenticated", "mfaAuthenticated"),
    ("creationdate", "creationDate"),
    ("sessionissuer", "sessionIssuer"),
    ("ec2roledelivery", "ec2RoleDelivery"),
    ("webidfederationdata", "webIdFederationData"),
    ("federatedprovider", "federatedProvider"),
    ("sourceidentity", "sourceIdentity"),
    ("assumedroot", "assumedRoot"),
    ("credentialid", "credentialId"),
    ("inscopeof", "inScopeOf"),
    ("tlsversion", "tlsVersion"),
    ("ciphersuite", "cipherSuite"),
    ("clientprovidedhostheader", "clientProvidedHostHeader"),
    ("updatedfields", "updatedFields"),
    ("originalrequestid", "originalRequestID"),
    ("originaleventid", "originalEventID"),
];

/// A struct field's name as CloudTrail writes it. In `resources` entries
/// the ARN is `ARN` (`in_resources`).
pub fn struct_field(name: &str, in_resources: bool) -> &str {
    if in_resources && name == "arn" {
        return "ARN";
    }
    STRUCT_FIELDS
        .iter()
        .find(|(lower, _)| *lower == name)
        .map_or(name, |(_, camel)| camel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_columns_are_selected_as_json_text_under_their_name() {
        let list = select_list();
        assert!(list.starts_with(
            "eventversion, json_format(CAST(useridentity AS JSON)) AS useridentity, eventtime"
        ));
        for name in ["resources", "tlsdetails", "addendum"] {
            assert!(list.contains(&format!("json_format(CAST({name} AS JSON)) AS {name}")));
        }
        assert_eq!(list.matches(", ").count() + 1, COLUMNS.len());
    }

    #[test]
    fn names_are_read_back_in_cloudtrails_spelling() {
        assert_eq!(named("EventID").map(|c| c.field), Some("eventID"));
        assert_eq!(named("class_uid").map(|c| c.field), None);
        assert_eq!(struct_field("principalid", false), "principalId");
        assert_eq!(struct_field("arn", false), "arn");
        assert_eq!(struct_field("arn", true), "ARN");
        assert_eq!(struct_field("type", true), "type");
    }
}
