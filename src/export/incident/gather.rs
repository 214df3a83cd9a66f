//! Reads a bundle into the incident report's [`Document`]: headings,
//! paragraphs and tables of plain text. Nothing here is escaped: the text is
//! evidence and notes as they are, and each writer escapes it for its format.
//!
//! Facts come from where the rest of taskscope computes them: posture, blast
//! radius and coverage from [`crate::inspect::context`], the audit records
//! from [`crate::bundle::audit`], the integrity check from
//! [`crate::bundle::verify`]. A task's severity is read through
//! [`task_severity`] only.

use crate::bundle::annotations::{event_anchor, AnnotationAction, Annotations, Target};
use crate::bundle::audit::{self, CallStatus, Entry, Record, AUDIT_FILE};
use crate::bundle::manifest::MANIFEST_FILE;
use crate::bundle::paths::read_regular_file;
use crate::bundle::verify::verify;
use crate::bundle::write::sha256_hex;
use crate::bundle::Bundle;
use crate::correlate::Incident;
use crate::export::report::duration_text;
use crate::inspect::context::{
    task_context, ContainerPosture, ContextIndex, Posture, Shared, TaskContext,
};
use crate::model::time::{format_time_millis, parse_time_str};
use crate::model::{Event, RawRef, Severity, Source, TaskFacts, Timestamp};
use crate::raw::RawReader;
use std::collections::HashMap;

/// Most other tasks listed in one task's blast radius; the rest are counted.
pub const BLAST_ROWS: usize = 12;

/// What the report says of the seal: bundles cannot be sealed yet.
pub const SEAL_STATE: &str = "not sealed";

/// The whole report, unescaped.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The one top-level heading.
    pub title: String,
    /// What comes before the first section.
    pub intro: Vec<Block>,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

/// A second-level section.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Its heading.
    pub heading: String,
    /// Its content, in order.
    pub blocks: Vec<Block>,
}

/// One piece of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph of text.
    Paragraph(String),
    /// A third-level heading.
    Subheading(String),
    /// A table.
    Table(Table),
}

/// A table with a header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each with as many cells as the header.
    pub rows: Vec<Vec<Cell>>,
}

/// One table cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A literal value, such as a hash, shown in a fixed-width font.
    Code(String),
    /// A reference to the evidence anchor numbered so in the appendix (`E3`).
    Evidence(usize),
    /// The appendix entry that evidence references point to.
    EvidenceEntry(usize),
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }
}

/// `E3`: how an evidence reference reads in every format.
pub fn evidence_label(number: usize) -> String {
    format!("E{number}")
}

/// The evidence anchors referenced so far, numbered from 1 in order of first use.
#[derive(Default)]
struct Anchors {
    /// Anchor and the SHA-256 of its artifact, by number - 1.
    list: Vec<(String, Option<String>)>,
    numbers: HashMap<String, usize>,
}

impl Anchors {
    /// The reference cell for `anchor`, numbering it on first use.
    fn cite(&mut self, anchor: String, artifact_sha256: Option<&str>) -> Cell {
        if let Some(&number) = self.numbers.get(&anchor) {
            return Cell::Evidence(number);
        }
        self.list
            .push((anchor.clone(), artifact_sha256.map(str::to_string)));
        let number = self.list.len();
        self.numbers.insert(anchor, number);
        Cell::Evidence(number)
    }
}

/// A task's severity: the highest among its findings (GuardDuty findings
/// and Falco alerts) linked to it strongly; `None` when it has no finding.
/// Other events never count, whatever their severity. The report reads a
/// task's severity through this function alone.
pub fn task_severity(incident: &Incident, task: usize) -> Option<Severity> {
    incident.timelines[task]
        .iter()
        .filter_map(|&index| incident.events.get(index))
        .filter(|event| event.is_finding() && event.link_to(task).is_some_and(|l| !l.is_weak()))
        .map(|event| event.severity)
        .max()
}

