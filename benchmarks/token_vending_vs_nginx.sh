#!/usr/bin/env bash
# Issue 19: the token vending example (build/bin/token_vending_service)
# against an nginx floor. wrk sends `GET /token?user=...` over plain HTTP
# keep-alive on 127.0.0.1 to
#   - nginx answering `return 200` with a body as long as the service's
#     answer (HTTP in, nothing out: the floor), N worker processes;
#   - the service with N threads, one client per thread or one shared client
#     (HTTP in, a signed CreateChatToken out over TLS to the token backend,
#     ivschat-emulator or, with BACKEND=nginx, a second nginx).
# For each run: requests/s (wall) and the server's CPU (user + sys, from
# /proc/PID/stat, nginx's workers summed) per request, and its ratio to
# nginx with as many workers. The runs interleave, ROUNDS times; every run
# is a row. The backend's and wrk's own CPU are not counted there; the
# "machine busy" column (all cores, from /proc/stat) counts everything, and
# tells whether a second server thread had a core to run on. When
# build/bin/ivschat-bench exists, one more row per round: the client's
# CreateChatToken call alone (same backend, one thread, 64 in flight,
# paced as the service paces), the part of the service's cost that is not
# its inbound HTTP.
#
# Usage: benchmarks/token_vending_vs_nginx.sh     (after a build of
#        ivschat-emulator, ivschat and token_vending_service)
#   DURATION=10 WARMUP=2     seconds measured, seconds of unmeasured load before
#   CONNECTIONS=64           wrk's connections (one wrk thread)
#   THREADS="1 2"            service threads / nginx workers
#   ROUNDS=1                 repetitions of the whole series
#   BACKEND=emulator         the token backend: emulator, or nginx (an nginx
#                            over TLS answering every call with a fixed
#                            CreateChatToken response: cheaper than the
#                            emulator, leaving more of the machine to the service)
set -Eeuo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$repo_root/build/bin
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1 2}
ROUNDS=${ROUNDS:-1}
BACKEND=${BACKEND:-emulator}

die() { echo "token_vending_vs_nginx.sh: $*" >&2; exit 1; }
for knob in DURATION WARMUP CONNECTIONS ROUNDS; do
  [[ ${!knob} =~ ^[1-9][0-9]{0,4}$ ]] || die "$knob must be an integer from 1 to 99999 (got '${!knob}')"
done
for n in $THREADS; do [[ $n =~ ^[1-9][0-9]?$ ]] || die "THREADS entries must be integers from 1 to 99 (got '$n')"; done
[[ $BACKEND == emulator || $BACKEND == nginx ]] || die "BACKEND must be emulator or nginx (got '$BACKEND')"
for tool in nginx wrk curl openssl; do command -v $tool >/dev/null || die "$tool is missing (scripts/setup.sh; apt-get install nginx-light wrk curl openssl)"; done
for program in ivschat-emulator ivschat token_vending_service; do
  [[ -x $bin/$program ]] || die "$bin/$program is missing: cmake --build build --target $program"
done

work=$(mktemp -d)
backend_pid='' service_pid='' nginx_pid=''
# Stops the process whose pid the variable named $1 holds, and forgets it.
stop() {
  local pid=${!1}
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  printf -v "$1" '%s' ''
}
cleanup() {
  stop service_pid; stop nginx_pid; stop backend_pid
  rm -rf "$work"
}
trap cleanup EXIT

# Waits for the first line a background program prints ("listening on URL", the emulator's URL).
first_line() {
  for _ in $(seq 100); do [[ -s $1 ]] && { head -1 "$1"; return; }; sleep 0.1; done
  die "no output in $1: $(cat "$1" "$1.err" 2>/dev/null)"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Writes an nginx configuration to $1: $2 worker processes, its pid and
# error log beside it, and the server block $3.
nginx_config() {
  local name=${1%.conf}
  cat >"$1" <<EOF
worker_processes $2;
daemon off;
pid $name.pid;
error_log $name-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  server_tokens off;
  keepalive_requests 1000000000;
  keepalive_timeout 3600s;
  client_body_temp_path $work/client_body;
  proxy_temp_path $work/proxy; fastcgi_temp_path $work/fastcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
  $3
}
EOF
}

