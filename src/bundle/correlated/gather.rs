//! What building the correlated index needs to know before it can link:
//! each event's time, source and fact, the task facts, the tasks the
//! events make known and the session evidence. It is gathered one section
//! at a time, in index order: at import, from what the parsing workers
//! hand over as each file is imported ([`SectionFacts::of`] runs on the
//! worker), so that the import decodes its index once, to link; when an
//! index is rebuilt, from each section decoded.
//!
//! A fact seen in several sections (a CloudTrail event in two trails) is
//! correlated as one merged event ([`absorb_copy`]). What the tasks and
//! sessions learn from a merged event is gathered without merging: the
//! tasks an event makes known are ordered by the first copy's time and
//! position, then by key, as if merged; and a fact whose copies carry
//! session evidence is merged for real at the end, from the few sections
//! that hold it.

use super::sections::each_section;
use crate::bundle::index::{section, IndexWriter};
use crate::correlate::{
    absorb_copy, is_evidence_key, is_session_evidence, merge_tasks, names_task, session_part,
    Linker,
};
use crate::model::{Event, Key, Source, TaskFacts, Timestamp};
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::io::{self, Write};
use std::path::Path;

/// Hashes fact IDs to 128 bits, with keys no record can know in advance:
/// a fact ID is a long string, and the gathering keeps one hash per fact.
pub struct FactKeys {
    left: RandomState,
    right: RandomState,
}

impl FactKeys {
    /// Fresh random keys.
    pub fn new() -> FactKeys {
        FactKeys {
            left: RandomState::new(),
            right: RandomState::new(),
        }
    }

    fn hash(&self, fact: &str) -> FactHash {
        FactHash([self.left.hash_one(fact), self.right.hash_one(fact)])
    }
}

impl Default for FactKeys {
    fn default() -> FactKeys {
        FactKeys::new()
    }
}

/// A fact ID's keyed 128-bit hash, as two words (8-byte aligned, so that a
/// map entry with a position takes 24 bytes rather than 32).
#[derive(Clone, Copy, PartialEq, Eq)]
struct FactHash([u64; 2]);

impl Hash for FactHash {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Already a keyed hash: its first word is hash enough.
        state.write_u64(self.0[0]);
    }
}

/// Hashes a [`FactHash`] to its first word, without hashing it again.
#[derive(Default)]
struct FirstWord(u64);

impl Hasher for FirstWord {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is called, by `FactHash`; any other input is
        // folded in all the same.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = word;
    }
}

/// A task an event names ([`names_task`]): the event's position in the
/// section, the key's place among its keys, the task ID, the ARN given,
/// and whether it makes the task known only in ECS's own events.
struct Named {
    event: u32,
    place: u32,
    id: String,
    arn: Option<String>,
    ecs_only: bool,
}

/// What one section's events and task facts tell the gathering, computed
/// where the section's events are at hand.
pub struct SectionFacts {
    times: Vec<Timestamp>,
    sources: Vec<Source>,
    facts: Vec<Option<FactHash>>,
    named: Vec<Named>,
    /// The events with a key sessions read: their position in the section
    /// and the keys sessions read ([`session_part`]).
    sessions: Vec<(u32, Vec<Key>)>,
    tasks: Vec<TaskFacts>,
}

impl SectionFacts {
    /// What `events` and `tasks`, one section's, tell the gathering; fact
    /// IDs hashed with `keys`, the same for every section of an index.
    pub fn of(events: &[Event], tasks: &[TaskFacts], keys: &FactKeys) -> io::Result<SectionFacts> {
        let mut facts = SectionFacts {
            times: Vec::with_capacity(events.len()),
            sources: Vec::with_capacity(events.len()),
            facts: Vec::with_capacity(events.len()),
            named: Vec::new(),
            sessions: Vec::new(),
            tasks: tasks.to_vec(),
        };
        for (at, event) in events.iter().enumerate() {
            let at = position(at)?;
            facts.times.push(event.time);
            facts.sources.push(event.source);
            facts
                .facts
                .push(event.fact_id.as_deref().map(|fact| keys.hash(fact)));
            for (place, key) in event.keys.iter().enumerate() {
                let Some((id, arn, ecs_only)) = names_task(key) else {
                    continue;
                };
                facts.named.push(Named {
                    event: at,
                    place: position(place)?,
                    id: id.to_string(),
                    arn: arn.map(str::to_string),
                    ecs_only,
                });
            }
            if event.keys.iter().any(is_evidence_key) {
                facts.sessions.push((at, session_part(event)));
            }
        }
        Ok(facts)
    }
}

