//! A capture read as a stream: metadata blocks fill the tables, event
//! blocks update them, and the syscall exits a timeline shows come out one
//! at a time with the tables as they stood right after the call.

use super::block::{BlockReader, ScapError, SECTION_HEADER};
use super::container::container_id;
use super::event::{
    is_event_block, Exec, NewThread, RawEvent, Syscall, CLONE_THREAD, KNOWN_EVENT_TYPES,
};
use super::metadata::{self, Damage};
use super::tables::{Tables, Thread};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Read;

/// Counts over the whole capture, for its summary.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stats {
    /// Every event block read.
    pub events: u64,
    /// The first and last event times (nanoseconds since the epoch).
    pub span: Option<(u64, u64)>,
    /// Blocks of a type this reader does not know, skipped.
    pub unknown_blocks: u64,
    /// Events of a type beyond the event table (a newer capture), skipped.
    pub unknown_events: u64,
    /// Events whose parameters did not fit, skipped.
    pub damaged_events: u64,
    /// Metadata blocks that could not be read to their end, with why.
    pub damaged_metadata: Vec<(u64, Damage)>,
    /// Containers of the processes that made calls (any call).
    pub containers: BTreeSet<String>,
    /// Processes that made calls (any call), by process ID.
    pub processes: HashSet<i64>,
}

/// One syscall exit of the kinds a timeline shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Exit {
    /// Byte offset of its block in the (decompressed) capture.
    pub offset: u64,
    /// Nanoseconds since the epoch.
    pub time_ns: u64,
    /// The calling thread.
    pub tid: i64,
    /// What the call did.
    pub syscall: Syscall,
}

/// A capture being read.
pub struct Capture<R> {
    blocks: BlockReader<R>,
    /// The program each thread's pending execve or execveat entry asked for.
    exec_entries: HashMap<i64, (Option<i64>, String)>,
    /// The thread last counted by `note_event` (events come in runs per
    /// thread), until the tables change.
    last_caller: Option<i64>,
    /// The process, file and user tables, as of the last exit returned.
    pub tables: Tables,
    /// Counts so far.
    pub stats: Stats,
}

impl<R: Read> Capture<R> {
    /// Reads the section header.
    pub fn open(input: R) -> Result<Capture<R>, ScapError> {
        Ok(Capture {
            blocks: BlockReader::open(input)?,
            exec_entries: HashMap::new(),
            last_caller: None,
            tables: Tables::default(),
            stats: Stats::default(),
        })
    }

    /// The next exit a timeline shows (execve, execveat, connect, accept,
    /// accept4, open, openat, openat2 and creat), or `None` at the end.
    pub fn next_exit(&mut self) -> Result<Option<Exit>, ScapError> {
        loop {
            let order = self.blocks.order();
            let Some(block) = self.blocks.next_block()? else {
                return Ok(None);
            };
            let (offset, kind) = (block.offset, block.kind);
            if !is_event_block(kind) {
                let outcome = read_metadata(block.body, kind, order, &mut self.tables);
                match outcome {
                    Metadata::Read => {}
                    Metadata::Unknown => self.stats.unknown_blocks += 1,
                    Metadata::Damaged(why) => self.stats.damaged_metadata.push((offset, why)),
                }
                continue;
            }
            self.stats.events += 1;
            let event = match RawEvent::parse(block.body, kind, order) {
                Ok(event) => event,
                Err(_) => {
                    self.stats.damaged_events += 1;
                    continue;
                }
            };
            let (time_ns, tid) = (event.time_ns, event.tid);
            let decoded = (event.kind < KNOWN_EVENT_TYPES).then(|| event.decode());
            self.note_event(time_ns, tid);
            let syscall = match decoded {
                Some(Ok(Some(syscall))) => syscall,
                Some(Ok(None)) => continue,
                Some(Err(_)) => {
                    self.stats.damaged_events += 1;
                    continue;
                }
                None => {
                    self.stats.unknown_events += 1;
                    continue;
                }
            };
            if self.follow(tid, &syscall) {
                return Ok(Some(Exit {
                    offset,
                    time_ns,
                    tid,
                    syscall,
                }));
            }
        }
    }

    /// Updates the tables with a call; true when it goes on the timeline.
    fn follow(&mut self, tid: i64, syscall: &Syscall) -> bool {
        self.last_caller = None;
        match syscall {
            Syscall::Exec(exec) => {
                let entry = self.exec_entries.remove(&tid);
                if exec.result == 0 {
                    self.executed(tid, exec, entry);
                }
                true
            }
            Syscall::ExecEnter { dirfd, path } => {
                self.exec_entries.insert(tid, (*dirfd, path.clone()));
                false
            }
            Syscall::Clone(clone) => {
                self.cloned(tid, clone);
                false
            }
            Syscall::Chdir { result, path } => {
                if *result == 0 {
                    let cwd = self.tables.absolute_path(tid, None, path);
                    if let Some(thread) = self.tables.threads.get_mut(&tid) {
                        thread.cwd = cwd;
                    }
                }
                false
            }
            Syscall::Open {
                result,
                path,
                dirfd,
                write,
                ..
            } => {
                if *result >= 0 {
                    let absolute = self.tables.absolute_path(tid, *dirfd, path);
                    self.tables.opened(tid, *result, &absolute);
                }
                *write
            }
            Syscall::Network { .. } => true,
        }
    }

