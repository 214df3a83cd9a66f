//! Role sessions by evidence, not by name (docs/correlation.md, "Role
//! sessions").
//!
//! Anyone allowed to assume a task role can name the session after any task
//! ID, so a session name proves nothing by itself. A session belongs to a
//! task when the bundle shows it was issued to the task: ECS
//! (`ecs-tasks.amazonaws.com`) asked for it, with the task's ID as session
//! name, for one of the task's roles. Credentials are followed from the
//! AssumeRole that issued them to every record signed with them, so that a
//! task's chained sessions land on the task and a borrowed name lands on
//! whoever borrowed it. Without the issuing record the link is weak.

use super::index::TaskIndex;
use crate::model::{Doubt, Event, Key, Link, LinkReason, TaskFacts};
use std::collections::HashMap;

/// Longest chain of sessions followed (a session assuming a role, whose
/// session assumes another...). Real chains are one or two long; the bound
/// keeps a hostile cycle of records from looping.
const MAX_CHAIN: usize = 8;

/// One AssumeRole record that issued credentials.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Issuance<'a> {
    /// The session asked for (lower case).
    session: &'a str,
    /// The role asked for, by name.
    role: &'a str,
    /// Whether ECS asked for it.
    by_ecs: bool,
    /// The session that asked, as its record names it.
    caller: Caller<'a>,
}

/// Who made a record, as its identity says.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Caller<'a> {
    /// The temporary access key it signed with.
    access_key: Option<&'a str>,
    /// Its session name, when that is a task ID.
    session: Option<&'a str>,
    /// The role of that session, by name.
    role: Option<&'a str>,
}

impl<'a> Caller<'a> {
    fn of(keys: &'a [Key]) -> Caller<'a> {
        let mut caller = Caller::default();
        for key in keys {
            match key {
                Key::AccessKey(key) => caller.access_key = Some(key),
                Key::RoleSession(id) => caller.session = Some(id),
                Key::SessionRole(role) => caller.role = Some(role),
                _ => {}
            }
        }
        caller
    }
}

/// Whom credentials issued in the bundle belong to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Holder {
    /// A task, with the doubt that remains, if any.
    Task(usize, Option<Doubt>),
    /// Someone else: a person, a job, or a task the bundle does not know.
    Other,
}

/// Whether [`Sessions::new`] learns anything from an event's `keys`: they
/// name a task definition's roles, or an AssumeRole that issued
/// credentials. Sessions built from only these events are the same as from
/// all.
pub fn is_session_evidence(keys: &[Key]) -> bool {
    let mut definition = false;
    let mut role = false;
    for key in keys {
        match key {
            Key::TaskDefinition(_) => definition = true,
            Key::DefinitionRole(_) => role = true,
            Key::AssumeRole {
                issued: Some(_), ..
            } => return true,
            _ => {}
        }
    }
    definition && role
}

/// Whether `key` is of a kind that can make an event session evidence
/// ([`is_session_evidence`]), alone or with the keys of copies of it.
pub fn is_evidence_key(key: &Key) -> bool {
    matches!(
        key,
        Key::TaskDefinition(_) | Key::DefinitionRole(_) | Key::AssumeRole { .. }
    )
}

/// What [`Sessions::new`] reads of an event: its keys naming task
/// definitions, their roles, AssumeRoles and the caller's credentials, in
/// their order. Sessions built from these keys are the same as from the
/// event's, and they take a fraction of an event's memory.
pub fn session_part(event: &Event) -> Vec<Key> {
    event
        .keys
        .iter()
        .filter(|key| {
            is_evidence_key(key)
                || matches!(
                    key,
                    Key::AccessKey(_) | Key::RoleSession(_) | Key::SessionRole(_)
                )
        })
        .cloned()
        .collect()
}

/// The sessions of an incident: the issued access keys and the task roles.
/// Both are few (one AssumeRole per task and credential refresh, one entry
/// per task definition), so they are kept as owned strings.
pub struct Sessions {
    /// Holders of access keys issued by an AssumeRole in the bundle.
    holders: HashMap<String, Holder>,
    /// The role names each task definition gives its tasks.
    roles: HashMap<String, Vec<String>>,
}

