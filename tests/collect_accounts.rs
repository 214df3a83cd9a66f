//! Collection across the accounts of an organization, against moto on
//! loopback: moto serves Organizations (CreateOrganization, CreateAccount,
//! ListAccounts) and maps the credentials of a role assumed in a member
//! account to that account, so the member's task really lives apart from
//! the administrator's (tests/aws/seed_accounts.py). moto's AssumeRole
//! refuses nothing, so a denied account is replayed: STS's real-format
//! AccessDenied answers the AssumeRole into it, and everything else goes to
//! moto.

mod binary;
#[path = "aws/moto.rs"]
mod moto;
#[path = "aws/replay.rs"]
mod replay;
#[path = "aws/respond.rs"]
mod respond;

use moto::Moto;
use replay::Replay;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use taskscope::bundle::growing::GrowingBundle;
use taskscope::bundle::manifest::{CollectRequest, CollectionState, SourceStatus};
use taskscope::bundle::Bundle;
use taskscope::collect::accounts::Reach;
use taskscope::collect::members::{AccountSelection, MemberAccounts};
use taskscope::collect::sink::BundleSink;
use taskscope::collect::{Collection, Scope, ASSUME_ROLE_SOURCE};

const EXIT_PARTIAL: i32 = 3;
/// moto's default account: the investigating (administrator) account.
const ADMIN: &str = "123456789012";
const ROLE: &str = "TaskscopeInvestigator";
/// An account whose role refuses the investigator (replayed).
const DENIED: &str = "999999999999";

/// The organization of tests/aws/seed_accounts.py.
struct Organization {
    member: String,
    member_task: String,
    admin_task: String,
}

fn seed(moto: &Moto) -> Organization {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed_accounts.py");
    let printed = moto.python(&[script.as_os_str()], &[ROLE]);
    let seeded: Value = serde_json::from_slice(&printed).expect("the seed script prints JSON");
    let text = |key: &str| seeded[key].as_str().unwrap().to_string();
    Organization {
        member: text("member"),
        member_task: text("member_task"),
        admin_task: text("admin_task"),
    }
}

fn manifest(bundle: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap()
}

/// The report of `source` in `account`.
fn report<'a>(manifest: &'a Value, source: &str, account: &str) -> &'a Value {
    manifest["collection"]["source_reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == source && r["account"] == account)
        .unwrap_or_else(|| panic!("no report for {source} in {account}: {manifest}"))
}

fn taskscope(args: &[&str]) -> std::process::Output {
    binary::command()
        .args(args)
        .output()
        .expect("taskscope runs")
}

#[test]
fn collect_from_the_administrator_finds_the_member_accounts_task() {
    let moto = Moto::start();
    let org = seed(&moto);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("org");
    let output = moto
        .taskscope()
        .env("USER", "alice smith")
        .args(["collect", "--region", "us-east-1", "--cluster", "prod"])
        .args(["--accounts", "all", "--role-name", ROLE, "--since", "2d"])
        .arg("--out")
        .arg(&bundle)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // moto lacks GuardDuty findings and LookupEvents: partial, as for one account.
    assert_eq!(output.status.code(), Some(EXIT_PARTIAL), "{stderr}");

    let manifest = manifest(&bundle);
    let request = &manifest["collection"]["request"];
    assert_eq!(request["accounts"][0], ADMIN, "{request}");
    assert_eq!(request["accounts"][1], org.member.as_str(), "{request}");
    assert_eq!(request["role_name"], ROLE);
    // Each account's sources ran, and say which account they ran in.
    for account in [ADMIN, org.member.as_str()] {
        for source in ["ecs", "cloudwatch-logs"] {
            let report = report(&manifest, source, account);
            assert_eq!(report["status"], "complete", "{report}");
            assert_eq!(report["region"], "us-east-1");
        }
    }
    // The responses say which account they came from.
    let described: Vec<&str> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|input| input["origin"]["operation"] == "DescribeTasks")
        .map(|input| input["origin"]["account"].as_str().unwrap())
        .collect();
    assert!(described.contains(&org.member.as_str()), "{described:?}");
    assert!(described.contains(&ADMIN), "{described:?}");
    // The summary names the accounts, as the bundle spans two.
    assert!(
        stderr.contains(&format!("ecs              {:<13}us-east-1", org.member)),
        "{stderr}"
    );

    // Both tasks are in the bundle, each with its own account.
    let tasks = taskscope(&["tasks", bundle.to_str().unwrap(), "--format", "json"]);
    let rows: Vec<Value> = serde_json::from_slice(&tasks.stdout).unwrap();
    let row = |arn: &str| {
        rows.iter()
            .find(|r| r["arn"] == arn)
            .unwrap_or_else(|| panic!("{arn} not in {rows:?}"))
            .clone()
    };
    assert_eq!(row(&org.member_task)["account"], org.member.as_str());
    assert_eq!(row(&org.admin_task)["account"], ADMIN);
    let table = taskscope(&["tasks", bundle.to_str().unwrap()]);
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("ACCOUNT"), "{table}");
    assert!(table.contains(&org.member), "{table}");

    assert!(taskscope(&["verify", bundle.to_str().unwrap()])
        .status
        .success());
}

