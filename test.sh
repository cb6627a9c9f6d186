#!/usr/bin/env bash
# Runs every test: installs the Debian packages the tests use, builds, runs each test project and
# the benchmark smoke run, then prints one line "N passed, N failed" with the totals.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

missing=()
command -v b3sum >/dev/null || missing+=(b3sum)
command -v lz4 >/dev/null || missing+=(lz4)
command -v git >/dev/null || missing+=(git)
command -v python3 >/dev/null || missing+=(python3)
ldconfig -p | grep -q 'liblz4\.so\.1' || missing+=(liblz4-1)
ldconfig -p | grep -q 'libzstd\.so\.1' || missing+=(libzstd1)
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "test.sh: could not install ${missing[*]}"; echo "0 passed, 1 failed"; exit 1; }
fi

passed=0
failed=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

if ! dotnet build Helios.slnx -c Release --nologo -v quiet; then
  echo "test.sh: the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

for project in tests/*.Tests; do
  name=$(basename "$project")
  echo "== $name"
  dotnet test "$project" -c Release --no-build --nologo 2>&1 | tee "$logs/$name.log"
  status=${PIPESTATUS[0]}
  summary=$(grep -E '^(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$logs/$name.log" | tail -n 1)
  if [[ -z "$summary" ]]; then
    echo "test.sh: $name produced no test summary (exit code $status)"
    failed=$((failed + 1))
    continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
  p=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
  passed=$((passed + p))
  failed=$((failed + f))
  if [[ $status -ne 0 && $f -eq 0 ]]; then
    echo "test.sh: $name exited with $status"
    failed=$((failed + 1))
  fi
done

echo "== benchmark smoke run"
if bench/smoke.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
