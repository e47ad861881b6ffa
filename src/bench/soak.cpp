// ivschat-soak: the soak benchmark of issue 9. N CreateChatToken calls (a
// million by default) through one client against ivschat-emulator running as
// a separate process with faults injected (--fault, as the emulator takes
// them), checking that the library can be left running:
// - resident memory is flat: sampled every tenth of the run; "start" is after
//   the first tenth (pools and caches warm), "middle" at half, "end" at the last call;
// - no connection or coroutine leaks: at the end the pool has no leased
//   connection and no waiting caller, and after client::close() the
//   io_context runs out of work on its own (nothing left pending);
// - every call completed: succeeded, or failed with a counted error.
// Progress on stderr; the last stdout line is one JSON object
// (benchmarks/README.md, "Soak"). Exit status 1 when a check fails.
#include "emulator_process.hpp"

#include <ivschat/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr const char* usage = R"(usage: ivschat-soak [options]

  --requests N       CreateChatToken calls (default 1000000)
  --concurrency C    calls in flight (default 64)
  --connections K    pool size, max connections (default 16)
  --fault ACTION=P   a fault the emulator injects into a share P of requests,
                     repeatable (default: 503=0.01 reset=0.002 delay:50=0.005
                     close=0.005 truncate=0.001); --fault none for no faults
  --max-rss-growth-mb M  largest resident memory growth from start to end
                     that still counts as flat (default 8)
  --help             this text

Starts ivschat-emulator --tls (next to this program) with the faults, creates
a room, then makes the calls with the client's default retries (standard, 3
attempts). The last stdout line is one JSON object (benchmarks/README.md).
)";

struct options {
    std::size_t requests = 1'000'000;
    std::size_t concurrency = 64;
    std::size_t connections = 16;
    std::vector<std::string> faults{"503=0.01", "reset=0.002", "delay:50=0.005", "close=0.005", "truncate=0.001"};
    double max_rss_growth_mb = 8;
};

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "ivschat-soak: " << message << "\n(--help for usage)\n";
    std::exit(2);
}

template <class Number>
Number parse_number(std::string_view flag, std::string_view text) {
    Number value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) {
        fail("bad value '" + std::string(text) + "' for " + std::string(flag));
    }
    return value;
}

options parse_options(int argc, char** argv) {
    options o;
    bool faults_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::fputs(usage, stdout);
            std::exit(0);
        }
        if (i + 1 >= argc) fail("missing value for " + std::string(flag));
        const std::string_view value = argv[++i];
        if (flag == "--requests") {
            o.requests = parse_number<std::size_t>(flag, value);
        } else if (flag == "--concurrency") {
            o.concurrency = parse_number<std::size_t>(flag, value);
        } else if (flag == "--connections") {
            o.connections = parse_number<std::size_t>(flag, value);
        } else if (flag == "--fault") {
            if (!faults_given) o.faults.clear();
            faults_given = true;
            if (value != "none") o.faults.emplace_back(value);
        } else if (flag == "--max-rss-growth-mb") {
            o.max_rss_growth_mb = parse_number<double>(flag, value);
        } else {
            fail("unknown option " + std::string(flag));
        }
    }
    return o;
}