/// What a parsing worker hands over for one imported file: its section of
/// the derived index and what the gathering learns of it.
pub struct IndexedSection {
    bytes: Vec<u8>,
    facts: io::Result<SectionFacts>,
}

impl IndexedSection {
    /// Encodes one file's `events` and `tasks` ([`section::encode`]) and
    /// works out their [`SectionFacts`], fact IDs hashed with `keys`.
    pub fn of(events: &[Event], tasks: &[TaskFacts], keys: &FactKeys) -> IndexedSection {
        IndexedSection {
            bytes: section::encode(events, tasks),
            facts: SectionFacts::of(events, tasks, keys),
        }
    }

    /// Writes the section to `index` for the artifact at `artifact` and
    /// adds its facts to `gathering`, which must see every section `index`
    /// gets, in the same order.
    pub fn write<W: Write>(
        self,
        artifact: usize,
        index: &mut IndexWriter<W>,
        gathering: &mut Gathering,
    ) -> io::Result<()> {
        index.section(artifact, &self.bytes)?;
        gathering.add(self.facts?)
    }
}

/// Where an ARN was given: the first copy's time and position, then the
/// copy (0 for the first) and the key's place in it: the order of the
/// merged event's keys.
type ArnOrder = (Timestamp, u32, u32, u32);

/// Per event position (index order), what linking and writing need.
#[derive(Default)]
pub struct Facts {
    /// Each event's time.
    pub times: Vec<Timestamp>,
    /// The position of the first event of each event's fact (its own when
    /// it has no fact ID or is the first).
    pub first: Vec<u32>,
    /// How many later copies each first event with copies has.
    pub copies: HashMap<u32, u32>,
}

/// The gathering, fed one section at a time in index order.
#[derive(Default)]
pub struct Gathering {
    facts: Facts,
    sources: Vec<Source>,
    /// The first position of each fact, by hash.
    first_of: HashMap<FactHash, u32, BuildHasherDefault<FirstWord>>,
    tasks: Vec<TaskFacts>,
    /// Per task ID, the earliest ARN given, if any.
    known: BTreeMap<String, Option<(ArnOrder, String)>>,
    /// The keys sessions read of each event that is session evidence and
    /// no copy, by position.
    evidence: BTreeMap<u32, Vec<Key>>,
    /// Events with a key sessions read, by position.
    with_session_keys: HashSet<u32>,
    /// First events whose facts have a copy with a key sessions read, or
    /// which have one themselves and copies: merged at the end.
    to_merge: HashSet<u32>,
    /// The position of each section's first event.
    section_starts: Vec<u32>,
}

