#!/usr/bin/env bash
# Runs symgrad's libFuzzer targets one after another, each for its share of a time budget (a
# target that runs more than 20% over its share, 2 s of start-up allowed, is a failure), on a
# copy of its seed corpus (tests/fuzz/corpus/<target>) in a temporary directory, so nothing the
# fuzzers generate lands in the repository. Fails when any target finds a crash, a hang
# (> 10 s per input), running out of memory (> 2 GB) or a sanitizer report, and prints the
# input that did it (kept under SYMGRAD_FUZZ_ARTIFACTS, default BUILD_DIR/fuzz-artifacts).
#
#   tests/fuzz/run-fuzzers.sh [BUILD_DIR]           # BUILD_DIR: default build-fuzz
#   SYMGRAD_FUZZ_SECONDS=3600 tests/fuzz/run-fuzzers.sh   # a longer run (default 240 s total)
#   SYMGRAD_FUZZ_TARGETS="parse cli" ...            # some targets only
#   SYMGRAD_FUZZ_KEEP_GOING=1 ...                   # go on after a finding (libFuzzer -fork=1)
#
# The budget is split by weight: the runner and the command do more per input than the readers.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build-fuzz}" && pwd)
total=${SYMGRAD_FUZZ_SECONDS:-240}
targets=(${SYMGRAD_FUZZ_TARGETS:-parse parse_point tensor_expression problem cli latex})
artifacts=${SYMGRAD_FUZZ_ARTIFACTS:-$build/fuzz-artifacts}

declare -A weight=([parse]=2 [parse_point]=1 [tensor_expression]=2 [problem]=3 [cli]=3
                 [latex]=3)
declare -A max_len=([parse]=1024 [parse_point]=512 [tensor_expression]=1024 [problem]=8192
                    [cli]=1024 [latex]=4096)
weights=0
for t in "${targets[@]}"; do
    [[ -n "${weight[$t]:-}" ]] || { echo "run-fuzzers: unknown target '$t'" >&2; exit 2; }
    weights=$((weights + weight[$t]))
done

work=$(mktemp -d "${TMPDIR:-/tmp}/symgrad-fuzz-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The harnesses' private directories go in here too: a crash or a timeout ends a fuzzer before
# it can remove its own.
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"
mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Allocations made inside CLN and GiNaC (their tables, the partly built objects of a throwing
# evaluation) are theirs: the same suppressions as CI's sanitizer run.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/.ci/lsan.supp}
# A verdict's time budget (10 s by default) is the fuzzers' hang limit: give check 3 s, so that a
# budget that holds stays well inside -timeout=10 even in this slower sanitizer build.
export SYMGRAD_VERIFY_TIMEOUT=${SYMGRAD_VERIFY_TIMEOUT:-3}

status=0
summary=()
for t in "${targets[@]}"; do
    seconds=$((total * weight[$t] / weights))
    ((seconds > 0)) || seconds=1
    corpus="$work/$t"
    mkdir -p "$corpus" "$artifacts/$t"
    cp "$root/tests/fuzz/corpus/$t/"* "$corpus/"
    extra=()
    if [[ "${SYMGRAD_FUZZ_KEEP_GOING:-0}" == 1 ]]; then
        extra=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    echo "=== $t: ${seconds}s"
    log="$work/$t.log"
    start=$(date +%s)
    rc=0
    "$build/tests/fuzz/${t}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len="${max_len[$t]}" -artifact_prefix="$artifacts/$t/" -print_final_stats=1 \
        "${extra[@]}" "$corpus" >"$log" 2>&1 || rc=$?
    elapsed=$(($(date +%s) - start))
    # The last progress line has the coverage (cov:), features (ft:) and executions (#N).
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    execs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | tail -1 |
            grep -oE '[0-9]+$' || true)
    slowest=$(grep -oE 'stat::slowest_unit_time_sec: *[0-9]+' "$log" | tail -1 |
              grep -oE '[0-9]+$' || true)
    summary+=("$t: ${elapsed}s of a ${seconds}s budget, ${execs:-?} runs, slowest input ${slowest:-?}s (limit 10s), last: ${last:-none}")
    # The budgets hold: a target's run may pass its share by at most 20% (libFuzzer checks the
    # total time between inputs; the slowest input is bounded by -timeout). The first pass over
    # the seed corpus is not bounded by -max_total_time: the problem runner's takes about 40 s,
    # so short runs (SYMGRAD_FUZZ_SECONDS=30) report it.
    if ((elapsed * 10 > seconds * 12 + 20)); then
        status=1
        echo "run-fuzzers: $t ran ${elapsed}s, more than 20% over its budget of ${seconds}s"
    fi
    found=$(find "$artifacts/$t" -type f -newer "$corpus" 2>/dev/null | sort || true)
    if [[ $rc -ne 0 || -n "$found" ]]; then
        status=1
        echo "run-fuzzers: $t FAILED (exit $rc)"
        grep -E -A40 'ERROR: |FINDING|runtime error|Timeout|out-of-memory' "$log" | head -80 || true
        for f in $found; do
            echo "--- input $f (as C escapes):"
            od -An -c "$f" | head -20
            echo "--- reproduce: $build/tests/fuzz/${t}_fuzzer $f"
        done
        [[ -n "$found" ]] || tail -30 "$log"
    fi
done
echo "=== fuzzing summary (budget ${total}s)"
printf '%s\n' "${summary[@]}"
exit $status
