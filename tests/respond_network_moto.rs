//! Network containment against moto, seeded by tests/aws/seed_network.py:
//! a VPC with app, NAT and endpoint subnets, each with its own network ACL,
//! a service task in the app subnet, and a dual-stack task beside it. Every
//! call reaches moto, except one replayed `NetworkAclEntryAlreadyExists`
//! where a test says so.

mod binary;
#[path = "aws/moto.rs"]
mod moto;
#[path = "aws/replay.rs"]
mod replay;
#[path = "aws/respond.rs"]
mod respond;

use aws_smithy_types::body::SdkBody;
use moto::Moto;
use replay::Replay;
use respond::{audit_records, moto_config, moto_responder, step};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier, Mutex};
use taskscope::bundle::audit::{Entry, Record, ResultStatus, StepStatus};
use taskscope::respond::plan::StepId;
use taskscope::respond::request::ActionRequest;
use taskscope::respond::request::UndoRequest;
use taskscope::respond::request::{IsolateRequest, DEFAULT_RULE_QUOTA};
use taskscope::respond::{AwsResponder, Interrupt, Plan, Responder};

fn seed(moto: &Moto) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed_network.py");
    serde_json::from_slice(&moto.python(&[script.as_os_str()], &[])).expect("seed prints JSON")
}

fn text<'a>(seeded: &'a Value, pointer: &str) -> &'a str {
    seeded
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("the seed has {pointer}"))
}

fn request(task: &str, dir: &Path, quota: usize, quarantine: Option<&str>) -> ActionRequest {
    ActionRequest::Isolate(IsolateRequest {
        cluster: "net".into(),
        task: task.into(),
        incident: Some("INC-7".into()),
        protect_minutes: 60,
        quarantine_group: quarantine.map(str::to_string),
        nacl_rule_quota: quota,
        preserve_out: dir.join("evidence"),
        since: taskscope::model::time::now() - chrono::TimeDelta::hours(1),
        athena: None,
    })
}

/// The plan for the seeded service task, with only `steps` selected.
fn plan_only(responder: &mut AwsResponder, seeded: &Value, dir: &Path, steps: &[StepId]) -> Plan {
    let mut plan = responder
        .plan(&request(
            text(seeded, "/task"),
            dir,
            DEFAULT_RULE_QUOTA,
            None,
        ))
        .unwrap();
    plan.select_only(steps).unwrap();
    plan
}

/// Every entry of the VPC's ACLs for the task's /32, as
/// `[acl, rule number, egress, action]`, read with boto3, in the order of
/// their JSON text.
fn entries_for_the_task(moto: &Moto, seeded: &Value) -> Value {
    let cidr = format!("{}/32", text(seeded, "/ip"));
    entries_for(moto, seeded, "CidrBlock", &cidr)
}

/// Every entry of the VPC's ACLs whose `field` (`CidrBlock` or
/// `Ipv6CidrBlock`) is `cidr`, as [`entries_for_the_task`] gives them.
fn entries_for(moto: &Moto, seeded: &Value, field: &str, cidr: &str) -> Value {
    let code = r#"
import boto3, json, sys
url, vpc, field, cidr = sys.argv[1:5]
ec2 = boto3.client("ec2", endpoint_url=url, region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
print(json.dumps([[a["NetworkAclId"], e["RuleNumber"], e["Egress"], e["RuleAction"]]
                  for a in acls for e in a["Entries"] if e.get(field) == cidr]))
"#;
    let out = moto.python(
        &["-c".as_ref(), code.as_ref()],
        &[text(seeded, "/vpc"), field, cidr],
    );
    let mut entries: Vec<Value> = serde_json::from_slice(&out).unwrap();
    entries.sort_by_key(|entry| entry.to_string());
    Value::Array(entries)
}

/// The deny entries one inbound and one outbound in each of `acls`, at the
/// rule numbers given, sorted as [`entries_for_the_task`] sorts them.
fn denies(acls: &[(&str, i64, i64)]) -> Value {
    let mut expected: Vec<Value> = acls
        .iter()
        .flat_map(|(acl, inbound, outbound)| {
            [
                json!([acl, inbound, false, "deny"]),
                json!([acl, outbound, true, "deny"]),
            ]
        })
        .collect();
    expected.sort_by_key(|entry| entry.to_string());
    Value::Array(expected)
}

/// Runs `code` against the moto server at `url`, with boto3's EC2 client as
/// `ec2` and `sys.argv[2:]` as `args`.
fn ec2_python(url: &str, code: &str, args: &[&str]) {
    let program = format!(
        "import boto3, sys\nargs = sys.argv[2:]\nec2 = boto3.client('ec2', endpoint_url=sys.argv[1], \
         region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\n{code}"
    );
    moto::python_at(url, &["-c".as_ref(), program.as_ref()], args);
}

/// An EC2 error response (synthetic, in EC2's XML error format).
fn ec2_error(code: &str, message: &str) -> http::Response<SdkBody> {
    http::Response::builder()
        .status(400)
        .header("content-type", "text/xml")
        .body(SdkBody::from(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error>\
             <Code>{code}</Code><Message>{message}</Message></Error></Errors>\
             <RequestID>replayed-error</RequestID></Response>"
        )))
        .unwrap()
}

