// Mode names, and the names of reasons and failure kinds for logs and metrics.
#include <ivschat/retry.hpp>

#include <algorithm>

namespace ivschat {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view lower) noexcept {
    return a.size() == lower.size() && std::equal(a.begin(), a.end(), lower.begin(), [](char x, char y) {
               return (x >= 'A' && x <= 'Z' ? static_cast<char>(x - 'A' + 'a') : x) == y;
           });
}

}  // namespace

std::optional<retry_mode> parse_retry_mode(std::string_view value) noexcept {
    if (equals_ignoring_case(value, "standard") || equals_ignoring_case(value, "legacy")) return retry_mode::standard;
    if (equals_ignoring_case(value, "adaptive")) return retry_mode::adaptive;
    return std::nullopt;
}

std::string_view to_string(retry_mode mode) noexcept {
    switch (mode) {
    case retry_mode::standard: return "standard";
    case retry_mode::adaptive: return "adaptive";
    case retry_mode::off: return "off";
    }
    return "unknown";
}

std::string_view to_string(retry_reason reason) noexcept {
    switch (reason) {
    case retry_reason::succeeded: return "succeeded";
    case retry_reason::retrying: return "retrying";
    case retry_reason::not_retryable: return "not retryable";
    case retry_reason::max_attempts_reached: return "max attempts reached";
    case retry_reason::retry_quota_exhausted: return "retry quota exhausted";
    case retry_reason::clock_skew_already_retried: return "clock skew already retried";
    }
    return "unknown";
}

std::string_view to_string(failure_kind kind) noexcept {
    switch (kind) {
    case failure_kind::none: return "none";
    case failure_kind::throttling: return "throttling";
    case failure_kind::transient: return "transient";
    case failure_kind::timeout: return "timeout";
    case failure_kind::clock_skew: return "clock skew";
    case failure_kind::not_retryable: return "not retryable";
    }
    return "unknown";
}

}  // namespace ivschat
