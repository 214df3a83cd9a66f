//! Where CloudTrail is read through Athena: one table of the trail's logs,
//! or Security Lake's tables, and how Athena runs the queries. Plain data,
//! built without the AWS side: a response plan carries it in its
//! parameters, and the console makes such plans.

/// A table of the catalog, `DATABASE.TABLE` (so written in a plan's
/// parameters, and checked again when read back).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TableName {
    /// The database (Glue database).
    pub database: String,
    /// The table.
    pub table: String,
}

impl TableName {
    /// Reads `DATABASE.TABLE`; each name is letters, digits, `_` or `-`
    /// (Glue's names), at most 255 characters.
    pub fn parse(text: &str) -> Result<TableName, String> {
        let bad = || {
            format!(
                "--athena-table {}: expected DATABASE.TABLE, each of letters, digits, _ or -",
                crate::render::sanitize::escape(text)
            )
        };
        let (database, table) = text.split_once('.').ok_or_else(bad)?;
        let valid = |name: &str| {
            !name.is_empty()
                && name.len() <= 255
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !valid(database) || !valid(table) {
            return Err(bad());
        }
        Ok(TableName {
            database: database.to_string(),
            table: table.to_string(),
        })
    }

    /// The table as SQL: `"database"."table"`.
    pub fn sql(&self) -> String {
        format!("\"{}\".\"{}\"", self.database, self.table)
    }
}

impl TryFrom<String> for TableName {
    type Error = String;

    fn try_from(text: String) -> Result<TableName, String> {
        TableName::parse(&text)
    }
}

impl From<TableName> for String {
    fn from(table: TableName) -> String {
        table.to_string()
    }
}

impl std::fmt::Display for TableName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.database, self.table)
    }
}

/// The tables CloudTrail is read from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum TrailTables {
    /// One table of the trail's logs (`--athena-table DB.TABLE`).
    Named(TableName),
    /// Security Lake's CloudTrail tables of each region (`--security-lake`).
    SecurityLake,
}

impl TrailTables {
    /// How [`TrailTables::SecurityLake`] is written in a plan's parameters
    /// (not a `DATABASE.TABLE`: it has no dot).
    pub const SECURITY_LAKE: &'static str = "security-lake";
}

impl TryFrom<String> for TrailTables {
    type Error = String;

    fn try_from(text: String) -> Result<TrailTables, String> {
        if text == TrailTables::SECURITY_LAKE {
            return Ok(TrailTables::SecurityLake);
        }
        TableName::parse(&text).map(TrailTables::Named)
    }
}

impl From<TrailTables> for String {
    fn from(tables: TrailTables) -> String {
        match tables {
            TrailTables::Named(table) => table.to_string(),
            TrailTables::SecurityLake => TrailTables::SECURITY_LAKE.to_string(),
        }
    }
}

/// Where CloudTrail is queried: the tables, and how Athena runs the queries.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AthenaSource {
    /// The CloudTrail tables (`--athena-table DB.TABLE` or `--security-lake`).
    #[serde(rename = "table")]
    pub tables: TrailTables,
    /// The workgroup (`--athena-workgroup`).
    pub workgroup: String,
    /// Where results go (`--athena-output s3://...`), when the workgroup has none.
    pub output: Option<String>,
    /// The data catalog (`--athena-catalog`).
    pub catalog: String,
}

impl AthenaSource {
    /// `catalog.database.table` of one queried `table`, for messages.
    pub fn qualified(&self, table: &TableName) -> String {
        format!("{}.{}", self.catalog, table)
    }
}
