#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after another, and prints
# per target the executions, the time it ran and whether it crashed.
#
#   fuzz/run.sh [SECONDS] [TARGET...]        SECONDS defaults to 180
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). On a stable toolchain it sets
# RUSTC_BOOTSTRAP=1 for cargo-fuzz's nightly flags. FUZZ_SANITIZER=none (default: address)
# builds without AddressSanitizer; FUZZ_TIMEOUT (default 10) is libFuzzer's per-input limit in
# seconds, past which an input counts as a hang; FUZZ_RSS_MB (default 2048) its memory limit.
# Corpora grow in fuzz/corpus/<target> (seeded from fuzz/seeds/<target>), crashes land in
# fuzz/artifacts/<target>, logs in fuzz/target/run-logs/<target>.log.
set -uo pipefail

cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-180}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(list_query markdown template multipart)
fi
SANITIZER="${FUZZ_SANITIZER:-address}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
fi

mkdir -p fuzz/target/run-logs
echo "building the fuzz targets (sanitizer: $SANITIZER)..."
if ! cargo fuzz build -s "$SANITIZER" >fuzz/target/run-logs/build.log 2>&1; then
    tail -40 fuzz/target/run-logs/build.log >&2
    exit 2
fi
status=0
summary=()
for target in "${TARGETS[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    log="fuzz/target/run-logs/$target.log"
    corpora=("fuzz/corpus/$target")
    [ -d "fuzz/seeds/$target" ] && corpora+=("fuzz/seeds/$target")
    args=(
        "-max_total_time=$SECONDS_EACH"
        "-timeout=${FUZZ_TIMEOUT:-10}"
        "-rss_limit_mb=${FUZZ_RSS_MB:-2048}"
        "-print_final_stats=1"
    )
    [ -f "fuzz/dicts/$target.dict" ] && args+=("-dict=fuzz/dicts/$target.dict")
    echo "fuzzing $target for ${SECONDS_EACH}s..."
    start=$(date +%s)
    cargo fuzz run -s "$SANITIZER" "$target" "${corpora[@]}" -- "${args[@]}" >"$log" 2>&1
    rc=$?
    elapsed=$(( $(date +%s) - start ))

    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$')
    if [ -z "$execs" ]; then
        # No final stats (a crash): the last status line `#N ...` has the count.
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    fi
    execs="${execs:-?}"
    corpus=$(grep -oE '^#[0-9]+.*corp: [0-9]+' "$log" | tail -1 | grep -oE 'corp: [0-9]+' | grep -oE '[0-9]+')
    if [ $rc -eq 0 ] && grep -qE '^#[0-9]+[[:space:]]+DONE' "$log"; then
        verdict="no crash"
    else
        status=1
        kind=$(grep -oE 'SUMMARY: libFuzzer: [a-z-]+|ERROR: libFuzzer: [a-z -]+|ERROR: AddressSanitizer: [a-z-]+' "$log" | head -1)
        artifact=$(grep -oE 'Test unit written to [^ ]+' "$log" | head -1 | sed 's/Test unit written to //')
        panic=$(grep -m1 -A1 "panicked at" "$log" | tr '\n' ' ')
        verdict="CRASHED (rc=$rc${kind:+, $kind}${artifact:+, input: $artifact})${panic:+: $panic}"
    fi
    line=$(printf '%-11s %12s execs in %4ss (corpus %s): %s' "$target" "$execs" "$elapsed" "${corpus:-?}" "$verdict")
    echo "$line"
    summary+=("$line")
done

echo
echo "summary (${SECONDS_EACH}s per target, sanitizer $SANITIZER):"
printf '  %s\n' "${summary[@]}"
exit $status
