//! The `/` filter. Matching (nucleo) runs on a worker thread in chunks, in the
//! list's own order (time order for timelines), and publishes partial results
//! after each chunk: the first matches appear at once even over a million
//! events, and a newer query cancels an older one.
//!
//! Query syntax is fzf's, except that a plain word matches as a substring:
//! over long log lines a scattered fuzzy match of `secret` hits nearly every
//! row. `~word` asks for a fuzzy match; `'word` is exact, `^word` a prefix,
//! `word$` a suffix, and `!word` excludes.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread;

/// Items matched between two progress reports.
const CHUNK: usize = 16_384;

/// The searchable text of every item in a list, in list order.
pub type Haystacks = Arc<Vec<String>>;

/// The items of a list, as indices into its haystacks; `None` means every haystack in order.
pub type Scope = Option<Arc<Vec<u32>>>;

/// Hands the worker its haystacks; called on the worker, so haystacks that
/// are still being built are waited for there, not on the UI thread.
pub type HaystackSource = Box<dyn FnOnce() -> Haystacks + Send>;

/// One filter request: a query over a list's haystacks.
struct Job {
    generation: u64,
    query: String,
    haystacks: HaystackSource,
    scope: Scope,
}

/// What the worker has found so far for the newest query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Which request these results answer.
    pub generation: u64,
    /// Positions in the list that match, ascending.
    pub matches: Vec<u32>,
    /// Items looked at so far.
    pub scanned: usize,
    /// Items in the list.
    pub total: usize,
    /// True once every item has been looked at.
    pub done: bool,
}

/// A background fuzzy matcher. Dropping it stops the worker.
pub struct Filter {
    jobs: Sender<Job>,
    latest: Arc<AtomicU64>,
    progress: Arc<Mutex<Progress>>,
}

impl Filter {
    /// Starts the worker; `notify` is called (from the worker thread) after
    /// each published chunk so the UI can redraw.
    pub fn spawn(notify: impl Fn() + Send + 'static) -> Filter {
        let (jobs, receiver) = mpsc::channel();
        let latest = Arc::new(AtomicU64::new(0));
        let progress = Arc::new(Mutex::new(Progress::default()));
        let worker = Worker {
            jobs: receiver,
            latest: Arc::clone(&latest),
            progress: Arc::clone(&progress),
            notify: Box::new(notify),
        };
        thread::Builder::new()
            .name("taskscope-filter".into())
            .spawn(move || worker.run())
            .map(|_| ())
            .unwrap_or_else(|error| eprintln!("taskscope: cannot start the filter: {error}"));
        Filter {
            jobs,
            latest,
            progress,
        }
    }

    /// Starts matching `query` against the haystacks of the items in `scope`,
    /// cancelling any earlier request; `haystacks` is called on the worker.
    /// Returns the request's generation number.
    pub fn submit(&self, query: &str, haystacks: HaystackSource, scope: Scope) -> u64 {
        let generation = self.latest.fetch_add(1, Ordering::SeqCst) + 1;
        let job = Job {
            generation,
            query: query.to_string(),
            haystacks,
            scope,
        };
        if self.jobs.send(job).is_err() {
            // The worker is gone (it could not start): answer nothing, done.
            self.publish_empty(generation);
        }
        generation
    }

    /// The results for the newest request so far (possibly partial).
    pub fn progress(&self) -> Progress {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn publish_empty(&self, generation: u64) {
        if let Ok(mut progress) = self.progress.lock() {
            *progress = Progress {
                generation,
                done: true,
                ..Progress::default()
            };
        }
    }
}

struct Worker {
    jobs: Receiver<Job>,
    latest: Arc<AtomicU64>,
    progress: Arc<Mutex<Progress>>,
    notify: Box<dyn Fn() + Send>,
}

impl Worker {
    fn run(self) {
        let mut matcher = Matcher::new(Config::DEFAULT);
        while let Ok(mut job) = self.jobs.recv() {
            // Skip straight to the newest queued request.
            while let Ok(newer) = self.jobs.try_recv() {
                job = newer;
            }
            let Job {
                generation,
                query,
                haystacks,
                scope,
            } = job;
            if self.latest.load(Ordering::SeqCst) != generation {
                continue;
            }
            let haystacks = haystacks();
            self.run_job(generation, &query, &haystacks, &scope, &mut matcher);
        }
    }

