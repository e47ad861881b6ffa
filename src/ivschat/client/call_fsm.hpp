#pragma once

#include "ivschat/http/message.hpp"

#include <ivschat/credentials.hpp>
#include <ivschat/diagnostics.hpp>
#include <ivschat/retry.hpp>
#include <ivschat/sigv4.hpp>

#include <boost/system/error_code.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ivschat::detail {

/// One call's request, serialized; the views stay valid until the call ends.
struct call_description {
    /// The operation's name, e.g. "CreateChatToken".
    std::string_view operation{};
    std::string_view method{};
    /// Path and query as on the request line, the endpoint's base path included.
    std::string_view target{};
    /// The JSON body; empty for none (then no Content-Type is sent).
    std::string_view body{};
    /// The status a successful response has (200, or 204 for the deletes).
    unsigned success_status = 200;
};

/// What one attempt writes, reused from call to call (a client keeps idle
/// sets) so that a steady state allocates nothing for them.
struct attempt_buffers {
    // The signature's headers, copied out of the shared signer's buffers,
    // which another call's signing overwrites while this one is in flight.
    std::string amz_date{};
    std::string authorization{};
    http::response response{};
};

/// What a call_fsm uses of its client; all of it outlives the call.
struct call_settings {
    retry_strategy& retry;
    clock_skew& skew;
    sigv4::signer& signer;
    /// The Host header (and the signed host).
    std::string_view host;
    std::string_view user_agent;
    std::optional<std::chrono::milliseconds> attempt_timeout{};
    std::optional<std::chrono::milliseconds> call_timeout{};
    /// Wait for the operation's quota before each attempt (pacing).
    bool paced = false;
};

/// The I/O a call_fsm asks of its shell.
enum class call_step {
    wait,             ///< wait action.delay on the call's timer (backoff, rate limiter)
    get_credentials,  ///< the credentials to sign with (event.credentials)
    pace,             ///< wait for the operation's next permit, at most action.max_wait
    send,             ///< send request() and read into the response, bounded by action.limit
    parse,            ///< parse the response body into the operation's output (event.parse_error)
    done,             ///< the call is over with action.result
};

/// What the pacer should learn from the attempt that just ended.
enum class pacing_feedback { none, success, throttled };

/// The shell's next step.
struct call_action {
    call_step step = call_step::done;
    /// wait: how long.
    std::chrono::nanoseconds delay{};
    /// pace: the longest wait for a permit (up to the call's deadline).
    std::chrono::steady_clock::duration max_wait = std::chrono::steady_clock::duration::max();
    /// send: the attempt's time limit, if any.
    std::optional<std::chrono::steady_clock::duration> limit{};
    /// done: the call's result.
    boost::system::error_code result{};
    /// To be given to the pacer before the step (after a send only).
    pacing_feedback feedback = pacing_feedback::none;
};

/// What the shell reports after a step.
struct call_event {
    /// The step's failure: the timer's, the credentials', the pacer's, the exchange's.
    boost::system::error_code error{};
    /// get_credentials: the credentials (null on failure).
    std::shared_ptr<const ivschat::credentials> credentials{};
    /// parse: why the body is not the operation's output; empty when it is.
    std::string_view parse_error{};
    /// send: the client was closed under the exchange.
    bool client_closed = false;
    /// wait: the call's cancellation slot was triggered.
    bool cancelled = false;
};

/// The attempt loop of one call, without I/O (in the manner of Boost.Redis's
/// exec_fsm): retry strategy, deadlines, signing and header assembly,
/// classification of responses, clock skew, retry-after, the diagnostics.
/// The shell (client.cpp) performs each action it returns (timers, the
/// credentials provider, the pacer, the pool, the parser) and resumes it
/// with the outcome and the time; tests drive it the same way, with no
/// socket and no clock.
///
/// The first resume() takes an empty event. After `done`, the fsm must not
/// be resumed again.
class call_fsm {
public:
    /// `diag` is cleared by the caller and filled by the fsm; the shell
    /// reads each attempt's response into `buffers.response`.
    call_fsm(const call_settings& settings, const call_description& call, diagnostics& diag,
             attempt_buffers& buffers, std::chrono::steady_clock::time_point started);

    call_fsm(const call_fsm&) = delete;
    call_fsm& operator=(const call_fsm&) = delete;

    /// The next action, given the outcome of the last one and the time now
    /// (steady for deadlines and latencies, system for signing).
    call_action resume(const call_event& event, std::chrono::steady_clock::time_point now,
                       std::chrono::system_clock::time_point wall_now);

    /// The signed request of the last send action; valid until the next resume().
    const http::request& request() const noexcept { return wire_; }
    /// The credentials of the attempt under way (null before the first).
    const std::shared_ptr<const credentials>& current_credentials() const noexcept { return credentials_; }
    /// The retry strategy's state of this call.
    const retry_call_state& retry_state() const noexcept { return retry_state_; }

private:
    enum class state { start, limiter_wait, credentials, pacing, sending, parsing, retry_wait, finished };

    call_action next_attempt(std::chrono::steady_clock::time_point now);
    call_action wait(std::chrono::nanoseconds delay, state then, std::chrono::steady_clock::time_point now);
    call_action sign_and_send(std::chrono::steady_clock::time_point now, std::chrono::system_clock::time_point wall_now);
    call_action on_response(const call_event& event, std::chrono::steady_clock::time_point now,
                            std::chrono::system_clock::time_point wall_now);
    call_action finish(boost::system::error_code ec);

    const call_settings& settings_;
    call_description call_;
    diagnostics& diag_;
    attempt_buffers& buffers_;
    http::response& response_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
    state state_ = state::start;
    retry_call_state retry_state_{};
    std::chrono::nanoseconds pending_delay_{};
    std::shared_ptr<const credentials> credentials_{};
    std::chrono::steady_clock::time_point attempt_started_{};
    std::array<http::header_field, 7> headers_{};
    http::request wire_{};
};

}  // namespace ivschat::detail
