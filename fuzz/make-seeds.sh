#!/usr/bin/env bash
# Rebuilds the seed corpora in fuzz/corpus/ from the demo incident and the
# shared fixtures. Run from the repository root after `cargo build`; every
# seed stays under 50 KB.
set -euo pipefail

demo=src/demo/incident
shared=../shared/fixtures
bin=${TASKSCOPE:-target/debug/taskscope}
out=fuzz/corpus
rm -rf "$out"
mkdir -p "$out"/{import_bytes,decode,cloudtrail,guardduty,ecs,cwlogs,falco,scap,raw_resolve,bundle_reader,correlated,chain_reader,seal}

seed() { # target name file
    install -m 0644 "$3" "$out/$1/$2"
}

for f in falco_alerts.ndjson ecs_deployment_events.jsonl guardduty_get_findings.json \
    cwlogs_task_state_archive.json ecs_describe_tasks.json; do
    seed import_bytes "$f" "$demo/$f"
done
seed decode lines.jsonl "$demo/ecs_deployment_events.jsonl"
seed decode document.json "$demo/ecs_describe_services.json"
gzip -9 -n -c "$demo/cloudtrail_s3_delivery.json" > "$out/decode/trail.json.gz"
cp "$out/decode/trail.json.gz" "$out/import_bytes/trail.json.gz"
printf '\xef\xbb\xbf{"a":1}\n\n{"b":[2]}\n{oops\n' > "$out/decode/bom_lines.jsonl"

seed cloudtrail s3_delivery.json "$demo/cloudtrail_s3_delivery.json"
seed cloudtrail lookup_events.json "$demo/cloudtrail_lookup_events.json"
seed cloudtrail console_login.json "$shared/cloudtrail/awsdocs_ct_consolelogin_iamuser.json"
seed cloudtrail lookup_consolelogin.json "$shared/cloudtrail/awscli_lookup_events_consolelogin.json"

seed guardduty get_findings.json "$demo/guardduty_get_findings.json"
head -n 1 "$demo/guardduty_eventbridge.jsonl" > "$out/guardduty/eventbridge_envelope.json"
seed guardduty recon_iamuser.json "$shared/guardduty/awscli_get_findings_recon_iamuser.json"
seed guardduty c7n_eventbridge.json "$shared/guardduty/c7n_eventbridge_ec2_backdoor_dns.json"

seed ecs describe_tasks.json "$demo/ecs_describe_tasks.json"
seed ecs describe_services.json "$demo/ecs_describe_services.json"
seed ecs task_definition.json "$demo/ecs_describe_task_definition_41.json"
seed ecs task_state_change.json "$shared/ecs/awsdocs_ecs_task_state_change_fargate_running.json"
seed ecs service_two_deployments.json "$shared/ecs/awscli_update_service_two_deployments.json"

seed cwlogs filter_app.json "$demo/cwlogs_filter_app.json"
seed cwlogs task_state_archive.json "$demo/cwlogs_task_state_archive.json"
seed cwlogs get_log_events.json "$shared/cwlogs/awscli_get_log_events.json"
seed cwlogs c7n_getlogevents.json "$shared/cwlogs/c7n_getlogevents_1.json"

n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s\n' "$line" > "$out/falco/demo_alert_$n.json"
done < "$demo/falco_alerts.ndjson"
seed falco sidekick_write_below_binary_dir.json "$shared/falco/falcosidekick_readme_write_below_binary_dir.json"

# Captures, decompressed and cut to their first 24 KiB (a cut capture is a
# capture too: the reader must keep what it read).
for f in falco_cat_write falco_psp_write_tmp_test libs_single_ipv6_conn; do
    (gzip -dc "$shared/scap/$f.scap" || true) | head -c 24576 > "$out/scap/$f.scap"
done
head -c 24576 "$shared/scap/libs_sample.scap" > "$out/scap/libs_sample.scap"

