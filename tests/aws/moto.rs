#![allow(dead_code)] // shared by several test binaries; each uses a part

//! A moto server (a local implementation of the AWS APIs, from PyPI) on a
//! free loopback port, for as long as the handle lives. `./scripts/test`
//! installs it into `.venv-moto` and sets `TASKSCOPE_MOTO_SERVER`.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The region and cluster flags that name what tests/aws/seed.py creates.
pub const SEEDED_CLUSTER: [&str; 4] = ["--region", "us-east-1", "--cluster", "prod"];

/// A running moto server; killed on drop.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

fn server_path() -> PathBuf {
    if let Some(path) = std::env::var_os("TASKSCOPE_MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv-moto/bin/moto_server");
    assert!(
        local.exists(),
        "moto is not installed: run ./scripts/test (it installs moto into .venv-moto), \
         or set TASKSCOPE_MOTO_SERVER to a moto_server binary"
    );
    local
}

impl Moto {
    /// Starts moto on a port the system picks and waits until it says
    /// where it listens. Choosing a free port first and handing it over
    /// raced with the other tests' servers: two could be given the same
    /// port, and one test then talked to the other's server.
    pub fn start() -> Moto {
        let mut child = Command::new(server_path())
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("moto_server starts");
        let stderr = child.stderr.take().expect("moto's stderr is piped");
        let (found, url) = mpsc::channel();
        // Reads moto's log to its end, so that a full pipe never blocks it.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("http://127.0.0.1:") {
                    let _ = found.send(line[at..].trim().to_string());
                }
            }
        });
        let url = url
            .recv_timeout(Duration::from_secs(60))
            .expect("moto says where it listens within 60 s");
        let port: u16 = url
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .expect("moto's address ends with its port");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not listen within 60 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        Moto { child, url }
    }

    /// Seeds the incident of tests/aws/seed.py with `tasks` tasks, through
    /// boto3 from moto's virtualenv; returns what the script printed.
    pub fn seed(&self, tasks: usize) -> serde_json::Value {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/aws/seed.py");
        let output = self.python(&[script.as_os_str()], &[&tasks.to_string()]);
        serde_json::from_slice(&output).expect("the seed script prints JSON")
    }

    /// Runs moto's virtualenv Python (it has boto3) as
    /// `python PROGRAM... URL ARGS...`: `PROGRAM` is a script's path, or
    /// `-c` and code; the code finds this server's URL in `sys.argv[1]`.
    /// Returns what it printed; panics when it fails.
    pub fn python(&self, program: &[&std::ffi::OsStr], args: &[&str]) -> Vec<u8> {
        python_at(&self.url, program, args)
    }

    /// The taskscope binary with this server as its endpoint and test
    /// credentials, isolated from the user's own AWS configuration; one
    /// attempt per call (moto's missing APIs fail at once).
    pub fn taskscope(&self) -> Command {
        let mut command = crate::binary::command();
        command
            .env_clear()
            .env(
                crate::binary::CACHE_DIR_VARIABLE,
                crate::binary::cache_dir(),
            )
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_CONFIG_FILE", "/nonexistent/taskscope-test")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/taskscope-test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env("AWS_ENDPOINT_URL", &self.url);
        command
    }
}

/// As [`Moto::python`], for the server at `url`: for code that holds no
/// handle, such as a replaying HTTP client's answer.
pub fn python_at(url: &str, program: &[&std::ffi::OsStr], args: &[&str]) -> Vec<u8> {
    let python = server_path()
        .parent()
        .map(|bin| bin.join("python"))
        .expect("moto_server sits in a virtualenv's bin");
    let output = Command::new(python)
        .args(program)
        .arg(url)
        .args(args)
        .output()
        .expect("the virtualenv's python runs");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
