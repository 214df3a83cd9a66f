"""Seeds moto's Glue catalog with Security Lake's CloudTrail tables of
us-east-1 (source version 2, OCSF 1.1) for tests/security_lake_moto.rs.

Run with the moto virtualenv's Python (it has boto3):
    .venv-moto/bin/python tests/aws/seed_lake_glue.py http://127.0.0.1:PORT TABLES
TABLES is `management` (the management events table only) or
`management,s3_data` (the S3 data events table too). The names, partition
keys and column types follow Security Lake's tables; the struct types are
shortened to the fields the tests read. Everything is synthetic.
"""
import json
import sys

import boto3

endpoint, tables = sys.argv[1], sys.argv[2].split(",")
glue = boto3.client(
    "glue",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)

DATABASE = "amazon_security_lake_glue_db_us_east_1"
COLUMNS = [
    ("metadata", "struct<uid:string,version:string,product:struct<name:string>>"),
    ("time", "bigint"),
    ("time_dt", "timestamp"),
    ("cloud", "struct<region:string,account:struct<uid:string>>"),
    ("api", "struct<operation:string,service:struct<name:string>,"
            "request:struct<uid:string,data:string>,response:struct<data:string>>"),
    ("actor", "struct<user:struct<type:string,uid:string,uid_alt:string,"
              "credential_uid:string,account:struct<uid:string>>>"),
    ("src_endpoint", "struct<ip:string,domain:string>"),
    ("class_uid", "int"),
    ("unmapped", "map<string,string>"),
]

glue.create_database(DatabaseInput={"Name": DATABASE})
for source in tables:
    glue.create_table(
        DatabaseName=DATABASE,
        TableInput={
            "Name": f"amazon_security_lake_table_us_east_1_{source}_2_0",
            "TableType": "EXTERNAL_TABLE",
            "StorageDescriptor": {
                "Columns": [{"Name": n, "Type": t} for n, t in COLUMNS],
                "Location": f"s3://aws-security-data-lake-us-east-1-example/aws/{source.upper()}/2.0/",
            },
            "PartitionKeys": [
                {"Name": "region", "Type": "string"},
                {"Name": "accountid", "Type": "string"},
                {"Name": "eventday", "Type": "string"},
            ],
        },
    )
print(json.dumps({"database": DATABASE, "tables": tables}))
