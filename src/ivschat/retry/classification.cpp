// Which failures are retried, and as what.
#include <ivschat/retry.hpp>
#include <ivschat/error.hpp>
#include <ivschat/transport.hpp>

#include "ivschat/http/tls_engine.hpp"
#include "ivschat/serde/service_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <limits>

namespace ivschat {

namespace {

using namespace std::string_view_literals;

// botocore retries/standard.py ThrottledRetryableChecker._THROTTLED_ERROR_CODES (= Go v2 DefaultThrottleErrorCodes).
constexpr std::array throttling_error_codes{
    "Throttling"sv,
    "ThrottlingException"sv,
    "ThrottledException"sv,
    "RequestThrottledException"sv,
    "TooManyRequestsException"sv,
    "ProvisionedThroughputExceededException"sv,
    "TransactionInProgressException"sv,
    "RequestLimitExceeded"sv,
    "BandwidthLimitExceeded"sv,
    "LimitExceededException"sv,
    "RequestThrottled"sv,
    "SlowDown"sv,
    "PriorRequestNotComplete"sv,
    "EC2ThrottledException"sv,
};

// botocore retries/standard.py TransientRetryableChecker._TRANSIENT_ERROR_CODES.
constexpr std::array transient_error_codes{
    "RequestTimeout"sv,
    "RequestTimeoutException"sv,
    "PriorRequestNotComplete"sv,
};

// Java v2 awscore/internal/AwsErrorCode.CLOCK_SKEW_ERROR_CODES (= JS v3 CLOCK_SKEW_ERROR_CODES).
constexpr std::array clock_skew_error_codes{
    "RequestTimeTooSkewed"sv,
    "RequestExpired"sv,
    "InvalidSignatureException"sv,
    "SignatureDoesNotMatch"sv,
    "AuthFailure"sv,
    "RequestInTheFuture"sv,
};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& codes, std::string_view error_type) noexcept {
    // One normalisation for the classification and the service error:
    // "ThrottlingException:http://..." and "com.amazonaws.ivschat#ThrottlingException"
    // are both ThrottlingException.
    auto name = detail::sanitize_error_type(error_type);
    return !name.empty() && std::find(codes.begin(), codes.end(), name) != codes.end();
}

bool is_certificate_verification_failure(const boost::system::error_code& ec) noexcept {
    if (ec.category() == ivschat::http::certificate_category()) return true;
    auto code = static_cast<unsigned long>(static_cast<unsigned>(ec.value()));
    return ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

}  // namespace

bool is_throttling_error_code(std::string_view error_type) noexcept {
    return contains(throttling_error_codes, error_type);
}

bool is_transient_error_code(std::string_view error_type) noexcept {
    return contains(transient_error_codes, error_type);
}

bool is_clock_skew_error_code(std::string_view error_type) noexcept {
    return contains(clock_skew_error_codes, error_type);
}

// botocore retries/standard.py TransientRetryableChecker._TRANSIENT_STATUS_CODES.
bool is_transient_status(unsigned http_status) noexcept {
    return http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504;
}

failure_kind classify(const attempt_outcome& outcome) noexcept {
    switch (outcome.result) {
    case attempt_result::succeeded:
        return failure_kind::none;
    case attempt_result::service_error:
        // 429 is throttling whatever the code: JS v3 isThrottlingError, Java v2 isThrottlingException.
        if (outcome.http_status == 429 || is_throttling_error_code(outcome.error_type)) return failure_kind::throttling;
        if (outcome.clock_skew_corrected) return failure_kind::clock_skew;
        if (is_transient_error_code(outcome.error_type) || is_transient_status(outcome.http_status))
            return failure_kind::transient;
        return failure_kind::not_retryable;
    case attempt_result::transport_error:
        switch (outcome.transport_kind) {
        case transport_error_kind::timeout:
            return failure_kind::timeout;
        case transport_error_kind::connect_failed:
        case transport_error_kind::connection_reset:
        case transport_error_kind::truncated_response:
        case transport_error_kind::tls_failure:
            return failure_kind::transient;
        case transport_error_kind::certificate_rejected:
        case transport_error_kind::host_not_found:
        case transport_error_kind::cancelled:
        case transport_error_kind::other:
            return failure_kind::not_retryable;
        }
    }
    return failure_kind::not_retryable;
}

transport_error_kind classify_transport_error(const boost::system::error_code& ec) noexcept {
    namespace error = boost::asio::error;
    namespace http = boost::beast::http;
    if (ec == error::operation_aborted) return transport_error_kind::cancelled;
    if (ec.category() == transport_category()) {
        switch (static_cast<transport_errc>(ec.value())) {
            case transport_errc::connect_timeout:
            case transport_errc::tls_handshake_timeout:
            case transport_errc::exchange_timeout:
            case transport_errc::acquire_timeout:
                return transport_error_kind::timeout;
            case transport_errc::closed_before_response:
                return transport_error_kind::connection_reset;
            case transport_errc::truncated_response:
                return transport_error_kind::truncated_response;
            // Bytes that are not an HTTP response: a broken connection, which
            // botocore (urllib3 ProtocolError) and the JavaScript SDK retry.
            case transport_errc::malformed_response:
                return transport_error_kind::connection_reset;
            default:  // oversized responses, bad requests, a closed pool
                return transport_error_kind::other;
        }
    }
    if (ec == ivschat::error::timeout) return transport_error_kind::timeout;
    if (ec == error::timed_out || ec == boost::beast::error::timeout) return transport_error_kind::timeout;
    if (ec == error::connection_refused || ec == error::host_unreachable || ec == error::network_unreachable ||
        ec == error::network_down || ec == error::host_not_found_try_again)
        return transport_error_kind::connect_failed;
    if (ec == error::connection_reset || ec == error::connection_aborted || ec == error::broken_pipe ||
        ec == error::network_reset)
        return transport_error_kind::connection_reset;
    if (ec == error::eof || ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == boost::asio::ssl::error::stream_truncated)
        return transport_error_kind::truncated_response;
    if (ec == error::host_not_found) return transport_error_kind::host_not_found;
    if (ec.category() == error::get_ssl_category() || ec.category() == ivschat::http::certificate_category()) {
        return is_certificate_verification_failure(ec) ? transport_error_kind::certificate_rejected
                                                        : transport_error_kind::tls_failure;
    }
    return transport_error_kind::other;
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header) noexcept {
    if (header.empty() || header.size() > 18) return std::nullopt;  // 18 digits cannot overflow int64
    std::int64_t ms = 0;
    for (char c : header) {
        if (c < '0' || c > '9') return std::nullopt;
        ms = ms * 10 + (c - '0');
    }
    return std::chrono::milliseconds{ms};
}

}  // namespace ivschat
