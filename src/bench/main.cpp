// ivschat-bench: the load generator of issue 8. Runs W uncounted calls, then
// N calls with C in flight through one shared client on one thread, prints a
// progress line on stderr and, last, one JSON line on stdout (fields in
// benchmarks/README.md). Allocations are counted by alloc_counter.cpp.
#include "alloc_counter.hpp"
#include "bench_statistics.hpp"
#include "chat_fanout.hpp"
#include "emulator_process.hpp"

#include <ivschat/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <sys/resource.h>

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
using ivschat::bench::percentile;

namespace {

constexpr const char* usage = R"(usage: ivschat-bench (--endpoint-url URL | --emulator) [options]

  --endpoint-url URL     the service endpoint (https://127.0.0.1:PORT)
  --ca-bundle FILE       PEM file of trusted CAs
  --emulator             start ivschat-emulator --tls --port 0 (next to this
                         program) and target it; a room is created first
  --operation NAME       create-chat-token (default), get-room, send-event,
                         list-rooms, create-room, list-tags-for-resource,
                         chat-fanout (options below)
  --room-arn ARN         room of create-chat-token/get-room/send-event/list-tags
                         (default: the one of benchmarks/peers/create_chat_token_request.json)
  --requests N           measured calls (default 10000; unbounded with --duration)
  --concurrency C        calls in flight (default 64)
  --connections K        pool size, max connections (default 64)
  --warmup W             uncounted calls before measuring (default: C)
  --duration S           stop measuring after S seconds (or N calls, first reached)
  --thread-safe 1|0      1 (default): the client (and chat-fanout's rooms) on its
                         strand, as shared by threads; 0: pool.thread_safe = false
                         (chat_room_options::thread_safe = false), straight on the
                         one thread's io_context
  --pacing on|off        wait for the operations' quotas in the client (default: on
                         for AWS endpoints and with --rate-limiter, off otherwise)
  --quota OPERATION=TPS  the client's quota for one operation (repeatable), e.g.
                         CreateChatToken=500
  --rate-limiter URL     share the quotas with other processes through Redis:
                         redis://HOST:PORT[/PREFIX]
  --help                 this text

chat-fanout: senders send numbered messages into rooms at a fixed rate; receivers
(one chat_room connection each) count them (lost, duplicated, latency).
  --rooms R              rooms to create (default 1; or the ARNs of --room-arn A,B,...)
  --receivers-per-room N receiving connections per room (default 100)
  --senders-per-room S   sending connections per room (default 1)
  --rate M               messages per second per room (default 50; a room allows 100)
  --duration S           seconds of sending (default 10)
  --messages K           messages per room (default: rate * duration)
  --message-bytes B      content length (default 100)
  --role both|receive|send
                         both (default): receivers here, senders on a second thread;
                         receive / send: one side, the other is another process
                         started after this one printed "chat-fanout: ready" on stderr
  --messaging-endpoint URL
                         ws:// or wss:// (default: the emulator's with --emulator)

Credentials and region come from the usual chain (AWS_ACCESS_KEY_ID, AWS_REGION, ...);
with --emulator and none set, the emulator's example pair and us-west-2.
The last stdout line is one JSON object (benchmarks/README.md lists its fields).
)";

// benchmarks/peers/create_chat_token_request.json, the input every peer sends.
constexpr const char* default_room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3J4k5L6";

struct options {
    std::string endpoint_url{};
    std::string ca_bundle{};
    std::string operation = "create-chat-token";
    std::string room_arn{};
    bool emulator = false;
    bool thread_safe = true;
    std::size_t requests = 10000;
    bool requests_given = false;
    std::size_t concurrency = 64;
    std::size_t connections = 64;
    std::optional<std::size_t> warmup{};
    std::optional<double> duration_s{};
    ivschat::pacing_options pacing{};
    ivschat::bench::chat_fanout_options fanout{};
};

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "ivschat-bench: " << message << "\n(--help for usage)\n";
    std::exit(2);
}

template <class Number>
Number parse_number(std::string_view flag, std::string_view text) {
    Number value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < 0) {
        fail("bad value '" + std::string(text) + "' for " + std::string(flag));
    }
    return value;
}

