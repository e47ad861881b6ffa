#!/usr/bin/env bash
# Wire-format proof: drives build/bin/ivschat-emulator with the official AWS
# SDK for JavaScript v3 (tests/js/sdk-wire-test.mjs) and its Messaging
# endpoint with the official IVS Chat messaging SDK (tests/js/messaging-sdk-test.mjs),
# over HTTP/ws and then over HTTPS/wss with the emulator's throwaway CA.
# Installs the npm packages of tests/js (npm ci, from package-lock.json) when
# they are missing.
#   scripts/run-js-sdk-test.sh [path/to/ivschat-emulator]
set -euo pipefail
cd "$(dirname "$0")/.."
emulator=${1:-build/bin/ivschat-emulator}
[ -x "$emulator" ] || { echo "no emulator at $emulator (build first)" >&2; exit 1; }
if [ ! -d tests/js/node_modules/@aws-sdk/client-ivschat ] || [ ! -d tests/js/node_modules/amazon-ivs-chat-messaging ]; then
  (cd tests/js && npm ci --no-audit --no-fund)
fi

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# run MODE SCRIPT [EMULATOR FLAGS...]
run() {
  local mode=$1 script=$2 lines=2 flags=()
  shift 2
  if [ "$mode" = https ]; then lines=3; flags=(--tls --ca-bundle "$work/ca.pem"); fi
  "$emulator" --port 0 "$@" "${flags[@]}" >"$work/stdout" &
  pid=$!
  for _ in $(seq 200); do
    [ "$(wc -l <"$work/stdout")" -ge "$lines" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "the emulator exited early" >&2; exit 1; }
    sleep 0.05
  done
  local endpoint ca messaging
  endpoint=$(head -n 1 "$work/stdout")
  ca=$(sed -n 's/^ca-bundle: //p' "$work/stdout")
  messaging=$(sed -n 's/^messaging: //p' "$work/stdout")
  echo "== $mode: $script, $endpoint, $messaging"
  IVSCHAT_ENDPOINT=$endpoint IVSCHAT_MESSAGING_URL=$messaging NODE_EXTRA_CA_CERTS=$ca node "tests/js/$script"
  kill -TERM "$pid"
  wait "$pid"  # a clean exit on SIGTERM is part of the test
  pid=
}

run http sdk-wire-test.mjs --max-rooms 25
run https sdk-wire-test.mjs --max-rooms 25
# A chat minute of two seconds: the session-expiry check takes seconds.
run http messaging-sdk-test.mjs --chat-minute-seconds 2
run https messaging-sdk-test.mjs --chat-minute-seconds 2
