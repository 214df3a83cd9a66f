#!/usr/bin/env bash
# Runs every fuzz target in turn, one at a time, for SECONDS each (default
# 600, ten minutes), from the seeds in fuzz/corpus/<target>. New inputs go to
# fuzz/work/<target> (not committed), crashes to fuzz/artifacts/<target>, and
# each run's log with libFuzzer's final statistics to fuzz/work/<target>.log.
#
#   fuzz/run-all.sh            # every target, 10 minutes each
#   fuzz/run-all.sh 180 decode # one target, 3 minutes
#
# fuzz/json.dict gives libFuzzer JSON syntax, the keys the importers look
# for and hostile characters to splice in.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). On a stable
# toolchain RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly-only flags.
# No sanitizer (`-s none`): taskscope's one unsafe call maps a file
# read-only, and overflows, panics, stack overflows, time-outs and memory blow-ups are caught without
# one; drop `-s none` to run under AddressSanitizer on a nightly toolchain.
set -uo pipefail

seconds=${1:-600}
shift || true
targets=${*:-import_bytes decode cloudtrail guardduty ecs cwlogs falco scap raw_resolve bundle_reader index_section correlated chain_reader seal}
cd "$(dirname "$0")/.."
failed=0
for target in $targets; do
    mkdir -p "fuzz/work/$target"
    echo "== $target: $seconds s"
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s none "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -dict=fuzz/json.dict \
        >"fuzz/work/$target.log" 2>&1
    status=$?
    grep -E "^(Done [0-9]+ runs|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)|SUMMARY|==[0-9]+== ERROR)" \
        "fuzz/work/$target.log"
    echo "corpus: $(find "fuzz/work/$target" -type f | wc -l) inputs kept in fuzz/work/$target, $(find "fuzz/corpus/$target" -type f | wc -l) seeds"
    if [ "$status" -ne 0 ]; then
        echo "$target FAILED (status $status): see fuzz/work/$target.log and fuzz/artifacts/$target"
        failed=1
    fi
done
exit "$failed"
