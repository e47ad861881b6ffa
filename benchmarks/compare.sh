#!/usr/bin/env bash
# Side-by-side CreateChatToken comparison (issue 8): one neutral TLS server
# (nginx on 127.0.0.1), the same calls at the same concurrency from
#   wrk (no signing: the floor), the AWS SDK for JavaScript v3, boto3,
#   the AWS SDK for Go v2 (built offline from Debian), and build/bin/ivschat-bench
#   when it exists (plus its scaling series),
# each printing one JSON line. Writes benchmarks/results/compare.{md,svg,jsonl}.
#
# Usage: benchmarks/compare.sh            (knobs are environment variables)
#   CONCURRENCY=64 CONNECTIONS=64 WARMUP=256   calls in flight, pool size, uncounted calls first
#   REQUESTS=20000                       measured calls for wrk, JS, Go and ivschat-bench
#   REQUESTS_BOTO3=3000                  boto3 is ~50x slower per call; fewer calls keep the run short
#   REQUESTS_WRK / REQUESTS_JS / REQUESTS_GO / REQUESTS_IVSCHAT   per-client overrides
#   CLIENTS="wrk js go boto3 ivschat"    which rows to run (ivschat only if the binary exists)
#   SCALING="1 16 64 256 1024"           ivschat-bench concurrency series (pool stays CONNECTIONS; "" for none)
#   PEER_TIMEOUT=180                     seconds before one client run is killed and counted failed
#   ROUNDS=1                             runs of each client, interleaved; the table shows each one's median
#   IVSCHAT_BENCH=build/bin/ivschat-bench   RESULTS_DIR=benchmarks/results   INSTALL=1 (0: never install)
#   KEEP_RUN_DIR=1                       keep the scratch directory (nginx log, each client's stderr)
set -Eeuo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peers_dir=$repo_root/benchmarks/peers

CONCURRENCY=${CONCURRENCY:-64}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-256}
REQUESTS=${REQUESTS:-20000}
REQUESTS_WRK=${REQUESTS_WRK:-$REQUESTS}
REQUESTS_JS=${REQUESTS_JS:-$REQUESTS}
REQUESTS_GO=${REQUESTS_GO:-$REQUESTS}
REQUESTS_BOTO3=${REQUESTS_BOTO3:-3000}
REQUESTS_IVSCHAT=${REQUESTS_IVSCHAT:-$REQUESTS}
CLIENTS=${CLIENTS:-wrk js go boto3 ivschat}
SCALING=${SCALING-1 16 64 256 1024}
PEER_TIMEOUT=${PEER_TIMEOUT:-180}
ROUNDS=${ROUNDS:-1}
IVSCHAT_BENCH=${IVSCHAT_BENCH:-$repo_root/build/bin/ivschat-bench}
RESULTS_DIR=${RESULTS_DIR:-$repo_root/benchmarks/results}
INSTALL=${INSTALL:-1}
KEEP_RUN_DIR=${KEEP_RUN_DIR:-0}

die() { echo "compare.sh: $*" >&2; exit 1; }
python=/usr/bin/python3  # Debian's, for python3-boto3; the helpers need only its standard library

for knob in CONCURRENCY CONNECTIONS WARMUP REQUESTS REQUESTS_WRK REQUESTS_JS REQUESTS_GO REQUESTS_BOTO3 \
            REQUESTS_IVSCHAT PEER_TIMEOUT ROUNDS; do
  [[ ${!knob} =~ ^[1-9][0-9]{0,6}$ ]] || die "$knob must be an integer from 1 to 9999999 (got '${!knob}')"
done
for level in $SCALING; do
  [[ $level =~ ^[1-9][0-9]{0,4}$ ]] || die "SCALING entries must be integers from 1 to 99999 (got '$level')"
done
for client in $CLIENTS; do
  [[ $client =~ ^(wrk|js|go|boto3|ivschat)$ ]] || die "unknown client '$client' in CLIENTS (wrk js go boto3 ivschat)"
done
(( WARMUP >= CONCURRENCY )) || die "WARMUP ($WARMUP) must be at least CONCURRENCY ($CONCURRENCY) so every connection opens before measuring"

# The exact command, with every knob spelled out, for the report.
command_line="CONCURRENCY=$CONCURRENCY CONNECTIONS=$CONNECTIONS WARMUP=$WARMUP REQUESTS=$REQUESTS"
command_line+=" REQUESTS_WRK=$REQUESTS_WRK REQUESTS_JS=$REQUESTS_JS REQUESTS_GO=$REQUESTS_GO"
command_line+=" REQUESTS_BOTO3=$REQUESTS_BOTO3 REQUESTS_IVSCHAT=$REQUESTS_IVSCHAT"
command_line+=" ROUNDS=$ROUNDS CLIENTS='$CLIENTS' SCALING='$SCALING' benchmarks/compare.sh"

