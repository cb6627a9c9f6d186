#!/usr/bin/env bash
# CI smoke run of every benchmark in a tiny configuration: BenchmarkDotNet's Dry job (one cold
# invocation per benchmark case, after one warm-up), in process, stopping at the first error; then
# the memory-footprint check, the commit breakdown, the collection storage check, the agent-memory
# workflow, the state array simulation and the memory swarm (threads and processes) at their smoke
# sizes. Asserts nothing about timings. Exits non-zero if the build fails, any benchmark throws or
# reports no result, a listed benchmark did not run, or any of the checks after it fails.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log="$work/smoke.log"

dotnet build bench/Helios.Benchmarks -c Release --nologo -v quiet
# The collection benchmarks build 1,000,000 vectors by default; a smoke run needs only a few levels.
export HELIOS_BENCH_COLLECTION_KEYS=20000
dll=bench/Helios.Benchmarks/bin/Release/net10.0/Helios.Benchmarks.dll

set +e
dotnet "$dll" --filter '*' --job Dry --inProcess --stopOnFirstError --artifacts "$work/artifacts" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

# The program exits 1 when a report has no result; BenchmarkDotNet alone would exit 0.
[ "$status" -eq 0 ] || fail "the benchmark program exited with $status"
! grep -q "Benchmarks with issues" "$log" || fail "BenchmarkDotNet reported benchmarks with issues"
! grep -qE "^(System\.|Unhandled exception)" "$log" || fail "an exception was printed"
# Every benchmark method that exists must appear as a row of a summary table.
for name in $(dotnet "$dll" --list flat); do
    method=${name##*.}
    grep -qE "^\| $method +\|" "$log" || fail "$name did not run"
done

dotnet "$dll" memory --smoke || fail "the memory-footprint check failed"
dotnet "$dll" breakdown --smoke || fail "the commit breakdown failed"
dotnet "$dll" collection-storage --smoke || fail "the collection storage check failed"
dotnet "$dll" chunk-dedup --smoke || fail "the chunk dedup run failed"
dotnet "$dll" agent-memory --smoke || fail "the agent-memory workflow failed"
dotnet "$dll" statearray-sim --agents 20000 --frames 3 --quiet || fail "the state array simulation failed"
dotnet "$dll" swarm --smoke || fail "the memory swarm (threads) failed"
dotnet "$dll" swarm --smoke --processes || fail "the memory swarm (processes) failed"
echo "smoke: all benchmarks ran"
