#pragma once

#include <ivschat/export.hpp>
#include <ivschat/model/validation.hpp>

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/error_condition.hpp>
#include <boost/system/is_error_code_enum.hpp>
#include <boost/system/is_error_condition_enum.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ivschat {

/// Why an ivschat call failed. One value per exception the service model
/// declares, plus the client's own. Used as a boost::system::error_code in
/// ivschat::error_category(); transport, socket and TLS errors keep their
/// own categories (transport_errc, asio), credentials failures theirs
/// (credentials_errc). To ask one question across all of them, compare with
/// an ivschat::condition: `ec == ivschat::condition::timeout`.
enum class error {
    // Exceptions of the model (the service's answer):
    validation_exception = 1,  ///< ValidationException (400)
    access_denied,             ///< AccessDeniedException (403)
    resource_not_found,        ///< ResourceNotFoundException (404)
    conflict,                  ///< ConflictException (409)
    service_quota_exceeded,    ///< ServiceQuotaExceededException (402)
    throttling,                ///< ThrottlingException (429)
    pending_verification,      ///< PendingVerification (403)
    internal_server,           ///< InternalServerException (500)
    unknown_service_error,     ///< an error response with a type the model does not have, or none
    // Failures on our side of the wire:
    /// The request broke a model constraint; nothing was sent.
    /// diagnostics::client_message and invalid_fields name the field.
    request_validation_failed = 10,
    /// A 2xx response that is not the operation's output: a body that is not
    /// its JSON, or a status other than the operation's success status; also
    /// a paginator handed the same next token twice.
    malformed_response = 11,
    /// call_timeout or attempt_timeout passed (client_options).
    timeout = 13,
    /// Pacing: the wait for the operation's quota would pass the call's deadline.
    quota_wait = 15,
};

/// The category of ivschat::error; name "ivschat". A singleton, thread-safe.
IVSCHAT_API const boost::system::error_category& error_category() noexcept;

/// Lets `boost::system::error_code ec = ivschat::error::throttling;` work.
inline boost::system::error_code make_error_code(error e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// True for the errors that the service reported (the first nine values).
constexpr bool is_service_error(error e) noexcept {
    return e >= error::validation_exception && e <= error::unknown_service_error;
}

/// True when `ec` is an ivschat::error the service reported.
IVSCHAT_API bool is_service_error(const boost::system::error_code& ec) noexcept;

/// Groups of error codes across every enum a call can complete with
/// (ivschat::error, transport_errc, chat_errc, asio and OS errors), in the
/// manner of std::errc: `if (ec == ivschat::condition::throttled) ...`.
enum class condition {
    /// A deadline passed: call_timeout or attempt_timeout, the pool's
    /// acquire, connect, TLS handshake or exchange timeout, a socket's
    /// ETIMEDOUT, a chat request's timeout.
    timeout = 1,
    /// The service asked to slow down: ThrottlingException (429), a chat
    /// room's rate_exceeded.
    throttled,
    /// The resource does not exist: ResourceNotFoundException, a chat
    /// ERROR frame 404.
    not_found,
    /// The request is invalid: the client's own check
    /// (error::request_validation_failed) or the service's
    /// (ValidationException, a chat ERROR frame 400).
    validation,
    /// A failure that may pass if the call is made again later: throttling,
    /// InternalServerException, timeouts, connection resets and refusals,
    /// truncated responses, TLS record failures, a lost chat connection.
    transient,
    /// Pacing: the operation's quota had no permit before the call's
    /// deadline (error::quota_wait); diagnostics::quota_available_in says when.
    quota_wait,
};

/// The category of ivschat::condition; name "ivschat.condition". A thread-safe singleton.
IVSCHAT_API const boost::system::error_category& condition_category() noexcept;

/// Lets `ec == ivschat::condition::timeout` work.
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/// Everything the service said about a failed call. A client-side
/// validation failure is not the service's: it leaves this empty (see
/// diagnostics::client_message and invalid_fields).
struct IVSCHAT_API service_error_info {
    /// The error as an ivschat::error value.
    error code = error::unknown_service_error;
    /// The resolved error type ("ThrottlingException"), namespace prefix and
    /// ':' suffix stripped; empty when the response named none.
    std::string error_type{};
    /// The error's message, as the service (or the validation) worded it.
    std::string message{};
    /// x-amzn-RequestId of the response.
    std::string request_id{};
    /// The HTTP status of the response.
    unsigned http_status = 0;
    /// ValidationException: reason (FIELD_VALIDATION_FAILED, ...) and the fields at fault.
    std::string reason{};
    /// ValidationException: the fields at fault.
    std::vector<validation_exception_field> field_list{};
    /// ResourceNotFound / Conflict / ServiceQuotaExceeded / Throttling: the resource.
    std::string resource_id{};
    /// ResourceNotFound / Conflict / ServiceQuotaExceeded / Throttling: the resource type.
    std::string resource_type{};
    /// ServiceQuotaExceeded / Throttling: the limit that was hit.
    std::optional<std::int32_t> limit{};
    /// x-amz-cf-id when the response had it.
    std::string amz_cf_id{};
    /// x-amz-id-2 when the response had it.
    std::string amz_id_2{};

    /// Member-wise equality.
    friend bool operator==(const service_error_info&, const service_error_info&) = default;
};

}  // namespace ivschat

//! @cond
template <>
struct boost::system::is_error_code_enum<ivschat::error> : std::true_type {};
template <>
struct boost::system::is_error_condition_enum<ivschat::condition> : std::true_type {};
//! @endcond
