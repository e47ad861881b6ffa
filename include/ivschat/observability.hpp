#pragma once
/// @file
/// Logging and tracing hooks: what a client tells the application about its
/// calls. Both are off by default; a client without them pays one pointer
/// test per call and per attempt, and builds no record.

#include <ivschat/export.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

namespace ivschat {

struct diagnostics;

/// How much a log record matters, least first.
enum class log_level : std::uint8_t { trace, debug, info, warn, error, off };

/// "trace", "debug", "info", "warn", "error" or "off".
IVSCHAT_API std::string_view to_string(log_level level) noexcept;

/// One structured field of a log record. Durations are integers in
/// microseconds and their names end in `_us`. The views are valid only
/// during logger::write.
struct IVSCHAT_API log_field {
    /// The field's name: `operation`, `attempt`, `request_id`, `status`, ...
    std::string_view name{};
    /// Text or an integer.
    std::variant<std::string_view, std::int64_t> value{};
};

/// Receives the client's log records. The client asks level() once, when it
/// is constructed, and builds only the records at that level or above.
/// Records never hold credentials, signatures, the Authorization header, chat
/// tokens or the model's sensitive members (user ids, token attributes), nor
/// request and response bodies.
///
/// write() runs on the client's strand, inside the call: keep it short, and
/// do not throw (an exception from it is swallowed).
class IVSCHAT_API logger {
public:
    virtual ~logger();
    /// The least important level this logger wants; log_level::off for none.
    virtual log_level level() const noexcept = 0;
    /// One record: a short fixed message and its fields.
    virtual void write(log_level level, std::string_view message, std::span<const log_field> fields) = 0;
};

/// A call as it starts (before validation and credentials).
struct IVSCHAT_API call_start {
    /// The operation's wire name ("CreateChatToken").
    std::string_view operation{};
};

/// An attempt about to be sent: credentials are at hand, the request is
/// signed and the quota's permit (if paced) was granted.
struct IVSCHAT_API attempt_start {
    /// The operation's wire name.
    std::string_view operation{};
    /// 1 for the first attempt.
    int attempt = 0;
    /// The endpoint's host ("ivschat.us-east-1.amazonaws.com").
    std::string_view host{};
    /// Time spent signing the request.
    std::chrono::nanoseconds signing_time{};
};

/// An attempt's outcome.
struct IVSCHAT_API attempt_end {
    /// The operation's wire name.
    std::string_view operation{};
    /// 1 for the first attempt.
    int attempt = 0;
    /// The endpoint's host.
    std::string_view host{};
    /// x-amzn-RequestId of the response; empty when none arrived.
    std::string_view request_id{};
    /// HTTP status, 0 when no response arrived.
    unsigned http_status = 0;
    /// The attempt's failure, empty on success.
    boost::system::error_code error{};
    /// True when the attempt used a kept-alive connection, false when it
    /// opened one (or none was obtained).
    bool connection_reused = false;
    /// Time waiting for a pooled connection, or opening one.
    std::chrono::nanoseconds connection_wait{};
    /// Time from writing the request to reading the whole response.
    std::chrono::nanoseconds wire_time{};
};

/// A call's outcome, with everything its diagnostics hold.
struct IVSCHAT_API call_end {
    /// The operation's wire name.
    std::string_view operation{};
    /// The call's result, empty on success.
    boost::system::error_code error{};
    /// Time from call_start to now.
    std::chrono::nanoseconds duration{};
    /// Attempts, backoff and pacing time, the service's request id and error.
    const ivschat::diagnostics& diagnostics;
};

/// Tracing hooks: called at the start and end of each call and of each
/// attempt, on the client's strand, in that order (call_started, then per
/// attempt attempt_started and attempt_ended, then call_ended). Enough to
/// build OpenTelemetry spans: one span per call with a child per attempt.
/// The default implementations do nothing, so a tracer overrides only what
/// it needs. An exception thrown by a hook is swallowed: tracing never fails
/// a call.
class IVSCHAT_API tracer {
public:
    virtual ~tracer();
    /// A call starts.
    virtual void call_started(const call_start&) {}
    /// An attempt is about to be sent.
    virtual void attempt_started(const attempt_start&) {}
    /// An attempt ended, with a response or an error.
    virtual void attempt_ended(const attempt_end&) {}
    /// A call ended; nothing more is reported about it.
    virtual void call_ended(const call_end&) {}
};

}  // namespace ivschat