/// A configuration for `moto` whose HTTP client asks `answer` first
/// (tests/aws/replay.rs).
fn replaying(
    moto: &Moto,
    answer: impl Fn(&http::Request<SdkBody>) -> Option<http::Response<SdkBody>> + Send + Sync + 'static,
) -> aws_config::SdkConfig {
    let fallback = taskscope::collect::aws::https_client();
    moto_config(moto)
        .into_builder()
        .http_client(Replay::before(fallback, answer))
        .build()
}

/// The `call` records of an audit log: (operation, parameters, prior, output).
fn call_records(records: &[Record]) -> Vec<(String, Value, Value, Value)> {
    records
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Call {
                operation,
                parameters,
                prior,
                output,
                ..
            } => Some((
                operation.clone(),
                parameters.clone(),
                prior.clone(),
                output.clone(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn contain_nacl_denies_the_task_at_the_boundaries_of_the_other_subnets() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let mut responder = moto_responder(&moto, moto_config(&moto));
    let plan = plan_only(&mut responder, &seeded, dir.path(), &[StepId::ContainNacl]);

    // The plan says what ACLs cannot block: the task's own subnet, and its
    // public IP's internet traffic.
    let own = format!(
        "cannot block traffic between the task and anything else in its own subnet {}",
        text(&seeded, "/subnets/app")
    );
    let public = format!(
        "the task has the public IP {}: its internet traffic",
        text(&seeded, "/public_ip")
    );
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains(&own) && w.contains(&public) && w.contains("stop ends")),
        "{:?}",
        plan.warnings
    );
    let (app, nat, endpoint) = (
        text(&seeded, "/acls/app"),
        text(&seeded, "/acls/nat"),
        text(&seeded, "/acls/endpoint"),
    );
    let nacl = step(&plan, StepId::ContainNacl);
    let radius = nacl.blast_radius.as_deref().unwrap_or_default();
    assert!(
        radius.contains(nat) && radius.contains(endpoint) && !radius.contains(app),
        "{radius}"
    );

    let bundle = dir.path().join("audit");
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    // Inbound entries match the source, outbound the destination: with the
    // task's /32 as the block, both ways, in the NAT and endpoint ACLs; none
    // in the app subnet's, where it would match nothing.
    assert_eq!(
        entries_for_the_task(&moto, &seeded),
        denies(&[(nat, 1, 1), (endpoint, 1, 1)])
    );
    let after = outcome.after["networkAclDenies"].as_array().unwrap();
    assert_eq!(after.len(), 4, "{after:?}");

    // Running it again finds the work done.
    let again = plan_only(&mut responder, &seeded, dir.path(), &[StepId::ContainNacl]);
    let nacl = step(&again, StepId::ContainNacl);
    assert!(
        nacl.unavailable
            .as_deref()
            .is_some_and(|why| why.contains("already deny")),
        "{nacl:?}"
    );
}

#[test]
fn contain_nacl_denies_a_dual_stack_tasks_ipv6_addresses_and_undo_removes_them() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let mut responder = moto_responder(&moto, moto_config(&moto));
    let ipv6: Vec<&str> = seeded["dual_stack_ipv6"]
        .as_array()
        .expect("the seed gives the dual-stack task IPv6 addresses")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(ipv6.len(), 2, "{seeded}");
    let mut plan = responder
        .plan(&request(
            text(&seeded, "/dual_stack_task"),
            dir.path(),
            DEFAULT_RULE_QUOTA,
            None,
        ))
        .unwrap();
    plan.select_only(&[StepId::ContainNacl]).unwrap();
    // The addresses come from DescribeNetworkInterfaces (moto's task
    // attachment carries no ipv6Address).
    assert_eq!(plan.before["ipv6Addresses"], json!(ipv6));
    let nacl = step(&plan, StepId::ContainNacl);
    assert_eq!(nacl.calls.len(), 12, "three blocks, two ACLs, both ways");

    let bundle = dir.path().join("audit");
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    let (nat, endpoint) = (text(&seeded, "/acls/nat"), text(&seeded, "/acls/endpoint"));
    let ipv4 = format!("{}/32", text(&seeded, "/dual_stack_ip"));
    assert_eq!(
        entries_for(&moto, &seeded, "CidrBlock", &ipv4),
        denies(&[(nat, 1, 1), (endpoint, 1, 1)])
    );
    for (address, rule) in ipv6.iter().zip([2, 3]) {
        assert_eq!(
            entries_for(&moto, &seeded, "Ipv6CidrBlock", &format!("{address}/128")),
            denies(&[(nat, rule, rule), (endpoint, rule, rule)]),
            "{address}"
        );
    }
    let after = outcome.after["networkAclDenies"].as_array().unwrap();
    assert_eq!(after.len(), 12, "{after:?}");

    // The audit log records the IPv6 block in the parameter it was sent in.
    let calls = call_records(&audit_records(&bundle));
    let sent_ipv6: Vec<&Value> = calls
        .iter()
        .filter(|(op, p, _, _)| op == "ec2:CreateNetworkAclEntry" && p["CidrBlock"].is_null())
        .map(|(_, p, _, _)| &p["Ipv6CidrBlock"])
        .collect();
    assert_eq!(sent_ipv6.len(), 8, "{calls:?}");
    assert!(sent_ipv6
        .iter()
        .all(|block| ipv6.iter().any(|a| *block == &json!(format!("{a}/128")))));

    // Running it again finds the IPv6 denies too.
    let mut again = responder
        .plan(&request(
            text(&seeded, "/dual_stack_task"),
            dir.path(),
            DEFAULT_RULE_QUOTA,
            None,
        ))
        .unwrap();
    again.select_only(&[StepId::ContainNacl]).unwrap();
    let nacl = step(&again, StepId::ContainNacl);
    assert!(
        nacl.unavailable
            .as_deref()
            .is_some_and(|why| why.contains("already deny") && why.contains(ipv6[1])),
        "{nacl:?}"
    );

    // Undo deletes every entry, the IPv6 ones included.
    let undo = responder
        .plan(&ActionRequest::Undo(UndoRequest {
            bundle: bundle.clone(),
            action: None,
        }))
        .unwrap();
    assert_eq!(undo.mutating_calls(), 12, "{:#?}", undo.steps);
    let undone = responder.apply(&undo, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(undone.status, ResultStatus::Completed, "{:?}", undone.error);
    for address in &ipv6 {
        let cidr = format!("{address}/128");
        assert_eq!(
            entries_for(&moto, &seeded, "Ipv6CidrBlock", &cidr),
            json!([])
        );
    }
    assert_eq!(entries_for(&moto, &seeded, "CidrBlock", &ipv4), json!([]));
}

#[test]
fn an_acl_at_its_rule_quota_makes_the_step_unavailable_and_the_rest_still_plans() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let nat = text(&seeded, "/acls/nat");
    // With the seed's allow at rule 100, the NAT ACL's inbound rules reach
    // the default quota.
    ec2_python(
        &moto.url,
        "for n in range(19):\n    ec2.create_network_acl_entry(NetworkAclId=args[0], RuleNumber=200 + n, \
         Protocol='-1', RuleAction='allow', Egress=False, CidrBlock=f'10.99.{n}.0/24')",
        &[nat],
    );
    let mut responder = moto_responder(&moto, moto_config(&moto));
    let task = text(&seeded, "/task");
    let plan = responder
        .plan(&request(task, dir.path(), DEFAULT_RULE_QUOTA, None))
        .unwrap();
    let nacl = step(&plan, StepId::ContainNacl);
    let why = nacl.unavailable.as_deref().unwrap_or_default();
    assert!(why.contains(&format!("{nat} inbound (20 of 20)")), "{why}");
    assert!(why.contains("quota is 20 rules"), "{why}");
    assert!(why.contains("--nacl-rule-quota"), "{why}");
    assert!(
        !nacl.will_run() && nacl.calls.is_empty(),
        "no partial deny: {nacl:?}"
    );
    // (protect reads GetTaskProtection, which moto lacks: not checked here)
    for id in [StepId::Preserve, StepId::Stop] {
        assert!(step(&plan, id).will_run(), "{id:?} still plans");
    }

    // With a raised quota, there is room again.
    let raised = responder
        .plan(&request(task, dir.path(), 21, None))
        .unwrap();
    let nacl = step(&raised, StepId::ContainNacl);
    assert!(nacl.will_run(), "{nacl:?}");
    assert_eq!(nacl.calls.len(), 4, "two ACLs, both ways");
}

