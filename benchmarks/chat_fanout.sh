#!/usr/bin/env bash
# The chat fan-out comparison of issue 18 (benchmarks/README.md): one
# ivschat-emulator, ROOMS rooms; receivers with ivschat::chat_room
# (ivschat-bench --role receive), then the same receivers with the official
# JavaScript messaging SDK (benchmarks/chat_fanout_js.mjs), each fed by the
# same senders (ivschat-bench --role send, a process of its own) at the same
# rate into the same rooms. Each receiving process reads its CPU time
# (utime+stime of /proc/self/stat, from all connected to the last end marker)
# and its memory (VmRSS of /proc/self/status before and after connecting);
# the table shows both and the ratios.
#   benchmarks/chat_fanout.sh          # settings from the environment:
#   ROOMS=10 RECEIVERS=100 SENDERS=1 RATE=10 DURATION=10 BYTES=100 TLS=0 BUILD=build
#   THREAD_SAFE=1 (0: the C++ rooms without a strand, on the one thread, as
#   the JavaScript SDK on Node's event loop)
set -euo pipefail
cd "$(dirname "$0")/.."
rooms=${ROOMS:-10} receivers=${RECEIVERS:-100} senders=${SENDERS:-1} rate=${RATE:-10}
duration=${DURATION:-10} bytes=${BYTES:-100} tls=${TLS:-0} build=${BUILD:-build} thread_safe=${THREAD_SAFE:-1}
bench=$build/bin/ivschat-bench emulator=$build/bin/ivschat-emulator cli=$build/bin/ivschat
for program in "$bench" "$emulator" "$cli"; do
  [ -x "$program" ] || { echo "no $program (cmake --build $build --target ivschat-bench ivschat-emulator ivschat)" >&2; exit 1; }
done
if [ ! -d tests/js/node_modules/amazon-ivs-chat-messaging ]; then
  (cd tests/js && npm ci --no-audit --no-fund)
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The emulator's queue per connection is large: a receiver that falls
# behind is measured, not disconnected.
flags=(--port 0 --max-queued-frames 1000000)
lines=2
if [ "$tls" = 1 ]; then flags+=(--tls --ca-bundle "$work/ca.pem"); lines=3; fi
"$emulator" "${flags[@]}" >"$work/emulator.out" &
pids+=($!)
for _ in $(seq 200); do
  [ "$(wc -l <"$work/emulator.out")" -ge "$lines" ] && break
  sleep 0.05
done
endpoint=$(head -n 1 "$work/emulator.out")
messaging=$(sed -n 's/^messaging: //p' "$work/emulator.out")
[ -n "$messaging" ] || { echo "the emulator did not start" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_REGION=us-west-2
ca=()
if [ "$tls" = 1 ]; then ca=(--ca-bundle "$work/ca.pem"); export NODE_EXTRA_CA_CERTS=$work/ca.pem; fi

arns=()
for i in $(seq "$rooms"); do
  arns+=("$("$cli" create-room --endpoint-url "$endpoint" "${ca[@]}" --name "fanout-$i" \
    --maximum-message-rate-per-second 100 --query arn --output text)")
done
room_list=$(IFS=,; echo "${arns[*]}")
shape=(--room-arn "$room_list" --senders-per-room "$senders" --rate "$rate" --duration "$duration")

# measure NAME RECEIVER-COMMAND...: starts the receivers, waits for their
# ready line, runs the senders, and keeps both JSON lines.
measure() {
  local name=$1
  shift
  "$@" >"$work/$name.json" 2>"$work/$name.err" &
  local receiver=$!
  for _ in $(seq 1200); do
    grep -q '^chat-fanout: ready' "$work/$name.err" && break
    kill -0 "$receiver" 2>/dev/null || break
    sleep 0.1
  done
  grep -q '^chat-fanout: ready' "$work/$name.err" || { cat "$work/$name.err" >&2; echo "$name: receivers not ready" >&2; exit 1; }
  "$bench" --operation chat-fanout --role send --endpoint-url "$endpoint" "${ca[@]}" --messaging-endpoint "$messaging" \
    "${shape[@]}" --message-bytes "$bytes" >"$work/$name-send.json" 2>"$work/$name-send.err" || true
  wait "$receiver" || true
  grep -v '^chat-fanout: ready' "$work/$name.err" >&2 || true
  tail -n 1 "$work/$name.json" >"$work/$name.last"
  tail -n 1 "$work/$name-send.json" >"$work/$name-send.last"
  [ -s "$work/$name.last" ] && [ -s "$work/$name-send.last" ] || { echo "$name: no result" >&2; exit 1; }
  echo "$name receivers: $(cat "$work/$name.last")"
  echo "$name senders:   $(cat "$work/$name-send.last")"
}

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), node $(node --version)"
echo "== $rooms rooms x $receivers receivers, $senders sender(s) per room, $rate messages/s per room for ${duration}s, $bytes-byte messages, $messaging"
measure cpp "$bench" --operation chat-fanout --role receive --endpoint-url "$endpoint" "${ca[@]}" \
  --messaging-endpoint "$messaging" --receivers-per-room "$receivers" --thread-safe "$thread_safe" "${shape[@]}"
measure js node --expose-gc benchmarks/chat_fanout_js.mjs --endpoint-url "$endpoint" \
  --messaging-endpoint "$messaging" --receivers-per-room "$receivers" "${shape[@]}"

# The table (node runs the JavaScript peer anyway).
node - "$work/cpp.last" "$work/js.last" "$work/cpp-send.last" "$work/js-send.last" <<'EOF'
const [c, j, cs, js] = process.argv.slice(2).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
const rows = [[`ivschat-cpp chat_room (thread_safe ${c.thread_safe})`, c, cs], [`amazon-ivs-chat-messaging ${j.version} (Node ${j.node})`, j, js]];
const ratio = (x) => `${Math.round(x * 100) / 100}x`;
console.log(`
| receivers | connections | messages sent | delivered | delivered/s | CPU us/delivered | p50 ms | p99 ms | max ms | bytes/connection | RSS at the end KB | reconnects | errors | lost | duplicated |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`);
for (const [name, r, s] of rows)
  console.log(`| ${name} | ${r.connections} | ${s.messages_sent} | ${r.delivered} | ${r.delivered_per_s} | ${r.cpu_us_per_delivered} | ` +
    `${r.p50_ms} | ${r.p99_ms} | ${r.max_ms} | ${r.bytes_per_connection} | ${r.rss_end_kb} | ${r.reconnects} | ` +
    `${r.errors + s.errors} | ${r.lost} | ${r.duplicated} |`);
const cpu = j.cpu_us_per_delivered / c.cpu_us_per_delivered, memory = j.bytes_per_connection / c.bytes_per_connection;
const faults = c.lost + c.duplicated + j.lost + j.duplicated;
console.log(`
| target | ratio (JS / C++) | met |
|---|---|---|
| CPU per delivered message, at least 10x less | ${ratio(cpu)} | ${cpu >= 10 ? "yes" : "no"} |
| memory per connection, at least 5x less | ${ratio(memory)} | ${memory >= 5 ? "yes" : "no"} |
| zero lost or duplicated (both) | ${faults} | ${faults === 0 ? "yes" : "no"} |`);
EOF