    /// The thread's new process image after a successful exec. The
    /// executable's path is the exit's own, else the entry's path made
    /// absolute (as libsinsp does for the layouts without it).
    fn executed(&mut self, tid: i64, exec: &Exec, entry: Option<(Option<i64>, String)>) {
        let thread = self.tables.threads.entry(tid).or_default();
        thread.pid = exec.pid;
        thread.ptid = exec.ptid;
        thread.exe = exec.exe.clone();
        thread.args = exec.args.clone();
        if !exec.cwd.is_empty() {
            thread.cwd = exec.cwd.clone();
        }
        if !exec.comm.is_empty() {
            thread.comm = exec.comm.clone();
        }
        if exec.uid.is_some() {
            thread.uid = exec.uid;
        }
        if !exec.cgroups.is_empty() {
            thread.container = container_id(exec.cgroups.iter().map(String::as_str));
        }
        let exepath = match (&exec.exepath, entry) {
            (Some(path), _) => path.clone(),
            (None, Some((dirfd, path))) => self.tables.absolute_path(tid, dirfd, &path),
            (None, None) => String::new(),
        };
        if let Some(thread) = self.tables.threads.get_mut(&tid) {
            thread.exepath = exepath;
        }
    }

    /// A new thread: described by the child's own exit, or, from the
    /// parent's, as a copy of the parent (unless the child's came first).
    fn cloned(&mut self, tid: i64, clone: &NewThread) {
        let described = Thread {
            pid: clone.pid,
            ptid: clone.ptid,
            comm: clone.comm.clone(),
            exe: clone.exe.clone(),
            exepath: String::new(),
            args: clone.args.clone(),
            cwd: clone.cwd.clone(),
            uid: clone.uid,
            container: container_id(clone.cgroups.iter().map(String::as_str)),
        };
        match clone.result {
            0 => {
                // What the child's exit leaves out, it has from its parent.
                let mut child = described;
                if let Some(parent) = self.tables.threads.get(&clone.ptid) {
                    child.exepath = parent.exepath.clone();
                    if child.cwd.is_empty() {
                        child.cwd = parent.cwd.clone();
                    }
                    child.uid = child.uid.or(parent.uid);
                }
                self.tables.threads.insert(tid, child);
            }
            child_tid if child_tid > 0 => {
                if self.tables.threads.contains_key(&child_tid) {
                    return;
                }
                let mut child = self.tables.threads.get(&tid).cloned().unwrap_or(described);
                if clone.flags & CLONE_THREAD == 0 {
                    child.pid = child_tid;
                    child.ptid = tid;
                }
                self.tables.threads.insert(child_tid, child);
            }
            _ => {}
        }
    }

    /// Widens the time span, and counts the calling thread's process and container.
    fn note_event(&mut self, time_ns: u64, tid: i64) {
        let span = self.stats.span.get_or_insert((time_ns, time_ns));
        span.0 = span.0.min(time_ns);
        span.1 = span.1.max(time_ns);
        if self.last_caller == Some(tid) {
            return;
        }
        self.last_caller = Some(tid);
        let thread = self.tables.threads.get(&tid);
        self.stats.processes.insert(thread.map_or(tid, |t| t.pid));
        if let Some(container) = thread.and_then(|t| t.container.as_ref()) {
            if !self.stats.containers.contains(container) {
                self.stats.containers.insert(container.clone());
            }
        }
    }
}

/// What became of a metadata block.
enum Metadata {
    Read,
    Unknown,
    Damaged(Damage),
}

fn read_metadata(
    body: &[u8],
    kind: u32,
    order: super::fields::ByteOrder,
    tables: &mut Tables,
) -> Metadata {
    let result = if metadata::MACHINE_INFO.contains(&kind) {
        metadata::read_machine_info(body, tables)
    } else if let Some(version) = metadata::process_list_version(kind) {
        metadata::read_process_list(body, version, order, tables)
    } else if metadata::FD_LIST.contains(&kind) {
        metadata::read_fd_list(body, kind, order, tables)
    } else if metadata::USER_LIST.contains(&kind) {
        metadata::read_user_list(body, kind, order, tables)
    } else if metadata::INTERFACE_LIST.contains(&kind) || kind == SECTION_HEADER {
        Ok(())
    } else {
        return Metadata::Unknown;
    };
    match result {
        Ok(()) => Metadata::Read,
        Err(why) => Metadata::Damaged(why),
    }
}
