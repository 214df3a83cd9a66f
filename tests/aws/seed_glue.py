"""Seeds moto's Glue catalog with CloudTrail tables for tests/athena_layout_moto.rs.

Run with the moto virtualenv's Python (it has boto3):
    .venv-moto/bin/python tests/aws/seed_glue.py http://127.0.0.1:PORT PROPERTIES_JSON
PROPERTIES_JSON is the table properties `taskscope athena-ddl` writes; the
projection table gets them, the classic table has the manually partitioned
region/year/month/day layout. Everything is synthetic.
"""
import json
import sys

import boto3

endpoint, properties = sys.argv[1], json.loads(sys.argv[2])
glue = boto3.client(
    "glue",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)


def columns(*names):
    return [{"Name": name, "Type": "string"} for name in names]


glue.create_database(DatabaseInput={"Name": "trails"})
glue.create_table(
    DatabaseName="trails",
    TableInput={
        "Name": "org_trail",
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {
            "Columns": columns("eventversion", "eventtime", "eventname"),
            "Location": "s3://org-trail-logs/AWSLogs/o-a1b2c3d4e5/",
        },
        "PartitionKeys": columns("account", "region", "timestamp"),
        "Parameters": properties,
    },
)
glue.create_table(
    DatabaseName="trails",
    TableInput={
        "Name": "classic_trail",
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {
            "Columns": columns("eventversion", "eventtime", "eventname"),
            "Location": "s3://trail-logs/AWSLogs/123456789012/CloudTrail/",
        },
        "PartitionKeys": columns("region", "year", "month", "day"),
    },
)
print(json.dumps({"database": "trails"}))