impl Gathering {
    /// Adds the next section's facts.
    pub fn add(&mut self, section: SectionFacts) -> io::Result<()> {
        let start = self.facts.first.len();
        self.section_starts.push(position(start)?);
        let mut copy_number = vec![0u32; section.times.len()];
        for (at, fact) in section.facts.iter().enumerate() {
            let here = position(start + at)?;
            let first = match fact {
                Some(hash) => *self.first_of.entry(*hash).or_insert(here),
                None => here,
            };
            if first != here {
                let copies = self.facts.copies.entry(first).or_default();
                *copies += 1;
                copy_number[at] = *copies;
            }
            self.facts.first.push(first);
        }
        self.facts.times.extend(&section.times);
        self.sources.extend(&section.sources);
        self.tasks.extend(section.tasks);
        for named in section.named {
            let here = start + named.event as usize;
            let first = self.facts.first[here];
            // A merged event is ECS's own when its first copy is.
            if named.ecs_only && self.sources[first as usize] != Source::Ecs {
                continue;
            }
            let order = (
                self.facts.times[first as usize],
                first,
                copy_number[named.event as usize],
                named.place,
            );
            let best = self.known.entry(named.id).or_default();
            if let Some(arn) = named.arn.filter(|arn| !arn.is_empty()) {
                if best.as_ref().is_none_or(|(at, _)| order < *at) {
                    *best = Some((order, arn));
                }
            }
        }
        for (at, part) in section.sessions {
            let here = position(start + at as usize)?;
            let first = self.facts.first[here as usize];
            self.with_session_keys.insert(here);
            if first != here {
                self.to_merge.insert(first);
            } else if is_session_evidence(&part) {
                self.evidence.insert(here, part);
            }
        }
        // A first event with session keys whose fact gained a copy here.
        for (at, &copy) in copy_number.iter().enumerate() {
            if copy > 0 {
                let first = self.facts.first[start + at];
                if self.with_session_keys.contains(&first) {
                    self.to_merge.insert(first);
                }
            }
        }
        Ok(())
    }

    /// Ends the gathering: the facts per event, and the linker of the
    /// tasks the index's events and task facts make known. `index` is read
    /// again only where facts with session keys have copies.
    pub fn finish(mut self, index: &Path) -> io::Result<(Facts, Linker)> {
        if !self.to_merge.is_empty() {
            self.merge_session_evidence(index)?;
        }
        let discovered = self
            .known
            .iter()
            .map(|(id, best)| (id.as_str(), best.as_ref().map(|(_, arn)| arn.as_str())));
        let tasks = merge_tasks(std::mem::take(&mut self.tasks), discovered);
        let linker = Linker::new(tasks, self.evidence.values().map(Vec::as_slice));
        Ok((self.facts, linker))
    }

    /// Merges the facts in `to_merge` from the sections that hold them, and
    /// keeps each merged event that is session evidence.
    fn merge_session_evidence(&mut self, index: &Path) -> io::Result<()> {
        let first = &self.facts.first;
        let wanted = |position: usize| self.to_merge.contains(&first[position]);
        let starts = &self.section_starts;
        let decoded: Vec<bool> = (0..starts.len())
            .map(|section| {
                let end = starts.get(section + 1).map_or(first.len(), |&e| e as usize);
                (starts[section] as usize..end).any(wanted)
            })
            .collect();
        let mut merging: HashMap<u32, Event> = HashMap::new();
        each_section(
            index,
            |section| decoded.get(section).copied().unwrap_or(false),
            |section, content| {
                let start = starts[section] as usize;
                for (at, event) in content.events.into_iter().enumerate() {
                    let here = start + at;
                    if here >= first.len() {
                        return Err(changed());
                    }
                    if !wanted(here) {
                        continue;
                    }
                    let head = first[here];
                    if head as usize == here {
                        merging.insert(head, event);
                    } else {
                        let kept = merging.get_mut(&head).ok_or_else(changed)?;
                        absorb_copy(kept, event);
                    }
                }
                Ok(())
            },
        )?;
        for head in &self.to_merge {
            self.evidence.remove(head);
        }
        for (head, merged) in merging {
            if is_session_evidence(&merged.keys) {
                self.evidence.insert(head, session_part(&merged));
            }
        }
        Ok(())
    }
}

/// The index read again is not the one gathered.
fn changed() -> io::Error {
    io::Error::other("the index changed between passes")
}

/// An event position as stored (u32).
pub fn position(value: usize) -> io::Result<u32> {
    u32::try_from(value).map_err(|_| io::Error::other("more than 2^32 events"))
}