// chat-fanout's settings from the shared flags, and their checks.
void parse_fanout(options& o) {
    auto& f = o.fanout;
    if (o.duration_s) f.duration_s = *o.duration_s;
    for (std::string_view arns = o.room_arn; !arns.empty();) {
        const auto comma = arns.find(',');
        if (comma != 0) f.room_arns.emplace_back(arns.substr(0, comma));
        arns.remove_prefix(comma == std::string_view::npos ? arns.size() : comma + 1);
    }
    if (!f.room_arns.empty()) f.rooms = f.room_arns.size();
    if (f.rooms == 0 || f.senders_per_room == 0) fail("--rooms and --senders-per-room must be at least 1");
    if (f.role != ivschat::bench::fanout_role::send && f.receivers_per_room == 0)
        fail("--receivers-per-room must be at least 1");
    if (!(f.rate_per_room > 0) || f.rate_per_room > 100) fail("--rate must be above 0 and at most 100 (a room's highest)");
    if (!o.emulator && f.messaging_endpoint.empty()) fail("chat-fanout needs --messaging-endpoint or --emulator");
    f.ca_bundle = o.ca_bundle;
    f.thread_safe = o.thread_safe;
}

options parse_options(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::fputs(usage, stdout);
            std::exit(0);
        }
        if (flag == "--emulator") {
            o.emulator = true;
            continue;
        }
        if (i + 1 >= argc) fail("missing value for " + std::string(flag));
        const std::string_view value = argv[++i];
        if (flag == "--endpoint-url") {
            o.endpoint_url = value;
        } else if (flag == "--ca-bundle") {
            o.ca_bundle = value;
        } else if (flag == "--operation") {
            o.operation = value;
        } else if (flag == "--room-arn") {
            o.room_arn = value;
        } else if (flag == "--requests") {
            o.requests = parse_number<std::size_t>(flag, value);
            o.requests_given = true;
        } else if (flag == "--concurrency") {
            o.concurrency = parse_number<std::size_t>(flag, value);
        } else if (flag == "--connections") {
            o.connections = parse_number<std::size_t>(flag, value);
        } else if (flag == "--warmup") {
            o.warmup = parse_number<std::size_t>(flag, value);
        } else if (flag == "--duration") {
            o.duration_s = parse_number<double>(flag, value);
        } else if (flag == "--pacing") {
            if (value != "on" && value != "off") fail("--pacing takes on or off");
            o.pacing.mode = value == "on" ? ivschat::pacing_mode::on : ivschat::pacing_mode::off;
        } else if (flag == "--quota") {
            const auto equals = value.find('=');
            if (equals == std::string_view::npos || equals == 0) fail("--quota takes OPERATION=TPS");
            const auto rate = parse_number<double>(flag, value.substr(equals + 1));
            if (!(rate > 0)) fail("--quota needs a rate above 0 in " + std::string(value));
            o.pacing.quotas[std::string(value.substr(0, equals))] = rate;
        } else if (flag == "--rate-limiter") {
            o.pacing.rate_limiter = std::string(value);
        } else if (flag == "--rooms") {
            o.fanout.rooms = parse_number<std::size_t>(flag, value);
        } else if (flag == "--receivers-per-room") {
            o.fanout.receivers_per_room = parse_number<std::size_t>(flag, value);
        } else if (flag == "--senders-per-room") {
            o.fanout.senders_per_room = parse_number<std::size_t>(flag, value);
        } else if (flag == "--rate") {
            o.fanout.rate_per_room = parse_number<double>(flag, value);
        } else if (flag == "--messages") {
            o.fanout.messages_per_room = parse_number<std::size_t>(flag, value);
        } else if (flag == "--message-bytes") {
            o.fanout.message_bytes = parse_number<std::size_t>(flag, value);
        } else if (flag == "--messaging-endpoint") {
            o.fanout.messaging_endpoint = value;
        } else if (flag == "--role") {
            using ivschat::bench::fanout_role;
            if (value == "both") {
                o.fanout.role = fanout_role::both;
            } else if (value == "receive") {
                o.fanout.role = fanout_role::receive;
            } else if (value == "send") {
                o.fanout.role = fanout_role::send;
            } else {
                fail("--role takes both, receive or send");
            }
        } else if (flag == "--thread-safe") {
            if (value != "0" && value != "1") fail("--thread-safe takes 1 or 0");
            o.thread_safe = value == "1";
        } else {
            fail("unknown option " + std::string(flag));
        }
    }
    if (o.emulator == !o.endpoint_url.empty()) fail("give exactly one of --endpoint-url and --emulator");
    constexpr std::string_view operations[] = {"create-chat-token", "get-room",    "send-event",
                                               "list-rooms",        "create-room", "list-tags-for-resource",
                                               "chat-fanout"};
    if (std::find(std::begin(operations), std::end(operations), o.operation) == std::end(operations)) {
        fail("unknown operation '" + o.operation + "'");
    }
    if (o.concurrency == 0 || o.connections == 0) fail("--concurrency and --connections must be at least 1");
    if (o.duration_s && !o.requests_given) o.requests = std::numeric_limits<std::size_t>::max();
    if (o.operation == "chat-fanout") parse_fanout(o);
    return o;
}

