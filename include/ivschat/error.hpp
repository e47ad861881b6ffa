#pragma once

#include <ivschat/export.hpp>
#include "ivschat/model.hpp"

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/is_error_code_enum.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace ivschat {

/// Why an ivschat call failed. One value per exception the service model
/// declares, plus generic ones. Used as a boost::system::error_code in
/// ivschat::error_category(); asio errors (operation_aborted, connection
/// resets) keep their own categories.
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
    request_validation_failed,  ///< the request broke a model constraint; nothing was sent
    malformed_response,         ///< a response that is not valid HTTP or JSON for its operation
    body_too_large,             ///< a response body past the configured limit
    timeout,                    ///< a call, connect or read deadline passed
    connection_failed,          ///< no connection could be made (resolve, connect, TLS handshake)
    quota_wait,                 ///< pacing: the wait for the operation's quota would pass the call's deadline
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

/// Everything the service said about a failed call, or, for a client-side
/// validation failure, the same shape filled by the library (error_type
/// "ValidationException", http_status 0, no request id).
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
    /// The HTTP status of the response; 0 for a client-side validation failure.
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

/// The exception a coroutine sees when a call fails with a service error
/// (or a client-side validation failure): code() is the ivschat::error (as a
/// std::error_code), what() the service's message, info() everything else.
class IVSCHAT_API service_exception : public std::system_error {
public:
    /// An exception carrying `info`; what() is its message.
    explicit service_exception(service_error_info info)
        : std::system_error(make_error_code(info.code), info.message), info_(std::move(info)) {}

    /// Everything the service said.
    const service_error_info& info() const noexcept { return info_; }
    /// code() as the ivschat::error value.
    error error_value() const noexcept { return info_.code; }

private:
    service_error_info info_;
};

}  // namespace ivschat

//! @cond
template <>
struct boost::system::is_error_code_enum<ivschat::error> : std::true_type {};
//! @endcond
