//! The container a process runs in, from its control groups.
//!
//! Captures carry each process's cgroups (`cpuset=/docker/<id>`, one per
//! controller). The container runtime ID is the last path segment in one of
//! the forms runtimes use; it is the same ID GuardDuty runtime findings and
//! ECS name, so it links a capture's processes to their task.

/// The container runtime ID in a process's cgroups, if it runs in a container.
pub fn container_id<'a>(cgroups: impl IntoIterator<Item = &'a str>) -> Option<String> {
    cgroups.into_iter().find_map(|entry| {
        let path = entry.split_once('=').map_or(entry, |(_, path)| path);
        path.rsplit('/').find_map(runtime_id)
    })
}

/// The runtime ID in one cgroup path segment: a 64-hex ID, bare or wrapped
/// by a systemd scope (`docker-<id>.scope`, `cri-containerd-<id>.scope`,
/// `crio-<id>.scope`, `libpod-<id>.scope`), or a Fargate container's
/// `<task-id>-<number>`.
fn runtime_id(segment: &str) -> Option<String> {
    let bare = segment.strip_suffix(".scope").unwrap_or(segment);
    let hex = bare.rsplit('-').next().unwrap_or(bare);
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(hex.to_ascii_lowercase());
    }
    let (task, number) = segment.split_once('-')?;
    let fargate = task.len() == 32
        && task.bytes().all(|b| b.is_ascii_hexdigit())
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit());
    fargate.then(|| segment.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "697956520d891b5cb0e215093970c733549a3f745f52263c05b37f8a488994b4";

    #[test]
    fn runtime_ids_are_found_in_every_runtime_form() {
        let docker = format!("cpuset=/docker/{ID}");
        assert_eq!(container_id([docker.as_str()]).as_deref(), Some(ID));
        let scope = format!("memory=/system.slice/cri-containerd-{ID}.scope");
        assert_eq!(container_id(["cpu=/", scope.as_str()]).as_deref(), Some(ID));
        let fargate =
            "cpu=/ecs/0123456789abcdef0123456789abcdef/0123456789abcdef0123456789abcdef-1234567890";
        assert_eq!(
            container_id([fargate]).as_deref(),
            Some("0123456789abcdef0123456789abcdef-1234567890")
        );
    }

    #[test]
    fn host_processes_have_no_container() {
        assert_eq!(container_id(["cpuset=/", "memory=/user.slice"]), None);
        assert_eq!(container_id(["cpu=/ecs/not-a-task-1"]), None);
    }
}
