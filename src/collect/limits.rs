//! How much collection asks at once, and how long one listing may go on.

/// Most pages read from one listing: a guard against a token that never ends.
pub const MAX_PAGES: usize = 2_000;
/// Calls in flight at once within one source.
pub const CONCURRENCY: usize = 4;
/// Account/region pairs collected at once: a few, so that an organization's
/// hundred accounts neither open hundreds of connections nor run into the
/// per-account request rates, while one slow account does not hold the rest.
pub const ACCOUNT_REGIONS_AT_ONCE: usize = 4;
