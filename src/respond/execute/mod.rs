//! Running a confirmed plan: its selected steps in order, each call sent as
//! planned. Before a call is sent a `call-started` record is committed to
//! the audit log, and a `call` record follows when it returns. A transient
//! failure (throttling, a 5xx answer, a timeout) is attempted again after a
//! pause, each attempt recorded; the SDK itself attempts mutating calls only
//! once. Just before a step, what it acts on is read again
//! ([`super::fresh`]). A failed step does not stop the plan: the steps that
//! need it ([`super::plan::Step::needs`]) do not run, the others do. An
//! [`Interrupt`](super::interrupt::Interrupt) stops the plan after the call
//! in flight. The result record says what became of every step, and what
//! AWS looks like now.

mod audit;
mod context;
mod preserve;
mod retry;
mod runner;

pub use context::Context;
pub use retry::Retry;
pub use runner::run;
