// An error response as the client resolves it: status, x-amzn-ErrorType,
// x-amzn-RequestId and Date headers plus the body go through
// parse_service_error (type from header or body, sanitized; message and the
// modelled members), the clock-skew correction (Date header) and the retry
// classification, as src/ivschat/client/client.cpp chains them.
//
// Input: four lines (status, error type header, request id, Date), then the body.
#include "fuzz_input.hpp"

#include "ivschat/serde/service_error.hpp"

#include <ivschat/retry.hpp>

#include <chrono>
#include <algorithm>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ivschat;
    std::string_view rest = fuzz::as_text(data, size);
    const unsigned status = fuzz::to_unsigned(fuzz::take_line(rest), 400);
    const std::string_view error_type = fuzz::take_line(rest);
    const std::string_view request_id = fuzz::take_line(rest);
    const std::string_view date = fuzz::take_line(rest);
    const std::string_view body = rest;

    const service_error_info info = detail::parse_service_error(status, error_type, request_id, body);
    // The resolved type is a piece of the header or of the body (escaped: at
    // most 6 bytes a byte), or else the status code.
    if (info.http_status != status || info.request_id != request_id) std::abort();
    if (info.error_type != std::to_string(status) &&
        info.error_type.size() > 6 * std::max(error_type.size(), body.size()))
        std::abort();
    if (info.code != detail::error_from_type(info.error_type)) std::abort();

    clock_skew skew;
    const auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);
    attempt_outcome outcome = attempt_outcome::service_failure(status, info.error_type);
    outcome.clock_skew_corrected = skew.on_service_error(info.error_type, date, now);
    // The next request is signed at the corrected time.
    if (skew.corrected(now) - now != skew.offset()) std::abort();
    const failure_kind kind = classify(outcome);
    if (kind == failure_kind::none) std::abort();  // a service error is never a success
    // Only a skew error with a usable Date corrects the clock, and a corrected
    // skew is retried as such unless throttling takes precedence.
    if (outcome.clock_skew_corrected && !is_clock_skew_error_code(info.error_type)) std::abort();
    if ((kind == failure_kind::clock_skew) != (outcome.clock_skew_corrected && kind != failure_kind::throttling))
        std::abort();
    return 0;
}
