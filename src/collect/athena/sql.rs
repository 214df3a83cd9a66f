//! The SQL taskscope sends to Athena: the sessions of the tasks' roles, and
//! the ECS calls that name the tasks, their services or their task
//! definitions, over the scope's window. Tasks are batched into a few
//! queries ([`BATCH`] values each), never one query per task.
//!
//! Task IDs, service and task definition names come from evidence an
//! attacker can influence: every value is a SQL string literal with its
//! single quotes doubled, and a value with a control character is refused,
//! not sent. The table's names are checked and quoted as identifiers.

use crate::import::athena::columns::select_list;
use crate::trail_tables::TableName;
use chrono::{DateTime, Utc};

/// Values in one query's `IN` list or `strpos` chain.
pub const BATCH: usize = 100;

/// A value that cannot be put into SQL (it holds a control character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// `value` as a SQL string literal: quoted, its single quotes doubled.
pub fn literal(value: &str) -> Result<String, Refused> {
    if value.chars().any(char::is_control) {
        return Err(Refused(value.to_string()));
    }
    Ok(format!("'{}'", value.replace('\'', "''")))
}

/// One query to run, with what it looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// What the query looks for, for the progress line and errors.
    pub label: String,
    /// The table it reads.
    pub table: TableName,
    /// The statement.
    pub sql: String,
}

/// Which columns hold what the queries look for: the CloudTrail table's,
/// or an OCSF table's (Security Lake's API Activity, docs/athena.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    /// The CloudTrail table: [`select_list`]'s columns, `eventtime`,
    /// `useridentity`, `eventsource`, `requestparameters`...
    CloudTrail,
    /// An OCSF table: `time_dt`, `actor.user`, `api.service.name`,
    /// `api.request.data`..., with the SELECT list given.
    Ocsf {
        /// The SELECT list.
        select: String,
    },
}

/// The expressions of one schema that the queries compare.
struct Fields {
    /// The caller's ARN (the session name after its last `/`).
    arn: &'static str,
    /// The caller's principal ID (the session name after its `:`).
    principal: &'static str,
    /// The service called.
    service: &'static str,
    /// The call's request and response, as text.
    request: &'static str,
    response: &'static str,
}

impl Schema {
    fn fields(&self) -> Fields {
        match self {
            Schema::CloudTrail => Fields {
                arn: "useridentity.arn",
                principal: "useridentity.principalid",
                service: "eventsource",
                request: "requestparameters",
                response: "responseelements",
            },
            Schema::Ocsf { .. } => Fields {
                arn: "actor.user.uid",
                principal: "actor.user.uid_alt",
                service: "api.service.name",
                request: "api.request.data",
                response: "api.response.data",
            },
        }
    }

    fn select(&self) -> String {
        match self {
            Schema::CloudTrail => select_list(),
            Schema::Ocsf { select } => select.clone(),
        }
    }

    /// The predicate on the record's time for the window: CloudTrail's
    /// `eventtime` is `yyyy-MM-ddTHH:mm:ssZ` text, which compares in time
    /// order; OCSF's `time_dt` is a timestamp.
    fn window(&self, from: &DateTime<Utc>, to: &DateTime<Utc>) -> String {
        match self {
            Schema::CloudTrail => window_predicate(from, to),
            Schema::Ocsf { .. } => {
                let at = |t: &DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S UTC").to_string();
                format!(
                    "time_dt >= TIMESTAMP '{}' AND time_dt <= TIMESTAMP '{}'",
                    at(from),
                    at(to)
                )
            }
        }
    }
}

/// The queries of one collection, and the values refused from them.
#[derive(Debug, Default)]
pub struct Batches {
    /// The queries, in the order to run them.
    pub queries: Vec<Query>,
    /// Values left out because they cannot be put into SQL.
    pub refused: Vec<Refused>,
}

/// The predicate on `eventtime` for the window (CloudTrail's
/// `yyyy-MM-ddTHH:mm:ssZ` strings compare in time order).
pub fn window_predicate(from: &DateTime<Utc>, to: &DateTime<Utc>) -> String {
    let at = |t: &DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    format!("eventtime >= '{}' AND eventtime <= '{}'", at(from), at(to))
}

/// Everything a query's WHERE clause shares: the partitions, the window.
struct Frame<'a> {
    table: &'a TableName,
    select: String,
    partition: &'a str,
    window: String,
}

impl Frame<'_> {
    fn query(&self, label: String, condition: &str) -> Query {
        let sql = format!(
            "SELECT {} FROM {} WHERE ({}) AND {} AND ({})",
            self.select,
            self.table.sql(),
            self.partition,
            self.window,
            condition
        );
        Query {
            label,
            table: self.table.clone(),
            sql,
        }
    }
}