#[test]
fn rule_numbers_taken_after_planning_or_while_sending_are_handled() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let (nat, endpoint) = (
        text(&seeded, "/acls/nat").to_string(),
        text(&seeded, "/acls/endpoint").to_string(),
    );
    let cidr = format!("{}/32", text(&seeded, "/ip"));
    // The first CreateNetworkAclEntry of each ACL's inbound rules is
    // answered NetworkAclEntryAlreadyExists (replayed, in EC2's error
    // format) after making in moto what explains it: for the NAT ACL,
    // another run's entry at that number; for the endpoint ACL, the very
    // entry asked for, as when the response to a call that succeeded is lost
    // and the SDK's retry finds the entry. Every other request reaches moto.
    let answered = Arc::new(Mutex::new(Vec::<String>::new()));
    let (url, wanted) = (moto.url.clone(), cidr.clone());
    let (nat_id, endpoint_id) = (nat.clone(), endpoint.clone());
    let config = replaying(&moto, move |request| {
        if replay::operation(request) != "CreateNetworkAclEntry" {
            return None;
        }
        let body = String::from_utf8_lossy(request.body().bytes().unwrap_or_default());
        let field = |name: &str| {
            body.split('&')
                .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                .unwrap_or_default()
                .to_string()
        };
        let acl = field("NetworkAclId");
        let mut answered = answered.lock().unwrap();
        if field("Egress") != "false" || answered.contains(&acl) {
            return None;
        }
        let rule = field("RuleNumber");
        let block = if acl == nat_id {
            "10.98.0.0/24"
        } else if acl == endpoint_id {
            wanted.as_str()
        } else {
            return None;
        };
        ec2_python(
            &url,
            "ec2.create_network_acl_entry(NetworkAclId=args[0], RuleNumber=int(args[1]), \
             Protocol='-1', RuleAction='deny', Egress=False, CidrBlock=args[2])",
            &[&acl, &rule, block],
        );
        answered.push(acl);
        Some(ec2_error(
            "NetworkAclEntryAlreadyExists",
            &format!("The network acl entry identified by {rule} already exists."),
        ))
    });
    let mut responder = moto_responder(&moto, config);
    let plan = plan_only(&mut responder, &seeded, dir.path(), &[StepId::ContainNacl]);
    let planned: Vec<i64> = step(&plan, StepId::ContainNacl)
        .calls
        .iter()
        .map(|c| c.parameters["RuleNumber"].as_i64().unwrap())
        .collect();
    assert_eq!(planned, [1, 1, 1, 1]);

    // Another entry takes rule 1 of the NAT ACL's inbound rules after
    // planning.
    ec2_python(
        &moto.url,
        "ec2.create_network_acl_entry(NetworkAclId=args[0], RuleNumber=1, Protocol='6', \
         RuleAction='deny', Egress=False, CidrBlock='10.99.0.0/24', PortRange={'From': 22, 'To': 22})",
        &[&nat],
    );
    let bundle = dir.path().join("audit");
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    // NAT inbound: 1 was taken before the call, 2 while it was sent, so 3.
    // Endpoint inbound: the entry made at 1 is this run's, once.
    assert_eq!(
        entries_for_the_task(&moto, &seeded),
        denies(&[(nat.as_str(), 3, 1), (endpoint.as_str(), 1, 1)])
    );

    // The audit log records the numbers actually used, and how they came.
    let calls = call_records(&audit_records(&bundle));
    let inbound = |acl: &str| {
        calls
            .iter()
            .find(|(op, p, _, _)| {
                op == "ec2:CreateNetworkAclEntry"
                    && p["NetworkAclId"] == acl
                    && p["Egress"] == false
            })
            .cloned()
            .expect("the inbound call is recorded")
    };
    let (_, parameters, _, output) = inbound(&nat);
    assert_eq!(parameters["RuleNumber"], 3, "{parameters}");
    assert_eq!(parameters["CidrBlock"], cidr);
    assert_eq!(
        output,
        json!({"ruleNumber": 3, "alreadyPresent": false, "numbersTaken": [2]})
    );
    let (_, parameters, _, output) = inbound(&endpoint);
    assert_eq!(parameters["RuleNumber"], 1, "{parameters}");
    assert_eq!(
        output,
        json!({"ruleNumber": 1, "alreadyPresent": true, "numbersTaken": [1]})
    );
}

