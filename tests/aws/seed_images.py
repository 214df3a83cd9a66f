"""Seeds a moto server with a task that runs an ECR image, for
tests/collect_images_moto.rs. Everything is synthetic.

Run with the moto virtualenv's Python (it has boto3):
    .venv-moto/bin/python tests/aws/seed_images.py http://127.0.0.1:PORT MODE
MODE `inspector`: Amazon Inspector scans ECR, and ListFindings is given a
critical finding with a known exploit on the image; the image has a cosign
signature tag. MODE `basic`: Inspector is not enabled, and the image has an
ECR basic scan (moto's static result). Prints a JSON object with the task
ARN and the image digest.
"""
import json
import sys
import urllib.request

import boto3

endpoint, mode = sys.argv[1], sys.argv[2]
session = dict(
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)
account = "123456789012"
ecr = boto3.client("ecr", **session)
ecs = boto3.client("ecs", **session)
ec2 = boto3.client("ec2", **session)
inspector = boto3.client("inspector2", **session)


def manifest(seed):
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "size": 1, "digest": "sha256:" + seed * 64},
        # moto derives the digest from the layers' digests.
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": 1, "digest": "sha256:" + seed * 64}],
    })


ecr.create_repository(repositoryName="payments/api")
image = ecr.put_image(repositoryName="payments/api", imageManifest=manifest("a"), imageTag="v7")
digest = image["image"]["imageId"]["imageDigest"]
reference = f"{account}.dkr.ecr.us-east-1.amazonaws.com/payments/api@{digest}"

if mode == "inspector":
    inspector.enable(accountIds=[account], resourceTypes=["ECR"])
    # cosign keeps the signature of DIGEST as the tag sha256-<hex>.sig.
    signature_tag = digest.replace("sha256:", "sha256-") + ".sig"
    ecr.put_image(repositoryName="payments/api", imageManifest=manifest("b"), imageTag=signature_tag)
    finding = {
        "awsAccountId": account,
        "findingArn": f"arn:aws:inspector2:us-east-1:{account}:finding/0123456789abcdef0123456789abcdef",
        "type": "PACKAGE_VULNERABILITY",
        "title": "CVE-2026-41077 - jinja2 (synthetic)",
        "description": "Synthetic test finding.",
        "severity": "CRITICAL",
        "status": "ACTIVE",
        "exploitAvailable": "YES",
        "fixAvailable": "YES",
        "firstObservedAt": 1795000000.0,
        "lastObservedAt": 1795000000.0,
        "packageVulnerabilityDetails": {
            "vulnerabilityId": "CVE-2026-41077",
            "source": "NVD",
            "vulnerablePackages": [
                {"name": "jinja2", "version": "3.1.2", "fixedInVersion": "3.1.6",
                 "packageManager": "PYTHONPKG"}
            ],
        },
        "resources": [{
            "type": "AWS_ECR_CONTAINER_IMAGE",
            "id": f"arn:aws:ecr:us-east-1:{account}:repository/payments/api/{digest}",
            "region": "us-east-1",
            "details": {"awsEcrContainerImage": {
                "registry": account, "repositoryName": "payments/api",
                "imageHash": digest, "imageTags": ["v7"], "pushedAt": 1794990000.0,
            }},
        }],
    }
    body = json.dumps({"results": [[finding]], "account_id": account, "region": "us-east-1"})
    request = urllib.request.Request(
        f"{endpoint}/moto-api/static/inspector2/findings-results",
        data=body.encode(), headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request).read()
else:
    ecr.start_image_scan(repositoryName="payments/api", imageId={"imageDigest": digest})

ecs.create_cluster(clusterName="supply")
ecs.register_task_definition(
    family="api",
    networkMode="awsvpc",
    requiresCompatibilities=["FARGATE"],
    cpu="256",
    memory="512",
    containerDefinitions=[{"name": "app", "image": reference, "memory": 512, "cpu": 256,
                           "essential": True}],
)
subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
started = ecs.run_task(
    cluster="supply",
    taskDefinition="api",
    count=1,
    launchType="FARGATE",
    networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": []}},
)
print(json.dumps({"task": started["tasks"][0]["taskArn"], "digest": digest}))
