#!/usr/bin/env bash
# Side-by-side benchmark: runs git and the built helios CLI on the same generated trees in one
# run, each command timed by `hyperfine -N` (no shell) with warm-ups, and prints one table of
# medians, noise (stddev, min-max) and helios/git ratios against the CLI issue's targets.
#
#   bench/sidebyside/cli.sh [--quick] [--sizes 1000,10000,100000] [--runs N] [--warmup N]
#                           [--dir DIR] [--out FILE.md] [--keep] [--helios BIN]
#
# --quick       1,000 and 10,000 files only, 1 warm-up and 5 runs (a smoke run, about 2 minutes)
# --sizes LIST  tree sizes in files, comma-separated (10k and 100k are accepted)
# --runs N      timed runs per command (default 20; 10 on trees of 100,000 files or more)
# --warmup N    warm-up runs per command (default 3)
# --dir DIR     where the trees go (default /dev/shm when it has room, else $TMPDIR or /tmp)
# --out FILE    also write the table, the run's details and every command to FILE (markdown)
# --keep        keep the trees and the hyperfine JSON exports (the path is printed)
# --helios BIN  the helios program to measure (default: .build/cli/helios, built by ./helios)
#
# Every setup step and hyperfine command is printed as it runs, so any one can be rerun by hand.
# Exits 1 if any benchmarked command failed (the table says which), 2 on bad arguments.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "cli.sh: $*" >&2; exit 2; }

