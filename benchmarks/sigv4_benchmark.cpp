// Cost of signing a typical CreateChatToken request (the client's hot path).
#include <ivschat/sigv4.hpp>

#include "ivschat/crypto/sha256.hpp"

#include <benchmark/benchmark.h>

#include <chrono>

namespace {

const std::string body =
    R"({"roomIdentifier":"arn:aws:ivschat:us-west-2:123456789012:room/g1H2I3j4k5L6","userId":"user-42",)"
    R"("capabilities":["SEND_MESSAGE"],"sessionDurationInMinutes":60,"attributes":{"displayName":"Ada"}})";
const ivschat::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}};
const ivschat::sigv4::header headers[] = {{"host", "ivschat.us-west-2.amazonaws.com"},
                                          {"content-type", "application/json"}};
const ivschat::sigv4::request request{"POST", "/CreateChatToken", "", headers, body};

void sign_create_chat_token(benchmark::State& state) {
    ivschat::sigv4::signer signer{{.region = "us-west-2", .service = "ivschat"}};
    auto now = std::chrono::system_clock::now();
    for (auto _ : state) {
        // Advance the clock a second per call so date formatting is included.
        now += std::chrono::seconds(1);
        benchmark::DoNotOptimize(signer.sign(request, creds, now));
    }
    state.counters["keys_derived"] = static_cast<double>(signer.signing_keys_derived());
}
BENCHMARK(sign_create_chat_token);

// The floor: the three SHA-256 computations a signature cannot avoid.
void three_sha256_floor(benchmark::State& state) {
    ivschat::detail::hmac_sha256_key key{"0123456789abcdef0123456789abcdef"};
    std::string canonical(220, 'c');
    std::string to_sign(140, 's');
    for (auto _ : state) {
        benchmark::DoNotOptimize(ivschat::detail::sha256::of(body));
        benchmark::DoNotOptimize(ivschat::detail::sha256::of(canonical));
        benchmark::DoNotOptimize(key.mac(to_sign));
    }
}
BENCHMARK(three_sha256_floor);

}  // namespace

BENCHMARK_MAIN();