double resident_mb() {
    std::ifstream statm("/proc/self/statm");
    std::size_t size_pages = 0, resident_pages = 0;
    statm >> size_pages >> resident_pages;
    return static_cast<double>(resident_pages) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

struct rss_sample {
    std::size_t calls = 0;
    double rss_mb = 0;
};

// Everything the workers count, on the io_context's one thread.
struct soak_state {
    std::size_t planned = 0;
    std::size_t issued = 0;
    std::size_t completed = 0;
    std::size_t succeeded = 0;
    std::size_t workers_running = 0;
    /// Failed calls by their error.
    std::map<std::string, std::size_t> failed_calls{};
    /// Failed attempts (retried or not) by cause: "HTTP 503", or the transport error.
    std::map<std::string, std::size_t> failed_attempts{};
    std::vector<rss_sample> samples{};
    std::size_t next_sample = 0;
    clock_type::time_point start{};
    clock_type::time_point end{};
    std::size_t sample_every() const { return std::max<std::size_t>(planned / 10, 1); }
};

void record(soak_state& s, const boost::system::error_code& ec, const ivschat::create_chat_token_response& response,
            const ivschat::diagnostics& diag) {
    for (const auto& attempt : diag.attempts) {
        if (attempt.error) {
            s.failed_attempts[attempt.http_status ? "HTTP " + std::to_string(attempt.http_status)
                                                  : attempt.error.message()]++;
        }
    }
    if (!ec && response.token && !response.token->empty()) ++s.succeeded;
    else s.failed_calls[ec ? ec.message() : "response without a token"]++;
    ++s.completed;
    if (s.completed == s.next_sample) {
        s.samples.push_back({s.completed, resident_mb()});
        s.next_sample += s.sample_every();
        const double seconds = std::chrono::duration<double>(clock_type::now() - s.start).count();
        std::fprintf(stderr, "ivschat-soak: %zu/%zu calls, %.0f/s, %zu failed, rss %.1f MB\n", s.completed, s.planned,
                     static_cast<double>(s.completed) / seconds, s.completed - s.succeeded, s.samples.back().rss_mb);
    }
}

asio::awaitable<void> worker(ivschat::client& chat, ivschat::create_chat_token_request prototype, soak_state& s) {
    ivschat::diagnostics diag;
    while (s.issued < s.planned) {
        ++s.issued;
        diag.clear();
        auto [ec, response] = co_await chat.call(ivschat::create_chat_token_request(prototype), diag,
                                                 asio::as_tuple(asio::use_awaitable));
        record(s, ec, response, diag);
    }
}

struct pool_check {
    ivschat::pool_counters at_end{};
    bool idle = false;
    bool io_drained = false;
};

// Creates the room, then runs the workers; when the last one finishes,
// checks the pool and closes the client.
asio::awaitable<void> run_soak(ivschat::client& chat, options o, soak_state& s, pool_check& check) {
    // Awaited first, not inside the initializer: g++ 12 miscompiles co_await in an aggregate initializer.
    std::string room_arn = co_await ivschat::bench::create_bench_room(chat);
    const ivschat::create_chat_token_request prototype{
        .room_identifier = std::move(room_arn),
        .user_id = "soak-user-0001",
        .capabilities = {ivschat::chat_token_capability::send_message},
        .session_duration_in_minutes = 60,
        .attributes = {{"displayName", "Soak User"}}};
    auto executor = co_await asio::this_coro::executor;
    s.samples.push_back({0, resident_mb()});
    s.next_sample = s.sample_every();
    s.start = clock_type::now();
    s.workers_running = std::min(o.concurrency, o.requests);
    const std::size_t workers = s.workers_running;
    for (std::size_t i = 0; i < workers; ++i) {
        // Each worker has its own copy of the prototype: this frame ends now.
        asio::co_spawn(executor, worker(chat, prototype, s),
                       [state = &s, pool = &check, client = &chat](std::exception_ptr failure) {
                           if (failure) state->failed_calls["a worker threw"]++;
                           if (--state->workers_running > 0) return;
                           state->end = clock_type::now();
                           pool->at_end = client->counters();
                           pool->idle = pool->at_end.waiting_callers == 0 &&
                                        pool->at_end.live_connections == pool->at_end.idle_connections;
                           client->close();
                       });
    }
}

void print_result(const options& o, const soak_state& s, const pool_check& check, bool ok) {
    auto rss_at = [&](std::size_t calls) {
        for (const auto& sample : s.samples)
            if (sample.calls >= calls) return sample.rss_mb;
        return s.samples.empty() ? 0.0 : s.samples.back().rss_mb;
    };
    const double wall_s = std::chrono::duration<double>(s.end - s.start).count();
    std::string faults, samples, failed_calls, failed_attempts;
    for (const auto& f : o.faults) faults += (faults.empty() ? "\"" : ",\"") + f + "\"";
    for (const auto& sample : s.samples) {
        char entry[64];
        std::snprintf(entry, sizeof entry, "%s[%zu,%.2f]", samples.empty() ? "" : ",", sample.calls, sample.rss_mb);
        samples += entry;
    }
    for (const auto& [error, count] : s.failed_calls)
        failed_calls += (failed_calls.empty() ? "\"" : ",\"") + error + "\":" + std::to_string(count);
    for (const auto& [cause, count] : s.failed_attempts)
        failed_attempts += (failed_attempts.empty() ? "\"" : ",\"") + cause + "\":" + std::to_string(count);
    const auto& c = check.at_end;
    std::printf(
        "{\"client\":\"ivschat-cpp\",\"operation\":\"create-chat-token\",\"requests\":%zu,\"concurrency\":%zu,"
        "\"connections\":%zu,\"faults\":[%s],\"wall_s\":%.3f,\"req_per_s\":%.1f,\"completed\":%zu,\"succeeded\":%zu,"
        "\"failed\":%zu,\"failed_calls\":{%s},\"failed_attempts\":{%s},\"rss_mb_start\":%.2f,\"rss_mb_middle\":%.2f,"
        "\"rss_mb_end\":%.2f,\"rss_samples\":[%s],\"pool_at_end\":{\"live\":%llu,\"idle\":%llu,\"waiting\":%llu,"
        "\"opened\":%llu,\"closed\":%llu,\"reused\":%llu,\"stale_retries\":%llu},\"pool_idle\":%s,\"io_drained\":%s,"
        "\"ok\":%s}\n",
        s.planned, o.concurrency, o.connections, faults.c_str(), wall_s,
        wall_s > 0 ? static_cast<double>(s.completed) / wall_s : 0.0, s.completed, s.succeeded,
        s.completed - s.succeeded, failed_calls.c_str(), failed_attempts.c_str(), rss_at(s.sample_every()),
        rss_at(s.planned / 2), rss_at(s.planned), samples.c_str(), static_cast<unsigned long long>(c.live_connections),
        static_cast<unsigned long long>(c.idle_connections), static_cast<unsigned long long>(c.waiting_callers),
        static_cast<unsigned long long>(c.connections_opened), static_cast<unsigned long long>(c.connections_closed),
        static_cast<unsigned long long>(c.connections_reused), static_cast<unsigned long long>(c.stale_retries),
        check.idle ? "true" : "false", check.io_drained ? "true" : "false", ok ? "true" : "false");
    std::fflush(stdout);
}

int run(const options& o) {
    std::vector<std::string> emulator_arguments;
    for (const auto& f : o.faults) emulator_arguments.insert(emulator_arguments.end(), {"--fault", f});
    const auto program = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "ivschat-emulator";
    const ivschat::bench::emulator_process emulator(program.string(), emulator_arguments);

    asio::io_context ioc(1);
    ivschat::client chat(ioc.get_executor(),
                         {.region = "us-west-2",
                          .endpoint_url = emulator.endpoint_url(),
                          .credentials = ivschat::bench::emulator_process::accepted_credentials(),
                          .ca_bundle = emulator.ca_bundle(),
                          .pool = {.max_connections = o.connections}});
    soak_state s;
    s.planned = o.requests;
    pool_check check;
    std::string setup_error;
    asio::co_spawn(ioc, run_soak(chat, o, s, check), [&](std::exception_ptr failure) {
        if (!failure) return;
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            setup_error = e.what();
        }
    });
    // run() returns once nothing is pending. After the last call and
    // client::close(), that must happen on its own: a coroutine, timer or
    // socket operation still pending would be a leak. A bound keeps a leak
    // from hanging the program.
    constexpr auto drain_bound = std::chrono::seconds(30);
    while (!ioc.stopped()) {
        ioc.run_for(std::chrono::seconds(1));
        if (s.workers_running == 0 && s.end != clock_type::time_point{} && clock_type::now() - s.end > drain_bound) break;
    }
    check.io_drained = ioc.stopped();
    if (!setup_error.empty()) {
        std::cerr << "ivschat-soak: " << setup_error << '\n';
        return 1;
    }
    std::size_t failed_total = 0;
    for (const auto& [error, count] : s.failed_calls) failed_total += count;
    const bool all_completed = s.completed == s.planned && s.succeeded + failed_total == s.completed;
    const double growth = s.samples.empty() ? 0.0 : s.samples.back().rss_mb - s.samples[std::min<std::size_t>(1, s.samples.size() - 1)].rss_mb;
    const bool flat = growth <= o.max_rss_growth_mb;
    const bool ok = all_completed && check.idle && check.io_drained && flat;
    if (!all_completed) std::cerr << "ivschat-soak: calls lost: " << s.completed << " of " << s.planned << " completed\n";
    if (!check.idle) std::cerr << "ivschat-soak: the pool is not idle after the last call\n";
    if (!check.io_drained) std::cerr << "ivschat-soak: work still pending " << drain_bound.count() << " s after close()\n";
    if (!flat) std::cerr << "ivschat-soak: resident memory grew by " << growth << " MB from start to end\n";
    print_result(o, s, check, ok);
    return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_options(argc, argv));
    } catch (const std::exception& failure) {
        std::cerr << "ivschat-soak: " << failure.what() << '\n';
        return 1;
    }
}
