"""Seeds a moto server for the network containment tests
(tests/respond_network_moto.rs).

Run with the moto virtualenv's Python (it has boto3):
    .venv-moto/bin/python tests/aws/seed_network.py http://127.0.0.1:PORT
Prints a JSON object with what was created. Everything is synthetic.

- VPC 10.20.0.0/16 has three subnet tiers, each with its own network ACL
  (allow all at rule 100, both ways): app, nat and endpoint.
- Service tier-svc (ECS deployments) runs in the app subnet with security
  group tier-svc-sg, which only its one task's interface uses. The task
  also has tier-task-sg, which the service's configuration does not name
  (it was started under an older one), and a public IP.
- Service tier-bg (CODE_DEPLOY deployments) has one task in the app subnet,
  with its own group tier-bg-sg.
- The VPC and the app subnet also have an IPv6 block, and a standalone
  task (tier-dual) in the app subnet is dual-stack: its interface has two
  IPv6 addresses (given with AssignIpv6Addresses, as moto's RunTask gives
  none). The other tasks have none.
"""
import ipaddress
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

created = ec2.create_vpc(CidrBlock="10.20.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
vpc = created["VpcId"]
vpc_ipv6 = created["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
# moto names a task's interface from the VPC's DNS hostnames.
ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})

subnets, acls = {}, {}
for number, tier in enumerate(["app", "nat", "endpoint"], start=1):
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{number}.0/24")["Subnet"]["SubnetId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=100,
            Protocol="-1",
            RuleAction="allow",
            Egress=egress,
            CidrBlock="0.0.0.0/0",
        )
    current = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet]}]
    )["NetworkAcls"][0]
    association = next(
        a["NetworkAclAssociationId"] for a in current["Associations"] if a["SubnetId"] == subnet
    )
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    subnets[tier], acls[tier] = subnet, acl

app_ipv6 = next(ipaddress.ip_network(vpc_ipv6).subnets(new_prefix=64))
ec2.associate_subnet_cidr_block(SubnetId=subnets["app"], Ipv6CidrBlock=str(app_ipv6))

service_group = ec2.create_security_group(
    GroupName="tier-svc-sg", Description="tier service", VpcId=vpc
)["GroupId"]
task_group = ec2.create_security_group(
    GroupName="tier-task-sg", Description="tier task", VpcId=vpc
)["GroupId"]
ec2.authorize_security_group_ingress(
    GroupId=task_group,
    IpPermissions=[
        {
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "IpRanges": [{"CidrIp": "10.20.0.0/16", "Description": "from the VPC"}],
        }
    ],
)
blue_green_group = ec2.create_security_group(
    GroupName="tier-bg-sg", Description="tier blue/green service", VpcId=vpc
)["GroupId"]
quarantine = ec2.create_security_group(
    GroupName="tier-quarantine", Description="no rules", VpcId=vpc
)["GroupId"]

ecs.create_cluster(clusterName="net")
definition = ecs.register_task_definition(
    family="tier",
    networkMode="awsvpc",
    requiresCompatibilities=["FARGATE"],
    cpu="256",
    memory="512",
    containerDefinitions=[
        {"name": "app", "image": "public.ecr.aws/docker/library/busybox:1", "memory": 512, "cpu": 256}
    ],
)["taskDefinition"]["taskDefinitionArn"]


def network(groups):
    return {
        "awsvpcConfiguration": {
            "subnets": [subnets["app"]],
            "securityGroups": groups,
            "assignPublicIp": "DISABLED",
        }
    }


tasks = {}
for service, controller, service_groups, task_groups in [
    ("tier-svc", "ECS", [service_group], [service_group, task_group]),
    ("tier-bg", "CODE_DEPLOY", [blue_green_group], [blue_green_group]),
]:
    ecs.create_service(
        cluster="net",
        serviceName=service,
        taskDefinition=definition,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network(service_groups),
        deploymentController={"type": controller},
    )
    task = ecs.run_task(
        cluster="net",
        taskDefinition=definition,
        count=1,
        launchType="FARGATE",
        startedBy="ecs-svc/1234567890123456789",
        group=f"service:{service}",
        networkConfiguration=network(task_groups),
    )["tasks"][0]
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    tasks[service] = {"arn": task["taskArn"], "ip": details["privateIPv4Address"]}
    if service == "tier-svc":
        # What assignPublicIp ENABLED gives a task (moto's RunTask does not).
        address = ec2.allocate_address(Domain="vpc")
        ec2.associate_address(
            AllocationId=address["AllocationId"], NetworkInterfaceId=details["networkInterfaceId"]
        )
        tasks[service]["public_ip"] = address["PublicIp"]

dual = ecs.run_task(
    cluster="net",
    taskDefinition=definition,
    count=1,
    launchType="FARGATE",
    startedBy="tier-dual",
    networkConfiguration=network([service_group]),
)["tasks"][0]
dual_details = {d["name"]: d["value"] for d in dual["attachments"][0]["details"]}
dual_ipv6 = ec2.assign_ipv6_addresses(
    NetworkInterfaceId=dual_details["networkInterfaceId"], Ipv6AddressCount=2
)["AssignedIpv6Addresses"]

print(
    json.dumps(
        {
            "vpc": vpc,
            "subnets": subnets,
            "acls": acls,
            "task": tasks["tier-svc"]["arn"],
            "ip": tasks["tier-svc"]["ip"],
            "public_ip": tasks["tier-svc"]["public_ip"],
            "blue_green_task": tasks["tier-bg"]["arn"],
            "dual_stack_task": dual["taskArn"],
            "dual_stack_ip": dual_details["privateIPv4Address"],
            "dual_stack_ipv6": dual_ipv6,
            "service_group": service_group,
            "task_group": task_group,
            "quarantine": quarantine,
        }
    )
)