quick=0 sizes_arg="" runs_arg="" warmup_arg="" dir_arg="" out="" keep=0 helios_arg=""
while (($#)); do
  case $1 in
    --quick) quick=1 ;;
    --sizes) [[ $# -ge 2 ]] || die "--sizes needs a list"; sizes_arg=$2; shift ;;
    --sizes=*) sizes_arg=${1#*=} ;;
    --runs) [[ $# -ge 2 ]] || die "--runs needs a number"; runs_arg=$2; shift ;;
    --warmup) [[ $# -ge 2 ]] || die "--warmup needs a number"; warmup_arg=$2; shift ;;
    --dir) [[ $# -ge 2 ]] || die "--dir needs a directory"; dir_arg=$2; shift ;;
    --out) [[ $# -ge 2 ]] || die "--out needs a file"; out=$(realpath -m "$2"); shift ;;
    --keep) keep=1 ;;
    --helios) [[ $# -ge 2 ]] || die "--helios needs a program"; helios_arg=$(realpath "$2"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
  shift
done

if [[ -n $sizes_arg ]]; then
  sizes=()
  IFS=, read -ra parts <<<"$sizes_arg"
  for p in "${parts[@]}"; do
    [[ $p =~ ^([0-9]+)([kK]?)$ ]] || die "bad size '$p' (expected a number of files such as 10000 or 10k)"
    n=${BASH_REMATCH[1]}; [[ -n ${BASH_REMATCH[2]} ]] && n=$((n * 1000))
    ((n >= 100)) || die "a tree needs at least 100 files, got $n"
    sizes+=("$n")
  done
elif ((quick)); then
  sizes=(1000 10000)
else
  sizes=(1000 10000 100000)
fi
for v in "$runs_arg" "$warmup_arg"; do [[ -z $v || $v =~ ^[0-9]+$ ]] || die "--runs and --warmup take a number"; done
warmup=${warmup_arg:-$((quick ? 1 : 3))}
[[ -z $runs_arg ]] || ((runs_arg >= 2)) || die "--runs must be at least 2"

# --- tools -------------------------------------------------------------------------------------
if ! command -v hyperfine >/dev/null; then
  echo "cli.sh: installing hyperfine (apt-get)"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get install -y -qq hyperfine >/dev/null || { $sudo apt-get update -qq && $sudo apt-get install -y -qq hyperfine >/dev/null; }
fi
for tool in git python3 dotnet hyperfine; do
  command -v $tool >/dev/null || { echo "cli.sh: $tool is required" >&2; exit 2; }
done

if [[ -n $helios_arg ]]; then
  HELIOS=$helios_arg
else
  echo "== building helios (./helios --version builds the CLI once)"
  "$root/helios" --version >/dev/null
  HELIOS="$root/.build/cli/helios"
fi
[[ -x $HELIOS ]] || { echo "cli.sh: $HELIOS was not built" >&2; exit 2; }
H=$(printf '%q' "$HELIOS")
TREE="python3 $(printf '%q' "$here/tree.py")"

# --- where the trees go ------------------------------------------------------------------------
largest=0; for n in "${sizes[@]}"; do ((n > largest)) && largest=$n; done
# One size at a time: two copies of the tree (4 KiB a file on tmpfs), git's objects and helios's store.
need=$((largest * 4096 * 4 + 512 * 1024 * 1024))
if [[ -n $dir_arg ]]; then
  base=$dir_arg
elif [[ -d /dev/shm && -w /dev/shm ]] && (($(df --output=avail -B1 /dev/shm | tail -n 1) > need)); then
  base=/dev/shm
else
  base=${TMPDIR:-/tmp}
fi
mkdir -p "$base"
work=$(mktemp -d "$base/helios-sidebyside.XXXXXX")
results="$work/results"
mkdir -p "$results"
cleanup() {
  if ((keep)); then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fstype=$(df --output=fstype "$work" | tail -n 1)
echo "== trees under $work ($fstype$([[ $fstype == tmpfs ]] && echo ', in memory'))"

# Fixed identity and no user or system git config, so nothing local changes what git does.
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

meta() { printf '%s\t%s\n' "$1" "$2" >>"$results/meta.tsv"; }
meta "date" "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta "machine" "$(lscpu | sed -n 's/^Model name: *//p' | head -n 1), nproc $(nproc), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM"
meta "versions" "$(git --version), $(hyperfine --version), helios $("$HELIOS" --version), .NET $(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -n 1), $(python3 --version)"
meta "trees" "$work ($fstype)"
if [[ -n $runs_arg ]]; then runs_text=$runs_arg; elif ((quick)); then runs_text=5; else runs_text="20 (10 at 100,000 files or more)"; fi
meta "sizes" "${sizes[*]}; warm-ups $warmup; runs $runs_text"
meta "load average at start" "$(cut -d' ' -f1-3 /proc/loadavg)"

failed=0
step() { echo "  \$ $*"; }
# Runs a setup command in a directory, printing it first.
in_dir() { local d=$1; shift; step "(cd $d && $*)"; (cd "$d" && eval "$@"); }

runs_for() { # files ("-" when not a tree)
  if [[ -n $runs_arg ]]; then echo "$runs_arg"; elif ((quick)); then echo 5; elif [[ $1 =~ ^[0-9]+$ ]] && (($1 >= 100000)); then echo 10; else echo 20; fi
}

# A setup step that failed: recorded, shown in the summary, and the run goes on with the next size.
setup_failed() {
  echo "cli.sh: FAILED setup step: $1" >&2
  meta "FAILED setup step" "$1"
  failed=1
}

# hyperfine LABEL DIR JSON PREPARE COMMAND RUNS -> prints the command line; 0 if it ran, else 1
hf() {
  local label=$1 dir=$2 json=$3 prep=$4 cmd=$5 n=$6
  local args=(-N --style basic --warmup "$warmup" --runs "$n" --export-json "$json" --command-name "$label")
  [[ -n $prep ]] && args+=(--prepare "$prep")
  args+=("$cmd")
  local line; line="cd $dir && hyperfine $(printf '%q ' "${args[@]}")"
  echo "  \$ $line"
  printf '%s' "$line" >"$json.cmd"
  if (cd "$dir" && hyperfine "${args[@]}"); then return 0; fi
  # Run it once more by hand so the table can say how it failed.
  local detail
  detail=$(cd "$dir" && { [[ -z $prep ]] || bash -c "$prep" >/dev/null 2>&1; } && bash -c "$cmd" 2>&1 >/dev/null; echo "exit $?")
  printf '%s' "'$cmd' failed: $(tr '\n' ' ' <<<"$detail" | cut -c1-300)" >"$json.failure"
  rm -f "$json"
  return 1
}

# bench WORKLOAD FILES TARGET BASE_NAME BASE_DIR BASE_PREP BASE_CMD HELIOS_DIR HELIOS_PREP HELIOS_CMD
bench() {
  local workload=$1 files=$2 target=$3 base_name=$4 bdir=$5 bprep=$6 bcmd=$7 hdir=$8 hprep=$9 hcmd=${10}
  local id; id=$(tr -c 'a-zA-Z0-9\n' '_' <<<"$workload-$files")
  local bjson="$results/$id.base.json" hjson="$results/$id.helios.json" n; n=$(runs_for "$files")
  echo "== $workload, $files files"
  hf "$base_name" "$bdir" "$bjson" "$bprep" "$bcmd" "$n" || failed=1
  hf "helios" "$hdir" "$hjson" "$hprep" "$hcmd" "$n" || failed=1
  local failure=""
  for j in "$bjson" "$hjson"; do [[ -f $j.failure ]] && failure+="$(cat "$j.failure") "; done
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$workload" "$files" "$target" "$base_name" \
    "$bjson" "$(cat "$bjson.cmd")" "$hjson" "$(cat "$hjson.cmd")" "$failure" >>"$results/manifest.tsv"
}

# Both copies of a tree must hold the same files after each workload; a difference is a bug in one tool.
same_trees() {
  if ! diff -rq --exclude=.git --exclude=.helios "$1" "$2" >"$results/diff.txt" 2>&1; then
    echo "cli.sh: WARNING: $1 and $2 differ after $3:" >&2
    head -n 5 "$results/diff.txt" >&2
    printf '%s\t%s\n' "tree mismatch after $3" "$(head -n 3 "$results/diff.txt" | tr '\n' ' ')" >>"$results/meta.tsv"
  fi
}

target_for() { # workload files -> target
  case "$1:$2" in
    commit*:100000) echo "lt 1" ;;
    commit*:10000) echo "le 1.5" ;;
    status*:100000) echo "lt 1" ;;
    status*:10000) echo "le 2" ;;
    checkout*:100000 | reset*:100000) echo "le 0.2" ;;
    *) echo "-" ;;
  esac
}

# --- start-up ----------------------------------------------------------------------------------
echo "== start-up baseline: a .NET hello world, ReadyToRun, built once"
hello="$work/hello"
mkdir -p "$hello"
cp "$root/global.json" "$hello/"
cat >"$hello/hello.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
</Project>
EOF
echo 'Console.WriteLine("hello");' >"$hello/Program.cs"
in_dir "$hello" dotnet publish -c Release --use-current-runtime --self-contained false -p:PublishReadyToRun=true -o out --nologo -v quiet
bench "start-up" "-" "le 1.5" "hello (R2R)" "$hello" "" "$hello/out/hello" "$hello" "" "$H --version"
# The git side of the commit workloads runs under `bash -c`; measure what that adds.
echo "== bash -c startup (part of every git commit timing below)"
hf "bash -c true" "$work" "$results/bash.json" "" "bash -c true" 20 || failed=1
meta "bash -c 'true' median (included in git's commit timings)" "$(python3 -c 'import json,sys; print("%.2f ms" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$results/bash.json" 2>/dev/null || echo failed)"