/// Reads everything the report shows. `summary`, when given, is the
/// responder's summary in place of the notes on the bundle.
pub fn gather(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    summary: Option<&str>,
    generated_at: Timestamp,
) -> Document {
    let index = ContextIndex::new(incident, &mut RawReader::for_bundle(bundle));
    let contexts: Vec<TaskContext> = (0..incident.tasks.len())
        .map(|task| task_context(incident, &index, task))
        .collect();
    let ids = annotations.target_tags(&Target::Bundle);
    let title = if ids.is_empty() {
        "Incident report".to_string()
    } else {
        format!("Incident report: {}", ids.join(", "))
    };
    let mut intro = vec![Block::Paragraph(format!(
        "Generated by taskscope {} at {} from the bundle {}. Every time is UTC, \
         to the millisecond. Strings from the evidence and from notes are shown \
         escaped: control and bidirectional characters as visible escapes such as \\x1b.",
        env!("CARGO_PKG_VERSION"),
        format_time_millis(&generated_at),
        bundle.root.display()
    ))];
    if !annotations.problems().is_empty() {
        intro.push(Block::Paragraph(format!(
            "Warning: {} annotation problem(s); some notes, marks or tags may be \
             missing (see taskscope notes).",
            annotations.problems().len()
        )));
    }
    let mut anchors = Anchors::default();
    let key_findings = findings_section(bundle, incident, annotations, &mut anchors);
    let timeline = timeline_section(bundle, incident, annotations, &mut anchors);
    let actions = actions_section(bundle, &mut anchors);
    Document {
        title,
        intro,
        sections: vec![
            summary_section(bundle, incident, annotations, summary),
            tasks_section(incident, annotations, &contexts),
            key_findings,
            timeline,
            actions,
            custody_section(bundle),
            appendix(anchors),
        ],
    }
}

fn field_table(rows: Vec<(&str, Cell)>) -> Block {
    Block::Table(Table {
        header: vec!["Field".into(), "Value".into()],
        rows: rows
            .into_iter()
            .map(|(field, value)| vec![Cell::text(field), value])
            .collect(),
    })
}

/// `a, b, c`, or `-` when empty.
fn listed<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    if items.is_empty() {
        "-".to_string()
    } else {
        items.join(", ")
    }
}

fn summary_section(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    summary: Option<&str>,
) -> Section {
    let collection = &bundle.manifest.collection;
    let ids = annotations.target_tags(&Target::Bundle);
    let period = match (incident.events.first(), incident.events.last()) {
        (Some(first), Some(last)) => format!(
            "{} to {} ({})",
            format_time_millis(&first.time),
            format_time_millis(&last.time),
            duration_text(first.time, last.time)
        ),
        _ => "no events".to_string(),
    };
    let findings: Vec<&Event> = incident.events.iter().filter(|e| e.is_finding()).collect();
    let highest = findings.iter().map(|e| e.severity).max();
    let completeness = if collection.partial {
        format!(
            "partial: {} input(s) only partly read, {} rejected",
            collection.files_partial, collection.files_rejected
        )
    } else {
        "complete: every input was read".to_string()
    };
    let mut blocks = vec![field_table(vec![
        (
            "Incident ID",
            Cell::text(if ids.is_empty() {
                "not recorded (tag the bundle: taskscope annotate BUNDLE --bundle-wide --tag ID)"
                    .to_string()
            } else {
                ids.join(", ")
            }),
        ),
        ("Period", Cell::text(period)),
        (
            "Accounts",
            Cell::text(listed(collection.accounts.iter().map(String::as_str))),
        ),
        (
            "Regions",
            Cell::text(listed(collection.regions.iter().map(String::as_str))),
        ),
        (
            "Sources",
            Cell::text(listed(collection.sources.iter().map(String::as_str))),
        ),
        ("Tasks", Cell::text(incident.tasks.len().to_string())),
        ("Events", Cell::text(incident.events.len().to_string())),
        (
            "Findings",
            Cell::text(format!(
                "{} (highest severity: {})",
                findings.len(),
                highest.map_or("none", Severity::name)
            )),
        ),
        (
            "Collection",
            Cell::text(format!("{}, {completeness}", collection.method)),
        ),
    ])];
    blocks.push(Block::Subheading("Responder's summary".into()));
    blocks.extend(responder_summary(annotations, summary));
    Section {
        heading: "Summary".into(),
        blocks,
    }
}