#[test]
fn account_ids_are_checked_and_the_role_is_required() {
    let bad = taskscope(&[
        "collect",
        "--accounts",
        "12345",
        "--role-name",
        ROLE,
        "--out",
        "x",
    ]);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(
        stderr.contains("12345: not an AWS account ID (12 digits)"),
        "{stderr}"
    );
    let without_role = taskscope(&["collect", "--accounts", "all", "--out", "x"]);
    let stderr = String::from_utf8_lossy(&without_role.stderr);
    assert!(!without_role.status.success());
    assert!(stderr.contains("--role-name"), "{stderr}");
}

#[test]
fn all_accounts_outside_an_organization_is_one_clear_error() {
    // moto lists no accounts outside an organization; AWS refuses, as replayed.
    let client = Replay::only(|request| {
        assert_eq!(replay::operation(request), "ListAccounts");
        Some(replay::json_response(
            400,
            &serde_json::json!({
                "__type": "AWSOrganizationsNotInUseException",
                "Message": "Your account is not a member of an organization."
            }),
        ))
    });
    let members = MemberAccounts {
        selection: AccountSelection::All,
        role_name: ROLE.into(),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let error = runtime
        .block_on(Reach::resolve(
            vec![(replay::config(client, 1), ADMIN.into())],
            &members,
        ))
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "--accounts all: organizations:ListAccounts failed in us-east-1: \
         AWSOrganizationsNotInUseException: Your account is not a member of an organization.; \
         name the accounts instead (--accounts ID,ID)"
    );
}

/// An STS Query-protocol response.
fn sts_xml(status: u16, body: &str) -> http::Response<aws_smithy_types::body::SdkBody> {
    http::Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .body(aws_smithy_types::body::SdkBody::from(body.to_string()))
        .unwrap()
}

