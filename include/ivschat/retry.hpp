#pragma once

#include <ivschat/export.hpp>
#include <ivschat/retry_mode.hpp>

#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

/// Retry decisions for ivschat calls, as the AWS SDKs make them: which
/// failures are retried, how long to back off, the retry quota that stops an
/// outage from multiplying traffic, the adaptive mode's client-side rate
/// limiter, and clock-skew correction.
///
/// Everything here is decision logic without I/O ("sans-io"): a strategy
/// returns durations and the client waits them with Asio timers, so a wait is
/// cancellable with the call. The constants and their sources are listed in
/// docs/retries.md.
namespace ivschat {

// ---------------------------------------------------------------------------
// What an attempt produced
// ---------------------------------------------------------------------------

/// How a request failed below HTTP, in terms that decide a retry.
enum class transport_error_kind {
    connect_failed,        ///< connection refused, unreachable, DNS "try again" (retried)
    connection_reset,      ///< reset, aborted or broken pipe mid-exchange, or bytes that are not HTTP (retried)
    timeout,               ///< the attempt (connect, write or read) timed out (retried, timeout cost)
    truncated_response,    ///< the peer closed before a complete response (retried)
    tls_failure,           ///< TLS handshake or record failure other than a rejected certificate (retried)
    certificate_rejected,  ///< the server's certificate failed verification (never retried)
    host_not_found,        ///< the host name does not exist (never retried)
    cancelled,             ///< the call was cancelled (never retried)
    other,                 ///< anything else (never retried)
};

/// Maps an error from Asio, Asio.SSL or Beast to the kind that decides a
/// retry. The client calls it on the error that ended an attempt.
IVSCHAT_API transport_error_kind classify_transport_error(const boost::system::error_code& ec) noexcept;

/// How an attempt ended: a success, an error response from the service, or no usable response.
enum class attempt_result { succeeded, service_error, transport_error };

/// The outcome of one attempt, in SDK-neutral terms. The client fills it from
/// the HTTP exchange; views must stay valid for the duration of the
/// on_attempt_result() call only.
struct IVSCHAT_API attempt_outcome {
    /// How the attempt ended.
    attempt_result result = attempt_result::succeeded;
    /// The HTTP status of a response (success or service error).
    unsigned http_status = 0;
    /// The service's error type, as in x-amzn-ErrorType or the body's
    /// "__type". Raw values are accepted: "ThrottlingException:http://..."
    /// and "com.amazonaws.ivschat#ThrottlingException" both classify as
    /// ThrottlingException.
    std::string_view error_type{};
    /// The x-amz-retry-after header (milliseconds), see parse_retry_after().
    std::optional<std::chrono::milliseconds> retry_after{};
    /// Set by the client when clock_skew::on_service_error() corrected the
    /// signing clock for this response: the call is then retried once.
    bool clock_skew_corrected = false;
    /// For transport errors.
    transport_error_kind transport_kind = transport_error_kind::other;
    /// The error that ended the attempt, for transport errors.
    boost::system::error_code transport_error{};

