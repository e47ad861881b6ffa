#!/usr/bin/env bash
# Wire-format proof: drives build/bin/ivschat-emulator with the official AWS
# SDK for JavaScript v3 (tests/js/sdk-wire-test.mjs), over HTTP and then over
# HTTPS with the emulator's throwaway CA. Installs the npm packages of
# tests/js (npm ci, from package-lock.json) when they are missing.
#   scripts/run-js-sdk-test.sh [path/to/ivschat-emulator]
set -euo pipefail
cd "$(dirname "$0")/.."
emulator=${1:-build/bin/ivschat-emulator}
[ -x "$emulator" ] || { echo "no emulator at $emulator (build first)" >&2; exit 1; }
if [ ! -d tests/js/node_modules/@aws-sdk/client-ivschat ]; then
  (cd tests/js && npm ci --no-audit --no-fund)
fi

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

run() {
  local mode=$1 lines=1 flags=()
  if [ "$mode" = https ]; then lines=2; flags=(--tls --ca-bundle "$work/ca.pem"); fi
  "$emulator" --port 0 --max-rooms 25 "${flags[@]}" >"$work/stdout" &
  pid=$!
  for _ in $(seq 200); do
    [ "$(wc -l <"$work/stdout")" -ge "$lines" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "the emulator exited early" >&2; exit 1; }
    sleep 0.05
  done
  local endpoint ca
  endpoint=$(head -n 1 "$work/stdout")
  ca=$(sed -n 's/^ca-bundle: //p' "$work/stdout")
  echo "== $mode: $endpoint"
  IVSCHAT_ENDPOINT=$endpoint NODE_EXTRA_CA_CERTS=$ca node tests/js/sdk-wire-test.mjs
  kill -TERM "$pid"
  wait "$pid"  # a clean exit on SIGTERM is part of the test
  pid=
}

run http
run https
