//! The `atrium` binary as the tests run it: configured only by what a test gives (nothing from
//! the developer's shell), and `atrium serve` stopped when the test ends, however it ends.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A child process (`atrium serve`, a test server) killed when dropped.
pub struct Served(pub Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The binary with the environment variables `envs` and no other Atrium, AWS or database
/// configuration.
pub fn atrium(envs: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atrium"));
    for (name, _) in std::env::vars() {
        if name.starts_with("ATRIUM_") || name.starts_with("AWS_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    command.env("RUST_LOG", "warn").envs(envs.iter().copied());
    command
}

/// Starts `command` (an `atrium serve … --bind 127.0.0.1:0`) and waits for the address it
/// prints once it listens.
pub fn serve(mut command: Command) -> (Served, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start atrium serve");
    let stdout = child.stdout.take().expect("stdout");
    let served = Served(child);
    let (lines_tx, lines_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let base = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("a `listening on` line within a minute");
        if let Some(address) = line.strip_prefix("listening on ") {
            break address.trim().to_owned();
        }
    };
    (served, base)
}