impl Sessions {
    /// Reads the task definitions' roles and every issued access key from
    /// the keys of each event.
    pub fn new<'a>(
        events: impl IntoIterator<Item = &'a [Key]>,
        tasks: &[TaskFacts],
        index: &TaskIndex,
    ) -> Sessions {
        let mut roles: HashMap<String, Vec<String>> = HashMap::new();
        // An access key issued twice with different answers has no
        // trustworthy issuer: `None` marks it.
        let mut issued: HashMap<&str, Option<Issuance<'_>>> = HashMap::new();
        for keys in events {
            let mut definitions = keys.iter().filter_map(|key| match key {
                Key::TaskDefinition(arn) => Some(arn.as_str()),
                _ => None,
            });
            if let Some(definition) = definitions.next() {
                for key in keys {
                    if let Key::DefinitionRole(role) = key {
                        let known = roles.entry(definition.to_string()).or_default();
                        if !known.contains(role) {
                            known.push(role.clone());
                        }
                    }
                }
            }
            for key in keys {
                if let Key::AssumeRole {
                    session,
                    role,
                    by_ecs,
                    issued: Some(access_key),
                } = key
                {
                    let issuance = Issuance {
                        session,
                        role,
                        by_ecs: *by_ecs,
                        caller: Caller::of(keys),
                    };
                    issued
                        .entry(access_key)
                        .and_modify(|known| {
                            if *known != Some(issuance) {
                                *known = None;
                            }
                        })
                        .or_insert(Some(issuance));
                }
            }
        }
        let mut sessions = Sessions {
            holders: HashMap::with_capacity(issued.len()),
            roles,
        };
        for &access_key in issued.keys() {
            let holder = sessions.resolve(&issued, access_key, tasks, index, 0);
            sessions.holders.insert(access_key.to_string(), holder);
        }
        sessions
    }

    /// Who holds the credentials `access_key`, following chained sessions.
    fn resolve(
        &self,
        issued: &HashMap<&str, Option<Issuance<'_>>>,
        access_key: &str,
        tasks: &[TaskFacts],
        index: &TaskIndex,
        depth: usize,
    ) -> Holder {
        let Some(Some(issuance)) = issued.get(access_key) else {
            return Holder::Other;
        };
        if issuance.by_ecs {
            return match index.by_id(issuance.session) {
                Some(task) => Holder::Task(task, self.role_doubt(task, Some(issuance.role), tasks)),
                None => Holder::Other,
            };
        }
        let caller = issuance.caller;
        if let Some(parent) = caller.access_key.filter(|k| issued.contains_key(k)) {
            return if depth < MAX_CHAIN {
                self.resolve(issued, parent, tasks, index, depth + 1)
            } else {
                Holder::Other
            };
        }
        match self.unverified(caller, tasks, index) {
            Some(link) => Holder::Task(link.task, link.doubt),
            None => Holder::Other,
        }
    }

    /// The role-session link an event's identity or AssumeRole justifies, if any.
    pub fn link(&self, event: &Event, tasks: &[TaskFacts], index: &TaskIndex) -> Option<Link> {
        for key in &event.keys {
            if let Key::AssumeRole {
                session,
                role,
                by_ecs: true,
                ..
            } = key
            {
                // The issuing record itself, written by ECS's request.
                let task = index.by_id(session)?;
                return Some(session_link(task, self.role_doubt(task, Some(role), tasks)));
            }
        }
        let caller = Caller::of(&event.keys);
        if let Some(holder) = caller.access_key.and_then(|key| self.holders.get(key)) {
            return match *holder {
                Holder::Task(task, doubt) => Some(session_link(task, doubt)),
                Holder::Other => None,
            };
        }
        self.unverified(caller, tasks, index)
    }

    /// A session named after a task, with no issuing record in the bundle: weak.
    fn unverified(
        &self,
        caller: Caller<'_>,
        tasks: &[TaskFacts],
        index: &TaskIndex,
    ) -> Option<Link> {
        let task = index.by_id(caller.session?)?;
        let doubt = match self.role_doubt(task, caller.role, tasks) {
            Some(Doubt::NotTaskRole) => Doubt::NotTaskRole,
            _ => Doubt::NoIssuingRecord,
        };
        Some(session_link(task, Some(doubt)))
    }

    /// What is wrong with `role` (by name) as a role of the task, if anything.
    fn role_doubt(&self, task: usize, role: Option<&str>, tasks: &[TaskFacts]) -> Option<Doubt> {
        let known = tasks[task]
            .task_definition_arn
            .as_deref()
            .and_then(|definition| self.roles.get(definition))
            .filter(|roles| !roles.is_empty());
        match (known, role) {
            (None, _) => Some(Doubt::TaskRolesUnknown),
            (Some(roles), Some(role)) if roles.iter().any(|r| r.eq_ignore_ascii_case(role)) => None,
            (Some(_), _) => Some(Doubt::NotTaskRole),
        }
    }
}

fn session_link(task: usize, doubt: Option<Doubt>) -> Link {
    Link {
        doubt,
        ..Link::strong(task, LinkReason::RoleSession)
    }
}

