"""Seeds a moto server with one task whose task definition has an app
container and a log-router sidecar, both logging with awslogs, for
tests/collect_moto.rs.

Run with the moto virtualenv's Python (it has boto3):
    .venv-moto/bin/python tests/aws/seed_sidecar.py http://127.0.0.1:PORT
Prints a JSON object: the task's ARN and the containers DescribeTasks lists
for it (moto lists only the first one). Everything is synthetic.
"""
import json
import sys
import time

import boto3

endpoint = sys.argv[1]
session = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
ecs = boto3.client("ecs", **session)
ec2 = boto3.client("ec2", **session)
logs = boto3.client("logs", **session)


def awslogs(prefix):
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": "/ecs/shop",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": prefix,
        },
    }


now_ms = int(time.time() * 1000)
ecs.create_cluster(clusterName="edge")
ecs.register_task_definition(
    family="shop",
    networkMode="awsvpc",
    requiresCompatibilities=["FARGATE"],
    cpu="256",
    memory="512",
    containerDefinitions=[
        {
            "name": "app",
            "image": "public.ecr.aws/nginx/nginx:1.27",
            "memory": 384,
            "essential": True,
            "logConfiguration": awslogs("shop"),
        },
        {
            "name": "log-router",
            "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
            "memory": 128,
            "essential": False,
            "logConfiguration": awslogs("sidecar"),
        },
    ],
)
subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
task = ecs.run_task(
    cluster="edge",
    taskDefinition="shop",
    count=1,
    launchType="FARGATE",
    networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
)["tasks"][0]["taskArn"]
task_id = task.rsplit("/", 1)[1]
described = ecs.describe_tasks(cluster="edge", tasks=[task])["tasks"][0]

logs.create_log_group(logGroupName="/ecs/shop")
for stream, message in [
    (f"shop/app/{task_id}", f"GET /cart 200 ({task_id})"),
    (f"sidecar/log-router/{task_id}", "fluent-bit: output to 198.51.100.23:24224 refused"),
]:
    logs.create_log_stream(logGroupName="/ecs/shop", logStreamName=stream)
    logs.put_log_events(
        logGroupName="/ecs/shop",
        logStreamName=stream,
        logEvents=[{"timestamp": now_ms - 60_000, "message": message}],
    )

print(json.dumps({"task": task, "listed": [c["name"] for c in described["containers"]]}))
