//! The console's first frame as a user meets it: `taskscope open BUNDLE` on
//! a pseudo-terminal of 160x48 columns, timed from the spawn until the task
//! list is drawn, with the process's peak resident memory at that moment
//! (`VmHWM` in /proc); then `q`, and the process must exit 0.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the task list's title starts with once the data is in.
const MARKER: &[u8] = b" Tasks (";
/// Longest wait for the first frame.
const PATIENCE: Duration = Duration::from_secs(600);

/// The first frame's time and memory.
pub struct FirstFrame {
    /// From the spawn to the task list drawn.
    pub seconds: f64,
    /// Peak resident memory when it was drawn.
    pub peak_bytes: u64,
}

/// Opens `bundle` in the console of `bin` and measures its first frame.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by waitpid once it has quit"
)]
pub fn first_frame(bin: &str, bundle: &Path) -> FirstFrame {
    let (mut terminal, slave) = open_pty();
    let side = |fd| {
        // SAFETY: `fd` is the open slave; the duplicate is owned by the Stdio.
        Stdio::from(unsafe { File::from_raw_fd(libc::dup(fd)) })
    };
    let mut command = Command::new(bin);
    command
        .arg("open")
        .arg(bundle)
        .env("TERM", "xterm-256color")
        .stdin(side(slave))
        .stdout(side(slave))
        .stderr(side(slave));
    // SAFETY: setsid and ioctl are async-signal-safe; the child makes the
    // terminal its controlling one, as a shell would.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY, 0);
            Ok(())
        });
    }
    let start = Instant::now();
    let child = command.spawn().expect("start the console");
    // The child holds its own copies of the slave; ours are closed, so the
    // master reads end of file once the child has quit.
    drop(command);
    // SAFETY: closed once, here.
    unsafe { libc::close(slave) };
    let mut seen = Vec::new();
    while !seen.windows(MARKER.len()).any(|w| w == MARKER) {
        assert!(start.elapsed() < PATIENCE, "no first frame");
        read_some(&mut terminal, &mut seen);
    }
    let seconds = start.elapsed().as_secs_f64();
    let peak_bytes = peak_resident(child.id());
    terminal.write_all(b"q").expect("type q");
    // Drain the screen until the child closes the terminal, then reap it.
    let quit = Instant::now();
    while read_some(&mut terminal, &mut Vec::new()) {
        assert!(quit.elapsed() < PATIENCE, "the console did not quit");
    }
    let mut status = 0;
    // SAFETY: our own child, reaped once, here.
    unsafe { libc::waitpid(child.id() as libc::pid_t, &mut status, 0) };
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the console failed (wait status {status})"
    );
    FirstFrame {
        seconds,
        peak_bytes,
    }
}

/// A pseudo-terminal of 48 rows and 160 columns: the master as a file, the
/// slave's descriptor.
fn open_pty() -> (File, libc::c_int) {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: 48,
        ws_col: 160,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: valid pointers to two ints and a size; no name, no termios.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(opened, 0, "openpty: {}", io::Error::last_os_error());
    // SAFETY: `master` was just opened and is owned by the file from here.
    (unsafe { File::from_raw_fd(master) }, slave)
}

/// Reads what the console wrote within a second into `seen`; false once
/// the terminal is closed.
fn read_some(terminal: &mut File, seen: &mut Vec<u8>) -> bool {
    use std::os::fd::AsRawFd;
    let mut poll = libc::pollfd {
        fd: terminal.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    if unsafe { libc::poll(&mut poll, 1, 1_000) } <= 0 {
        return true;
    }
    let mut buffer = [0; 1 << 16];
    match terminal.read(&mut buffer) {
        Ok(0) | Err(_) => false,
        Ok(read) => {
            seen.extend_from_slice(&buffer[..read]);
            true
        }
    }
}

/// The peak resident memory of process `pid` so far (`VmHWM`).
fn peak_resident(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}