    fn run_job(
        &self,
        generation: u64,
        query: &str,
        haystacks: &[String],
        scope: &Scope,
        matcher: &mut Matcher,
    ) {
        let pattern = parse_query(query);
        let total = scope.as_ref().map_or(haystacks.len(), |s| s.len());
        let mut matches = Vec::new();
        let mut buffer = Vec::new();
        let mut start = 0;
        loop {
            if self.latest.load(Ordering::SeqCst) != generation {
                return;
            }
            let end = (start + CHUNK).min(total);
            for position in start..end {
                let item = match scope {
                    Some(scope) => scope[position] as usize,
                    None => position,
                };
                let Some(text) = haystacks.get(item) else {
                    continue;
                };
                if pattern
                    .score(Utf32Str::new(text, &mut buffer), matcher)
                    .is_some()
                {
                    matches.push(position as u32);
                }
            }
            start = end;
            let done = start >= total;
            if let Ok(mut progress) = self.progress.lock() {
                if self.latest.load(Ordering::SeqCst) != generation {
                    return;
                }
                *progress = Progress {
                    generation,
                    matches: matches.clone(),
                    scanned: start,
                    total,
                    done,
                };
            }
            (self.notify)();
            if done {
                return;
            }
        }
    }
}

/// Parses a filter query: fzf syntax with plain words as substrings and
/// `~word` fuzzy (see the module documentation).
pub fn parse_query(query: &str) -> Pattern {
    let words: Vec<String> = query
        .split_whitespace()
        .map(|word| {
            if let Some(fuzzy) = word.strip_prefix('~') {
                return fuzzy.to_string();
            }
            let (negation, rest) = match word.strip_prefix('!') {
                Some(rest) => ("!", rest),
                None => ("", word),
            };
            let special =
                rest.starts_with(['\'', '^']) || (rest.ends_with('$') && !rest.ends_with("\\$"));
            if special || rest.is_empty() {
                word.to_string()
            } else {
                format!("{negation}'{rest}")
            }
        })
        .collect();
    Pattern::parse(&words.join(" "), CaseMatching::Smart, Normalization::Smart)
}

/// Positions of `query`'s matched characters in `text`, for highlighting.
pub fn match_positions(query: &str, text: &str) -> Vec<usize> {
    let pattern = parse_query(query);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buffer = Vec::new();
    let mut indices = Vec::new();
    pattern.indices(Utf32Str::new(text, &mut buffer), &mut matcher, &mut indices);
    indices.sort_unstable();
    indices.dedup();
    indices.into_iter().map(|i| i as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(items: Haystacks) -> HaystackSource {
        Box::new(move || items)
    }

    #[test]
    fn haystacks_are_fetched_on_the_worker_not_the_caller() {
        let caller = thread::current().id();
        let (fetched, fetched_on) = mpsc::channel();
        let filter = Filter::spawn(|| {});
        let source: HaystackSource = Box::new(move || {
            let _ = fetched.send(thread::current().id());
            Arc::new(vec!["needle".to_string()])
        });
        filter.submit("needle", source, None);
        let worker = fetched_on
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the worker fetches the haystacks");
        assert_ne!(worker, caller);
    }
    use std::time::{Duration, Instant};

    fn wait_done(filter: &Filter, generation: u64) -> Progress {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let progress = filter.progress();
            if progress.generation == generation && progress.done {
                return progress;
            }
            assert!(Instant::now() < deadline, "filter never finished");
            thread::sleep(Duration::from_millis(2));
        }
    }

    #[test]
    fn matches_fuzzily_in_list_order() {
        let filter = Filter::spawn(|| {});
        let items: Haystacks = Arc::new(
            [
                "ecs RUNNING task started",
                "guardduty Execution:Runtime/ReverseShell bash",
                "cloudtrail GetSecretValue",
                "falco Reverse shell detected",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        );
        let generation = filter.submit("~revshell", ready(items), None);
        let progress = wait_done(&filter, generation);
        assert_eq!(progress.matches, vec![1, 3]);
        assert_eq!(progress.total, 4);
    }

    #[test]
    fn a_newer_query_wins_and_results_span_chunks() {
        let filter = Filter::spawn(|| {});
        let items: Haystacks = Arc::new(
            (0..CHUNK * 3)
                .map(|i| format!("event {i} {}", if i % 1000 == 7 { "needle" } else { "hay" }))
                .collect(),
        );
        filter.submit("hay", ready(Arc::clone(&items)), None);
        let generation = filter.submit("needle", ready(items), None);
        let progress = wait_done(&filter, generation);
        let expected: Vec<u32> = (0..CHUNK as u32 * 3).filter(|i| i % 1000 == 7).collect();
        assert_eq!(progress.matches, expected);
    }

    #[test]
    fn negation_excludes_and_positions_follow_the_scope() {
        let filter = Filter::spawn(|| {});
        let items: Haystacks = Arc::new(vec!["AssumeRole".into(), "GetSecretValue".into()]);
        let generation = filter.submit("!assume", ready(items), Some(Arc::new(vec![1, 0])));
        assert_eq!(
            wait_done(&filter, generation).matches,
            vec![0],
            "position 0 holds item 1"
        );
    }

    #[test]
    fn plain_words_are_substrings_and_tilde_is_fuzzy() {
        let filter = Filter::spawn(|| {});
        let items: Haystacks = Arc::new(vec![
            "service checkout-api has reached a steady state".into(),
            "GetSecretValue (secretsmanager)".into(),
        ]);
        let generation = filter.submit("secret", ready(Arc::clone(&items)), None);
        assert_eq!(wait_done(&filter, generation).matches, vec![1]);
        let generation = filter.submit("~gsv", ready(items), None);
        assert_eq!(wait_done(&filter, generation).matches, vec![1]);
    }

    #[test]
    fn positions_point_at_the_matched_characters() {
        assert_eq!(match_positions("~gsv", "GetSecretValue"), vec![0, 3, 9]);
        assert_eq!(match_positions("cret", "GetSecretValue"), vec![5, 6, 7, 8]);
    }
}
