#!/usr/bin/env bash
# The pacing fleet benchmark (benchmarks/README.md, "Pacing"): three ivschat-bench processes, 1,700
# CreateChatToken calls each at 128 in flight, against one emulator that
# enforces CreateChatToken=500/s, with and without a shared Redis limiter.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
work=$(mktemp -d)
redis-server --port 6391 --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" &
redis=$!
trap 'kill $emulator $redis; wait 2>/dev/null; rm -rf "$work"' EXIT
source benchmarks/pacing_emulator.sh
fleet() {
  local label=$1; shift
  sleep 1.5
  local start=$(date +%s.%N)
  local pids=()
  for i in 1 2 3; do
    build/bin/ivschat-bench --endpoint-url "$AWS_ENDPOINT_URL_IVSCHAT" --ca-bundle "$AWS_CA_BUNDLE" --room-arn "$room" \
      --requests 1700 --concurrency 128 --warmup 0 --pacing on --quota CreateChatToken=500 "$@" 2>/dev/null | tail -1 >"$work/$i.json" &
    pids+=($!)
  done
  # Processes that saw failed calls exit 1; their JSON lines still count.
  wait "${pids[@]}" || true
  local end=$(date +%s.%N)
  python3 - "$label" "$start" "$end" "$work"/{1,2,3}.json <<'PY'
import json, sys
label, start, end, *files = sys.argv[1:]
rows = [json.loads(open(f).read()) for f in files]
print(f"{label:22s} total {float(end) - float(start):.2f}s (ideal 10.2 s) errors {sum(r['errors'] for r in rows)} "
      f"throttled {sum(r['throttled'] for r in rows)} requests_sent {sum(r['requests_sent'] for r in rows)} "
      f"pacing_p99 {max(r['pacing_wait_p99_ms'] for r in rows):.0f} ms")
PY
}
fleet "Redis limiter" --rate-limiter redis://127.0.0.1:6391/bench
AWS_RETRY_MODE=standard fleet "local pacing only"