# --- per tree size -----------------------------------------------------------------------------
for n in "${sizes[@]}"; do
  t="$work/n$n"; g="$t/git"; h="$t/helios"
  echo "== setting up $n files: $t"
  mkdir -p "$g" "$h"
  step "$TREE gen $n $g $h"
  python3 "$here/tree.py" gen "$n" "$g" "$h"
  # gc.auto=0: no automatic repack in the middle of a measurement; the initial objects are packed
  # as a repository that has been in use would be.
  in_dir "$g" "git init -q -b main && git config gc.auto 0 && git add -A && git commit -q -m init && git gc -q"
  if ! in_dir "$h" "$H init >/dev/null && $H commit -m init >/dev/null"; then
    setup_failed "helios init + commit of $n files"; rm -rf "$t"; continue
  fi
  # Let the files' timestamps age past the index/stat cache writes, then let each tool refresh.
  sleep 1.1
  (cd "$g" && git status --porcelain >/dev/null)
  dirty=$(cd "$h" && "$HELIOS" status --porcelain | head -n 3) || true
  [[ -z $dirty ]] || { echo "cli.sh: WARNING: helios status is not clean right after commit: $dirty" >&2
                      meta "helios status not clean after the initial commit ($n files)" "$(tr '\n' ' ' <<<"$dirty")"; }

  bench "status --porcelain, clean" "$n" "$(target_for status "$n")" git \
    "$g" "" "git status --porcelain" "$h" "" "$H status --porcelain"

  for k in 1 100; do
    ((k <= n)) || continue
    bench "commit, $k changed" "$n" "$(target_for commit "$n")" git \
      "$g" "$TREE modify $n $k" "bash -c 'git add -A && git commit -q -m x'" \
      "$h" "$TREE modify $n $k" "$H commit -m x"
  done
  same_trees "$g" "$h" "commit ($n files)"

  echo "== setting up two commits 10 files apart (branches a and b)"
  in_dir "$g" "git branch a && git checkout -q -b b && $TREE modify $n 10 && git add -A && git commit -q -m b"
  in_dir "$h" "$H branch a && $H checkout -b b >/dev/null && $TREE modify $n 10 && $H commit -m b >/dev/null" \
    || setup_failed "helios branch a, checkout -b b, commit 10 changed files ($n files)"
  bench "checkout (10 files differ)" "$n" "$(target_for checkout "$n")" git \
    "$g" "git checkout -q a" "git checkout -q b" "$h" "$H checkout a" "$H checkout b"
  same_trees "$g" "$h" "checkout ($n files)"

  in_dir "$g" "git checkout -q a && git checkout -q -b r"
  in_dir "$h" "$H checkout a >/dev/null && $H checkout -b r >/dev/null" \
    || setup_failed "helios checkout a, checkout -b r ($n files)"
  bench "reset --hard (10 files differ)" "$n" "$(target_for reset "$n")" git \
    "$g" "git reset -q --hard a" "git reset -q --hard b" "$h" "$H reset --hard a" "$H reset --hard b"
  same_trees "$g" "$h" "reset --hard ($n files)"

  # worktree add is report-only; at 100,000 files each run writes the whole tree, so sizes above 10,000 skip it.
  if ((n <= 10000)); then
    gw="$t/wt-git"; hw="$t/wt-helios"
    bench "worktree add" "$n" "-" git \
      "$g" "bash -c 'git worktree remove --force $gw 2>/dev/null; git branch -q -D wt 2>/dev/null; true'" \
      "git worktree add -q -b wt $gw" \
      "$h" "bash -c '$H worktree remove --force $hw >/dev/null 2>&1; $H branch -d wt >/dev/null 2>&1; true'" \
      "$H worktree add $hw -b wt"
    [[ -d $gw && -d $hw ]] && same_trees "$gw" "$hw" "worktree add ($n files)"
  fi
  rm -rf "$t"
done

meta "load average at end" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== results (medians in ms; ± is hyperfine's standard deviation, then min–max; ratio = helios / baseline)"
sed 's/^/  /; s/\t/: /' "$results/meta.tsv"
echo
report=(python3 "$here/report.py" "$results")
[[ -n $out ]] && report+=(--out "$out")
"${report[@]}"
exit $failed