#[test]
fn all_reads_every_page_of_accounts_and_keeps_the_active_ones() {
    let client = Replay::only(|request| {
        let body = String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).into_owned();
        Some(match replay::operation(request).as_str() {
            "ListAccounts" if body.contains("NextToken") => replay::json_response(
                200,
                &serde_json::json!({"Accounts": [
                    {"Id": "333333333333", "State": "SUSPENDED", "Status": "SUSPENDED"},
                    {"Id": "444444444444", "State": "ACTIVE", "Status": "ACTIVE"}
                ]}),
            ),
            "ListAccounts" => replay::json_response(
                200,
                &serde_json::json!({"Accounts": [
                    {"Id": ADMIN, "State": "ACTIVE", "Status": "ACTIVE"},
                    {"Id": "111111111111", "State": "ACTIVE", "Status": "ACTIVE"}
                ], "NextToken": "page-2"}),
            ),
            // A GovCloud caller: member roles are in its partition.
            "GetCallerIdentity" => sts_xml(
                200,
                &format!(
                    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                     <GetCallerIdentityResult><Arn>arn:aws-us-gov:iam::{ADMIN}:user/investigator</Arn>\
                     <UserId>AIDAEXAMPLE</UserId><Account>{ADMIN}</Account></GetCallerIdentityResult>\
                     <ResponseMetadata><RequestId>who-1</RequestId></ResponseMetadata>\
                     </GetCallerIdentityResponse>"
                ),
            ),
            "AssumeRole" => {
                assert!(body.contains("RoleSessionName=taskscope-"), "{body}");
                sts_xml(
                    403,
                    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                     <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>denied</Message></Error>\
                     <RequestId>denied-1</RequestId></ErrorResponse>",
                )
            }
            other => panic!("unexpected {other}"),
        })
    });
    let members = MemberAccounts {
        selection: AccountSelection::All,
        role_name: ROLE.into(),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let reach = runtime
        .block_on(Reach::resolve(
            vec![(replay::config(client, 1), ADMIN.into())],
            &members,
        ))
        .unwrap();
    // The caller's own account, with its own credentials.
    let targets: Vec<&str> = reach.targets.iter().map(|t| t.account.as_str()).collect();
    assert_eq!(targets, [ADMIN]);
    // Both pages were read; the suspended account is left out.
    let tried: Vec<&str> = reach
        .unreachable
        .iter()
        .map(|u| u.account.as_str())
        .collect();
    assert_eq!(tried, ["111111111111", "444444444444"]);
    assert!(
        reach.unreachable[0].line.contains(&format!(
            "cannot assume arn:aws-us-gov:iam::111111111111:role/{ROLE}"
        )),
        "{:?}",
        reach.unreachable
    );
}

/// STS's AccessDenied for an AssumeRole (the Query protocol's XML error).
fn assume_role_denied() -> http::Response<aws_smithy_types::body::SdkBody> {
    http::Response::builder()
        .status(403)
        .header("content-type", "text/xml")
        .body(aws_smithy_types::body::SdkBody::from(format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <Error><Type>Sender</Type><Code>AccessDenied</Code>\
             <Message>User: arn:aws:iam::{ADMIN}:user/investigator is not authorized to perform: \
             sts:AssumeRole on resource: arn:aws:iam::{DENIED}:role/{ROLE}</Message>\
             </Error><RequestId>denied-assume-1</RequestId></ErrorResponse>"
        )))
        .unwrap()
}

