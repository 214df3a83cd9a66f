//! `taskscope verify`'s report on the bundle's chained journals: the first
//! break of each chain, and for an intact bundle how many annotations,
//! actions and handoffs they hold, each chain's state and the custody
//! history.

use crate::bundle::annotations::ANNOTATIONS_FILE;
use crate::bundle::audit::{self, AUDIT_FILE};
use crate::bundle::chain::{self, Chain};
use crate::bundle::custody::{self, CUSTODY_FILE};
use crate::bundle::Bundle;
use crate::render::sanitize::escape;
use std::collections::BTreeSet;

/// What `verify` prints about the journals, every line escaped.
#[derive(Default)]
pub struct JournalReport {
    /// One line per broken or unreadable chain: verification failures.
    pub problems: Vec<String>,
    /// The lines printed when the bundle verifies, each ending in a newline.
    pub summary: String,
}

/// Checks the chains of the annotations, the audit log and the custody log
/// of `bundle`, and sums them up with the custody history.
pub fn check(bundle: &Bundle) -> JournalReport {
    let mut report = JournalReport::default();
    let annotations = report.chain(bundle, ANNOTATIONS_FILE);
    let audit = report.chain(bundle, AUDIT_FILE);
    let custody = report.chain(bundle, CUSTODY_FILE);
    let (records, _) = audit::load(bundle);
    let actions: BTreeSet<&str> = records.iter().map(|(_, r)| r.plan_id.as_str()).collect();
    let notes = format!(
        "{} annotation(s)",
        annotations.as_ref().map_or(0, |chain| chain.lines)
    );
    let acts = format!("{} action(s)", actions.len());
    let logs = match (&annotations, &audit) {
        (Some(a), Some(b)) if a.state() != b.state() => {
            format!("{notes} ({}) and {acts} ({})", a.state(), b.state())
        }
        (Some(chain), _) | (None, Some(chain)) => format!("{notes} and {acts}, {}", chain.state()),
        (None, None) => format!("{notes} and {acts}"),
    };
    report.line(&format!("journals: {logs}"));
    let Some(custody) = custody else {
        report.line("custody: no handoffs recorded");
        return report;
    };
    report.line(&format!(
        "custody: {} handoff(s), {}",
        custody.lines,
        custody.state()
    ));
    let (handoffs, problems) = custody::load(bundle);
    for (_, handoff) in &handoffs {
        report.line(&format!("  {}", handoff.summary()));
    }
    for problem in &problems {
        report.line(&format!("  cannot read: {problem}"));
    }
    report
}

impl JournalReport {
    /// Reads the chain of `file`, recording a break or an unreadable journal
    /// as a problem.
    fn chain(&mut self, bundle: &Bundle, file: &str) -> Option<Chain> {
        match chain::read(bundle, file) {
            Ok(Some(chain)) => {
                if let Some(broken) = &chain.broken {
                    let problem = format!("chain broken: {file} {broken}");
                    self.problems.push(escape(&problem).into_owned());
                }
                Some(chain)
            }
            Ok(None) => None,
            Err(problem) => {
                let problem = format!("chain unreadable: {problem}");
                self.problems.push(escape(&problem).into_owned());
                None
            }
        }
    }

    /// Adds one line to the summary, escaped.
    fn line(&mut self, text: &str) {
        self.summary.push_str(&escape(text));
        self.summary.push('\n');
    }
}
