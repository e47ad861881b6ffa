-- wrk script: the floor of the comparison. It posts the same CreateChatToken
-- body with the same kind of headers the SDKs send, but signs nothing (the
-- Authorization header is a fixed, SigV4-shaped string).
--
--   wrk -t1 -c64 -d120s -s wrk_create_chat_token.lua URL -- REQUEST_FILE WARMUP REQUESTS 64 VERSION
--
-- Counting needs one thread (-t1): the thread runs WARMUP uncounted calls,
-- then REQUESTS measured ones, reading the process CPU (getrusage, through
-- LuaJIT's FFI) at both ends of the measured phase, and then stops wrk with
-- SIGINT to its main thread, so wrk never sleeps out -d (-d is only a bound).
-- done() prints the JSON line issue 8 fixes for every client.
local ffi = require("ffi")
ffi.cdef [[
struct peer_timeval { long tv_sec; long tv_usec; };
struct peer_rusage { struct peer_timeval ru_utime; struct peer_timeval ru_stime;
                     long ru_maxrss; long ru_rest[13]; };
struct peer_timespec { long tv_sec; long tv_nsec; };
int getrusage(int who, struct peer_rusage *usage);
int clock_gettime(int clock_id, struct peer_timespec *now);
int getpid(void);
int tgkill(int tgid, int tid, int sig);
]]
local RUSAGE_SELF, CLOCK_MONOTONIC, SIGINT = 0, 1, 2

local function cpu_seconds()
   local usage = ffi.new("struct peer_rusage")
   ffi.C.getrusage(RUSAGE_SELF, usage)
   return tonumber(usage.ru_utime.tv_sec) + tonumber(usage.ru_utime.tv_usec) / 1e6,
      tonumber(usage.ru_stime.tv_sec) + tonumber(usage.ru_stime.tv_usec) / 1e6,
      tonumber(usage.ru_maxrss)
end

local function monotonic_seconds()
   local now = ffi.new("struct peer_timespec")
   ffi.C.clock_gettime(CLOCK_MONOTONIC, now)
   return tonumber(now.tv_sec) + tonumber(now.tv_nsec) / 1e9
end

-- Main state: keep the thread handles so done() can read their counters.
local threads = {}
function setup(thread)
   table.insert(threads, thread)
end

-- Thread state: globals, so that done() can read them with thread:get().
function init(args)
   local request_file = assert(io.open(args[1], "r"), "cannot open request file " .. tostring(args[1]))
   wrk.method = "POST"
   wrk.path = "/CreateChatToken"
   wrk.body = request_file:read("*a"):gsub("%s+$", "")
   request_file:close()
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["User-Agent"] = "wrk/4.1.0 ivschat-peer"
   wrk.headers["X-Amz-Date"] = "20261126T090000Z"
   wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-west-2/ivschat/aws4_request, "
      .. "SignedHeaders=content-type;host;x-amz-date, "
      .. "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
   warmup = tonumber(args[2])
   quota = tonumber(args[3])
   concurrency = tonumber(args[4])
   version = args[5] or "unknown"
   assert(warmup and warmup >= 1 and quota and quota >= 1 and concurrency,
          "arguments: REQUEST_FILE WARMUP(>=1) REQUESTS(>=1) CONCURRENCY [VERSION]")
   completed = 0
   measured_errors = 0
end

function response(status)
   completed = completed + 1
   if completed > warmup and status ~= 200 then
      measured_errors = measured_errors + 1
   end
   if completed == warmup then
      cpu_user_start, cpu_sys_start = cpu_seconds()
      wall_start = monotonic_seconds()
   elseif completed == warmup + quota then
      wall_end = monotonic_seconds()
      cpu_user_end, cpu_sys_end, peak_rss_kb = cpu_seconds()
      wrk.thread:stop()
      local pid = ffi.C.getpid()
      ffi.C.tgkill(pid, pid, SIGINT)
   end
end

function done(summary, latency)
   local thread = threads[1]
   local wall_end = thread:get("wall_end")
   if #threads ~= 1 or not wall_end then
      io.stderr:write(string.format("wrk: measured phase did not complete (%d threads, %d requests); "
         .. "run with -t1 and a -d long enough\n", #threads, summary.requests))
      os.exit(1)
   end
   local requests = thread:get("quota")
   local wall = wall_end - thread:get("wall_start")
   local cpu_user = thread:get("cpu_user_end") - thread:get("cpu_user_start")
   local cpu_sys = thread:get("cpu_sys_end") - thread:get("cpu_sys_start")
   local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout
   -- Latency percentiles are wrk's own, over every call of the run (warm-up included).
   print(string.format('{"client":"wrk","operation":"create-chat-token","requests":%d,"concurrency":%d,'
      .. '"wall_s":%.4f,"req_per_s":%.1f,"cpu_user_s":%.4f,"cpu_sys_s":%.4f,"cpu_us_per_req":%.2f,'
      .. '"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"peak_rss_mb":%.1f,"errors":%d,'
      .. '"connections_opened":null,"allocs_per_req":null,"version":"wrk %s, LuaJIT"}',
      requests, thread:get("concurrency"), wall, requests / wall, cpu_user, cpu_sys,
      (cpu_user + cpu_sys) * 1e6 / requests,
      latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
      latency.max / 1e3, thread:get("peak_rss_kb") / 1024,
      thread:get("measured_errors") + socket_errors, thread:get("version")))
end
