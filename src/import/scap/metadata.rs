//! The metadata blocks a capture starts with: machine info, the process
//! list (nine versions), file descriptor lists, and the user list. Each is
//! read into the [`Tables`]; a damaged entry stops that block only.

use super::container::container_id;
use super::fields::{nul_separated, text, ByteOrder, Fields};
use super::tables::{Tables, Thread};

/// Machine info.
pub const MACHINE_INFO: [u32; 2] = [0x201, 0x8002_ABCD];
/// File descriptor lists: version 1 (and its pre-release number), version 2.
pub const FD_LIST: [u32; 3] = [0x203, 0x8001_ABCD, 0x218];
/// Interface lists (read past: addresses add nothing to a task's timeline).
pub const INTERFACE_LIST: [u32; 3] = [0x205, 0x8011_ABCD, 0x219];
/// User lists: version 1 (and its pre-release number), version 2.
pub const USER_LIST: [u32; 3] = [0x206, 0x8012_ABCD, 0x220];

/// The version of a process list block type (1 to 9), if it is one.
pub fn process_list_version(kind: u32) -> Option<u8> {
    Some(match kind {
        0x202 | 0x8000_ABCD => 1,
        0x207 | 0x8013_ABCD => 2,
        0x209 | 0x8014_ABCD => 3,
        0x210 => 4,
        0x211 => 5,
        0x212 => 6,
        0x213 => 7,
        0x214 => 8,
        0x215 => 9,
        _ => return None,
    })
}

/// Why a metadata block could not be read to its end.
pub type Damage = &'static str;

/// Reads the host name of a machine info block.
pub fn read_machine_info(body: &[u8], tables: &mut Tables) -> Result<(), Damage> {
    // num_cpus (4), memory size (8), max pid (8), then a 128-byte host name.
    let name = body.get(20..148).ok_or("machine info is too short")?;
    let name = text(name);
    if !name.is_empty() {
        tables.hostname = Some(name);
    }
    Ok(())
}

/// Reads the users of a user list block (groups are read past).
pub fn read_user_list(
    body: &[u8],
    kind: u32,
    order: ByteOrder,
    tables: &mut Tables,
) -> Result<(), Damage> {
    const DAMAGED: Damage = "a user list entry is damaged";
    let sized = kind == 0x220;
    let mut fields = Fields::new(body, order);
    while fields.remaining() >= 4 {
        let mut entry = entry_fields(&mut fields, sized, order).ok_or(DAMAGED)?;
        let is_user = entry.u8().ok_or(DAMAGED)? == 0;
        if is_user {
            let uid = entry.u32().ok_or(DAMAGED)?;
            entry.u32().ok_or(DAMAGED)?; // gid
            let name = entry.short_string().ok_or(DAMAGED)?;
            tables.users.insert(uid, name);
            entry.short_string().ok_or(DAMAGED)?; // home directory
            entry.short_string().ok_or(DAMAGED)?; // shell
        } else {
            entry.u32().ok_or(DAMAGED)?; // gid
            entry.short_string().ok_or(DAMAGED)?; // group name
        }
        if !sized {
            fields.skip(entry.position()).ok_or(DAMAGED)?;
        }
    }
    Ok(())
}

/// Reads the threads of a process list block of `version` (1 to 9).
pub fn read_process_list(
    body: &[u8],
    version: u8,
    order: ByteOrder,
    tables: &mut Tables,
) -> Result<(), Damage> {
    const DAMAGED: Damage = "a process list entry is damaged";
    let mut fields = Fields::new(body, order);
    while fields.remaining() >= 4 {
        let mut entry = entry_fields(&mut fields, version >= 9, order).ok_or(DAMAGED)?;
        let (tid, thread) = read_thread(&mut entry, version).ok_or(DAMAGED)?;
        if version < 9 {
            fields.skip(entry.position()).ok_or(DAMAGED)?;
        }
        tables.threads.insert(tid, thread);
    }
    Ok(())
}