wants() { [[ " $CLIENTS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- install
install_missing_packages() {
  local wanted=(nginx-light wrk python3 gnuplot-nox openssl curl time)
  # Some images ship npm inside their nodejs package: ask for Debian's npm only when it is absent.
  wants js && wanted+=(nodejs) && ! command -v npm >/dev/null && wanted+=(npm)
  wants boto3 && wanted+=(python3-boto3)
  wants go && wanted+=(golang-go golang-github-aws-aws-sdk-go-v2-dev)
  local missing=() package
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  (( ${#missing[@]} == 0 )) && return
  [[ $INSTALL == 1 ]] || die "missing Debian packages (INSTALL=0): ${missing[*]}"
  (( EUID == 0 )) || die "missing Debian packages and not root: apt-get install ${missing[*]}"
  echo "compare.sh: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
install_missing_packages

if wants js && [[ ! -d $peers_dir/js/node_modules/@aws-sdk/client-ivschat ]]; then
  [[ $INSTALL == 1 ]] || die "benchmarks/peers/js/node_modules missing (INSTALL=0): run npm ci there"
  echo "compare.sh: npm ci in benchmarks/peers/js" >&2
  (cd "$peers_dir/js" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# ---------------------------------------------------------------- cleanup
run_dir=$(mktemp -d /tmp/ivschat-compare.XXXXXX)
nginx_pid=
client_pid=
cleanup() {
  local status=$?
  set +e  # a failing kill or wait must not stop the cleanup half-way
  if [[ -n $client_pid ]]; then
    kill -TERM "$client_pid" 2>/dev/null
    wait "$client_pid" 2>/dev/null
  fi
  if [[ -n $nginx_pid ]]; then
    kill -TERM "$nginx_pid" 2>/dev/null
    wait "$nginx_pid" 2>/dev/null
  fi
  if [[ $KEEP_RUN_DIR == 1 ]]; then
    echo "compare.sh: kept $run_dir (certificates, nginx.conf, nginx-error.log, each client's output)" >&2
  else
    rm -rf "$run_dir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo "compare.sh: line $LINENO: a command failed (exit status $?)" >&2' ERR
trap 'exit 130' INT TERM

# Every client talks to 127.0.0.1 only: no proxy, no credential files, no instance metadata.
unset HTTPS_PROXY https_proxy HTTP_PROXY http_proxy ALL_PROXY all_proxy AWS_PROFILE AWS_SESSION_TOKEN
export NO_PROXY=127.0.0.1 no_proxy=127.0.0.1
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-west-2 AWS_DEFAULT_REGION=us-west-2 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=$run_dir/no-aws-config AWS_SHARED_CREDENTIALS_FILE=$run_dir/no-aws-credentials

# ---------------------------------------------------------------- Go peer
go_peer=
if wants go; then
  # GOPATH mode over Debian's /usr/share/gocode: nothing is downloaded (GOPROXY=off).
  mkdir -p "$run_dir/gopath/src/ivschatpeer"
  cp "$peers_dir/go/main.go" "$run_dir/gopath/src/ivschatpeer/"
  go_sdk_version=$(dpkg-query -W -f='${Version}' golang-github-aws-aws-sdk-go-v2-dev)
  echo "compare.sh: building the Go peer (aws-sdk-go-v2 $go_sdk_version from /usr/share/gocode)" >&2
  (cd "$run_dir/gopath/src/ivschatpeer" &&
    GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH="$run_dir/gopath:/usr/share/gocode" \
      go build -ldflags "-X main.sdkVersion=$go_sdk_version" -o "$run_dir/peer-go" .) ||
    die "building the Go peer failed"
  go_peer=$run_dir/peer-go
fi

# ---------------------------------------------------------------- TLS + nginx
free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
tls_port=$(free_port)
status_port=$(free_port)
[[ $tls_port != "$status_port" ]] || status_port=$(free_port)

# A throwaway CA and a server certificate for IP 127.0.0.1 (RSA 2048, like AWS endpoints).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ivschat compare.sh throwaway CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$run_dir/ca.key" -out "$run_dir/ca.pem" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$run_dir/server.key" -out "$run_dir/server.csr" 2>/dev/null
printf '%s\n' 'subjectAltName=IP:127.0.0.1' 'basicConstraints=critical,CA:FALSE' \
  'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' >"$run_dir/server.ext"
openssl x509 -req -days 2 -in "$run_dir/server.csr" -CA "$run_dir/ca.pem" -CAkey "$run_dir/ca.key" \
  -set_serial "0x$(openssl rand -hex 8)" -extfile "$run_dir/server.ext" -out "$run_dir/server.pem" 2>/dev/null
ca_bundle=$run_dir/ca.pem

response=$(tr -d '\n' <"$peers_dir/create_chat_token_response.json")
[[ $response != *"'"* ]] || die "create_chat_token_response.json must not contain a single quote"
sed -e "s|@RUN_DIR@|$run_dir|g" -e "s|@TLS_PORT@|$tls_port|g" -e "s|@STATUS_PORT@|$status_port|g" \
  -e "s|@RESPONSE@|$response|g" "$peers_dir/nginx.conf.template" >"$run_dir/nginx.conf"
nginx -e "$run_dir/nginx-error.log" -p "$run_dir" -c "$run_dir/nginx.conf" &
nginx_pid=$!

server_accepts() {
  curl -sf --max-time 5 "http://127.0.0.1:$status_port/status" | awk 'NR == 3 { print $1 }'
}
for _ in $(seq 50); do
  server_accepts >/dev/null 2>&1 && break
  kill -0 "$nginx_pid" 2>/dev/null || die "nginx exited: $(cat "$run_dir/nginx-error.log" 2>/dev/null)"
  sleep 0.1
done
endpoint=https://127.0.0.1:$tls_port
request_file=$peers_dir/create_chat_token_request.json
probe=$(curl -sS --max-time 5 --cacert "$ca_bundle" -H 'Content-Type: application/json' \
  --data-binary "@$request_file" "$endpoint/CreateChatToken") || die "nginx does not answer on $endpoint"
[[ $probe == "$response" ]] || die "nginx answered something else than the fixed response: $probe"

# ---------------------------------------------------------------- running clients
mkdir -p "$RESULTS_DIR"
results_jsonl=$RESULTS_DIR/compare.jsonl
scaling_jsonl=$RESULTS_DIR/compare-scaling.jsonl
: >"$results_jsonl"
: >"$scaling_jsonl"
failures=()

# record_failure NAME ROUND OUTPUT_JSONL REASON: the table shows the run as FAILED, the exit status is 1.
record_failure() {
  failures+=("$1 round $2: $4")
  "$python" -c 'import json, sys; print(json.dumps({"client": sys.argv[1], "round": int(sys.argv[2]),
                                                  "failed": sys.argv[3]}))' "$1" "$2" "$4" >>"$3"
}

# run_client NAME ROUND OUTPUT_JSONL COMMAND...: runs one client under a time bound, checks its
# JSON line, adds the round (0 for the scaling series) and the server's count of accepted
# connections, appends it to OUTPUT_JSONL.
run_client() {
  local name=$1 round=$2 output=$3
  shift 3
  local stdout=$run_dir/$name.out stderr=$run_dir/$name.err status=0
  local progress="compare.sh: running $name"
  (( round > 0 )) && progress+=" (round $round of $ROUNDS)"
  echo "$progress" >&2
  local accepts_before accepts_after
  accepts_before=$(server_accepts)
  timeout --kill-after=5 "$PEER_TIMEOUT" "$@" >"$stdout" 2>"$stderr" &
  client_pid=$!
  wait "$client_pid" || status=$?
  client_pid=
  kill -0 "$nginx_pid" 2>/dev/null || die "nginx died while $name ran: $(tail -n 5 "$run_dir/nginx-error.log")"
  accepts_after=$(server_accepts)
  local line
  line=$(grep '^{' "$stdout" | tail -n 1 || true)
  if (( status != 0 )) || [[ -z $line ]]; then
    local reason="exit status $status"
    (( status == 124 )) && reason="killed after PEER_TIMEOUT=${PEER_TIMEOUT}s"
    echo "compare.sh: $name FAILED ($reason); last lines of its stderr:" >&2
    tail -n 15 "$stderr" | sed 's/^/    /' >&2
    record_failure "$name" "$round" "$output" "$reason"
    return 0
  fi
  # The status request itself is one accepted connection: subtract it.
  local annotated
  if ! annotated=$("$python" "$peers_dir/report.py" annotate "$line" "$round" \
                   $(( accepts_after - accepts_before - 1 )) "$stderr" 2>&1); then
    record_failure "$name" "$round" "$output" "bad JSON line ($annotated)"
    return 0
  fi
  echo "$annotated" >>"$output"
}

common_args=(--endpoint-url "$endpoint" --ca-bundle "$ca_bundle" --request-file "$request_file"
             --concurrency "$CONCURRENCY" --connections "$CONNECTIONS" --warmup "$WARMUP")
ivschat_args=(--endpoint-url "$endpoint" --ca-bundle "$ca_bundle" --operation create-chat-token
              --connections "$CONNECTIONS" --warmup "$WARMUP" --requests "$REQUESTS_IVSCHAT")
have_ivschat_bench() { [[ -x $IVSCHAT_BENCH ]]; }
wants ivschat && ! have_ivschat_bench &&
  echo "compare.sh: $IVSCHAT_BENCH not built yet: no ivschat-cpp row" >&2

# e.g. debian/4.1.0-3+b2 (wrk -v prints its usage too and exits 1)
wrk_version=$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }' || true)

# run_round CLIENT ROUND: one measured run of one client into compare.jsonl.
run_round() {
  local round=$2
  case $1 in
    wrk)
      # -t1: the script's counting needs one thread; -d is only a bound, the script stops wrk.
      # /usr/bin/time adds wrk's whole-process CPU (handshakes and warm-up included) as a cross-check.
      run_client wrk "$round" "$results_jsonl" /usr/bin/time -f 'time: user=%U sys=%S maxrss_kb=%M' \
        wrk -t1 -c"$CONCURRENCY" -d"${PEER_TIMEOUT}s" --timeout 10s --latency \
        -s "$peers_dir/wrk_create_chat_token.lua" "$endpoint/CreateChatToken" \
        -- "$request_file" "$WARMUP" "$REQUESTS_WRK" "$CONCURRENCY" "$wrk_version" ;;
    js)
      run_client aws-sdk-js-v3 "$round" "$results_jsonl" node "$peers_dir/js/bench.mjs" \
        "${common_args[@]}" --requests "$REQUESTS_JS" ;;
    go)
      run_client aws-sdk-go-v2 "$round" "$results_jsonl" "$go_peer" "${common_args[@]}" \
        --requests "$REQUESTS_GO" ;;
    boto3)
      # -s: Debian's python3-boto3, not a user-site copy.
      run_client boto3 "$round" "$results_jsonl" "$python" -s "$peers_dir/python/bench_boto3.py" \
        "${common_args[@]}" --requests "$REQUESTS_BOTO3" ;;
    ivschat)
      # Both threading modes: the default (a strand, safe for an io_context run by several
      # threads) and pool.thread_safe = false (straight on the one thread's io_context, like wrk -t1).
      have_ivschat_bench || return 0
      run_client ivschat-bench "$round" "$results_jsonl" "$IVSCHAT_BENCH" "${ivschat_args[@]}" \
        --concurrency "$CONCURRENCY"
      run_client ivschat-bench-one-thread "$round" "$results_jsonl" "$IVSCHAT_BENCH" "${ivschat_args[@]}" \
        --concurrency "$CONCURRENCY" --thread-safe 0 ;;
  esac
}

