#!/usr/bin/env bash
# The pacing burst benchmark (benchmarks/README.md, "Pacing"): 5,000 CreateChatToken calls at 256 in
# flight against an emulator that enforces CreateChatToken=500/s.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
work=$(mktemp -d)
trap 'kill $emulator; wait $emulator 2>/dev/null; rm -rf "$work"' EXIT
source benchmarks/pacing_emulator.sh
run() {
  local label=$1; shift
  # A quiet second between runs refills the emulator's bucket.
  sleep 1.5
  # Unpaced runs end with failed calls, which makes ivschat-bench exit 1.
  build/bin/ivschat-bench --endpoint-url "$AWS_ENDPOINT_URL_IVSCHAT" --ca-bundle "$AWS_CA_BUNDLE" --room-arn "$room" \
    --requests 5000 --concurrency 256 --warmup 0 "$@" 2>/dev/null | tail -1 >"$work/result.json" || true
  python3 - "$label" "$work/result.json" <<'PY'
import json, sys
r = json.loads(open(sys.argv[2]).read())
print(f"{sys.argv[1]:20s} wall {r['wall_s']:.2f}s (ideal 10 s) errors {r['errors']} throttled {r['throttled']} "
      f"requests_sent {r['requests_sent']} pacing_p99 {r['pacing_wait_p99_ms']:.0f} ms")
PY
}
run "paced" --pacing on --quota CreateChatToken=500
AWS_RETRY_MODE=standard run "standard, unpaced" --pacing off
AWS_RETRY_MODE=adaptive run "adaptive, unpaced" --pacing off