/// One process list entry, up to the fields a timeline needs.
fn read_thread(entry: &mut Fields<'_>, version: u8) -> Option<(i64, Thread)> {
    let tid = entry.u64()? as i64;
    let pid = entry.u64()? as i64;
    let ptid = entry.u64()? as i64;
    if version >= 6 {
        entry.u64()?; // session ID
    }
    if version >= 8 {
        entry.u64()?; // process group ID in its namespace
    }
    let comm = entry.short_string()?;
    let exe = entry.short_string()?;
    let exepath = if version >= 7 {
        entry.short_string()?
    } else {
        String::new()
    };
    let args_len = usize::from(entry.u16()?);
    let args = nul_separated(entry.take(args_len)?).collect();
    let cwd = entry.short_string()?;
    entry.u64()?; // descriptor limit
    entry.u32()?; // flags
    let uid = entry.u32()?;
    entry.u32()?; // gid
    let mut container = None;
    if version >= 2 {
        entry.skip(4 + 4 + 4 + 8 + 8)?; // memory sizes and page faults
    }
    if version >= 3 {
        let env_len = usize::from(entry.u16()?);
        entry.skip(env_len)?;
    }
    if version >= 4 {
        entry.skip(8 + 8)?; // IDs in the namespace
        let cgroups_len = usize::from(entry.u16()?);
        let cgroups = entry.take(cgroups_len)?;
        let cgroups: Vec<String> = nul_separated(cgroups).collect();
        container = container_id(cgroups.iter().map(String::as_str));
    }
    if version >= 5 {
        entry.short_string()?; // root directory
    }
    Some((
        tid,
        Thread {
            pid,
            ptid,
            comm,
            exe,
            exepath,
            args,
            cwd,
            uid: Some(uid),
            container,
        },
    ))
}

/// File descriptor types (`scap_fd_type`) whose entry ends in a path.
const FD_FILE: u8 = 1;
const FD_DIRECTORY: u8 = 2;
const FD_FILE_V2: u8 = 16;

/// Reads the open files and directories of a file descriptor list block.
pub fn read_fd_list(
    body: &[u8],
    kind: u32,
    order: ByteOrder,
    tables: &mut Tables,
) -> Result<(), Damage> {
    const DAMAGED: Damage = "a file descriptor list entry is damaged";
    let sized = kind == 0x218;
    let mut fields = Fields::new(body, order);
    let tid = fields.u64().ok_or(DAMAGED)? as i64;
    let pid = tables.threads.get(&tid).map_or(tid, |t| t.pid);
    while fields.remaining() >= 4 {
        let mut entry = entry_fields(&mut fields, sized, order).ok_or(DAMAGED)?;
        let fd = entry.u64().ok_or(DAMAGED)? as i64;
        entry.u64().ok_or(DAMAGED)?; // inode
        let kind = entry.u8().ok_or(DAMAGED)?;
        let path = read_fd_detail(&mut entry, kind).ok_or(DAMAGED)?;
        if !sized {
            fields.skip(entry.position()).ok_or(DAMAGED)?;
        }
        if let Some(path) = path {
            tables.files.insert((pid, fd), path);
        }
    }
    Ok(())
}

/// Reads past the type-specific part of a descriptor entry, returning the
/// path of a file or directory.
fn read_fd_detail(entry: &mut Fields<'_>, kind: u8) -> Option<Option<String>> {
    match kind {
        FD_FILE | FD_DIRECTORY => return entry.short_string().map(Some),
        FD_FILE_V2 => {
            entry.u32()?; // open flags
            return entry.short_string().map(Some);
        }
        3 => entry.skip(4 + 4 + 2 + 2 + 1)?,   // IPv4 socket
        5 => entry.skip(4 + 2 + 1)?,           // IPv4 server socket
        4 => entry.skip(16 + 16 + 2 + 2 + 1)?, // IPv6 socket
        6 => entry.skip(16 + 2 + 1)?,          // IPv6 server socket
        8 => {
            entry.skip(8 + 8)?; // Unix socket ends
            entry.short_string()?;
        }
        7 | 9..=15 | 17..=21 => {
            entry.short_string()?;
        }
        _ => {} // unknown: nothing more was written
    }
    Some(None)
}

/// The fields of the next entry: for a block whose entries start with
/// their own length (which counts itself), exactly that entry, and the
/// outer cursor moved past it; otherwise the rest of the block, the caller
/// moving the outer cursor by what it read.
fn entry_fields<'a>(fields: &mut Fields<'a>, sized: bool, order: ByteOrder) -> Option<Fields<'a>> {
    if !sized {
        let rest = fields.clone().take(fields.remaining())?;
        return Some(Fields::new(rest, order));
    }
    let length = fields.u32()? as usize;
    let inner = fields.take(length.checked_sub(4)?)?;
    Some(Fields::new(inner, order))
}
