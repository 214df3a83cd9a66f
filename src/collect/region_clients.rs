//! The SDK clients of one account in one region (ECS, GuardDuty,
//! CloudTrail, CloudWatch Logs, Athena when a table is given, Inspector and
//! ECR), each with its own recorder, and the trackers of their sources.

use super::accounts::Target;
use super::aws::region_of;
use super::recorder::{Recorder, ResponseSink};
use super::scope::Scope;
use super::tracker::Tracker;
use super::{athena, images};
use std::sync::Arc;

/// The SDK clients of one account in one region, each with its own recorder.
pub(super) struct RegionClients {
    pub(super) account: String,
    pub(super) region: String,
    pub(super) ecs: aws_sdk_ecs::Client,
    pub(super) guardduty: aws_sdk_guardduty::Client,
    pub(super) cloudtrail: aws_sdk_cloudtrail::Client,
    pub(super) logs: aws_sdk_cloudwatchlogs::Client,
    /// CloudTrail through Athena, when a table is given.
    pub(super) athena: Option<athena::AthenaClients>,
    /// Inspector and ECR, for the images the tasks ran.
    pub(super) images: images::ImageClients,
    pub(super) trackers: [Arc<Tracker>; 5],
}

impl RegionClients {
    /// The GuardDuty source's tracker.
    pub(super) fn guardduty_tracker(&self) -> &Tracker {
        &self.trackers[0]
    }

    /// The CloudTrail source's tracker (Athena's calls, when a table is given).
    pub(super) fn cloudtrail_tracker(&self) -> &Tracker {
        &self.trackers[2]
    }

    /// Athena clients only for the `caller`'s own targets: the organization
    /// trail is queried from there for every account.
    pub(super) fn new(
        target: &Target,
        sink: &Arc<dyn ResponseSink>,
        scope: &Scope,
        caller: &str,
    ) -> RegionClients {
        let (config, account) = (&target.config, target.account.as_str());
        let region = region_of(config);
        let recorder = || Recorder::new(&region, Arc::clone(sink)).with_account(account);
        let (ecs_rec, gd_rec, ct_rec, img_rec) = (recorder(), recorder(), recorder(), recorder());
        let logs_rec = recorder().with_archive_log_group(scope.archive_log_group.clone());
        // With Athena, the CloudTrail source's calls are Athena's.
        let trail_rec = match scope.athena {
            Some(_) => recorder(),
            None => ct_rec.clone(),
        };
        let tracker =
            |source, rec: &Recorder| Arc::new(Tracker::new(source, account, &region, rec.calls()));
        let trackers = [
            tracker("guardduty", &gd_rec),
            tracker("ecs", &ecs_rec),
            tracker("cloudtrail", &trail_rec),
            tracker("cloudwatch-logs", &logs_rec),
            tracker(images::SOURCE, &img_rec),
        ];
        let athena = scope
            .athena
            .as_ref()
            .filter(|_| account == caller)
            .map(|_| athena::AthenaClients::new(config, trail_rec));
        RegionClients {
            ecs: aws_sdk_ecs::Client::from_conf(
                aws_sdk_ecs::config::Builder::from(config)
                    .interceptor(ecs_rec)
                    .build(),
            ),
            guardduty: aws_sdk_guardduty::Client::from_conf(
                aws_sdk_guardduty::config::Builder::from(config)
                    .interceptor(gd_rec)
                    .build(),
            ),
            cloudtrail: aws_sdk_cloudtrail::Client::from_conf(
                aws_sdk_cloudtrail::config::Builder::from(config)
                    .interceptor(ct_rec)
                    .build(),
            ),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(
                aws_sdk_cloudwatchlogs::config::Builder::from(config)
                    .interceptor(logs_rec)
                    .build(),
            ),
            athena,
            images: images::ImageClients {
                inspector: aws_sdk_inspector2::Client::from_conf(
                    aws_sdk_inspector2::config::Builder::from(config)
                        .interceptor(img_rec.clone())
                        .build(),
                ),
                ecr: aws_sdk_ecr::Client::from_conf(
                    aws_sdk_ecr::config::Builder::from(config)
                        .interceptor(img_rec)
                        .build(),
                ),
            },
            trackers,
            account: account.to_string(),
            region,
        }
    }
}