export AWS_REGION=us-west-2 AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
if [[ $BACKEND == emulator ]]; then
  # The emulator over TLS, its CreateChatToken quota far above the load.
  "$bin/ivschat-emulator" --tls --port 0 --enforce-quotas --quota CreateChatToken=1000000 --ca-bundle "$work/ca.pem" \
    >"$work/emulator.out" 2>"$work/emulator.out.err" &
  # shellcheck disable=SC2034  # stop() reads it through ${!1}
  backend_pid=$!
  endpoint=$(first_line "$work/emulator.out")
  export AWS_ENDPOINT_URL_IVSCHAT=$endpoint AWS_CA_BUNDLE="$work/ca.pem"
  room=$("$bin/ivschat" create-room --query arn --output text)
else
  # nginx over TLS with a throwaway certificate for 127.0.0.1, one worker,
  # the same answer to every call (a token as long as the emulator's).
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$work/backend.key" -out "$work/ca.pem" 2>/dev/null
  backend_port=$(free_port)
  token=$(printf 'x%.0s' $(seq 330))
  answer="{\"token\":\"$token\",\"tokenExpirationTime\":\"2030-01-01T00:00:00Z\",\"sessionExpirationTime\":\"2030-01-01T00:00:00Z\"}"
  nginx_config "$work/backend.conf" 1 "server {
    listen 127.0.0.1:$backend_port ssl;
    ssl_certificate $work/ca.pem;
    ssl_certificate_key $work/backend.key;
    location / {
      default_type application/json;
      add_header x-amzn-RequestId 6d0e8e4e-0000-4000-8000-000000000000 always;
      return 200 '$answer';
    }
  }"
  nginx -e "$work/backend-error.log" -p "$work" -c "$work/backend.conf" &
  # shellcheck disable=SC2034  # stop() reads it through ${!1}
  backend_pid=$!
  endpoint=https://127.0.0.1:$backend_port
  export AWS_ENDPOINT_URL_IVSCHAT=$endpoint AWS_CA_BUNDLE="$work/ca.pem"
  for _ in $(seq 100); do curl -fs --cacert "$work/ca.pem" -d '{}' "$endpoint/CreateChatToken" >/dev/null && break; sleep 0.1; done
  room=arn:aws:ivschat:us-west-2:123456789012:room/bEnchMark1234
fi
target="/token?user=viewer-42"

# CPU ticks (user + sys) of the given processes, every thread included.
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    # Fields after the command name's ')': utime and stime are the 12th and 13th.
    fields=$(sed 's/.*) //' "/proc/$pid/stat")
    read -r -a f <<<"$fields"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}
ticks_per_second=$(getconf CLK_TCK)

# The machine's busy and total CPU ticks (all cores) from /proc/stat.
machine_ticks() {
  awk '/^cpu / { total = 0; for (i = 2; i <= NF; i++) total += $i; print total - $5 - $6, total }' /proc/stat
}

# Starts the service; sets service_pid and service_port.
start_service() {
  "$bin/token_vending_service" 0 "$room" --threads "$1" --client "$2" --quota 1000000 \
    >"$work/service.out" 2>"$work/service.out.err" &
  service_pid=$!
  local line
  line=$(first_line "$work/service.out")
  service_port=${line##*:}
}

# Starts nginx with $1 workers answering $2 on a free port; sets nginx_pid and nginx_port.
start_nginx() {
  nginx_port=$(free_port)
  nginx_config "$work/nginx.conf" "$1" "server {
    listen 127.0.0.1:$nginx_port;
    location = /token { default_type application/json; return 200 '$2'; }
    location / { return 404; }
  }"
  nginx -e "$work/nginx-error.log" -p "$work" -c "$work/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$nginx_port$target" >/dev/null && return; sleep 0.1; done
  die "nginx does not answer: $(cat "$work/nginx-error.log")"
}