// Progress shared with the reporting thread; written by the io thread only.
struct progress {
    std::atomic<bool> measuring{false};
    std::atomic<std::size_t> completed{0};
    std::atomic<std::size_t> errors{0};
};

// One phase (warm-up or measured): a number of calls, optionally a deadline,
// and what the calls measured.
struct phase {
    std::size_t limit = 0;
    std::optional<clock_type::time_point> deadline{};
    std::size_t issued = 0;
    std::size_t errors = 0;
    std::vector<double> latencies_ms{};
    std::vector<double> pacing_ms{};
    // HTTP requests sent and 429 answers received, retries included.
    std::size_t requests_sent = 0;
    std::size_t throttled = 0;
    std::string first_error{};

    bool more() const { return issued < limit && (!deadline || clock_type::now() < *deadline); }
};

bool call_succeeded(const ivschat::create_chat_token_response& response) {
    return response.token && !response.token->empty();
}
template <class Response>
bool call_succeeded(const Response&) {
    return true;
}

template <class Request>
asio::awaitable<void> worker(ivschat::client& chat, const Request& prototype, phase& ph, progress* shared) {
    ivschat::diagnostics diag;
    while (ph.more()) {
        ++ph.issued;
        Request request = prototype;
        diag.clear();
        const auto start = clock_type::now();
        auto [ec, response] = co_await chat.call(std::move(request), diag, asio::as_tuple(asio::use_awaitable));
        const auto elapsed = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
        const bool ok = !ec && call_succeeded(response);
        if (!ok) {
            ++ph.errors;
            if (ph.first_error.empty()) {
                ph.first_error = ec ? ec.message() + ": " + diag.error.message + diag.client_message
                                    : "response without the expected result";
            }
        }
        ph.latencies_ms.push_back(elapsed);
        ph.pacing_ms.push_back(std::chrono::duration<double, std::milli>(diag.pacing_time).count());
        ph.requests_sent += diag.attempts.size();
        for (const auto& attempt : diag.attempts) ph.throttled += attempt.http_status == 429;
        if (shared) {
            shared->completed.fetch_add(1, std::memory_order_relaxed);
            if (!ok) shared->errors.fetch_add(1, std::memory_order_relaxed);
        }
    }
}