/// Turns `values` into literals, keeping the refused ones aside.
fn literals(values: &[String], refused: &mut Vec<Refused>) -> Vec<String> {
    let mut unique: Vec<&String> = values.iter().collect();
    unique.sort();
    unique.dedup();
    unique
        .into_iter()
        .filter_map(|value| literal(value).map_err(|r| refused.push(r)).ok())
        .collect()
}

/// The queries of `table` (its columns as `schema` says) for the tasks'
/// role sessions (the session name is the task ID: the last segment of the
/// caller's ARN after `/`, or of its principal ID after `:`), then for the
/// ECS calls that name any of `needles` (see [`ecs_needles`]).
/// `partition` is the predicate that prunes the table's partitions to the
/// window.
pub fn queries(
    schema: &Schema,
    table: &TableName,
    partition: &str,
    from: &DateTime<Utc>,
    to: &DateTime<Utc>,
    task_ids: &[String],
    needles: &[String],
) -> Batches {
    let fields = schema.fields();
    let frame = Frame {
        table,
        select: schema.select(),
        partition,
        window: schema.window(from, to),
    };
    let mut batches = Batches::default();
    let ids = literals(task_ids, &mut batches.refused);
    let id_chunks = ids.chunks(BATCH).count();
    for (n, chunk) in ids.chunks(BATCH).enumerate() {
        let list = chunk.join(", ");
        let condition = format!(
            "element_at(split({}, '/'), -1) IN ({list}) \
             OR element_at(split({}, ':'), -1) IN ({list})",
            fields.arn, fields.principal
        );
        let label = format!("role sessions {}/{id_chunks}", n + 1);
        batches.queries.push(frame.query(label, &condition));
    }
    let needles = literals(needles, &mut batches.refused);
    let needle_chunks = needles.chunks(BATCH).count();
    for (n, chunk) in needles.chunks(BATCH).enumerate() {
        let named: Vec<String> = chunk
            .iter()
            .map(|needle| {
                format!(
                    "strpos({}, {needle}) > 0 OR strpos({}, {needle}) > 0",
                    fields.request, fields.response
                )
            })
            .collect();
        let condition = format!(
            "{} = 'ecs.amazonaws.com' AND ({})",
            fields.service,
            named.join(" OR ")
        );
        let label = format!("ECS calls {}/{needle_chunks}", n + 1);
        batches.queries.push(frame.query(label, &condition));
    }
    batches
}