#[test]
fn an_acl_aws_finds_full_fails_the_step_saying_so() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    // AWS's quota for this account is lower than --nacl-rule-quota says:
    // every CreateNetworkAclEntry is refused (replayed).
    let config = replaying(&moto, |request| {
        (replay::operation(request) == "CreateNetworkAclEntry").then(|| {
            ec2_error(
                "NetworkAclEntryLimitExceeded",
                "The maximum number of network acl entries has been reached.",
            )
        })
    });
    let mut responder = moto_responder(&moto, config);
    let plan = plan_only(&mut responder, &seeded, dir.path(), &[StepId::ContainNacl]);
    let outcome = responder.apply(
        &plan,
        &dir.path().join("audit"),
        "--yes",
        &Interrupt::new(),
        &mut |_| {},
    );
    assert_eq!(outcome.status, ResultStatus::Failed);
    let error = outcome.error.unwrap_or_default();
    let full = format!("{} is full", text(&seeded, "/acls/nat"));
    assert!(error.contains(&full), "{error}");
    assert!(error.contains("\"Rules per network ACL\""), "{error}");
    assert_eq!(entries_for_the_task(&moto, &seeded), json!([]));
}

#[test]
fn concurrent_isolations_of_one_task_deny_once_and_both_complete() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let runs: Vec<_> = (0..2)
        .map(|run| {
            let mut responder = moto_responder(&moto, moto_config(&moto));
            let (seeded, barrier) = (seeded.clone(), barrier.clone());
            let dir = dir.path().join(format!("run-{run}"));
            std::fs::create_dir(&dir).unwrap();
            std::thread::spawn(move || {
                let plan = plan_only(&mut responder, &seeded, &dir, &[StepId::ContainNacl]);
                barrier.wait();
                responder.apply(
                    &plan,
                    &dir.join("audit"),
                    "--yes",
                    &Interrupt::new(),
                    &mut |_| {},
                )
            })
        })
        .collect();
    for run in runs {
        let outcome = run.join().expect("the run ends");
        assert_eq!(
            outcome.status,
            ResultStatus::Completed,
            "{:?}",
            outcome.error
        );
        let nacl = outcome.steps.iter().find(|s| s.step == "contain-nacl");
        assert_eq!(nacl.map(|s| s.status), Some(StepStatus::Done));
    }
    let (nat, endpoint) = (text(&seeded, "/acls/nat"), text(&seeded, "/acls/endpoint"));
    assert_eq!(
        entries_for_the_task(&moto, &seeded),
        denies(&[(nat, 1, 1), (endpoint, 1, 1)]),
        "exactly one deny per direction per ACL"
    );
}

