// The serde hot path of CreateChatToken: validate the request, write its
// JSON body, read the response. Each reports heap allocations per call
// (counted by replacing the global operator new in this program).
#include "ivschat/serde/json_reader.hpp"
#include "ivschat/serde/json_writer.hpp"
#include "ivschat/serde/validation.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<std::size_t> allocations{0};

}  // namespace

// noinline: keeps g++ from pairing malloc/free seen through inlining with
// new/delete (-Wmismatched-new-delete).
[[gnu::noinline]] void* operator new(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc{};
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

const ivschat::create_chat_token_request request{
    .room_identifier = "arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6",
    .user_id = "user-42",
    .capabilities = {ivschat::chat_token_capability::send_message},
    .session_duration_in_minutes = 60,
    .attributes = {{"displayName", "Ada"}},
};

// The shape of a real response: the token is ~400 bytes of base64-like text.
const std::string response_body =
    R"({"token":"AQICAHgZ)" + std::string(380, 'x') +
    R"(","tokenExpirationTime":"2026-11-26T08:15:30.123Z","sessionExpirationTime":"2026-11-26T09:14:30.123Z"})";

void report_allocations(benchmark::State& state, std::size_t before) {
    state.counters["allocs_per_call"] = benchmark::Counter(
        static_cast<double>(allocations.load() - before) / static_cast<double>(state.iterations()));
}

void validate_create_chat_token(benchmark::State& state) {
    std::size_t before = allocations.load();
    for (auto _ : state) benchmark::DoNotOptimize(ivschat::detail::validate(request));
    report_allocations(state, before);
}
BENCHMARK(validate_create_chat_token);

void write_create_chat_token_body(benchmark::State& state) {
    std::string body;
    std::size_t before = allocations.load();
    for (auto _ : state) {
        ivschat::detail::write_json_body(request, body);
        benchmark::DoNotOptimize(body.data());
    }
    report_allocations(state, before);
}
BENCHMARK(write_create_chat_token_body);

void parse_create_chat_token_response(benchmark::State& state) {
    ivschat::detail::error_info error;
    std::size_t before = allocations.load();
    for (auto _ : state) {
        ivschat::create_chat_token_response response;
        bool ok = ivschat::detail::parse_json(response_body, response, error);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(response);
    }
    report_allocations(state, before);
}
BENCHMARK(parse_create_chat_token_response);

}  // namespace

BENCHMARK_MAIN();