    /// A success with `http_status`.
    static attempt_outcome success(unsigned http_status = 200) {
        return {.result = attempt_result::succeeded, .http_status = http_status};
    }
    /// An error response with its status and error type.
    static attempt_outcome service_failure(unsigned http_status, std::string_view error_type) {
        return {.result = attempt_result::service_error, .http_status = http_status, .error_type = error_type};
    }
    /// A transport failure of the given kind.
    static attempt_outcome transport_failure(transport_error_kind kind, boost::system::error_code ec = {}) {
        return {.result = attempt_result::transport_error, .transport_kind = kind, .transport_error = ec};
    }
    /// A transport failure classified with classify_transport_error().
    static attempt_outcome transport_failure(const boost::system::error_code& ec) {
        return transport_failure(classify_transport_error(ec), ec);
    }
};

/// What kind of failure an attempt had, which decides whether and how it is
/// retried.
enum class failure_kind {
    none,           ///< the attempt succeeded
    throttling,     ///< 429 or a throttling error code: throttling base delay and cost
    transient,      ///< 500/502/503/504, transient error codes, connection failures
    timeout,        ///< an attempt timeout (transient, with the timeout cost)
    clock_skew,     ///< a skew error whose offset the client corrected: retried once
    not_retryable,  ///< everything else (validation, access denied, not found, conflict, ...)
};

/// Classifies an outcome the way the standard retry mode does.
IVSCHAT_API failure_kind classify(const attempt_outcome& outcome) noexcept;

/// True for the error codes the SDKs treat as throttling (the code alone,
/// without the HTTP status). Accepts raw error types as attempt_outcome does.
IVSCHAT_API bool is_throttling_error_code(std::string_view error_type) noexcept;
/// True for the transient error codes (RequestTimeout, ...).
IVSCHAT_API bool is_transient_error_code(std::string_view error_type) noexcept;
/// True for the status codes retried as transient: 500, 502, 503, 504.
IVSCHAT_API bool is_transient_status(unsigned http_status) noexcept;
/// True for the error codes that a skewed client clock causes.
IVSCHAT_API bool is_clock_skew_error_code(std::string_view error_type) noexcept;

/// Parses an x-amz-retry-after header: a non-negative integer count of
/// milliseconds. Anything else (empty, signs, spaces, overflow) is nullopt
/// and the backoff falls back to the computed delay.
IVSCHAT_API std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view header) noexcept;

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// The adaptive mode's rate limiter (CUBIC), with the SDKs' constants.
struct IVSCHAT_API adaptive_options {
    /// Multiplicative decrease of the send rate on a throttling response.
    double beta = 0.7;  // botocore retries/throttling.py CubicCalculator._BETA
    /// CUBIC scale constant C of the rate's regrowth.
    double scale_constant = 0.4;  // botocore retries/throttling.py CubicCalculator._SCALE_CONSTANT
    /// Weight of the newest measurement in the measured send rate.
    double smoothing = 0.8;  // botocore retries/adaptive.py RateClocker._DEFAULT_SMOOTHING
    /// Lowest fill rate of the token bucket, requests per second.
    double min_fill_rate = 0.5;  // botocore retries/bucket.py TokenBucket._MIN_RATE
    /// Lowest capacity of the token bucket, requests.
    double min_capacity = 1.0;  // Java v2 RateLimiterTokenBucket.TransientState.MIN_CAPACITY
    /// Width of the buckets in which the send rate is measured.
    std::chrono::milliseconds measurement_interval{500};  // botocore retries/adaptive.py RateClocker._TIME_BUCKET_RANGE
    /// Cap of the new rate as a multiple of the measured rate.
    double max_rate_over_measured = 2.0;  // botocore retries/adaptive.py ClientRateLimiter._MAX_RATE_ADJUST_SCALE
    /// How far ahead a waiting call may reserve its send token. A call whose
    /// turn is further away is told to ask again after this long instead, so
    /// a rate that rises meanwhile serves it sooner. Not an SDK constant: the
    /// SDKs' blocked threads re-check when the rate changes, which a sans-io
    /// limiter cannot do for a caller's timer.
    std::chrono::milliseconds reservation_horizon{1000};
};

/// Configuration of the built-in strategies. Defaults are the AWS SDKs'
/// "standard" mode as updated in 2026 (docs/retries.md cites each one).
struct IVSCHAT_API retry_options {
    /// The mode make_retry_strategy() builds.
    retry_mode mode = retry_mode::standard;
    /// Attempts per call, the first included (AWS_MAX_ATTEMPTS); at least 1.
    int max_attempts = 3;  // botocore retries/standard.py DEFAULT_MAX_ATTEMPTS, Go v2 retry.DefaultMaxAttempts
    /// Base of the exponential backoff for non-throttling errors.
    std::chrono::milliseconds base_delay{50};  // botocore standard.py _NON_THROTTLING_BASE_SCALE = 0.05 (2026 update)
    /// Base of the exponential backoff for throttling errors.
    // botocore standard.py _THROTTLING_BASE_SCALE = 1; Java v2 DefaultRetryStrategy THROTTLED_BASE_DELAY
    std::chrono::milliseconds throttling_base_delay{1000};
    /// Cap of the exponential term, applied before the jitter.
    // botocore standard.py _MAX_BACKOFF = 20; Go v2 retry.DefaultMaxBackoff
    std::chrono::milliseconds max_backoff{20000};
    /// How far past the computed backoff an x-amz-retry-after may push the delay.
    std::chrono::milliseconds max_retry_after_extension{5000};  // botocore standard.py _RETRY_AFTER_MAX_ADDITIONAL
    /// Retry quota: tokens when full, per client.
    int retry_quota_capacity = 500;  // botocore retries/quota.py INITIAL_CAPACITY, Go v2 DefaultRetryRateTokens
    /// Tokens a retry of a transient (non-throttling) error costs.
    int retry_cost = 14;  // botocore standard.py RetryQuotaChecker._RETRY_COST_V2 (2026 update; 5 before)
    /// Tokens a retry of a throttling error costs.
    int throttling_retry_cost = 5;  // botocore standard.py RetryQuotaChecker._THROTTLING_RETRY_COST
    /// Tokens a retry after an attempt timeout costs (the 2026 update prices
    /// timeouts as other transient errors; before it, 10 against 5).
    // = retry_cost since the 2026 update (aws-sdk-go-v2 PR #3400); before: Go v2 DefaultRetryTimeoutCost = 10
    int timeout_retry_cost = 14;
    /// Tokens returned by a call that succeeded on its first attempt.
    // botocore standard.py RetryQuotaChecker._NO_RETRY_INCREMENT; Go v2 DefaultNoRetryIncrement
    int no_retry_increment = 1;
    /// The adaptive mode's rate limiter.
    adaptive_options adaptive{};
    /// Jitter source: a value in [0, 1] per backoff (values outside are
    /// clamped). Empty: a per-thread pseudo-random generator. A shared
    /// strategy may call it from several threads at once.
    std::function<double()> jitter{};
    /// Clock of the adaptive rate limiter. Empty: std::chrono::steady_clock.
    std::function<std::chrono::steady_clock::time_point()> clock{};
};

