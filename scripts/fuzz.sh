#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset: clang-14, ASan + UBSan, into
# build-fuzz/) and runs each for a bounded time on a copy of its seed corpus
# (fuzz/corpus/<name>/, so the repository's corpus does not grow), with its
# dictionary fuzz/<name>.dict when there is one. Prints per target the
# executions, the coverage (cov/ft of libFuzzer's last line) and the result;
# fails if any target finds a crash, a leak, a timeout or runs out of memory.
# A failing input is kept in the artifact directory it prints.
#   scripts/fuzz.sh [seconds-per-target] [target...]   (default 60 s, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
scripts/setup.sh fuzz

# Largest input per target: a little above the limits each parser enforces
# (Beast's 8 KiB response headers, the emulator's 16 KiB request headers, the
# JSON reader's 16 KiB arena), so that the limits themselves are exercised.
max_len_of() {
  case "$1" in
    http_response|emulator_request|json_response) echo 20000 ;;
    *) echo 8192 ;;
  esac
}

targets=("$@")
if ((${#targets[@]} == 0)); then
  for source in fuzz/*_fuzzer.cpp; do
    name=$(basename "$source" _fuzzer.cpp)
    targets+=("$name")
  done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ivschat-fuzz.XXXXXX")
artifacts=${IVSCHAT_FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$artifacts"
failed=0
summary=()
for name in "${targets[@]}"; do
  binary=build-fuzz/bin/${name}_fuzzer
  corpus=$work/corpus-$name
  mkdir -p "$corpus"
  if [[ -d fuzz/corpus/$name ]]; then cp fuzz/corpus/"$name"/* "$corpus"/; fi
  args=(-max_total_time="$seconds" -max_len="$(max_len_of "$name")" -rss_limit_mb=2048 -timeout=10
        -print_final_stats=1 -artifact_prefix="$artifacts/$name-")
  if [[ -f fuzz/$name.dict ]]; then args+=(-dict="fuzz/$name.dict"); fi
  log=$work/$name.log
  echo "fuzz: $name for ${seconds}s"
  status=0
  "$binary" "${args[@]}" "$corpus" >"$log" 2>&1 || status=$?
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  coverage=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
  if ((status == 0)); then
    result=ok
  else
    result="FAILED (exit $status; log $log, inputs $artifacts/$name-*)"
    failed=1
    grep -E '^(==[0-9]+==ERROR|SUMMARY|ERROR: libFuzzer)' "$log" | head -5 || true
  fi
  summary+=("$(printf '%-18s executions %-10s %-20s %s' "$name" "${executions:-?}" "${coverage:-cov: ?}" "$result")")
done

echo "fuzz: ${seconds}s per target"
printf '%s\n' "${summary[@]}"
if ((failed)); then exit 1; fi
rm -rf "$work"
