//! Event blocks: the event header, its parameters, and the layouts of the
//! syscall exits a timeline shows, per event type and version
//! (`driver/event_table.c` of falcosecurity/libs).

use super::fields::{nul_separated, text, ByteOrder, Fields};
use super::tuple;

/// Event block types whose header lacks the parameter count (version 1).
const EVENT_V1: [u32; 3] = [0x204, 0x8010_ABCD, 0x208];
/// Event block types with the parameter count (version 2, and "large").
const EVENT_V2: [u32; 4] = [0x216, 0x221, 0x217, 0x222];
/// Event block types with 32 bits of flags before the event.
const WITH_FLAGS: [u32; 3] = [0x208, 0x217, 0x222];
/// Number of event types in the event table (`PPM_EVENT_MAX`); higher types
/// come from newer captures and are skipped.
pub const KNOWN_EVENT_TYPES: u16 = 454;

/// Whether a block type holds an event.
pub fn is_event_block(kind: u32) -> bool {
    EVENT_V1.contains(&kind) || EVENT_V2.contains(&kind)
}

/// An event's header and its parameter area.
#[derive(Debug)]
pub struct RawEvent<'a> {
    /// Nanoseconds since the epoch.
    pub time_ns: u64,
    /// The thread that made the call.
    pub tid: i64,
    /// The event type (`PPME_*`).
    pub kind: u16,
    /// The parameter count from the header (version 2 blocks only).
    count: Option<u32>,
    /// Everything after the header, up to the event's length.
    payload: &'a [u8],
    order: ByteOrder,
}

/// Why an event could not be read.
pub type EventDamage = &'static str;

impl<'a> RawEvent<'a> {
    /// The event in the body of an event block of `kind`.
    pub fn parse(body: &'a [u8], kind: u32, order: ByteOrder) -> Result<Self, EventDamage> {
        let mut fields = Fields::new(body, order);
        fields.skip(2).ok_or("event block too short")?; // CPU
        if WITH_FLAGS.contains(&kind) {
            fields.skip(4).ok_or("event block too short")?;
        }
        let start = fields.position();
        let time_ns = fields.u64().ok_or("event header too short")?;
        let tid = fields.u64().ok_or("event header too short")? as i64;
        let length = fields.u32().ok_or("event header too short")? as usize;
        let event_kind = fields.u16().ok_or("event header too short")?;
        let count = if EVENT_V2.contains(&kind) {
            Some(fields.u32().ok_or("event header too short")?)
        } else {
            None
        };
        let header = fields.position() - start;
        let payload_len = length
            .checked_sub(header)
            .ok_or("event length is shorter than its header")?;
        let payload = fields
            .take(payload_len)
            .ok_or("event length runs past its block")?;
        Ok(RawEvent {
            time_ns,
            tid,
            kind: event_kind,
            count,
            payload,
            order,
        })
    }

    /// The parameters, for an event type with at most `max` of them (the
    /// count of a version 1 event is worked out from the lengths, as
    /// libscap does: the largest count whose lengths fill the event).
    fn params(&self, max: u32) -> Result<Params<'a>, EventDamage> {
        const DAMAGED: EventDamage = "event parameters do not fit the event";
        let count = match self.count {
            Some(count) => count as usize,
            None => (0..=max as usize)
                .rev()
                .find(|&n| self.fill(n) == Some(self.payload.len()))
                .ok_or(DAMAGED)?,
        };
        let lengths = self.payload.get(..count * 2).ok_or(DAMAGED)?;
        let values = &self.payload[count * 2..];
        let total: usize = lengths
            .chunks_exact(2)
            .map(|pair| usize::from(self.order.u16([pair[0], pair[1]])))
            .sum();
        if total > values.len() {
            return Err(DAMAGED);
        }
        Ok(Params {
            lengths,
            values,
            order: self.order,
        })
    }

    /// How many payload bytes `count` parameters take, by their lengths.
    fn fill(&self, count: usize) -> Option<usize> {
        let lengths = self.payload.get(..count * 2)?;
        Some(
            count * 2
                + lengths
                    .chunks_exact(2)
                    .map(|pair| usize::from(self.order.u16([pair[0], pair[1]])))
                    .sum::<usize>(),
        )
    }

    /// The syscall exit this event is, when its type is one the timeline
    /// shows or the tables follow; `Ok(None)` for any other type.
    pub fn decode(&self) -> Result<Option<Syscall>, EventDamage> {
        let Some(layout) = layout(self.kind) else {
            return Ok(None);
        };
        let params = self.params(layout.max)?;
        Ok(Some(decode(layout, &params)))
    }
}

/// The parameters of one event.
struct Params<'a> {
    lengths: &'a [u8],
    values: &'a [u8],
    order: ByteOrder,
}