# Loads http://127.0.0.1:$1 (WARMUP s, then DURATION s measured) while
# counting the CPU of processes $2...; prints "requests/s cpu_us_per_request
# non2xx machine_busy_percent" (the last: every process on every core, wrk
# and the backend included).
measure() {
  local port=$1; shift
  local url="http://127.0.0.1:$port$target"
  wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "$url" >/dev/null
  local before after busy_before total_before busy_after total_after
  read -r busy_before total_before < <(machine_ticks)
  before=$(cpu_ticks "$@")
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$url" >"$work/wrk.out"
  after=$(cpu_ticks "$@")
  read -r busy_after total_after < <(machine_ticks)
  local requests seconds non2xx
  requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  seconds=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$work/wrk.out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.out")
  [[ -n $requests && $requests -gt 0 ]] || die "wrk measured nothing: $(cat "$work/wrk.out")"
  awk -v r="$requests" -v s="$seconds" -v t=$((after - before)) -v hz="$ticks_per_second" -v e="${non2xx:-0}" \
      -v busy=$((busy_after - busy_before)) -v total=$((total_after - total_before)) \
    'BEGIN { printf "%.0f %.1f %d %.0f\n", r / s, t / hz * 1e6 / r, e, 100 * busy / total }'
}

# The service's answer, to give nginx a body of the same length.
start_service 1 per-thread
sample=$(curl -fs "http://127.0.0.1:$service_port$target") || die "the service does not answer: $(cat "$work/service.out.err")"
stop service_pid
floor_body=$(printf '{"token":"%*s"}' $(( ${#sample} - 12 )) '' | tr ' ' 'x')

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
declare -A floor
rows=()
for _ in $(seq "$ROUNDS"); do
  for n in $THREADS; do
    start_nginx "$n" "$floor_body"
    # shellcheck disable=SC2046  # one argument per worker
    result=$(measure "$nginx_port" $(ps --ppid "$nginx_pid" -o pid=))
    read -r rps cpu errors busy <<<"$result"
    stop nginx_pid
    floor[$n]=$cpu
    rows+=("| nginx \`return 200\` | $n | - | $rps | $cpu | 1.00 | $busy % | $errors |")
    clients=per-thread
    (( n > 1 )) && clients="per-thread shared"
    for mode in $clients; do
      start_service "$n" "$mode"
      result=$(measure "$service_port" "$service_pid")
      read -r rps cpu errors busy <<<"$result"
      stop service_pid
      ratio=$(awk -v a="$cpu" -v b="${floor[$n]}" 'BEGIN { printf "%.2f", a / b }')
      rows+=("| token_vending_service | $n | $mode | $rps | $cpu | $ratio | $busy % | $errors |")
    done
  done
  if [[ -x $bin/ivschat-bench ]]; then
    line=$("$bin/ivschat-bench" --endpoint-url "$endpoint" --ca-bundle "$work/ca.pem" --room-arn "$room" \
      --requests 100000000 --duration "$DURATION" --concurrency "$CONNECTIONS" --thread-safe 0 \
      --pacing on --quota CreateChatToken=1000000 2>/dev/null | tail -1)
    read -r rps cpu errors < <(python3 -c 'import json, sys; j = json.loads(sys.argv[1])
print("%.0f %.1f %d" % (j["req_per_s"], j["cpu_us_per_req"], j["errors"]))' "$line")
    first=${THREADS%% *}
    ratio=$(awk -v a="$cpu" -v b="${floor[$first]}" 'BEGIN { printf "%.2f", a / b }')
    rows+=("| ivschat-bench: the CreateChatToken call alone | 1 | per-thread | $rps | $cpu | $ratio (to $first worker) | - | $errors errors |")
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: DURATION=$DURATION WARMUP=$WARMUP CONNECTIONS=$CONNECTIONS THREADS=\"$THREADS\" ROUNDS=$ROUNDS BACKEND=$BACKEND benchmarks/token_vending_vs_nginx.sh"
echo "response body: ${#sample} bytes (nginx: ${#floor_body})"
echo
echo "| server | threads / workers | client | requests/s | CPU per request (µs, user+sys) | ratio to nginx | machine busy | non-2xx |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
