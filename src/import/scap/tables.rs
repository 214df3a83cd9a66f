//! What the capture says about processes, open files and users, updated as
//! events go: the context each timeline event is given.

use std::collections::HashMap;

/// How many ancestors a lineage names at most.
const MAX_LINEAGE: usize = 8;

/// One thread, as the process list or a clone or execve exit described it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Thread {
    /// The process (thread group) ID.
    pub pid: i64,
    /// The parent's thread ID.
    pub ptid: i64,
    /// The command name (`comm`), at most 16 characters.
    pub comm: String,
    /// `argv[0]`.
    pub exe: String,
    /// The full executable path, when the capture has it.
    pub exepath: String,
    /// The arguments after `argv[0]`.
    pub args: Vec<String>,
    /// The working directory.
    pub cwd: String,
    /// The user ID, when known.
    pub uid: Option<u32>,
    /// The container runtime ID, for a process in a container.
    pub container: Option<String>,
}

impl Thread {
    /// The executable: its full path when known, else `argv[0]`.
    pub fn executable(&self) -> &str {
        if self.exepath.is_empty() {
            &self.exe
        } else {
            &self.exepath
        }
    }

    /// `argv[0]` and the arguments, separated by spaces.
    pub fn command_line(&self) -> String {
        std::iter::once(self.exe.as_str())
            .chain(self.args.iter().map(String::as_str))
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The name a lineage shows: the command name, else `argv[0]`.
    fn name(&self) -> &str {
        if self.comm.is_empty() {
            &self.exe
        } else {
            &self.comm
        }
    }
}

/// The tables of one capture.
#[derive(Debug, Default)]
pub struct Tables {
    /// Threads by thread ID.
    pub threads: HashMap<i64, Thread>,
    /// Paths of open files and directories, by process ID and descriptor.
    pub files: HashMap<(i64, i64), String>,
    /// User names by user ID.
    pub users: HashMap<u32, String>,
    /// The host name from the machine info block.
    pub hostname: Option<String>,
}

impl Tables {
    /// The parent chain of thread `tid`, nearest first, as names
    /// (`bash(25754)`), stopping at an unknown parent, a loop or
    /// [`MAX_LINEAGE`] ancestors.
    pub fn lineage(&self, tid: i64) -> Vec<String> {
        let mut names = Vec::new();
        let mut seen = vec![tid];
        let mut parent = self.threads.get(&tid).map(|t| t.ptid);
        while let Some(ptid) = parent {
            if names.len() == MAX_LINEAGE || seen.contains(&ptid) {
                break;
            }
            let Some(thread) = self.threads.get(&ptid) else {
                break;
            };
            names.push(format!("{}({ptid})", thread.name()));
            seen.push(ptid);
            parent = Some(thread.ptid);
        }
        names
    }

    /// The name of user `uid`, or the number when the user list lacks it.
    pub fn user_name(&self, uid: u32) -> String {
        self.users
            .get(&uid)
            .cloned()
            .unwrap_or_else(|| uid.to_string())
    }

    /// `name` made absolute: relative names are resolved against the
    /// directory open as `dirfd` in the thread's process (`AT_FDCWD` or
    /// `None` meaning its working directory). Left as written when the
    /// base is unknown.
    pub fn absolute_path(&self, tid: i64, dirfd: Option<i64>, name: &str) -> String {
        if name.starts_with('/') || name.is_empty() {
            return name.to_string();
        }
        let thread = self.threads.get(&tid);
        let base = match dirfd {
            Some(fd) if fd != AT_FDCWD => {
                thread.and_then(|t| self.files.get(&(t.pid, fd)).map(String::as_str))
            }
            _ => thread.map(|t| t.cwd.as_str()).filter(|cwd| !cwd.is_empty()),
        };
        match base {
            Some(base) => join(base, name),
            None => name.to_string(),
        }
    }

    /// Records that the thread's process opened `path` as `fd`.
    pub fn opened(&mut self, tid: i64, fd: i64, path: &str) {
        let pid = self.threads.get(&tid).map_or(tid, |t| t.pid);
        self.files.insert((pid, fd), path.to_string());
    }
}

/// The "current directory" value of a directory descriptor argument.
pub const AT_FDCWD: i64 = -100;

/// `base/name`, without a doubled slash.
fn join(base: &str, name: &str) -> String {
    let name = name.strip_prefix("./").unwrap_or(name);
    if base.ends_with('/') {
        format!("{base}{name}")
    } else {
        format!("{base}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread(pid: i64, ptid: i64, comm: &str) -> Thread {
        Thread {
            pid,
            ptid,
            comm: comm.into(),
            cwd: "/work".into(),
            ..Thread::default()
        }
    }

    #[test]
    fn lineage_follows_parents_and_stops_at_loops() {
        let mut tables = Tables::default();
        tables.threads.insert(30, thread(30, 20, "cat"));
        tables.threads.insert(20, thread(20, 10, "bash"));
        tables.threads.insert(10, thread(10, 20, "sshd"));
        assert_eq!(tables.lineage(30), ["bash(20)", "sshd(10)"]);
        assert!(tables.lineage(99).is_empty());
    }

    #[test]
    fn relative_paths_resolve_against_cwd_or_the_directory_descriptor() {
        let mut tables = Tables::default();
        tables.threads.insert(7, thread(5, 1, "sh"));
        tables.opened(7, 3, "/etc");
        assert_eq!(tables.absolute_path(7, None, "./a"), "/work/a");
        assert_eq!(tables.absolute_path(7, Some(AT_FDCWD), "a"), "/work/a");
        assert_eq!(tables.absolute_path(7, Some(3), "passwd"), "/etc/passwd");
        assert_eq!(tables.absolute_path(7, Some(9), "x"), "x");
        assert_eq!(tables.absolute_path(7, None, "/abs"), "/abs");
    }
}