// Runs `ph` with `concurrency` workers and returns when all have finished.
template <class Request>
asio::awaitable<void> run_phase(ivschat::client& chat, const Request& prototype, phase& ph, std::size_t concurrency,
                                progress* shared) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer all_done(executor, clock_type::time_point::max());
    std::size_t running = std::min(concurrency, ph.limit);
    const std::size_t workers = running;
    for (std::size_t i = 0; i < workers; ++i) {
        asio::co_spawn(executor, worker(chat, prototype, ph, shared), [&](std::exception_ptr failure) {
            if (failure && ph.first_error.empty()) ph.first_error = "a worker threw";
            if (--running == 0) all_done.cancel();
        });
    }
    while (running > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

struct measurement {
    rusage usage_before{};
    rusage usage_after{};
    clock_type::time_point start{};
    clock_type::time_point end{};
    std::uint64_t allocations = 0;
    std::uint64_t connections_before = 0;
    std::uint64_t connections_after = 0;
    phase measured{};
    std::string setup_error{};
};

template <class Request>
asio::awaitable<void> run_benchmark(ivschat::client& chat, const Request& prototype, const options& o,
                                    measurement& m, progress& shared) {
    phase warmup;
    warmup.limit = o.warmup.value_or(o.concurrency);
    warmup.latencies_ms.reserve(warmup.limit);
    co_await run_phase(chat, prototype, warmup, o.concurrency, nullptr);
    if (warmup.errors > 0) {
        m.setup_error = "warm-up: " + std::to_string(warmup.errors) + " failed calls, first: " + warmup.first_error;
        co_return;
    }

    m.measured.limit = o.requests;
    m.measured.latencies_ms.reserve(std::min<std::size_t>(o.requests, 1 << 22));
    m.measured.pacing_ms.reserve(std::min<std::size_t>(o.requests, 1 << 22));
    m.connections_before = chat.counters().connections_opened;
    shared.measuring = true;
    getrusage(RUSAGE_SELF, &m.usage_before);
    m.start = clock_type::now();
    if (o.duration_s) {
        m.measured.deadline = m.start + std::chrono::duration_cast<clock_type::duration>(
                                            std::chrono::duration<double>(*o.duration_s));
    }
    ivschat::bench::set_alloc_counting(true);
    const auto allocations_before = ivschat::bench::allocations();
    co_await run_phase(chat, prototype, m.measured, o.concurrency, &shared);
    m.allocations = ivschat::bench::allocations() - allocations_before;
    ivschat::bench::set_alloc_counting(false);
    m.end = clock_type::now();
    getrusage(RUSAGE_SELF, &m.usage_after);
    shared.measuring = false;
    m.connections_after = chat.counters().connections_opened;
    chat.close();
}

// Prints a progress line on stderr once a second until stopped.
class progress_reporter {
public:
    explicit progress_reporter(const progress& shared, std::size_t planned)
        : thread_([this, &shared, planned] { report(shared, planned); }) {}
    ~progress_reporter() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_one();
        thread_.join();
        std::fputc('\n', stderr);
    }

private:
    void report(const progress& shared, std::size_t planned) {
        std::unique_lock lock(mutex_);
        std::size_t previous = 0;
        while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
            if (!shared.measuring) {
                std::fprintf(stderr, "\rivschat-bench: warming up");
                continue;
            }
            const std::size_t done = shared.completed.load(std::memory_order_relaxed);
            if (planned == std::numeric_limits<std::size_t>::max()) {
                std::fprintf(stderr, "\rivschat-bench: %zu calls, %zu/s, %zu errors   ", done, done - previous,
                             shared.errors.load(std::memory_order_relaxed));
            } else {
                std::fprintf(stderr, "\rivschat-bench: %zu/%zu calls, %zu/s, %zu errors   ", done, planned,
                             done - previous, shared.errors.load(std::memory_order_relaxed));
            }
            previous = done;
        }
    }

    std::mutex mutex_{};
    std::condition_variable wake_{};
    bool stop_ = false;
    std::thread thread_;
};

void print_result(const options& o, measurement& m) {
    auto& latencies = m.measured.latencies_ms;
    std::sort(latencies.begin(), latencies.end());
    auto& pacing = m.measured.pacing_ms;
    std::sort(pacing.begin(), pacing.end());
    const std::size_t calls = latencies.size();
    const double wall_s = std::chrono::duration<double>(m.end - m.start).count();
    const double user_s = seconds(m.usage_after.ru_utime) - seconds(m.usage_before.ru_utime);
    const double sys_s = seconds(m.usage_after.ru_stime) - seconds(m.usage_before.ru_stime);
    const double per_call = calls ? 1.0 / static_cast<double>(calls) : 0.0;
    std::printf(
        "{\"client\":\"ivschat-cpp\",\"version\":\"%s\",\"operation\":\"%s\",\"requests\":%zu,\"concurrency\":%zu,"
        "\"connections\":%zu,\"thread_safe\":%s,\"warmup\":%zu,\"wall_s\":%.6f,\"req_per_s\":%.1f,\"cpu_user_s\":%.6f,\"cpu_sys_s\":%.6f,"
        "\"cpu_us_per_req\":%.3f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
        "\"peak_rss_mb\":%.2f,\"errors\":%zu,\"connections_opened\":%llu,\"connections_opened_measured_phase\":%llu,"
        "\"allocs_per_req\":%.2f,\"throttled\":%zu,\"requests_sent\":%zu,\"pacing_wait_p99_ms\":%.3f}\n",
        IVSCHAT_BENCH_VERSION, o.operation.c_str(), calls, o.concurrency, o.connections,
        o.thread_safe ? "true" : "false", o.warmup.value_or(o.concurrency), wall_s, wall_s > 0 ? static_cast<double>(calls) / wall_s : 0.0, user_s, sys_s,
        (user_s + sys_s) * 1e6 * per_call, percentile(latencies, 0.50), percentile(latencies, 0.90),
        percentile(latencies, 0.99), latencies.empty() ? 0.0 : latencies.back(),
        static_cast<double>(m.usage_after.ru_maxrss) / 1024.0, m.measured.errors,
        static_cast<unsigned long long>(m.connections_after),
        static_cast<unsigned long long>(m.connections_after - m.connections_before),
        static_cast<double>(m.allocations) * per_call, m.measured.throttled, m.measured.requests_sent,
        percentile(pacing, 0.99));
    std::fflush(stdout);
}

