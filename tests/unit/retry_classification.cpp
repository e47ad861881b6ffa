// Which outcomes the standard mode retries, and as what; mode strings; the
// x-amz-retry-after header.
#include <ivschat/error.hpp>
#include <ivschat/retry.hpp>
#include <ivschat/transport.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <string>

using namespace ivschat;
using namespace std::chrono_literals;

TEST_CASE("every SDK throttling code is throttling, under any status", "[retry][classification]") {
    for (auto code : {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
                      "TooManyRequestsException", "ProvisionedThroughputExceededException",
                      "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
                      "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
                      "EC2ThrottledException"}) {
        INFO(code);
        CHECK(is_throttling_error_code(code));
        CHECK(classify(attempt_outcome::service_failure(400, code)) == failure_kind::throttling);
    }
}

TEST_CASE("HTTP 429 is throttling whatever the error code", "[retry][classification]") {
    CHECK(classify(attempt_outcome::service_failure(429, "")) == failure_kind::throttling);
    CHECK(classify(attempt_outcome::service_failure(429, "SomethingNew")) == failure_kind::throttling);
}

TEST_CASE("raw error types from the header or the body classify by shape name", "[retry][classification]") {
    CHECK(is_throttling_error_code("ThrottlingException:http://internal.amazon.com/coral/com.amazon.ivschat/"));
    CHECK(is_throttling_error_code("com.amazonaws.ivschat#ThrottlingException"));
    CHECK(is_clock_skew_error_code("InvalidSignatureException:http://internal.amazon.com/"));
    CHECK_FALSE(is_throttling_error_code("ThrottlingExceptionX"));
    CHECK_FALSE(is_throttling_error_code("throttlingexception"));
    CHECK_FALSE(is_throttling_error_code(""));
    CHECK_FALSE(is_throttling_error_code(":"));
    CHECK_FALSE(is_throttling_error_code("#"));
}

TEST_CASE("500, 502, 503, 504 and the transient codes are transient", "[retry][classification]") {
    for (unsigned status : {500u, 502u, 503u, 504u}) {
        INFO(status);
        CHECK(is_transient_status(status));
        CHECK(classify(attempt_outcome::service_failure(status, "")) == failure_kind::transient);
    }
    CHECK(classify(attempt_outcome::service_failure(500, "InternalServerException")) == failure_kind::transient);
    for (auto code : {"RequestTimeout", "RequestTimeoutException"}) {
        INFO(code);
        CHECK(is_transient_error_code(code));
        CHECK(classify(attempt_outcome::service_failure(400, code)) == failure_kind::transient);
    }
    for (unsigned status : {501u, 505u, 499u, 200u}) CHECK_FALSE(is_transient_status(status));
}

TEST_CASE("client errors are never retryable", "[retry][classification]") {
    struct case_t {
        unsigned status;
        const char* type;
    };
    // The IVS Chat model's errors other than throttling and internal errors,
    // and bare 4xx statuses.
    for (auto c : {case_t{400, "ValidationException"}, case_t{403, "AccessDeniedException"},
                   case_t{404, "ResourceNotFoundException"}, case_t{409, "ConflictException"},
                   case_t{402, "ServiceQuotaExceededException"}, case_t{403, "PendingVerification"},
                   case_t{400, ""}, case_t{401, ""}, case_t{403, ""}, case_t{404, ""}, case_t{405, ""},
                   case_t{409, ""}, case_t{413, ""}, case_t{501, ""}}) {
        INFO(c.status << ' ' << c.type);
        CHECK(classify(attempt_outcome::service_failure(c.status, c.type)) == failure_kind::not_retryable);
    }
}

TEST_CASE("clock-skew errors are retryable only once the client corrected its clock", "[retry][classification]") {
    for (auto code : {"RequestTimeTooSkewed", "RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch",
                      "AuthFailure", "RequestInTheFuture"}) {
        INFO(code);
        CHECK(is_clock_skew_error_code(code));
        auto outcome = attempt_outcome::service_failure(403, code);
        CHECK(classify(outcome) == failure_kind::not_retryable);
        outcome.clock_skew_corrected = true;
        CHECK(classify(outcome) == failure_kind::clock_skew);
    }
}

TEST_CASE("transport failures: connection problems and timeouts retried, the rest not", "[retry][classification]") {
    using k = transport_error_kind;
    CHECK(classify(attempt_outcome::transport_failure(k::connect_failed)) == failure_kind::transient);
    CHECK(classify(attempt_outcome::transport_failure(k::connection_reset)) == failure_kind::transient);
    CHECK(classify(attempt_outcome::transport_failure(k::truncated_response)) == failure_kind::transient);
    CHECK(classify(attempt_outcome::transport_failure(k::tls_failure)) == failure_kind::transient);
    CHECK(classify(attempt_outcome::transport_failure(k::timeout)) == failure_kind::timeout);
    CHECK(classify(attempt_outcome::transport_failure(k::certificate_rejected)) == failure_kind::not_retryable);
    CHECK(classify(attempt_outcome::transport_failure(k::host_not_found)) == failure_kind::not_retryable);
    CHECK(classify(attempt_outcome::transport_failure(k::cancelled)) == failure_kind::not_retryable);
    CHECK(classify(attempt_outcome::transport_failure(k::other)) == failure_kind::not_retryable);
    CHECK(classify(attempt_outcome::success()) == failure_kind::none);
}