// ---------------------------------------------------------------------------
// Decisions and the strategy interface
// ---------------------------------------------------------------------------

/// Why a decision was taken.
enum class retry_reason {
    succeeded,                  ///< the attempt succeeded; nothing to retry
    retrying,                   ///< retry after `delay`
    not_retryable,              ///< the failure is never retried
    max_attempts_reached,       ///< the failure is retryable but the attempts are used up
    retry_quota_exhausted,      ///< the failure is retryable but the client's retry quota is empty
    clock_skew_already_retried, ///< a second clock-skew correction in one call is not retried
};

/// The enumerator's name, e.g. "max_attempts_reached".
IVSCHAT_API std::string_view to_string(retry_reason reason) noexcept;
/// The enumerator's name, e.g. "throttling".
IVSCHAT_API std::string_view to_string(failure_kind kind) noexcept;

/// A strategy's answer to an attempt's outcome.
struct IVSCHAT_API retry_decision {
    /// True to make another attempt.
    bool retry = false;
    /// Wait this long before the next attempt (zero unless retry).
    std::chrono::nanoseconds delay{};
    /// Why.
    retry_reason reason = retry_reason::succeeded;
    /// How the attempt failed; none for a success.
    failure_kind failure = failure_kind::none;
    /// Quota tokens the retry took (refunded if the call then succeeds).
    int retry_cost = 0;
};

/// The per-call state a strategy keeps between attempts. The client creates
/// one per call (value-initialized), passes the same object to every
/// before_attempt() and on_attempt_result() of that call, and may read it
/// for metrics. Strategies may use the fields as documented.
struct IVSCHAT_API retry_call_state {
    /// Attempts started so far (before_attempt() counts them).
    int attempts = 0;
    /// Quota tokens held by the last retry, returned if the call succeeds.
    int retry_cost_held = 0;
    /// Whether this call already retried after a clock-skew correction.
    bool clock_skew_retried = false;
    /// Sum of the backoff delays decided for this call.
    std::chrono::nanoseconds total_backoff{};
    /// Sum of the send delays asked by before_attempt() (adaptive mode).
    std::chrono::nanoseconds total_send_delay{};
    /// Adaptive mode: this call holds a send token taken ahead of time.
    bool send_token_reserved = false;
};

/// Decides, attempt by attempt, whether a call goes on. One strategy object
/// serves every call of a client, so the retry quota and the adaptive rate
/// are per client; share it with std::shared_ptr.
///
/// Call sequence for one call:
///   state = {}
///   loop: while ((d = before_attempt(state)) > 0) wait d;
///         sign; send; decision = on_attempt_result(state, outcome);
///         if !decision.retry: done; wait decision.delay; loop
///
/// on_attempt_result() receives every outcome, success included: a success
/// refills the retry quota, so there is no separate call to forget.
///
/// The client may still give up on a decided retry (the call was cancelled,
/// or the delay would pass the call's deadline); the quota tokens the retry
/// took then stay spent, as in the SDKs.
///
/// Thread safety: the built-in strategies may be used from several threads
/// at once (the quota is an atomic counter, the adaptive limiter takes a
/// short lock); a retry_call_state belongs to one call and is not shared.
/// User strategies shared by a multi-threaded client must be thread-safe too.
class IVSCHAT_API retry_strategy {
public:
    virtual ~retry_strategy() = default;