raw_seed() { # name locator file
    { printf '%s\n' "$2"; cat "$3"; } > "$out/raw_resolve/$1"
}
raw_seed trail_record /Records/3 "$demo/cloudtrail_s3_delivery.json"
raw_seed lookup_embedded /Events/1/CloudTrailEvent "$demo/cloudtrail_lookup_events.json"
raw_seed falco_line L2 "$demo/falco_alerts.ndjson"
raw_seed log_message /events/2/message "$demo/cwlogs_filter_app.json"
raw_seed archived_detail /events/1/message/detail "$demo/cwlogs_task_state_archive.json"
raw_seed gzip_trail /Records/0 "$out/decode/trail.json.gz"

# Bundle reader seeds: flags byte 1 (fix hashes), manifest, annotations, artifacts.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
bundle_seed() { # name files...
    local name=$1
    shift
    "$bin" import "$@" --out "$scratch/$name" 2>/dev/null || true
    TASKSCOPE_AUTHOR=seed "$bin" annotate "$scratch/$name" --task 3f9c2d7e5b1a4c8e9d0f6a2b7c4e1d93 \
        --note "seed note" 2>/dev/null || true
    {
        printf '\x01'
        cat "$scratch/$name/manifest.json"
        printf '\n%%%%\n'
        [ -f "$scratch/$name/annotations.jsonl" ] && cat "$scratch/$name/annotations.jsonl"
        for artifact in "$scratch/$name"/raw/*; do
            printf '\n%%%%\n'
            cat "$artifact"
        done
    } > "$out/bundle_reader/$name"
}
bundle_seed falco_and_deployments "$demo/falco_alerts.ndjson" "$demo/ecs_deployment_events.jsonl"
bundle_seed findings_and_definition "$demo/guardduty_get_findings.json" "$demo/ecs_describe_task_definition_40.json"
bundle_seed services_and_logs "$demo/ecs_describe_services.json" "$demo/cwlogs_filter_app.json"

# Correlated index seeds: a small bundle's correlated index, whole.
install -m 0644 "$scratch/falco_and_deployments/derived/correlated.bin" "$out/correlated/falco_and_deployments.bin"

# Chain reader seeds: the journals of a bundle annotated and handed over.
chained="$scratch/falco_and_deployments"
TASKSCOPE_AUTHOR=seed "$bin" annotate "$chained" --bundle-wide --tag seed 2>/dev/null || true
TASKSCOPE_AUTHOR=seed "$bin" handoff "$chained" --to reviewer --note "seed handoff" 2>/dev/null || true
TASKSCOPE_AUTHOR=seed "$bin" handoff "$chained" --to court 2>/dev/null || true
install -m 0644 "$chained/annotations.jsonl" "$out/chain_reader/annotations.jsonl"
install -m 0644 "$chained/custody.jsonl" "$out/chain_reader/custody.jsonl"
printf '{"a":1}\n{"b":2}\n' > "$out/chain_reader/unchained.jsonl"

# Seal seeds: a seal and its signature by a throwaway key, and an allowed
# signers file with options and quotes.
ssh-keygen -q -t ed25519 -N '' -C seed -f "$scratch/seal_key"
TASKSCOPE_AUTHOR=seed "$bin" seal "$chained" --key "$scratch/seal_key" 2>/dev/null
install -m 0644 "$chained/seal.json" "$out/seal/seal.json"
install -m 0644 "$chained/seal.json.sig" "$out/seal/seal.json.sig"
{
    printf '# allowed signers\n'
    printf '"seed,*@ir.example" namespaces="taskscope-bundle",valid-after="20260101Z" %s\n' \
        "$(cat "$scratch/seal_key.pub")"
    printf '!mallory cert-authority %s\n' "$(cat "$scratch/seal_key.pub")"
} > "$out/seal/allowed_signers"

big=$(find "$out" -type f -size +50k)
if [ -n "$big" ]; then
    echo "seeds over 50 KB: $big" >&2
    exit 1
fi