#[test]
fn a_group_the_service_names_is_not_the_tasks_own() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let mut responder = moto_responder(&moto, moto_config(&moto));
    let plan = plan_only(&mut responder, &seeded, dir.path(), &[StepId::ContainGroup]);
    let (service_group, task_group) = (
        text(&seeded, "/service_group"),
        text(&seeded, "/task_group"),
    );
    // The service's group is used by this one interface, but every task the
    // service starts gets it: it is named in a warning, never revoked.
    assert!(
        plan.warnings.iter().any(|w| w.contains(&format!(
            "{service_group} is in service tier-svc's network configuration"
        ))),
        "{:?}",
        plan.warnings
    );
    let group = step(&plan, StepId::ContainGroup);
    assert!(
        group
            .calls
            .iter()
            .all(|c| c.parameters["GroupId"] == task_group),
        "{:?}",
        group.calls
    );

    let bundle = dir.path().join("audit");
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    // The record keeps the removed rule whole, to authorize it again.
    let calls = call_records(&audit_records(&bundle));
    let ingress = calls
        .iter()
        .find(|(op, ..)| op == "ec2:RevokeSecurityGroupIngress")
        .expect("the ingress revoke is recorded");
    let rules = ingress.2["Rules"].as_array().unwrap();
    assert_eq!(ingress.2["GroupId"], task_group);
    assert_eq!(rules.len(), 1, "{rules:?}");
    let mut rule = rules[0].clone();
    assert!(rule["SecurityGroupRuleId"]
        .as_str()
        .is_some_and(|id| id.starts_with("sgr-")));
    rule.as_object_mut().unwrap().remove("SecurityGroupRuleId");
    assert_eq!(
        rule,
        json!({"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
               "CidrIpv4": "10.20.0.0/16", "Description": "from the VPC"})
    );
}