    /// Asks to send the next attempt. Zero: send now (the attempt is counted
    /// in `call`). Otherwise a rate limiter holds the call back: wait the
    /// returned time, then ask again.
    std::chrono::nanoseconds before_attempt(retry_call_state& call) {
        auto delay = do_before_attempt(call);
        if (delay > delay.zero()) {
            call.total_send_delay += delay;
        } else {
            ++call.attempts;
        }
        return delay;
    }

    /// Decides after an attempt: retry (after decision.delay) or stop.
    retry_decision on_attempt_result(retry_call_state& call, const attempt_outcome& outcome) {
        auto decision = do_on_attempt_result(call, outcome);
        if (decision.retry) call.total_backoff += decision.delay;
        return decision;
    }

protected:
    /// Implement: zero to let attempt number call.attempts + 1 go, or how long
    /// to wait before asking again. Must return zero eventually.
    virtual std::chrono::nanoseconds do_before_attempt(retry_call_state& call) = 0;
    /// Implement: the decision after the attempt numbered call.attempts (1-based).
    virtual retry_decision do_on_attempt_result(retry_call_state& call, const attempt_outcome& outcome) = 0;
};

/// One attempt per call.
class IVSCHAT_API no_retry_strategy final : public retry_strategy {
protected:
    std::chrono::nanoseconds do_before_attempt(retry_call_state& call) override;
    retry_decision do_on_attempt_result(retry_call_state& call, const attempt_outcome& outcome) override;
};

/// The retry quota: a per-client token bucket. A retry takes tokens, a call
/// that succeeds gives them back (or a small increment when it needed no
/// retry), so during an outage retries stop once the bucket is empty and
/// each call makes a single attempt. Lock-free; safe from any thread.
class IVSCHAT_API retry_quota {
public:
    /// A full bucket of `capacity` tokens.
    explicit retry_quota(int capacity);

    /// Takes `amount` tokens if that many are available.
    bool try_acquire(int amount) noexcept;
    /// Returns up to `amount` tokens, never past the capacity.
    void release(int amount) noexcept;

    /// Tokens in the bucket now.
    int available() const noexcept { return available_.load(std::memory_order_relaxed); }
    /// The size of the bucket.
    int capacity() const noexcept { return capacity_; }

private:
    std::atomic<int> available_;
    int capacity_;
};

/// The standard mode's backoff: full jitter over a capped exponential,
///   delay = jitter * min(base * 2^(attempts - 1), max_backoff)
/// where `attempts` counts the attempts made (1 after the first failure).
/// A server's x-amz-retry-after, when given, moves the delay into
/// [delay, delay + max_retry_after_extension].
IVSCHAT_API std::chrono::nanoseconds backoff_delay(int attempts, std::chrono::milliseconds base,
                                       std::chrono::milliseconds max_backoff, double jitter,
                                       std::optional<std::chrono::milliseconds> retry_after = std::nullopt,
                                       std::chrono::milliseconds max_retry_after_extension =
                                           std::chrono::milliseconds{5000}) noexcept;

/// The AWS "standard" retry mode: max attempts, throttling and transient
/// errors retried with capped exponential backoff and full jitter, a retry
/// quota, one retry after a corrected clock skew.
class IVSCHAT_API standard_retry_strategy : public retry_strategy {
public:
    /// Throws std::invalid_argument for options out of range (max_attempts
    /// < 1, negative delays or costs, zero quota capacity is allowed).
    explicit standard_retry_strategy(retry_options options = {});

    /// The options given at construction.
    const retry_options& options() const noexcept { return options_; }
    /// The retry quota shared by the calls of this strategy.
    const retry_quota& quota() const noexcept { return quota_; }

protected:
    std::chrono::nanoseconds do_before_attempt(retry_call_state& call) override;
    retry_decision do_on_attempt_result(retry_call_state& call, const attempt_outcome& outcome) override;

private:
    double next_jitter() const;

    retry_options options_;
    retry_quota quota_;
};

/// The adaptive mode's client-side rate limiter: a token bucket whose fill
/// rate follows the CUBIC congestion-control curve. Off until the first
/// throttling response; then each throttling response cuts the rate to
/// beta * the measured rate and successes regrow it along the cubic curve.
/// Safe from any thread (a short lock around a few arithmetic operations).
class IVSCHAT_API client_rate_limiter {
public:
    /// Where the limiter reads the time.
    using clock_function = std::function<std::chrono::steady_clock::time_point()>;

    /// A limiter, off until the first throttling response; `clock` empty means steady_clock.
    explicit client_rate_limiter(adaptive_options options = {}, clock_function clock = {});