/// The `--summary` text as paragraphs (split at blank lines, lines joined),
/// else the notes on the bundle, oldest first.
fn responder_summary(annotations: &Annotations, summary: Option<&str>) -> Vec<Block> {
    if let Some(text) = summary {
        let mut paragraphs = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() {
                if !current.is_empty() {
                    paragraphs.push(Block::Paragraph(current.join(" ")));
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            paragraphs.push(Block::Paragraph(current.join(" ")));
        }
        if !paragraphs.is_empty() {
            return paragraphs;
        }
    }
    let rows: Vec<Vec<Cell>> = annotations
        .notes(&Target::Bundle)
        .iter()
        .filter_map(|note| match &note.action {
            AnnotationAction::Note { text } => Some(vec![
                Cell::text(format_time_millis(&note.time)),
                Cell::text(note.author.clone()),
                Cell::text(text.clone()),
            ]),
            _ => None,
        })
        .collect();
    if rows.is_empty() {
        return vec![Block::Paragraph(
            "No summary recorded. Add one with taskscope annotate BUNDLE --bundle-wide \
             --note TEXT, or give taskscope report a --summary FILE."
                .into(),
        )];
    }
    vec![Block::Table(Table {
        header: vec!["Written (UTC)".into(), "Author".into(), "Note".into()],
        rows,
    })]
}

/// `RUNNING`, `STOPPED (UserInitiated)`, or `?` when unknown.
fn status_text(facts: &TaskFacts) -> String {
    let status = facts.last_status.as_deref().unwrap_or("?");
    match &facts.stop_code {
        Some(code) => format!("{status} ({code})"),
        None => status.to_string(),
    }
}

fn tasks_section(
    incident: &Incident,
    annotations: &Annotations,
    contexts: &[TaskContext],
) -> Section {
    let mut blocks = vec![Block::Paragraph(
        "Every task the bundle knows. A task's severity is the highest among its \
         findings (GuardDuty and Falco) linked to it strongly; none when it has no finding."
            .into(),
    )];
    let rows = incident
        .tasks
        .iter()
        .enumerate()
        .map(|(task, facts)| {
            let target = Target::Task {
                id: facts.id.clone(),
            };
            vec![
                Cell::text(facts.id.clone()),
                Cell::text(facts.service().or(facts.group.as_deref()).unwrap_or("-")),
                Cell::text(status_text(facts)),
                Cell::text(task_severity(incident, task).map_or("none", Severity::name)),
                Cell::text(if annotations.is_target_marked(&target) {
                    "★"
                } else {
                    ""
                }),
                Cell::text(listed(
                    annotations.target_tags(&target).iter().map(String::as_str),
                )),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        header: ["Task", "Service", "Status", "Severity", "★", "Tags"]
            .map(String::from)
            .to_vec(),
        rows,
    }));
    blocks.push(Block::Subheading("Posture".into()));
    blocks.push(posture_table(incident, contexts));
    blocks.push(Block::Subheading("Blast radius".into()));
    blocks.extend(blast_radius(incident, contexts));
    blocks.push(Block::Subheading("Coverage".into()));
    blocks.extend(coverage(incident, contexts));
    Section {
        heading: "Tasks in scope".into(),
        blocks,
    }
}

/// One container's settings: `app: user 0, root fs writable, caps +SYS_PTRACE`.
fn container_text(container: &ContainerPosture) -> String {
    let mut parts = vec![
        format!(
            "user {}",
            container.user.as_deref().unwrap_or("(image default)")
        ),
        if container.readonly_root_filesystem == Some(true) {
            "root fs read-only".to_string()
        } else {
            "root fs writable".to_string()
        },
    ];
    if container.privileged == Some(true) {
        parts.push("privileged".into());
    }
    if !container.capabilities_added.is_empty() {
        parts.push(format!("caps +{}", container.capabilities_added.join(",")));
    }
    if !container.secret_names.is_empty() {
        parts.push(format!("secrets {}", container.secret_names.join(" ")));
    }
    format!("{}: {}", container.name, parts.join(", "))
}

fn posture_table(incident: &Incident, contexts: &[TaskContext]) -> Block {
    let rows = incident
        .tasks
        .iter()
        .zip(contexts)
        .map(|(facts, context)| {
            let id = Cell::text(facts.id.clone());
            match (&context.posture, &context.posture_unavailable) {
                (Some(posture), _) => posture_row(id, posture),
                (None, reason) => vec![
                    id,
                    Cell::text(reason.as_deref().unwrap_or("unknown")),
                    Cell::text("-"),
                    Cell::text("-"),
                    Cell::text("-"),
                ],
            }
        })
        .collect();
    Block::Table(Table {
        header: [
            "Task",
            "Task definition",
            "Task role",
            "Execution role",
            "Containers",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    })
}

fn posture_row(id: Cell, posture: &Posture) -> Vec<Cell> {
    vec![
        id,
        Cell::text(posture.task_definition.clone()),
        Cell::text(posture.task_role_arn.as_deref().unwrap_or("-")),
        Cell::text(posture.execution_role_arn.as_deref().unwrap_or("-")),
        Cell::text(if posture.containers.is_empty() {
            "-".to_string()
        } else {
            let containers: Vec<String> = posture.containers.iter().map(container_text).collect();
            containers.join("; ")
        }),
    ]
}

fn shared_text(shared: &Shared) -> String {
    match shared {
        Shared::ImageDigest(digest) => format!("image {digest}"),
        Shared::TaskRole(role) => format!("task role {role}"),
        Shared::SecurityGroup(group) => format!("security group {group}"),
    }
}

fn blast_radius(incident: &Incident, contexts: &[TaskContext]) -> Vec<Block> {
    let mut rows = Vec::new();
    for (facts, context) in incident.tasks.iter().zip(contexts) {
        for link in context.blast_radius.iter().take(BLAST_ROWS) {
            let Some(other) = incident.tasks.get(link.task) else {
                continue;
            };
            rows.push(vec![
                Cell::text(facts.id.clone()),
                Cell::text(other.id.clone()),
                Cell::text(listed(
                    link.shared
                        .iter()
                        .map(shared_text)
                        .collect::<Vec<_>>()
                        .iter()
                        .map(String::as_str),
                )),
            ]);
        }
        let more = context.blast_radius.len().saturating_sub(BLAST_ROWS);
        if more > 0 {
            rows.push(vec![
                Cell::text(facts.id.clone()),
                Cell::text(format!("… {more} more task(s)")),
                Cell::text("-"),
            ]);
        }
    }
    if rows.is_empty() {
        return vec![Block::Paragraph(
            "No task shares an image digest, a task role or a security group with another.".into(),
        )];
    }
    vec![
        Block::Paragraph(format!(
            "Other tasks that share an image digest, the task role or a security group \
             with a task, most shared first (at most {BLAST_ROWS} per task)."
        )),
        Block::Table(Table {
            header: ["Task", "Other task", "Shares"].map(String::from).to_vec(),
            rows,
        }),
    ]
}

fn coverage(incident: &Incident, contexts: &[TaskContext]) -> Vec<Block> {
    let Some(first) = contexts.first() else {
        return vec![Block::Paragraph("No tasks.".into())];
    };
    let mut header = vec!["Task".to_string()];
    header.extend(first.coverage.entries.iter().map(|e| e.source.to_string()));
    let rows = incident
        .tasks
        .iter()
        .zip(contexts)
        .map(|(facts, context)| {
            let mut row = vec![Cell::text(facts.id.clone())];
            row.extend(first.coverage.entries.iter().map(|column| {
                Cell::text(match context.coverage.entry(column.source) {
                    Some(entry) if entry.short.is_empty() => entry.state.word().to_string(),
                    Some(entry) => format!("{} ({})", entry.state.word(), entry.short),
                    None => "-".to_string(),
                })
            }));
            row
        })
        .collect();
    vec![
        Block::Paragraph(
            "Whether each source could have seen the task: ok (the bundle holds its \
             records of the task), quiet (it was watching and recorded nothing), none \
             (it could not have recorded the task, or its data is not in the bundle), \
             partial (its data covers part of the task's lifetime)."
                .into(),
        ),
        Block::Table(Table { header, rows }),
    ]
}

/// The tasks an event is linked to: `id`, or `id (weak)` for a weak link.
fn linked_tasks(incident: &Incident, event: &Event) -> String {
    let tasks: Vec<String> = event
        .links
        .iter()
        .filter_map(|link| {
            let id = &incident.tasks.get(link.task)?.id;
            Some(if link.is_weak() {
                format!("{id} (weak)")
            } else {
                id.clone()
            })
        })
        .collect();
    listed(tasks.iter().map(String::as_str))
}

/// The SHA-256 the manifest records for the artifact holding `raw`.
fn artifact_sha256<'a>(bundle: &'a Bundle, raw: Option<&RawRef>) -> Option<&'a str> {
    let artifact = bundle.manifest.artifacts.get(raw?.artifact)?;
    Some(artifact.sha256.as_str())
}