impl<'a> Params<'a> {
    /// Parameter `index`, if the event has it.
    fn get(&self, index: usize) -> Option<&'a [u8]> {
        let mut start = 0;
        let mut pairs = self.lengths.chunks_exact(2);
        for pair in pairs.by_ref().take(index) {
            start += usize::from(self.order.u16([pair[0], pair[1]]));
        }
        let pair = pairs.next()?;
        let length = usize::from(self.order.u16([pair[0], pair[1]]));
        self.values.get(start..start + length)
    }

    fn text(&self, index: usize) -> Option<String> {
        self.get(index).map(text)
    }

    fn int(&self, index: usize) -> Option<i64> {
        let bytes = self.get(index)?;
        let mut fields = Fields::new(bytes, self.order);
        match bytes.len() {
            8 => fields.u64().map(|v| v as i64),
            4 => fields.u32().map(|v| i64::from(v as i32)),
            2 => fields.u16().map(|v| i64::from(v as i16)),
            1 => fields.u8().map(|v| i64::from(v as i8)),
            _ => None,
        }
    }

    fn unsigned(&self, index: usize) -> Option<u32> {
        let bytes = self.get(index)?;
        let mut fields = Fields::new(bytes, self.order);
        match bytes.len() {
            4 => fields.u32(),
            2 => fields.u16().map(u32::from),
            _ => None,
        }
    }

    fn strings(&self, index: usize) -> Vec<String> {
        self.get(index)
            .map(|bytes| nul_separated(bytes).collect())
            .unwrap_or_default()
    }
}

/// What a decoded exit says.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Syscall {
    /// `execve`/`execveat`: the process image after the call (before it, on failure).
    Exec(Exec),
    /// `connect`, `accept`, `accept4`.
    Network {
        /// The syscall name.
        name: &'static str,
        /// The result: 0 or a descriptor on success, a negative errno on failure.
        result: i64,
        /// The two ends, when the capture has them.
        tuple: Option<String>,
    },
    /// `open`, `openat`, `openat2`, `creat`.
    Open {
        /// The syscall name.
        name: &'static str,
        /// The descriptor, or a negative errno.
        result: i64,
        /// The path as passed.
        path: String,
        /// The directory descriptor a relative path is resolved against.
        dirfd: Option<i64>,
        /// Whether the file was opened for writing (`creat` always is).
        write: bool,
    },
    /// `clone`, `fork`, `vfork`, `clone3`: a new thread or process.
    Clone(NewThread),
    /// An execve or execveat entry: the program asked for, which the
    /// exit of older layouts does not repeat.
    ExecEnter {
        /// The directory descriptor a relative path is resolved against (execveat).
        dirfd: Option<i64>,
        /// The path as passed.
        path: String,
    },
    /// `chdir`: a new working directory.
    Chdir {
        /// 0, or a negative errno.
        result: i64,
        /// The directory as passed.
        path: String,
    },
}

/// An execve or execveat exit.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Exec {
    /// The syscall name.
    pub name: &'static str,
    /// 0, or a negative errno.
    pub result: i64,
    /// `argv[0]`.
    pub exe: String,
    /// Arguments after `argv[0]`.
    pub args: Vec<String>,
    /// Process and parent IDs.
    pub pid: i64,
    /// The parent's thread ID.
    pub ptid: i64,
    /// Working directory.
    pub cwd: String,
    /// Command name.
    pub comm: String,
    /// Control groups (`controller=path`).
    pub cgroups: Vec<String>,
    /// The user ID (newer layouts only).
    pub uid: Option<u32>,
    /// The executable's full path (newer layouts only).
    pub exepath: Option<String>,
}

/// A clone-family exit.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct NewThread {
    /// The child's thread ID in the parent, 0 in the child, or a negative errno.
    pub result: i64,
    /// The caller's (or the child's) process image.
    pub exe: String,
    /// Arguments after `argv[0]`.
    pub args: Vec<String>,
    /// The calling thread's IDs.
    pub pid: i64,
    /// The parent's thread ID.
    pub ptid: i64,
    /// Working directory.
    pub cwd: String,
    /// Command name.
    pub comm: String,
    /// Control groups.
    pub cgroups: Vec<String>,
    /// `PPM_CL_*` flags.
    pub flags: u32,
    /// The user ID.
    pub uid: Option<u32>,
}

/// `PPM_CL_CLONE_THREAD`: the new task is a thread of the caller's process.
pub const CLONE_THREAD: u32 = 1 << 13;
/// `PPM_O_WRONLY` (`PPM_O_RDWR` has this bit too).
const O_WRONLY: u32 = 1 << 1;

/// Where the fields of one event type sit.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// The parameter count in the event table.
    max: u32,
    shape: Shape,
}