TEST_CASE("Asio, Asio.SSL and Beast errors map to transport kinds", "[retry][classification]") {
    namespace error = boost::asio::error;
    namespace http = boost::beast::http;
    using k = transport_error_kind;
    auto kind = [](auto e) { return classify_transport_error(make_error_code(e)); };
    CHECK(kind(error::connection_refused) == k::connect_failed);
    CHECK(kind(error::host_unreachable) == k::connect_failed);
    CHECK(kind(error::network_unreachable) == k::connect_failed);
    CHECK(kind(error::host_not_found_try_again) == k::connect_failed);
    CHECK(kind(error::connection_reset) == k::connection_reset);
    CHECK(kind(error::connection_aborted) == k::connection_reset);
    CHECK(kind(error::broken_pipe) == k::connection_reset);
    CHECK(kind(error::timed_out) == k::timeout);
    CHECK(kind(boost::beast::error::timeout) == k::timeout);
    CHECK(kind(error::eof) == k::truncated_response);
    CHECK(kind(http::error::end_of_stream) == k::truncated_response);
    CHECK(kind(http::error::partial_message) == k::truncated_response);
    CHECK(kind(boost::asio::ssl::error::stream_truncated) == k::truncated_response);
    CHECK(kind(error::host_not_found) == k::host_not_found);
    CHECK(kind(error::operation_aborted) == k::cancelled);
    CHECK(kind(http::error::bad_version) == k::other);
    CHECK(kind(error::access_denied) == k::other);

    // OpenSSL errors as asio::ssl reports them: the packed ERR code in the SSL category.
    auto ssl_error = [](int reason) {
        return boost::system::error_code(static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, reason)),
                                         error::get_ssl_category());
    };
    CHECK(classify_transport_error(ssl_error(SSL_R_CERTIFICATE_VERIFY_FAILED)) == k::certificate_rejected);
    CHECK(classify_transport_error(ssl_error(SSL_R_WRONG_VERSION_NUMBER)) == k::tls_failure);
    CHECK(classify(attempt_outcome::transport_failure(ssl_error(SSL_R_CERTIFICATE_VERIFY_FAILED))) ==
          failure_kind::not_retryable);
    CHECK(classify(attempt_outcome::transport_failure(make_error_code(error::connection_reset))) ==
          failure_kind::transient);
}

TEST_CASE("retry mode strings as AWS_RETRY_MODE and profiles give them", "[retry][mode]") {
    CHECK(parse_retry_mode("standard") == retry_mode::standard);
    CHECK(parse_retry_mode("STANDARD") == retry_mode::standard);
    CHECK(parse_retry_mode("Adaptive") == retry_mode::adaptive);
    CHECK(parse_retry_mode("legacy") == retry_mode::standard);
    CHECK_FALSE(parse_retry_mode("").has_value());
    CHECK_FALSE(parse_retry_mode("off").has_value());
    CHECK_FALSE(parse_retry_mode(" standard").has_value());
    CHECK_FALSE(parse_retry_mode(std::string_view("standard\0", 9)).has_value());
    CHECK(to_string(retry_mode::adaptive) == "adaptive");
    CHECK(to_string(retry_mode::off) == "off");
    CHECK(to_string(retry_reason::retry_quota_exhausted) == "retry quota exhausted");
    CHECK(to_string(failure_kind::throttling) == "throttling");
}

TEST_CASE("x-amz-retry-after is a count of milliseconds", "[retry][retry-after]") {
    CHECK(parse_retry_after("1500") == 1500ms);
    CHECK(parse_retry_after("0") == 0ms);
    CHECK(parse_retry_after("999999999999999999") == std::chrono::milliseconds{999999999999999999});
    for (auto bad : {"", "invalid", "-1", "+1", " 1", "1 ", "1.5", "1e3", "9999999999999999999"}) {
        INFO('"' << bad << '"');
        CHECK_FALSE(parse_retry_after(bad).has_value());
    }
}

TEST_CASE("the transport's own errors classify by what they mean for a retry", "[retry]") {
    using ivschat::transport_errc;
    using kind = ivschat::transport_error_kind;
    CHECK(ivschat::classify_transport_error(transport_errc::truncated_response) == kind::truncated_response);
    CHECK(ivschat::classify_transport_error(transport_errc::closed_before_response) == kind::connection_reset);
    CHECK(ivschat::classify_transport_error(transport_errc::exchange_timeout) == kind::timeout);
    CHECK(ivschat::classify_transport_error(transport_errc::connect_timeout) == kind::timeout);
    CHECK(ivschat::classify_transport_error(ivschat::error::timeout) == kind::timeout);
    CHECK(ivschat::classify_transport_error(transport_errc::response_too_large) == kind::other);
    CHECK(ivschat::classify_transport_error(transport_errc::malformed_response) == kind::connection_reset);
}
