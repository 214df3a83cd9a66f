//! What the catalog says about a table (its columns, partition keys and
//! properties), read from Glue GetTable for the Glue catalog, or from
//! Athena's GetTableMetadata for any other.

use crate::collect::aws::describe_error;
use std::collections::HashMap;

/// The catalog name under which Athena reads the Glue Data Catalog.
pub const GLUE_CATALOG: &str = "AwsDataCatalog";

/// A column of a table, as the catalog states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumn {
    /// The column's name.
    pub name: String,
    /// Its type, as the catalog writes it (`string`, `struct<uid:string>`...).
    pub kind: String,
}

impl TableColumn {
    /// A column named `name` of type `kind` (empty when the catalog gives none).
    pub fn new(name: &str, kind: Option<&str>) -> TableColumn {
        TableColumn {
            name: name.to_string(),
            kind: kind.unwrap_or_default().to_string(),
        }
    }

    /// True for a struct, array or map column: Athena returns it as JSON
    /// text only when it is cast to JSON.
    pub fn is_nested(&self) -> bool {
        let kind = self.kind.trim_start().to_ascii_lowercase();
        ["struct", "array", "map", "row"]
            .iter()
            .any(|nested| kind.starts_with(nested))
    }
}

/// What the catalog says about a table's partitions.
#[derive(Debug, Clone, Default)]
pub struct TableDefinition {
    /// The table's name.
    pub name: String,
    /// Its partition keys, in order.
    pub partition_keys: Vec<String>,
    /// Its other columns.
    pub columns: Vec<TableColumn>,
    /// Its table properties (projection settings among them).
    pub parameters: HashMap<String, String>,
}

/// Reads the definition of `catalog.database.table`: from Glue for the
/// Glue catalog, from Athena's GetTableMetadata for any other. `Err` is the
/// reason it could not be read (denied, not found), one line.
pub async fn read_definition(
    glue: &aws_sdk_glue::Client,
    athena: &aws_sdk_athena::Client,
    catalog: &str,
    database: &str,
    table: &str,
) -> Result<TableDefinition, String> {
    if catalog.eq_ignore_ascii_case(GLUE_CATALOG) {
        read_glue(glue, database, table).await
    } else {
        read_athena(athena, catalog, database, table).await
    }
}

async fn read_glue(
    glue: &aws_sdk_glue::Client,
    database: &str,
    table: &str,
) -> Result<TableDefinition, String> {
    let region = crate::collect::aws::region_name(glue.config().region());
    let output = glue
        .get_table()
        .database_name(database)
        .name(table)
        .send()
        .await
        .map_err(|e| describe_error("glue:GetTable", &region, &e))?;
    let found = output
        .table()
        .ok_or_else(|| "glue:GetTable answered without a table".to_string())?;
    let columns = |columns: &[aws_sdk_glue::types::Column]| -> Vec<TableColumn> {
        columns
            .iter()
            .map(|c| TableColumn::new(c.name(), c.r#type()))
            .collect()
    };
    Ok(TableDefinition {
        name: found.name().to_string(),
        partition_keys: names_of(columns(found.partition_keys())),
        columns: found
            .storage_descriptor()
            .map(|s| columns(s.columns()))
            .unwrap_or_default(),
        parameters: found.parameters().cloned().unwrap_or_default(),
    })
}

async fn read_athena(
    athena: &aws_sdk_athena::Client,
    catalog: &str,
    database: &str,
    table: &str,
) -> Result<TableDefinition, String> {
    let region = crate::collect::aws::region_name(athena.config().region());
    let output = athena
        .get_table_metadata()
        .catalog_name(catalog)
        .database_name(database)
        .table_name(table)
        .send()
        .await
        .map_err(|e| describe_error("athena:GetTableMetadata", &region, &e))?;
    let found = output
        .table_metadata()
        .ok_or_else(|| "athena:GetTableMetadata answered without a table".to_string())?;
    let columns = |columns: &[aws_sdk_athena::types::Column]| -> Vec<TableColumn> {
        columns
            .iter()
            .map(|c| TableColumn::new(c.name(), c.r#type()))
            .collect()
    };
    Ok(TableDefinition {
        name: found.name().to_string(),
        partition_keys: names_of(columns(found.partition_keys())),
        columns: columns(found.columns()),
        parameters: found.parameters().cloned().unwrap_or_default(),
    })
}

fn names_of(columns: Vec<TableColumn>) -> Vec<String> {
    columns.into_iter().map(|c| c.name).collect()
}