#[derive(Debug, Clone, Copy)]
enum Shape {
    Exec(&'static str),
    /// connect: result, tuple.
    Connect,
    /// accept family: descriptor, tuple.
    Accept(&'static str),
    /// open family: descriptor, then the indices of dirfd, name and flags.
    Open {
        name: &'static str,
        dirfd: Option<usize>,
        path: usize,
        flags: Option<usize>,
    },
    Clone,
    /// execve entry: the path; execveat entry: dirfd, then the path.
    ExecEnter {
        dirfd: bool,
    },
    Chdir,
}

/// The layout of an event type this reader decodes. Every version of the
/// syscalls the timeline shows whose exit carries its own arguments;
/// the old `openat` exit (descriptor only) and execve exits before
/// version 16 do not, and are left out. Also the exits that change the
/// tables (clones, chdir), and the execve entries whose path the exits of
/// versions 18 and 19 (before `trusted_exepath`) do not repeat.
fn layout(kind: u16) -> Option<Layout> {
    let (max, shape) = match kind {
        231 => (16, Shape::Exec("execve")),   // PPME_SYSCALL_EXECVE_16_X
        283 => (17, Shape::Exec("execve")),   // _17_X
        289 => (17, Shape::Exec("execve")),   // _18_X
        293 => (31, Shape::Exec("execve")),   // _19_X
        331 => (30, Shape::Exec("execveat")), // PPME_SYSCALL_EXECVEAT_X
        23 => (4, Shape::Connect),            // PPME_SOCKET_CONNECT_X
        27 => (3, Shape::Accept("accept")),   // PPME_SOCKET_ACCEPT_X
        247 => (5, Shape::Accept("accept")),  // PPME_SOCKET_ACCEPT_5_X
        57 => (3, Shape::Accept("accept4")),  // PPME_SOCKET_ACCEPT4_X
        249 => (5, Shape::Accept("accept4")), // PPME_SOCKET_ACCEPT4_5_X
        389 => (6, Shape::Accept("accept4")), // PPME_SOCKET_ACCEPT4_6_X
        3 => (6, open("open", None, 1, Some(2))), // PPME_SYSCALL_OPEN_X
        307 => (7, open("openat", Some(1), 2, Some(3))), // PPME_SYSCALL_OPENAT_2_X
        327 => (8, open("openat2", Some(1), 2, Some(3))), // PPME_SYSCALL_OPENAT2_X
        59 => (6, open("creat", None, 1, None)), // PPME_SYSCALL_CREAT_X
        // PPME_SYSCALL_CLONE_20_X, FORK_20_X, VFORK_20_X, CLONE3_X
        223 | 225 | 227 | 335 => (21, Shape::Clone),
        // PPME_SYSCALL_EXECVE_18_E, _19_E, PPME_SYSCALL_EXECVEAT_E
        288 | 292 => (1, Shape::ExecEnter { dirfd: false }),
        330 => (3, Shape::ExecEnter { dirfd: true }),
        95 => (2, Shape::Chdir), // PPME_SYSCALL_CHDIR_X
        _ => return None,
    };
    Some(Layout { max, shape })
}

const fn open(
    name: &'static str,
    dirfd: Option<usize>,
    path: usize,
    flags: Option<usize>,
) -> Shape {
    Shape::Open {
        name,
        dirfd,
        path,
        flags,
    }
}

fn decode(layout: Layout, params: &Params<'_>) -> Syscall {
    let result = params.int(0).unwrap_or(0);
    match layout.shape {
        Shape::Exec(name) => Syscall::Exec(Exec {
            name,
            result,
            exe: params.text(1).unwrap_or_default(),
            args: params.strings(2),
            pid: params.int(4).unwrap_or(0),
            ptid: params.int(5).unwrap_or(0),
            cwd: params.text(6).unwrap_or_default(),
            comm: params.text(13).unwrap_or_default(),
            cgroups: params.strings(14),
            uid: params.unsigned(26),
            exepath: params.text(27).filter(|path| !path.is_empty()),
        }),
        Shape::Connect => Syscall::Network {
            name: "connect",
            result,
            tuple: params.get(1).and_then(|t| tuple::describe(t, params.order)),
        },
        Shape::Accept(name) => Syscall::Network {
            name,
            result,
            tuple: params.get(1).and_then(|t| tuple::describe(t, params.order)),
        },
        Shape::Open {
            name,
            dirfd,
            path,
            flags,
        } => Syscall::Open {
            name,
            result,
            path: params.text(path).unwrap_or_default(),
            dirfd: dirfd.and_then(|index| params.int(index)),
            write: match flags {
                Some(index) => params.unsigned(index).unwrap_or(0) & O_WRONLY != 0,
                None => true,
            },
        },
        Shape::Clone => Syscall::Clone(NewThread {
            result,
            exe: params.text(1).unwrap_or_default(),
            args: params.strings(2),
            pid: params.int(4).unwrap_or(0),
            ptid: params.int(5).unwrap_or(0),
            cwd: params.text(6).unwrap_or_default(),
            comm: params.text(13).unwrap_or_default(),
            cgroups: params.strings(14),
            flags: params.unsigned(15).unwrap_or(0),
            uid: params.unsigned(16),
        }),
        Shape::ExecEnter { dirfd: false } => Syscall::ExecEnter {
            dirfd: None,
            path: params.text(0).unwrap_or_default(),
        },
        Shape::ExecEnter { dirfd: true } => Syscall::ExecEnter {
            dirfd: params.int(0),
            path: params.text(1).unwrap_or_default(),
        },
        Shape::Chdir => Syscall::Chdir {
            result,
            path: params.text(1).unwrap_or_default(),
        },
    }
}
