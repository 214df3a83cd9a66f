//! Who acts: which credentials the SDK's chain will really use. The chain
//! reads credentials from the environment before any profile, so a profile
//! named with `--profile` or `AWS_PROFILE` says nothing about the identity
//! when `AWS_ACCESS_KEY_ID` and friends are set. Plans warn about it, and the
//! allow list of profiles does not apply then.

/// The environment variables that hold credentials, read by the chain
/// before any profile.
const CREDENTIAL_VARIABLES: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// Reads one environment variable; tests give their own environment.
pub type Environment<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, as an [`Environment`].
pub fn process_environment(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The credential variables set (and not empty) in `env`, in a fixed order.
pub fn credential_variables(env: Environment<'_>) -> Vec<&'static str> {
    CREDENTIAL_VARIABLES
        .into_iter()
        .filter(|name| env(name).is_some_and(|value| !value.is_empty()))
        .collect()
}

/// The profile the user named: `profile` (`--profile`), else `AWS_PROFILE`.
pub fn named_profile(profile: Option<&str>, env: Environment<'_>) -> Option<String> {
    profile
        .map(str::to_string)
        .or_else(|| env("AWS_PROFILE").filter(|name| !name.is_empty()))
}

/// The warning shown with a plan when environment credentials override a
/// named profile: the calls are made as `caller`, not as the profile.
pub fn override_warning(
    profile: Option<&str>,
    caller: &str,
    env: Environment<'_>,
) -> Option<String> {
    let profile = named_profile(profile, env)?;
    let variables = credential_variables(env);
    if variables.is_empty() {
        return None;
    }
    Some(format!(
        "environment credentials ({}) override profile {profile:?}: the SDK's credential chain \
         reads them first, so these calls are made as {caller}; unset them to act as the profile",
        variables.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn environment_keys_override_a_named_profile() {
        let keys = env(&[
            ("AWS_ACCESS_KEY_ID", "AKIA"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ]);
        let warning = override_warning(Some("ir"), "arn:aws:iam::1:user/ci", &keys).unwrap();
        assert!(
            warning.contains("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY"),
            "{warning}"
        );
        assert!(warning.contains("profile \"ir\""), "{warning}");
        assert!(warning.contains("arn:aws:iam::1:user/ci"), "{warning}");
        let from_variable = env(&[("AWS_PROFILE", "ir"), ("AWS_SESSION_TOKEN", "t")]);
        assert!(override_warning(None, "x", &from_variable).is_some());
    }

    #[test]
    fn no_warning_without_a_named_profile_or_without_keys() {
        let keys = env(&[("AWS_ACCESS_KEY_ID", "AKIA")]);
        assert_eq!(override_warning(None, "x", &keys), None, "no profile named");
        let profile_only = env(&[("AWS_PROFILE", "ir"), ("AWS_ACCESS_KEY_ID", "")]);
        assert_eq!(
            override_warning(None, "x", &profile_only),
            None,
            "empty is unset"
        );
    }
}