/// A row about one event, in [`EVENT_COLUMNS`] order.
fn event_row(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    anchors: &mut Anchors,
    event: &Event,
) -> Vec<Cell> {
    let anchor = event_anchor(event, &bundle.manifest);
    let marked = annotations.is_marked(&anchor);
    vec![
        Cell::text(format_time_millis(&event.time)),
        Cell::text(event.source.name()),
        Cell::text(event.severity.name()),
        Cell::text(event.kind.clone()),
        Cell::text(event.summary.clone()),
        Cell::text(linked_tasks(incident, event)),
        Cell::text(if marked { "★" } else { "" }),
        anchors.cite(anchor, artifact_sha256(bundle, event.raw.first())),
    ]
}

/// The columns of a row about one event.
const EVENT_COLUMNS: [&str; 8] = [
    "Time (UTC)",
    "Source",
    "Severity",
    "Kind",
    "Summary",
    "Tasks",
    "★",
    "Evidence",
];

fn findings_section(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    anchors: &mut Anchors,
) -> Section {
    let mut findings: Vec<&Event> = incident.events.iter().filter(|e| e.is_finding()).collect();
    // Highest severity first; events are already in time order.
    findings.sort_by_key(|event| std::cmp::Reverse(event.severity));
    let blocks = if findings.is_empty() {
        vec![Block::Paragraph(
            "No GuardDuty finding or Falco alert in the bundle.".into(),
        )]
    } else {
        vec![
            Block::Paragraph(
                "Every GuardDuty finding and Falco alert in the bundle, highest severity \
                 first, then by time. A task marked (weak) is linked by a fact that can be \
                 coincidental."
                    .into(),
            ),
            Block::Table(Table {
                header: EVENT_COLUMNS.map(String::from).to_vec(),
                rows: findings
                    .into_iter()
                    .map(|event| event_row(bundle, incident, annotations, anchors, event))
                    .collect(),
            }),
        ]
    };
    Section {
        heading: "Key findings".into(),
        blocks,
    }
}