/// What an ECS call's request or response holds when it names a task
/// (its ID, alone or in its ARN), a service (`"NAME"` or `.../NAME"`) or a
/// task definition family (`"FAMILY"`, `"FAMILY:REV`, `.../FAMILY:REV`).
/// Services and definitions may be names or ARNs.
pub fn ecs_needles<'a>(
    task_ids: impl IntoIterator<Item = &'a str>,
    services: impl IntoIterator<Item = &'a str>,
    definitions: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let last = |name: &'a str| name.rsplit('/').next().unwrap_or(name);
    let mut needles: Vec<String> = task_ids.into_iter().map(str::to_string).collect();
    for service in services.into_iter().map(last) {
        needles.push(format!("\"{service}\""));
        needles.push(format!("/{service}\""));
    }
    for definition in definitions.into_iter().map(last) {
        let family = definition.split(':').next().unwrap_or(definition);
        needles.push(format!("\"{family}\""));
        needles.push(format!("\"{family}:"));
        needles.push(format!("/{family}:"));
    }
    needles.retain(|n| {
        !n.trim_matches(|c| c == '"' || c == '/' || c == ':')
            .is_empty()
    });
    needles.sort();
    needles.dedup();
    needles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn table() -> TableName {
        TableName::parse("security.cloudtrail_logs_pp").unwrap()
    }

    #[test]
    fn table_names_are_checked_and_quoted() {
        assert_eq!(table().sql(), "\"security\".\"cloudtrail_logs_pp\"");
        for bad in ["nodot", ".t", "d.", "d.t\"; DROP", "d.t x", "d.é"] {
            assert!(TableName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn literals_double_quotes_and_refuse_control_characters() {
        assert_eq!(literal("abc").unwrap(), "'abc'");
        assert_eq!(literal("a'b''c").unwrap(), "'a''b''''c'");
        assert_eq!(literal("x') OR 1=1 --").unwrap(), "'x'') OR 1=1 --'");
        for bad in ["a\nb", "a\0b", "a\u{1b}[2J", "a\u{85}b"] {
            assert!(literal(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tasks_are_batched_into_a_few_queries_with_the_window_and_partitions() {
        let ids: Vec<String> = (0..250).map(|n| format!("{n:032x}")).collect();
        let (from, to) = (time("2026-11-20T13:00:00Z"), time("2026-11-21T02:30:00Z"));
        let partition = "\"timestamp\" BETWEEN '2026/11/20' AND '2026/11/21'";
        let needles = ecs_needles(
            ids.iter().map(String::as_str),
            ["arn:aws:ecs:us-east-1:1:service/prod/web"],
            ["arn:aws:ecs:us-east-1:1:task-definition/web:7"],
        );
        let batches = queries(
            &Schema::CloudTrail,
            &table(),
            partition,
            &from,
            &to,
            &ids,
            &needles,
        );
        assert!(batches.refused.is_empty());
        let labels: Vec<&str> = batches.queries.iter().map(|q| q.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "role sessions 1/3",
                "role sessions 2/3",
                "role sessions 3/3",
                "ECS calls 1/3",
                "ECS calls 2/3",
                "ECS calls 3/3"
            ]
        );
        let first = &batches.queries[0].sql;
        assert!(first.starts_with(
            "SELECT eventversion, json_format(CAST(useridentity AS JSON)) AS useridentity"
        ));
        assert!(first.contains(" FROM \"security\".\"cloudtrail_logs_pp\" WHERE (\"timestamp\" BETWEEN '2026/11/20' AND '2026/11/21') AND eventtime >= '2026-11-20T13:00:00Z' AND eventtime <= '2026-11-21T02:30:00Z' AND (element_at(split(useridentity.arn, '/'), -1) IN ('00000000000000000000000000000000', "));
        assert_eq!(first.matches("'0000").count(), 2 * BATCH);
        let every: String = batches.queries.iter().map(|q| q.sql.as_str()).collect();
        // Twice in its session query, twice (request, response) in its ECS query.
        for id in &ids {
            assert_eq!(every.matches(&format!("'{id}'")).count(), 4, "{id}");
        }
        let ecs = &batches.queries[3].sql;
        assert!(ecs.contains("eventsource = 'ecs.amazonaws.com' AND (strpos(requestparameters, "));
        for needle in ["'\"web\"'", "'/web\"'", "'\"web:'", "'/web:'"] {
            assert!(every.contains(needle), "{needle}");
        }
    }

    #[test]
    fn an_ocsf_table_is_asked_the_same_over_its_own_columns() {
        let lake = TableName::parse(
            "amazon_security_lake_glue_db_us_east_1.amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0",
        )
        .unwrap();
        let schema = Schema::Ocsf {
            select: "class_uid, time".into(),
        };
        let ids = vec!["0123456789abcdef0123456789abcdef".to_string()];
        let needles = ecs_needles(ids.iter().map(String::as_str), [], []);
        let (from, to) = (time("2026-11-20T13:00:00Z"), time("2026-11-21T02:30:00Z"));
        let batches = queries(
            &schema,
            &lake,
            "\"eventday\" BETWEEN '20261120' AND '20261121'",
            &from,
            &to,
            &ids,
            &needles,
        );
        assert_eq!(batches.queries.len(), 2);
        assert!(batches.queries.iter().all(|q| q.table == lake));
        assert_eq!(
            batches.queries[0].sql,
            "SELECT class_uid, time FROM \"amazon_security_lake_glue_db_us_east_1\".\"amazon_security_lake_table_us_east_1_cloud_trail_mgmt_2_0\" \
             WHERE (\"eventday\" BETWEEN '20261120' AND '20261121') \
             AND time_dt >= TIMESTAMP '2026-11-20 13:00:00 UTC' AND time_dt <= TIMESTAMP '2026-11-21 02:30:00 UTC' \
             AND (element_at(split(actor.user.uid, '/'), -1) IN ('0123456789abcdef0123456789abcdef') \
             OR element_at(split(actor.user.uid_alt, ':'), -1) IN ('0123456789abcdef0123456789abcdef'))"
        );
        assert!(batches.queries[1].sql.ends_with(
            "AND (api.service.name = 'ecs.amazonaws.com' AND (strpos(api.request.data, '0123456789abcdef0123456789abcdef') > 0 \
             OR strpos(api.response.data, '0123456789abcdef0123456789abcdef') > 0))"
        ));
    }

    #[test]
    fn hostile_values_are_escaped_or_refused_never_spliced() {
        let ids = vec![
            "abc' OR '1'='1".to_string(),
            "line\nbreak".to_string(),
            "abc' OR '1'='1".to_string(),
        ];
        let (from, to) = (time("2026-11-20T13:00:00Z"), time("2026-11-20T14:00:00Z"));
        let batches = queries(&Schema::CloudTrail, &table(), "true", &from, &to, &ids, &[]);
        assert_eq!(batches.refused, [Refused("line\nbreak".into())]);
        assert_eq!(batches.queries.len(), 1);
        assert!(batches.queries[0]
            .sql
            .contains("IN ('abc'' OR ''1''=''1') OR"));
    }

    #[test]
    fn no_tasks_and_no_names_ask_nothing() {
        let (from, to) = (time("2026-11-20T13:00:00Z"), time("2026-11-20T14:00:00Z"));
        assert!(
            queries(&Schema::CloudTrail, &table(), "true", &from, &to, &[], &[])
                .queries
                .is_empty()
        );
        assert!(ecs_needles([], [""], ["task-definition/"]).is_empty());
    }
}