// Prepares the operation's input (creating a room on the emulator when it
// needs one) and runs the benchmark with it.
asio::awaitable<void> run_operation(ivschat::client& chat, options& o, measurement& m, progress& shared) {
    if (o.room_arn.empty()) {
        const bool needs_room = o.operation != "list-rooms" && o.operation != "create-room";
        // An if, not ?:, around co_await: g++ 12 miscompiles co_await inside a conditional expression.
        if (o.emulator && needs_room) {
            o.room_arn = co_await ivschat::bench::create_bench_room(chat);
        } else {
            o.room_arn = default_room_arn;
        }
    }
    if (o.operation == "create-chat-token") {
        const ivschat::create_chat_token_request request{
            .room_identifier = o.room_arn,
            .user_id = "bench-user-0001",
            .capabilities = {ivschat::chat_token_capability::send_message,
                             ivschat::chat_token_capability::delete_message},
            .session_duration_in_minutes = 60,
            .attributes = {{"displayName", "Bench User"}, {"avatar", "https://example.com/a/0001.png"}}};
        co_await run_benchmark(chat, request, o, m, shared);
    } else if (o.operation == "get-room") {
        const ivschat::get_room_request request{.identifier = o.room_arn};
        co_await run_benchmark(chat, request, o, m, shared);
    } else if (o.operation == "send-event") {
        const ivschat::send_event_request request{
            .room_identifier = o.room_arn, .event_name = "bench-event", .attributes = {{"kind", "bench"}}};
        co_await run_benchmark(chat, request, o, m, shared);
    } else if (o.operation == "list-rooms") {
        const ivschat::list_rooms_request request{.max_results = 10};
        co_await run_benchmark(chat, request, o, m, shared);
    } else if (o.operation == "create-room") {
        const ivschat::create_room_request request{.name = "bench-room"};
        co_await run_benchmark(chat, request, o, m, shared);
    } else {
        const ivschat::list_tags_for_resource_request request{.resource_arn = o.room_arn};
        co_await run_benchmark(chat, request, o, m, shared);
    }
}

int run(options o) {
    std::unique_ptr<ivschat::bench::emulator_process> emulator;
    if (o.emulator) {
        const auto program = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "ivschat-emulator";
        emulator = std::make_unique<ivschat::bench::emulator_process>(program.string());
        o.endpoint_url = emulator->endpoint_url();
        o.ca_bundle = emulator->ca_bundle();
        if (o.fanout.messaging_endpoint.empty()) o.fanout.messaging_endpoint = emulator->messaging_url();
        o.fanout.ca_bundle = o.ca_bundle;
    }
    asio::io_context ioc(1);
    ivschat::client_options client_options{.endpoint_url = o.endpoint_url,
                                           .pool = {.max_connections = o.connections, .thread_safe = o.thread_safe},
                                           .pacing = o.pacing};
    if (!o.ca_bundle.empty()) client_options.ca_bundle = o.ca_bundle;
    if (o.emulator && !std::getenv("AWS_ACCESS_KEY_ID")) {
        // The emulator's default accepted key (ivschat-emulator --help).
        client_options.credentials = ivschat::bench::emulator_process::accepted_credentials();
    }
    if (o.emulator && !std::getenv("AWS_REGION") && !std::getenv("AWS_DEFAULT_REGION")) {
        client_options.region = "us-west-2";
    }
    if (o.operation == "chat-fanout") return ivschat::bench::run_chat_fanout(client_options, o.fanout, IVSCHAT_BENCH_VERSION);
    ivschat::client chat(ioc.get_executor(), client_options);

    measurement m;
    progress shared;
    {
        progress_reporter reporter(shared, o.requests);
        asio::co_spawn(ioc, run_operation(chat, o, m, shared), [&](std::exception_ptr failure) {
            if (failure) {
                try {
                    std::rethrow_exception(failure);
                } catch (const std::exception& e) {
                    m.setup_error = e.what();
                }
            }
            // Pool timers may still be pending: the benchmark is over.
            ioc.stop();
        });
        ioc.run();
    }
    if (!m.setup_error.empty()) {
        std::cerr << "ivschat-bench: " << m.setup_error << '\n';
        return 1;
    }
    if (m.measured.errors > 0) {
        std::cerr << "ivschat-bench: " << m.measured.errors << " failed calls, first: " << m.measured.first_error
                  << '\n';
    }
    print_result(o, m);
    return m.measured.errors > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_options(argc, argv));
    } catch (const std::exception& failure) {
        std::cerr << "ivschat-bench: " << failure.what() << '\n';
        return 1;
    }
}