/// The notes on an event, one `author: text` each.
fn notes_text(annotations: &Annotations, anchor: &str) -> String {
    let notes: Vec<String> = annotations
        .notes(&Target::Event {
            anchor: anchor.to_string(),
        })
        .iter()
        .filter_map(|note| match &note.action {
            AnnotationAction::Note { text } => Some(format!("{}: {text}", note.author)),
            _ => None,
        })
        .collect();
    listed(notes.iter().map(String::as_str))
}

fn timeline_section(
    bundle: &Bundle,
    incident: &Incident,
    annotations: &Annotations,
    anchors: &mut Anchors,
) -> Section {
    let rows: Vec<Vec<Cell>> = incident
        .events
        .iter()
        .filter_map(|event| {
            let anchor = event_anchor(event, &bundle.manifest);
            let noted = !annotations
                .notes(&Target::Event {
                    anchor: anchor.clone(),
                })
                .is_empty();
            let matters = event.is_finding()
                || event.source == Source::Response
                || annotations.is_marked(&anchor)
                || noted;
            matters.then(|| {
                let mut row = event_row(bundle, incident, annotations, anchors, event);
                row.push(Cell::text(notes_text(annotations, &anchor)));
                row
            })
        })
        .collect();
    let blocks = if rows.is_empty() {
        vec![Block::Paragraph(
            "Nothing to show: no finding, no marked or noted event, no response action.".into(),
        )]
    } else {
        let mut header = EVENT_COLUMNS.map(String::from).to_vec();
        header.push("Notes".into());
        vec![
            Block::Paragraph(
                "What matters, in time order: findings, events a responder marked (★) or \
                 wrote a note on, and the records of response actions."
                    .into(),
            ),
            Block::Table(Table { header, rows }),
        ]
    };
    Section {
        heading: "Timeline".into(),
        blocks,
    }
}