#[test]
fn a_denied_account_is_reported_and_the_others_are_collected() {
    let moto = Moto::start();
    let org = seed(&moto);
    let fallback = taskscope::collect::aws::https_client();
    let client = Replay::before(fallback, |request| {
        let body = String::from_utf8_lossy(request.body().bytes().unwrap_or_default()).into_owned();
        (replay::operation(request) == "AssumeRole" && body.contains(DENIED))
            .then(assume_role_denied)
    });
    let config = respond::moto_config(&moto)
        .into_builder()
        .http_client(client)
        .build();
    let members = MemberAccounts {
        selection: AccountSelection::Listed(vec![DENIED.into(), org.member.clone()]),
        role_name: ROLE.into(),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let reach = runtime
        .block_on(Reach::resolve(vec![(config, ADMIN.into())], &members))
        .expect("listed accounts need no Organizations call");
    assert_eq!(reach.targets.len(), 1, "only the member is reachable");
    assert_eq!(reach.targets[0].account, org.member);
    let line = &reach.unreachable[0].line;
    assert!(
        line.starts_with(&format!(
            "account {DENIED}: cannot assume arn:aws:iam::{DENIED}:role/{ROLE}: \
             missing permission sts:AssumeRole in us-east-1 (AccessDenied: User: "
        )),
        "{line}"
    );

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bundle");
    let bundle = GrowingBundle::create(&root, CollectRequest::default()).unwrap();
    let sink = Arc::new(BundleSink::new(bundle, |_| {}));
    let now = taskscope::model::time::now();
    let scope = Scope {
        cluster: Some("prod".into()),
        service: None,
        task: None,
        from: now - chrono::TimeDelta::days(2),
        to: now,
        log_groups: Vec::new(),
        archive_log_group: None,
        athena: None,
    };
    let collection = Collection::new(scope, &reach, sink.clone());
    runtime.block_on(collection.run(|| {}));
    let manifest = sink
        .finish(collection.reports(), CollectionState::Complete)
        .unwrap();
    assert!(manifest.collection.partial);
    let reports = &manifest.collection.source_reports;
    let denied = reports
        .iter()
        .find(|r| r.account == DENIED)
        .expect("the denied account is reported");
    assert_eq!(denied.source, ASSUME_ROLE_SOURCE);
    assert_eq!(denied.status, SourceStatus::Failed);
    assert_eq!(&denied.errors[0], line);
    let member_ecs = reports
        .iter()
        .find(|r| r.account == org.member && r.source == "ecs")
        .unwrap();
    assert_eq!(member_ecs.status, SourceStatus::Complete, "{member_ecs:?}");

    let opened = Bundle::open(&root).unwrap();
    assert!(taskscope::bundle::verify::verify(&opened).is_empty());
    let (incident, _) = opened.incident();
    let member_id = org.member_task.rsplit('/').next().unwrap();
    assert!(incident.find_task(member_id).is_some());
    assert!(taskscope(&["verify", root.to_str().unwrap()])
        .status
        .success());
}

/// A GuardDuty finding in the API's wire format about `task` in `account`
/// (synthetic, from the documented shape), as the administrator's detector
/// returns its members' findings.
fn finding_about(account: &str, task: &str) -> Value {
    serde_json::json!({
        "accountId": account,
        "arn": format!("arn:aws:guardduty:us-east-1:{ADMIN}:detector/d1/finding/f1"),
        "createdAt": "2026-11-20T14:05:00.000Z",
        "updatedAt": "2026-11-20T14:06:00.000Z",
        "id": "f1",
        "partition": "aws",
        "region": "us-east-1",
        "schemaVersion": "2.0",
        "severity": 8.0,
        "title": "Reverse shell in a Fargate task",
        "type": "Execution:Runtime/ReverseShell",
        "resource": {
            "resourceType": "ECSCluster",
            "ecsClusterDetails": {
                "arn": format!("arn:aws:ecs:us-east-1:{account}:cluster/prod"),
                "name": "prod",
                "taskDetails": {"arn": task, "launchType": "FARGATE"}
            }
        },
        "service": {"serviceName": "guardduty", "detectorId": "d1", "count": 1, "archived": false}
    })
}

#[test]
fn the_guardduty_administrator_reads_its_members_findings_from_its_own_detector() {
    let moto = Moto::start();
    let org = seed(&moto);
    let fallback = taskscope::collect::aws::https_client();
    // GuardDuty's members and findings APIs are replayed (moto lacks them);
    // the rest goes to moto.
    let member_calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let criteria = Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    let (member, member_task) = (org.member.clone(), org.member_task.clone());
    let client = Replay::before(fallback, {
        let (member_calls, criteria) = (member_calls.clone(), criteria.clone());
        move |request| {
            let path = request.uri().path().to_string();
            if !path.starts_with("/detector") {
                return None;
            }
            let auth = request
                .headers()
                .get("authorization")
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            if !auth.contains("Credential=testing/") {
                member_calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                return Some(replay::json_response(
                    200,
                    &serde_json::json!({"detectorIds": []}),
                ));
            }
            let body: Value = serde_json::from_slice(request.body().bytes().unwrap_or_default())
                .unwrap_or_default();
            let answer = match path.as_str() {
                "/detector" => serde_json::json!({"detectorIds": ["d1"]}),
                "/detector/d1/member" => serde_json::json!({"members": [{
                    "accountId": member,
                    "detectorId": "d2",
                    "masterId": ADMIN,
                    "administratorId": ADMIN,
                    "email": "workloads@example.invalid",
                    "relationshipStatus": "Enabled",
                    "invitedAt": "2026-11-01T00:00:00.000Z",
                    "updatedAt": "2026-11-01T00:00:00.000Z"
                }]}),
                "/detector/d1/findings" => {
                    criteria
                        .lock()
                        .unwrap()
                        .push(body["findingCriteria"].clone());
                    serde_json::json!({"findingIds": ["f1"]})
                }
                "/detector/d1/findings/get" => {
                    serde_json::json!({"findings": [finding_about(&member, &member_task)]})
                }
                other => panic!("unexpected GuardDuty request {other}"),
            };
            Some(replay::json_response(200, &answer))
        }
    });
    let config = respond::moto_config(&moto)
        .into_builder()
        .http_client(client)
        .build();
    let members = MemberAccounts {
        selection: AccountSelection::Listed(vec![ADMIN.into(), org.member.clone()]),
        role_name: ROLE.into(),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let reach = runtime
        .block_on(Reach::resolve(vec![(config, ADMIN.into())], &members))
        .unwrap();
    assert!(reach.unreachable.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bundle");
    let bundle = GrowingBundle::create(&root, CollectRequest::default()).unwrap();
    let sink = Arc::new(BundleSink::new(bundle, |_| {}));
    let now = taskscope::model::time::now();
    let scope = Scope {
        cluster: Some("prod".into()),
        service: None,
        task: None,
        from: now - chrono::TimeDelta::days(2),
        to: now,
        log_groups: Vec::new(),
        archive_log_group: None,
        athena: None,
    };
    let collection = Collection::new(scope, &reach, sink.clone());
    runtime.block_on(collection.run(|| {}));
    let manifest = sink
        .finish(collection.reports(), CollectionState::Complete)
        .unwrap();
    let reports = &manifest.collection.source_reports;
    let guardduty = |account: &str| {
        reports
            .iter()
            .find(|r| r.source == "guardduty" && r.account == account)
            .unwrap()
            .clone()
    };

    // The member's own GuardDuty is not asked, and its report says why.
    assert_eq!(member_calls.load(std::sync::atomic::Ordering::SeqCst), 0);
    let in_member = guardduty(&org.member);
    assert_eq!(in_member.status, SourceStatus::Complete, "{in_member:?}");
    assert!(in_member.calls.is_empty(), "{in_member:?}");
    assert!(
        in_member.notes[0].contains(&format!(
            "{ADMIN}, the organization's GuardDuty administrator"
        )),
        "{in_member:?}"
    );
    // The administrator asked for the findings of both accounts.
    let in_admin = guardduty(ADMIN);
    assert_eq!(in_admin.status, SourceStatus::Complete, "{in_admin:?}");
    assert_eq!(in_admin.calls["ListMembers"], 1, "{in_admin:?}");
    for sent in criteria.lock().unwrap().iter() {
        let mut accounts: Vec<&str> = sent["criterion"]["accountId"]["equals"]
            .as_array()
            .unwrap_or_else(|| panic!("no accountId criterion in {sent}"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        accounts.sort();
        let mut expected = vec![ADMIN, org.member.as_str()];
        expected.sort();
        assert_eq!(accounts, expected, "{sent}");
    }

    // The finding lands on the member's task.
    let opened = Bundle::open(&root).unwrap();
    assert!(taskscope::bundle::verify::verify(&opened).is_empty());
    let (incident, _) = opened.incident();
    let task = incident
        .find_task(org.member_task.rsplit('/').next().unwrap())
        .expect("the member's task");
    assert!(incident.timelines[task]
        .iter()
        .any(|&e| incident.events[e].kind == "Execution:Runtime/ReverseShell"));
}