#[test]
fn quarantine_records_the_previous_configuration_and_refuses_other_controllers() {
    let moto = Moto::start();
    let seeded = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let mut responder = moto_responder(&moto, moto_config(&moto));
    let quarantine = text(&seeded, "/quarantine");
    let previous = json!({"networkConfiguration": {"awsvpcConfiguration": {
        "subnets": [text(&seeded, "/subnets/app")],
        "securityGroups": [text(&seeded, "/service_group")],
        "assignPublicIp": "DISABLED",
    }}});
    let mut plan = responder
        .plan(&request(
            text(&seeded, "/task"),
            dir.path(),
            DEFAULT_RULE_QUOTA,
            Some(quarantine),
        ))
        .unwrap();
    plan.select_only(&[StepId::Quarantine]).unwrap();
    let call = &step(&plan, StepId::Quarantine).calls[0];
    assert_eq!(call.prior, previous);
    assert_eq!(
        call.parameters["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"],
        json!([quarantine])
    );
    let bundle = dir.path().join("audit");
    let outcome = responder.apply(&plan, &bundle, "--yes", &Interrupt::new(), &mut |_| {});
    assert_eq!(
        outcome.status,
        ResultStatus::Completed,
        "{:?}",
        outcome.error
    );
    let calls = call_records(&audit_records(&bundle));
    assert_eq!(calls[0].0, "ecs:UpdateService");
    assert_eq!(
        calls[0].2, previous,
        "the audit keeps the configuration before"
    );

    // UpdateService cannot change a blue/green service's network.
    let blue_green = responder
        .plan(&request(
            text(&seeded, "/blue_green_task"),
            dir.path(),
            DEFAULT_RULE_QUOTA,
            Some(quarantine),
        ))
        .unwrap();
    let why = step(&blue_green, StepId::Quarantine)
        .unavailable
        .clone()
        .unwrap_or_default();
    assert!(why.contains("deployed by CODE_DEPLOY"), "{why}");
}