/// An audit record's time to the millisecond, or as written when it does not read.
fn audit_time(record: &Record) -> String {
    parse_time_str(&record.time).map_or_else(|| record.time.clone(), |t| format_time_millis(&t))
}

/// Record kind, step, operation, status, request ID and detail of one audit record.
fn audit_cells(entry: &Entry) -> [String; 6] {
    let dash = || "-".to_string();
    match entry {
        Entry::Plan { confirmed_by, .. } => [
            "plan".into(),
            dash(),
            dash(),
            "confirmed".into(),
            dash(),
            format!("confirmed by {confirmed_by}"),
        ],
        Entry::CallStarted {
            step,
            operation,
            attempt,
            ..
        } => [
            "call-started".into(),
            step.clone(),
            operation.clone(),
            "sent".into(),
            dash(),
            format!("attempt {attempt}"),
        ],
        Entry::Call {
            step,
            operation,
            request_id,
            status,
            error,
            ..
        } => [
            "call".into(),
            step.clone(),
            operation.clone(),
            match status {
                CallStatus::Ok => "ok".into(),
                CallStatus::Failed => "FAILED".into(),
            },
            request_id.clone().unwrap_or_else(dash),
            error.clone().unwrap_or_else(dash),
        ],
        Entry::ServiceEvent { at, message } => [
            "service-event".into(),
            dash(),
            dash(),
            dash(),
            dash(),
            format!("{at}: {message}"),
        ],
        Entry::Result {
            status,
            steps,
            error,
            interrupted_by,
            ..
        } => {
            let outcomes: Vec<String> = steps
                .iter()
                .map(|s| format!("{} {}", s.step, s.status.name()))
                .collect();
            let mut detail = outcomes.join(", ");
            for why in [error, interrupted_by].into_iter().flatten() {
                detail.push_str(&format!("; {why}"));
            }
            [
                "result".into(),
                dash(),
                dash(),
                format!("{status:?}").to_lowercase(),
                dash(),
                detail,
            ]
        }
    }
}

