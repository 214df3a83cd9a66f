"""Seeds a moto server for the response tests (tests/respond_moto.rs).

Run with the moto virtualenv's Python (it has boto3):
    .venv-moto/bin/python tests/aws/seed_respond.py http://127.0.0.1:PORT
Prints a JSON object with what was created. Everything is synthetic.

- Service web-svc runs web:2, whose image digest is under suspicion; web:1
  pins another digest (a good rollback target). One task of the service
  runs in subnet A with security group web-only (used by it alone), and its
  IP is registered in target group web-tg.
- Service api-svc runs api:2; api:1 pins the same digest (a rollback that
  must be refused).
"""
import json
import sys
import urllib.request

import boto3

endpoint = sys.argv[1]
# moto moves a task one status further on every DescribeTasks; a running task
# must stay RUNNING until the test stops it.
urllib.request.urlopen(
    urllib.request.Request(
        endpoint + "/moto-api/state-manager/set-transition",
        data=json.dumps(
            {"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000}}
        ).encode(),
        method="POST",
    )
)
session = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
ecs = boto3.client("ecs", **session)
ec2 = boto3.client("ec2", **session)
elbv2 = boto3.client("elbv2", **session)
iam = boto3.client("iam", **session)

GOOD = "sha256:" + "1" * 64
BAD = "sha256:" + "b" * 64

role = iam.create_role(
    RoleName="web-task-role",
    AssumeRolePolicyDocument=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)["Role"]["Arn"]

vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
group = ec2.create_security_group(GroupName="web-only", Description="web task", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(
    GroupId=group,
    IpPermissions=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
)
quarantine = ec2.create_security_group(GroupName="quarantine", Description="no rules", VpcId=vpc)["GroupId"]

ecs.create_cluster(clusterName="prod")


def register(family, digest, environment):
    return ecs.register_task_definition(
        family=family,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        taskRoleArn=role,
        containerDefinitions=[
            {
                "name": "app",
                "image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{family}@{digest}",
                "memory": 512,
                "cpu": 256,
                "essential": True,
                "portMappings": [{"containerPort": 80, "protocol": "tcp"}],
                "environment": [{"name": n, "value": "x"} for n in environment],
            }
        ],
    )["taskDefinition"]["taskDefinitionArn"]


web1 = register("web", GOOD, ["STAGE"])
web2 = register("web", BAD, ["STAGE", "DEBUG"])
api1 = register("api", BAD, ["STAGE"])
api2 = register("api", BAD, ["STAGE", "FEATURE_X"])

network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group], "assignPublicIp": "DISABLED"}}
for name, definition in [("web-svc", web2), ("api-svc", api2)]:
    ecs.create_service(
        cluster="prod",
        serviceName=name,
        taskDefinition=definition,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network,
    )

task = ecs.run_task(
    cluster="prod",
    taskDefinition=web2,
    count=1,
    launchType="FARGATE",
    startedBy="ecs-svc/1234567890123456789",
    group="service:web-svc",
    networkConfiguration=network,
)["tasks"][0]
details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
ip = details["privateIPv4Address"]

target_group = elbv2.create_target_group(
    Name="web-tg", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
)["TargetGroups"][0]["TargetGroupArn"]
elbv2.register_targets(TargetGroupArn=target_group, Targets=[{"Id": ip, "Port": 80}])

print(
    json.dumps(
        {
            "task": task["taskArn"],
            "ip": ip,
            "subnet": subnet,
            "group": group,
            "quarantine": quarantine,
            "target_group": target_group,
            "role": "web-task-role",
            "web1": web1,
            "web2": web2,
            "api1": api1,
            "api2": api2,
        }
    )
)
