// One HTTP/1.1 request/response exchange over an established keep-alive
// connection, plain and TLS, against an in-process server on 127.0.0.1 (its
// own thread). CPU time is the benchmark thread's, i.e. the client's: the
// library's user time plus the kernel's send/recv work for one exchange.
#include "../tests/integration/transport_test_server.hpp"

#include "ivschat/http/connection_pool.hpp"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <new>

namespace {

// Heap allocations made by the benchmark thread (the server's are not counted).
thread_local std::size_t allocations = 0;

namespace asio = boost::asio;
using ivschat::http::connection_pool;
using ivschat::http::header_field;
using ivschat::http::request;
using ivschat::http::response;

const std::string body =
    R"({"roomIdentifier":"arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6","userId":"user-42",)"
    R"("capabilities":["SEND_MESSAGE"],"sessionDurationInMinutes":60,"attributes":{"displayName":"Ada"}})";
// The headers a signed CreateChatToken request carries.
const header_field headers[] = {
    {"Host", "localhost"},
    {"Content-Type", "application/json"},
    {"X-Amz-Date", "20261126T080000Z"},
    {"Authorization",
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-west-2/ivschat/aws4_request, "
     "SignedHeaders=content-type;host;x-amz-date, "
     "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
};
const request create_chat_token{.method = "POST", .target = "/CreateChatToken", .headers = headers, .body = body};

enum class path { exchange, send };

void run_exchanges(benchmark::State& state, bool tls, path how) {
    ivschat::testing::throwaway_ca ca;
    ivschat::test::test_server server(tls, &ca);
    asio::io_context ioc;
    connection_pool pool(ioc.get_executor(), {.tls = tls, .host = "localhost", .port = server.port()},
                         {.ca_pem = ca.cert_pem()});
    std::size_t counted = 0;
    std::size_t failures = 0;
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
        constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
        response res;
        auto [acquire_error, lease] = co_await pool.async_acquire(use_tuple);
        if (acquire_error) {
            state.SkipWithError(acquire_error.message().c_str());
            co_return;
        }
        // Warm the connection and the buffers.
        co_await lease.async_exchange(create_chat_token, res, use_tuple);
        if (how == path::send) lease.release();
        const std::size_t before = allocations;
        for (auto _ : state) {
            auto [ec] = how == path::exchange
                ? co_await lease.async_exchange(create_chat_token, res, use_tuple)
                : co_await ivschat::http::async_send(pool, create_chat_token, res, use_tuple);
            failures += ec ? 1 : 0;
        }
        counted = allocations - before;
    }, asio::detached);
    ioc.run();
    state.counters["allocs_per_exchange"] =
        benchmark::Counter(static_cast<double>(counted), benchmark::Counter::kAvgIterations);
    state.counters["failures"] = static_cast<double>(failures);
    state.counters["connections"] = static_cast<double>(pool.counters().connections_opened);
}

void plain_exchange(benchmark::State& state) { run_exchanges(state, false, path::exchange); }
void tls_exchange(benchmark::State& state) { run_exchanges(state, true, path::exchange); }
void plain_send(benchmark::State& state) { run_exchanges(state, false, path::send); }
void tls_send(benchmark::State& state) { run_exchanges(state, true, path::send); }
BENCHMARK(plain_exchange);
BENCHMARK(tls_exchange);
BENCHMARK(plain_send);
BENCHMARK(tls_send);

}  // namespace

// Counts, then allocates as libstdc++'s own operator new does (malloc), so
// its operator delete (free) stays the matching one.
void* operator new(std::size_t size) {
    ++allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}

BENCHMARK_MAIN();