fn actions_section(bundle: &Bundle, anchors: &mut Anchors) -> Section {
    let (records, problems) = audit::load(bundle);
    let audit_index = bundle
        .manifest
        .artifacts
        .iter()
        .position(|a| a.path == AUDIT_FILE);
    let mut blocks = Vec::new();
    for problem in &problems {
        blocks.push(Block::Paragraph(format!(
            "Warning: an audit record could not be read: {problem}"
        )));
    }
    if records.is_empty() {
        blocks.push(Block::Paragraph(
            "No response action is recorded in this bundle's audit log.".into(),
        ));
    }
    // Plans in order of their first record.
    let mut plans: Vec<&str> = Vec::new();
    for (_, record) in &records {
        if !plans.contains(&record.plan_id.as_str()) {
            plans.push(&record.plan_id);
        }
    }
    for plan in plans {
        let of_plan: Vec<&(usize, Record)> =
            records.iter().filter(|(_, r)| r.plan_id == plan).collect();
        let Some((_, first)) = of_plan.first() else {
            continue;
        };
        let outcome = of_plan
            .iter()
            .rev()
            .find_map(|(_, r)| match &r.entry {
                Entry::Result { .. } => Some(audit_cells(&r.entry)),
                _ => None,
            })
            .map_or_else(
                || "no result recorded (still running, or stopped before it could say)".into(),
                |cells| format!("{}: {}", cells[3], cells[5]),
            );
        blocks.push(Block::Subheading(format!("{} {plan}", first.action)));
        blocks.push(field_table(vec![
            ("Target", Cell::text(first.target.clone())),
            ("AWS identity", Cell::text(first.actor.caller.clone())),
            ("Responder", Cell::text(first.actor.user.clone())),
            ("Outcome", Cell::text(outcome)),
        ]));
        let rows = of_plan
            .iter()
            .map(|(line, record)| {
                let [kind, step, operation, status, request, detail] = audit_cells(&record.entry);
                let evidence = match audit_index {
                    Some(artifact) => anchors.cite(
                        bundle.manifest.locate(&RawRef {
                            artifact,
                            locator: format!("L{line}"),
                        }),
                        bundle
                            .manifest
                            .artifacts
                            .get(artifact)
                            .map(|a| a.sha256.as_str()),
                    ),
                    None => Cell::text("-"),
                };
                vec![
                    Cell::text(audit_time(record)),
                    Cell::text(kind),
                    Cell::text(step),
                    Cell::text(operation),
                    Cell::text(status),
                    Cell::text(request),
                    Cell::text(detail),
                    evidence,
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            header: [
                "Time (UTC)",
                "Record",
                "Step",
                "Operation",
                "Status",
                "Request ID",
                "Detail",
                "Evidence",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }));
    }
    Section {
        heading: "Actions taken".into(),
        blocks,
    }
}

fn custody_section(bundle: &Bundle) -> Section {
    let manifest = &bundle.manifest;
    let digest = match read_regular_file(&bundle.root.join(MANIFEST_FILE), MANIFEST_FILE) {
        Ok(bytes) => Cell::Code(sha256_hex(&bytes)),
        Err(refusal) => Cell::text(format!("{MANIFEST_FILE} cannot be read: {refusal}")),
    };
    let problems: Vec<String> = verify(bundle)
        .iter()
        .filter(|p| p.is_failure())
        .map(ToString::to_string)
        .collect();
    let verification = if problems.is_empty() {
        format!(
            "intact: {} artifacts match the manifest",
            manifest.artifacts.len()
        )
    } else {
        format!(
            "FAILED: {} problem(s): {}",
            problems.len(),
            problems.join("; ")
        )
    };
    let created = parse_time_str(&manifest.created_at).map_or_else(
        || manifest.created_at.clone(),
        |time| format_time_millis(&time),
    );
    let state = match manifest.collection.state {
        Some(state) => format!("{state:?}").to_lowercase(),
        None => format!("{}, written in one step", manifest.collection.method),
    };
    Section {
        heading: "Custody".into(),
        blocks: vec![
            field_table(vec![
                ("Bundle", Cell::text(bundle.root.display().to_string())),
                ("Bundle digest (SHA-256 of manifest.json)", digest),
                ("Manifest written", Cell::text(created)),
                (
                    "Written by",
                    Cell::text(format!("{} {}", manifest.tool.name, manifest.tool.version)),
                ),
                ("Collection", Cell::text(state)),
                (
                    "Artifacts",
                    Cell::text(manifest.artifacts.len().to_string()),
                ),
                (
                    "Verification when this report was made",
                    Cell::text(verification),
                ),
                ("Seal", Cell::text(SEAL_STATE)),
            ]),
            Block::Paragraph(
                "The manifest records the SHA-256 and size of every artifact, so its digest \
                 stands for the whole bundle. To check the bundle later, run taskscope verify \
                 on its directory and compare the SHA-256 of its manifest.json with the \
                 digest above."
                    .into(),
            ),
        ],
    }
}

fn appendix(anchors: Anchors) -> Section {
    let rows: Vec<Vec<Cell>> = anchors
        .list
        .into_iter()
        .enumerate()
        .map(|(position, (anchor, sha256))| {
            vec![
                Cell::EvidenceEntry(position + 1),
                Cell::text(anchor),
                sha256.map_or_else(|| Cell::text("-"), Cell::Code),
            ]
        })
        .collect();
    let blocks = if rows.is_empty() {
        vec![Block::Paragraph("No evidence is cited.".into())]
    } else {
        vec![
            Block::Paragraph(
                "Each reference names the raw record an entry comes from: its anchor \
                 (artifact path in the bundle, then the record's locator, as taskscope \
                 annotate --event takes it) and the SHA-256 the manifest records for the \
                 artifact."
                    .into(),
            ),
            Block::Table(Table {
                header: ["Ref", "Anchor", "Artifact SHA-256"]
                    .map(String::from)
                    .to_vec(),
                rows,
            }),
        ]
    };
    Section {
        heading: "Appendix: evidence anchors".into(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::test_support::demo;

    #[test]
    fn task_severity_counts_strongly_linked_findings_only() {
        let mut incident = demo();
        let compromised = incident
            .find_task(crate::demo::COMPROMISED_TASK)
            .expect("demo task");
        assert_eq!(
            task_severity(&incident, compromised),
            Some(Severity::Critical)
        );
        // A severe event that is not a finding does not count.
        let quiet = (0..incident.tasks.len())
            .find(|&task| {
                incident.timelines[task]
                    .iter()
                    .all(|&i| !incident.events[i].is_finding())
            })
            .expect("a task without findings");
        assert_eq!(task_severity(&incident, quiet), None);
        let other = incident.timelines[compromised]
            .iter()
            .copied()
            .find(|&i| !incident.events[i].is_finding())
            .expect("an event that is not a finding");
        incident.events[other].severity = Severity::Critical;
        incident.events[other]
            .links
            .push(crate::model::Link::strong(
                quiet,
                crate::model::LinkReason::TaskArn,
            ));
        incident.timelines[quiet].push(other);
        assert_eq!(task_severity(&incident, quiet), None);
        // A finding linked weakly does not count either.
        let finding = incident.timelines[compromised]
            .iter()
            .copied()
            .find(|&i| incident.events[i].is_finding())
            .expect("a finding");
        for link in &mut incident.events[finding].links {
            link.task = quiet;
            link.doubt = Some(crate::model::Doubt::IpReuse);
        }
        incident.timelines[quiet].push(finding);
        assert_eq!(task_severity(&incident, quiet), None);
        for link in &mut incident.events[finding].links {
            link.doubt = None;
        }
        assert_eq!(
            task_severity(&incident, quiet),
            Some(incident.events[finding].severity)
        );
    }
}
