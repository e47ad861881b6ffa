#pragma once

#include <ivschat/export.hpp>
#include <ivschat/error.hpp>

#include <boost/container/small_vector.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace ivschat {

/// Per-call information about one attempt.
struct IVSCHAT_API attempt_record {
    /// Time from sending (after any connection wait) to the outcome.
    std::chrono::nanoseconds latency{};
    /// Time waiting for a pooled connection (or opening one) first.
    std::chrono::nanoseconds connection_wait{};
    /// HTTP status of the response, 0 if none arrived.
    unsigned http_status = 0;
    /// The attempt's failure, empty on success.
    boost::system::error_code error{};
};

/// What a call did and what went wrong, success or not. Pass one to an
/// operation to read it after any completion; the exception of the default
/// completion token (error_with_diagnostics) carries a copy;
/// tracer::call_ended receives it.
///
/// The service's words and the client's are kept apart: `error` holds only
/// what a service error response said; `client_message` (and
/// `invalid_fields` for a request that failed the client-side validation)
/// what the library found.
struct IVSCHAT_API diagnostics {
    /// x-amzn-RequestId of the last response.
    std::string request_id{};
    /// x-amz-cf-id of the last response.
    std::string amz_cf_id{};
    /// x-amz-id-2 of the last response.
    std::string amz_id_2{};
    /// HTTP status of the last response, 0 if none arrived.
    unsigned http_status = 0;
    /// One record per attempt made.
    boost::container::small_vector<attempt_record, 3> attempts{};
    /// Time spent waiting out backoff delays and the adaptive rate limiter.
    std::chrono::nanoseconds backoff_time{};
    /// Time spent waiting for the operation's quota (pacing_options).
    std::chrono::nanoseconds pacing_time{};
    /// True when the call was paced locally because the fleet's rate
    /// limiter (pacing_options::rate_limiter) was unusable.
    bool pacing_fallback = false;
    /// With error::quota_wait: how long until the operation's next permit
    /// (a server can answer "Retry-After" with it).
    std::chrono::nanoseconds quota_available_in{};
    /// Time all attempts spent waiting for a pooled connection (or opening
    /// one): the sum of the attempts' connection_wait.
    std::chrono::nanoseconds connection_wait_time{};
    /// Filled when the call failed with a service error (is_service_error());
    /// otherwise default.
    service_error_info error{};
    /// A sentence for failures that are not the service's: client-side
    /// validation (naming the field), transport, TLS, credentials, timeouts,
    /// cancellation, a malformed response.
    std::string client_message{};
    /// With error::request_validation_failed: the request's members that
    /// broke the model's constraints, each with what is wrong.
    std::vector<validation_exception_field> invalid_fields{};

    /// Empties every member, to reuse the object for another call.
    void clear() noexcept;
};

/// The one exception type of ivschat calls: what the default completion
/// token (`use_awaitable`) throws for every failure (service error,
/// client-side validation, transport, TLS, timeout, credentials,
/// cancellation). code() is the error code the call completed with (compare
/// it with ivschat::error values or ivschat::condition groups); what() is
/// the service's or the client's message followed by the code's message;
/// diagnostics() everything else.
///
/// A boost::system::system_error, hence a std::runtime_error: `catch
/// (const boost::system::system_error&)` and `catch (const
/// std::exception&)` see it too.
class IVSCHAT_API error_with_diagnostics : public boost::system::system_error {
public:
    /// A failure with its code and the call's diagnostics.
    error_with_diagnostics(boost::system::error_code ec, ivschat::diagnostics diag);
    /// What the call did and what went wrong.
    const ivschat::diagnostics& diagnostics() const noexcept { return diagnostics_; }

private:
    ivschat::diagnostics diagnostics_;
};

}  // namespace ivschat