#[cfg(test)]
mod tests {
    use crate::correlate::Incident;
    use crate::model::{Doubt, Event, Key, LinkReason, RawRef, Source, TaskFacts, Timestamp};

    const TASK: &str = "3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93";
    const DEFINITION: &str = "arn:aws:ecs:us-east-1:1:task-definition/app:1";

    fn at(minute: u32) -> Timestamp {
        chrono::DateTime::from_timestamp(1_795_266_000 + i64::from(minute) * 60, 0).unwrap()
    }

    fn event(minute: u32, keys: Vec<Key>) -> Event {
        let raw = RawRef {
            artifact: 0,
            locator: format!("/Records/{minute}"),
        };
        let mut event = Event::new(at(minute), Source::Cloudtrail, "Call", "call", raw);
        event.keys = keys;
        event
    }

    fn issued(session: &str, role: &str, by_ecs: bool, key: &str, caller: Option<&str>) -> Event {
        let mut keys = vec![Key::AssumeRole {
            session: session.into(),
            role: role.into(),
            by_ecs,
            issued: Some(key.into()),
        }];
        keys.extend(caller.map(|k| Key::AccessKey(k.into())));
        event(0, keys)
    }

    fn signed(minute: u32, key: &str) -> Event {
        event(
            minute,
            vec![
                Key::RoleSession(TASK.into()),
                Key::SessionRole("app-task".into()),
                Key::AccessKey(key.into()),
            ],
        )
    }

    fn definition(roles: &[&str]) -> Event {
        let mut keys = vec![Key::TaskDefinition(DEFINITION.into())];
        keys.extend(roles.iter().map(|r| Key::DefinitionRole(r.to_string())));
        event(0, keys)
    }

    fn task() -> TaskFacts {
        let mut task = TaskFacts::new(TASK);
        task.task_definition_arn = Some(DEFINITION.into());
        task
    }

    /// The (reason, doubt) of the link of the last event to the task.
    fn session_of(events: Vec<Event>) -> Option<(LinkReason, Option<Doubt>)> {
        let incident = Incident::build(events, vec![task()]);
        let last = incident
            .events
            .iter()
            .max_by_key(|e| e.time)
            .expect("an event");
        last.links.first().map(|link| (link.reason, link.doubt))
    }

    #[test]
    fn chains_keep_the_strength_of_the_task_session_they_start_from() {
        let events = vec![
            definition(&["app-task"]),
            issued(TASK, "app-task", true, "ASIATASKKEY00000001", None),
            issued(
                "pwn",
                "admin",
                false,
                "ASIACHAINKEY0000001",
                Some("ASIATASKKEY00000001"),
            ),
            event(9, vec![Key::AccessKey("ASIACHAINKEY0000001".into())]),
        ];
        assert_eq!(session_of(events), Some((LinkReason::RoleSession, None)));
    }

    #[test]
    fn the_role_must_be_one_the_task_definition_names() {
        let mut events = vec![
            issued(TASK, "app-task", true, "ASIATASKKEY00000001", None),
            signed(9, "ASIATASKKEY00000001"),
        ];
        assert_eq!(
            session_of(events.clone()),
            Some((LinkReason::RoleSession, Some(Doubt::TaskRolesUnknown)))
        );
        events.push(definition(&["other-role"]));
        assert_eq!(
            session_of(events),
            Some((LinkReason::RoleSession, Some(Doubt::NotTaskRole)))
        );
    }

    #[test]
    fn keys_issued_twice_differently_or_in_a_cycle_belong_to_no_task() {
        let twice = vec![
            definition(&["app-task"]),
            issued(TASK, "app-task", true, "ASIADOUBLEKEY000001", None),
            issued(TASK, "app-task", false, "ASIADOUBLEKEY000001", None),
            signed(9, "ASIADOUBLEKEY000001"),
        ];
        assert_eq!(session_of(twice), None);
        let cycle = vec![
            issued(
                "a",
                "app-task",
                false,
                "ASIACYCLEKEYA000001",
                Some("ASIACYCLEKEYB000001"),
            ),
            issued(
                "b",
                "app-task",
                false,
                "ASIACYCLEKEYB000001",
                Some("ASIACYCLEKEYA000001"),
            ),
            signed(9, "ASIACYCLEKEYA000001"),
        ];
        assert_eq!(session_of(cycle), None);
    }

    #[test]
    fn without_an_issuing_record_a_session_name_links_weakly() {
        let events = vec![definition(&["app-task"]), signed(9, "ASIAUNSEENKEY000001")];
        assert_eq!(
            session_of(events),
            Some((LinkReason::RoleSession, Some(Doubt::NoIssuingRecord)))
        );
    }
}
