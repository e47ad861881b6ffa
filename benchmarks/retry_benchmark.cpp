// Cost of the retry decisions on a call's path: what every call pays on
// success, what a failed attempt pays, and the adaptive mode's limiter.
#include <ivschat/retry.hpp>

#include <boost/asio/error.hpp>
#include <benchmark/benchmark.h>

namespace {

// Every call: one before_attempt() and one on_attempt_result() with a
// success. In adaptive mode before its first throttling response (the usual
// case) the limiter is off but takes its lock and records each response.
template <typename Strategy>
void call_success(benchmark::State& state) {
    Strategy strategy;
    auto ok = ivschat::attempt_outcome::success();
    for (auto _ : state) {
        ivschat::retry_call_state call;
        benchmark::DoNotOptimize(strategy.before_attempt(call));
        benchmark::DoNotOptimize(strategy.on_attempt_result(call, ok));
    }
}
BENCHMARK(call_success<ivschat::standard_retry_strategy>);
BENCHMARK(call_success<ivschat::adaptive_retry_strategy>);

// A failed attempt that is retried (quota taken, jittered backoff) and the
// successful retry that refunds the quota.
void standard_retry_then_success(benchmark::State& state) {
    ivschat::standard_retry_strategy strategy;
    auto throttled = ivschat::attempt_outcome::service_failure(429, "ThrottlingException:http://internal.amazon.com/");
    auto ok = ivschat::attempt_outcome::success();
    for (auto _ : state) {
        ivschat::retry_call_state call;
        strategy.before_attempt(call);
        benchmark::DoNotOptimize(strategy.on_attempt_result(call, throttled));
        strategy.before_attempt(call);
        benchmark::DoNotOptimize(strategy.on_attempt_result(call, ok));
    }
}
BENCHMARK(standard_retry_then_success);

void classify_transport_error(benchmark::State& state) {
    auto ec = make_error_code(boost::asio::error::connection_reset);
    for (auto _ : state) benchmark::DoNotOptimize(ivschat::classify_transport_error(ec));
}
BENCHMARK(classify_transport_error);

}  // namespace

BENCHMARK_MAIN();
