//! The partition layout of the table CloudTrail is queried from, and the
//! SQL predicate that keeps one incident's queries to the partitions of its
//! window, regions and accounts (docs/athena.md, "Partition pruning").
//!
//! The layout is read from the catalog: the table's partition keys and its
//! partition-projection parameters (Glue GetTable, or Athena
//! GetTableMetadata for a catalog that is not Glue). Three layouts are
//! recognized: a partition-projection table (`timestamp` as `yyyy/MM/dd`,
//! with `region` and `account` columns or not, an organization trail's
//! `o-…` in its location template), the classic `region/year/month/day`
//! table, and Security Lake's tables (`region`, `accountid`, `eventday`
//! as `yyyyMMdd`). The projection names and formats below are the ones
//! `taskscope athena-ddl` writes, so the table it creates reads back as
//! the layout it means.

mod definition;
#[cfg(test)]
mod fixtures;
mod layout;
mod partition_sql;
mod recognize;

pub use definition::{read_definition, TableColumn, TableDefinition, GLUE_CATALOG};
pub use layout::{
    projection_property, DayPartition, Layout, ACCOUNT_COLUMN, DAY_COLUMN, DAY_FORMAT,
    PROJECTION_ENABLED, REGION_COLUMN, STORAGE_LOCATION_TEMPLATE,
};
pub use partition_sql::partition_predicate;
pub use recognize::{layout_or_documented, recognize};