    /// Asks for one send token. Zero: send now (the limiter is off, a token
    /// was available, or `reserved` says this caller already holds one, which
    /// the call uses up). Otherwise wait the returned time and ask again with
    /// the same `reserved` flag: a caller whose turn comes within the
    /// reservation horizon gets its token reserved (`reserved` becomes true),
    /// so concurrent callers get successive send times in order instead of
    /// waking together.
    std::chrono::nanoseconds acquire(bool& reserved);

    /// Records a response: `throttled` for a throttling error, false for
    /// anything else.
    void on_response(bool throttled);

    /// The limiter's state, for tests and metrics.
    struct snapshot {
        /// False until the first throttling response.
        bool enabled = false;
        double fill_rate = 0;         ///< tokens per second
        /// The most tokens the bucket holds.
        double max_capacity = 0;
        double current_capacity = 0;  ///< negative while tokens are reserved ahead
        double measured_rate = 0;     ///< responses per second, smoothed
        double last_max_rate = 0;     ///< rate at the last throttling response
    };
    /// The state now.
    snapshot state() const;

private:
    double now_seconds() const;
    void refill(double now);
    void update_rate(double new_rate, double now);
    void update_measured_rate(double now);

    adaptive_options options_;
    clock_function clock_;
    mutable std::mutex mutex_;
    bool enabled_ = false;
    double fill_rate_;
    double max_capacity_;
    double current_capacity_ = 0;
    std::optional<double> last_refill_{};
    double measured_rate_ = 0;
    double last_rate_bucket_;
    long request_count_ = 0;
    double last_max_rate_ = 0;
    double last_throttle_time_;
};

/// The AWS "adaptive" retry mode: the standard mode's decisions plus a
/// client_rate_limiter that delays sending (before_attempt()) once the
/// service throttles.
class IVSCHAT_API adaptive_retry_strategy final : public standard_retry_strategy {
public:
    /// As standard_retry_strategy, plus a rate limiter configured by `options.adaptive`.
    explicit adaptive_retry_strategy(retry_options options = {});

    /// The rate limiter, for tests and metrics.
    const client_rate_limiter& rate_limiter() const noexcept { return limiter_; }

protected:
    std::chrono::nanoseconds do_before_attempt(retry_call_state& call) override;
    retry_decision do_on_attempt_result(retry_call_state& call, const attempt_outcome& outcome) override;

private:
    client_rate_limiter limiter_;
};

/// The strategy for options.mode: standard, adaptive or no_retry (off).
/// Throws std::invalid_argument for invalid options.
IVSCHAT_API std::shared_ptr<retry_strategy> make_retry_strategy(retry_options options = {});

// ---------------------------------------------------------------------------
// Clock skew
// ---------------------------------------------------------------------------

/// Corrects the signing clock when the service reports clock skew.
///
/// SigV4 signatures carry the time; a service rejects one too far from its
/// own clock (RequestTimeTooSkewed, InvalidSignatureException, ...). On such
/// an error the server's Date header tells how far off the local clock is:
/// when the difference is at least the threshold, the offset is corrected,
/// the client signs with `local time + offset()` from then on and retries
/// the call once (attempt_outcome::clock_skew_corrected).
///
/// One per client. offset() and on_service_error() are safe from any thread
/// (the offset is an atomic).
class IVSCHAT_API clock_skew {
public:
    /// Differences below this are not corrected: they cannot explain the
    /// rejection and may be latency or Date's one-second resolution.
    /// Java v2 core/retry/ClockSkew.CLOCK_SKEW_ADJUST_THRESHOLD.
    static constexpr std::chrono::minutes default_threshold{4};

    /// No offset; differences below `threshold` are not corrected.
    explicit clock_skew(std::chrono::seconds threshold = default_threshold);

    /// What the signer adds to the local clock.
    std::chrono::seconds offset() const noexcept {
        return std::chrono::seconds{offset_.load(std::memory_order_relaxed)};
    }

    /// The local time corrected by offset(), for the signer's clock.
    std::chrono::system_clock::time_point corrected(std::chrono::system_clock::time_point local) const noexcept {
        return local + offset();
    }

    /// Called on a service error. Returns true, after updating offset() to
    /// (server time - local_time_at_response), when `error_type` is a clock
    /// skew error and the Date header is at least the threshold away from the
    /// corrected local time; false otherwise (not a skew error, a missing or
    /// malformed Date header, a difference too small to blame, or one too
    /// large for system_clock to apply, over about 292 years).
    bool on_service_error(std::string_view error_type, std::string_view date_header,
                          std::chrono::system_clock::time_point local_time_at_response) noexcept;

private:
    std::chrono::seconds threshold_;
    std::atomic<std::int64_t> offset_{0};
};

}  // namespace ivschat
