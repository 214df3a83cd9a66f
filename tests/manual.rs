//! `taskscope completions` and `taskscope man` follow the clap definitions:
//! every subcommand is completed and has a page, and `collect`'s page names
//! every one of its options.

mod binary;

use clap::CommandFactory;
use std::process::Output;
use taskscope::cli::Cli;
use tempfile::TempDir;

fn taskscope(args: &[&str]) -> Output {
    binary::command()
        .args(args)
        .output()
        .expect("runs taskscope")
}

fn stdout_of(args: &[&str]) -> String {
    let out = taskscope(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommands as the parser defines them.
fn subcommands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|command| command.get_name().to_string())
        .collect()
}

/// A roff page as plain text: roff writes a literal `-` as `\-`.
fn plain(roff: &str) -> String {
    roff.replace("\\-", "-")
}

#[test]
fn completions_name_every_subcommand_in_every_shell() {
    let names = subcommands();
    assert!(names.len() > 15 && names.iter().any(|n| n == "collect"));
    let bash = stdout_of(&["completions", "bash"]);
    assert!(bash.contains("complete -F"), "not a bash script: {bash}");
    for name in &names {
        assert!(
            bash.contains(&format!("taskscope,{name})")),
            "bash completion lacks {name}"
        );
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("collect"), "{shell}");
    }
    assert_eq!(taskscope(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn the_man_pages_name_every_subcommand_and_every_option_of_collect() {
    let main = plain(&stdout_of(&["man"]));
    assert!(
        main.starts_with(".ie") || main.contains(".TH taskscope"),
        "{main}"
    );
    for name in subcommands() {
        assert!(main.contains(&name), "taskscope(1) lacks {name}");
    }
    let collect = plain(&stdout_of(&["man", "collect"]));
    assert!(collect.contains(".TH taskscope-collect"), "{collect}");
    let cli = Cli::command();
    let definition = cli.find_subcommand("collect").unwrap();
    let options: Vec<String> = definition
        .get_arguments()
        .filter_map(|arg| arg.get_long().map(|long| format!("--{long}")))
        .collect();
    assert!(options.len() > 5, "{options:?}");
    for option in options {
        assert!(
            collect.contains(&option),
            "taskscope-collect(1) lacks {option}"
        );
    }

    let unknown = taskscope(&["man", "nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no subcommand nope"));
}

#[test]
fn man_out_writes_one_page_per_command() {
    let dir = TempDir::new().unwrap();
    let pages = dir.path().join("man1");
    let out = taskscope(&["man", "--out", pages.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let mut expected: Vec<String> = subcommands()
        .iter()
        .map(|name| format!("taskscope-{name}.1"))
        .collect();
    expected.push("taskscope.1".to_string());
    expected.sort();
    let mut written: Vec<String> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, expected);
    let collect = std::fs::read_to_string(pages.join("taskscope-collect.1")).unwrap();
    assert_eq!(
        collect.as_bytes(),
        stdout_of(&["man", "collect"]).as_bytes()
    );
}