# Rounds interleave the clients, so that a burst of load from elsewhere hits one round of
# each rather than every run of one client; the report keeps each client's median run.
for round in $(seq "$ROUNDS"); do
  for client in $CLIENTS; do
    run_round "$client" "$round"
  done
done
if wants ivschat && have_ivschat_bench; then
  for level in $SCALING; do
    run_client "ivschat-bench-c$level" 0 "$scaling_jsonl" "$IVSCHAT_BENCH" "${ivschat_args[@]}" \
      --concurrency "$level"
  done
fi

# ---------------------------------------------------------------- report
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'),"
machine+=" $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr),"
machine+=" load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
nginx_version=$(nginx -v 2>&1 | sed 's|.*/||')
report_status=0
"$python" "$peers_dir/report.py" report --results "$results_jsonl" --scaling "$scaling_jsonl" \
  --markdown "$RESULTS_DIR/compare.md" --plot-data "$run_dir/plot.dat" \
  --machine "$machine" --date "$(date -u '+%Y-%m-%d %H:%M UTC')" --command "$command_line" \
  --server "nginx $nginx_version (Debian), 1 worker, TLS on 127.0.0.1, keep-alive" || report_status=$?
case $report_status in
  0) ;;
  3) failures+=("some calls failed (errors column)") ;;
  *) die "report.py failed (exit status $report_status)" ;;
esac
rm -f "$RESULTS_DIR/compare.svg"
if grep -q '^"' "$run_dir/plot.dat"; then
  gnuplot -e "datafile='$run_dir/plot.dat'; outfile='$RESULTS_DIR/compare.svg'" "$peers_dir/compare.gnuplot" ||
    failures+=("gnuplot")
else
  echo "compare.sh: no client succeeded: no chart" >&2
fi

if (( ${#failures[@]} )); then
  printf 'compare.sh: FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "compare.sh: wrote $RESULTS_DIR/compare.md, compare.svg, compare.jsonl" >&2
