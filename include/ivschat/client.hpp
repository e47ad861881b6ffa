#pragma once

#include <ivschat/export.hpp>
#include <ivschat/client_operations.hpp>
#include <ivschat/config.hpp>
#include <ivschat/detail/async_spawn.hpp>
#include <ivschat/diagnostics.hpp>
#include <ivschat/error.hpp>
#include <ivschat/model.hpp>
#include <ivschat/observability.hpp>
#include <ivschat/operations.hpp>
#include <ivschat/pacing.hpp>
#include <ivschat/retry_mode.hpp>
#include <ivschat/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>

namespace ivschat {

class credentials_provider;  // credentials_provider.hpp
class retry_strategy;        // retry.hpp

/// How a client is configured. Unset optional members come from the
/// environment and the shared config files like the AWS SDKs read them (see
/// config.hpp); everything else has the SDKs' defaults.
struct IVSCHAT_API client_options {
    /// AWS_REGION, AWS_DEFAULT_REGION, profile `region`.
    std::optional<std::string> region{};
    /// A full URL ("https://127.0.0.1:8443") instead of the region's endpoint:
    /// AWS_ENDPOINT_URL_IVSCHAT, AWS_ENDPOINT_URL, profile `endpoint_url`.
    std::optional<std::string> endpoint_url{};
    /// The shared files' profile: AWS_PROFILE, else "default".
    std::optional<std::string> profile{};
    /// Fixed credentials instead of the default chain.
    std::optional<ivschat::credentials> credentials{};
    /// A credentials provider instead of the default chain; wins over `credentials`.
    std::shared_ptr<ivschat::credentials_provider> credentials_provider{};
    /// A PEM file of trusted CAs: AWS_CA_BUNDLE, profile `ca_bundle`.
    std::optional<std::string> ca_bundle{};
    /// Attempts per call, the first included: AWS_MAX_ATTEMPTS, profile `max_attempts`, 3.
    std::optional<unsigned> max_attempts{};
    /// AWS_RETRY_MODE, profile `retry_mode`, standard.
    std::optional<ivschat::retry_mode> retry_mode{};
    /// `app/<id>` at the end of the User-Agent: AWS_SDK_UA_APP_ID, profile `sdk_ua_app_id` (see config.hpp).
    std::optional<std::string> user_agent_app_id{};
    /// A retry strategy of the user's; wins over retry_mode and max_attempts.
    std::shared_ptr<ivschat::retry_strategy> retry_strategy{};
    /// The connection pool: size, waiters, timeouts, response size limit.
    /// ca_file is filled from ca_bundle when empty.
    pool_options pool{};
    /// One attempt (acquire a connection, exchange) at most this long; then
    /// it fails as a timeout and may be retried. Unset: only the pool's own
    /// connect/handshake/exchange timeouts apply.
    std::optional<std::chrono::milliseconds> attempt_timeout{};
    /// The whole call, attempts and backoff included, at most this long;
    /// then it fails with ivschat::error::timeout.
    std::optional<std::chrono::milliseconds> call_timeout{};
    /// Waiting for the service's per-operation quotas (see pacing.hpp).
    pacing_options pacing{};
    /// Structured log records of calls and attempts (observability.hpp);
    /// none by default.
    std::shared_ptr<ivschat::logger> logger{};
    /// Hooks at the start and end of each call and attempt, for tracing
    /// (observability.hpp); none by default.
    std::shared_ptr<ivschat::tracer> tracer{};
    /// Check the model's constraints before sending (required members,
    /// lengths, patterns, ranges, enums, sizes).
    bool validate_requests = true;
    /// Where environment variables are read; the process environment by
    /// default. Tests inject a map.
    std::optional<ivschat::environment> environment{};
};

namespace detail {
class client_core;

// The coroutines behind client's operations (see client.cpp); they hold the
// client's state alive until they complete. A null `diag` means the call
// keeps its own diagnostics.
template <class Request>
IVSCHAT_API boost::asio::awaitable<typename operation_traits<Request>::response> throwing_call(
    std::shared_ptr<client_core> core, Request request, diagnostics* diag);
template <class Request>
IVSCHAT_API boost::asio::awaitable<std::tuple<boost::system::error_code, typename operation_traits<Request>::response>>
checked_call(std::shared_ptr<client_core> core, Request request, diagnostics* diag);
IVSCHAT_API boost::asio::awaitable<boost::system::error_code> warm_up(std::shared_ptr<client_core> core, std::size_t n);

/// True for the completion token that makes a failed call throw
/// error_with_diagnostics: use_awaitable, the default.
template <class Token>
inline constexpr bool throws_with_diagnostics =
    std::is_same_v<std::decay_t<Token>, boost::asio::use_awaitable_t<>>;
}  // namespace detail

/// A client for the Amazon IVS Chat control-plane API.
///
/// Its operations, one per operation of the service, are the member
/// functions of client_operations (generated from the model). Every
/// operation is an Asio asynchronous operation that takes any completion
/// token, `use_awaitable` by default, in two forms with one
/// completion signature, `void(boost::system::error_code, Response)`:
///
/// - `op(request, token)`
/// - `op(request, diagnostics&, token)`: the call also fills `diagnostics`
///   (request id, attempts, the service's error, the client's message),
///   failure or success.
///
/// The error code is an ivschat::error for service errors, client-side
/// validation, timeouts and malformed responses, a transport_errc, socket or
/// TLS code for transport failures, a credentials_errc when no credentials
/// could be had, asio::error::operation_aborted for cancellation; compare
/// it with an ivschat::condition to ask one question across them.
///
/// With the default token a failed call throws error_with_diagnostics, the
/// one exception type, carrying the code and the full diagnostics, whatever
/// failed (a bare `co_await` in a coroutine). With any other token nothing is
/// thrown by the library: callbacks and `as_tuple` get the code;
/// `use_future` and a `deferred` operation awaited in a coroutine throw
/// Asio's boost::system::system_error with the code only, so pass a
/// `diagnostics&` there for the rest. For hot paths where "not found" is
/// routine use `as_tuple(use_awaitable)` or a callback.
///
/// Calls are retried per the retry strategy, each attempt signed afresh.
/// Per-call cancellation (a cancellation slot: `asio::bind_cancellation_slot`,
/// awaitable operators' `||`) completes the call with operation_aborted and
/// leaves the pool consistent.
///
/// Executor: calls run on a strand of the executor given at construction
/// (on that executor itself with `pool.thread_safe = false`) and complete on
/// the completion handler's associated executor.
///
/// Thread safety: a client may be shared by any number of coroutines and
/// threads; its state lives on its strand. With `pool.thread_safe = false`
/// it must be used from the one thread that runs its executor. The request
/// and diagnostics objects belong to one call until it completes.
///
/// Lifetime: the client may be destroyed while calls are in flight; they
/// keep its state alive and complete with operation_aborted (see close()).
/// The io_context must outlive them.
class IVSCHAT_API client : public client_operations<client> {
public:
    /// The executor type given at construction.
    using executor_type = boost::asio::any_io_executor;

    /// Resolves the configuration (options, environment, shared files) and
    /// creates the connection pool. Opens no connection and starts no
    /// thread. Throws config_error for bad configuration, naming what and
    /// where.
    client(executor_type executor, client_options options = {});
    /// Ends calls in flight with operation_aborted, like close().
    ~client();
    /// Takes over the other client's state; the other one is left empty.
    client(client&&) noexcept;
    /// Closes this client and takes over the other one's state.
    client& operator=(client&&) noexcept;

    /// The executor calls run on: the client's strand, or the executor given
    /// at construction with `pool.thread_safe = false`.
    const executor_type& get_executor() const noexcept;
    /// The effective configuration (region, endpoint, retry settings, ...).
    const resolved_config& config() const noexcept;
    /// Counters of the connection pool.
    ivschat::pool_counters counters() const noexcept;
    /// Opens `n` connections ahead of a burst. Completion signature: void(error_code).
    template <class Token = boost::asio::use_awaitable_t<>>
    auto warm_up(std::size_t n, Token&& token = {}) {
        return detail::async_spawn<void(boost::system::error_code)>(get_executor(), detail::warm_up(core_, n),
                                                                    std::forward<Token>(token));
    }

    /// Shuts the client down: closes its pooled connections, and calls in
    /// flight (waiting for a connection, in an exchange or in a backoff wait)
    /// and new calls complete with operation_aborted. Any thread; the
    /// destructor does the same. A call fetching credentials completes when
    /// the fetch does.
    void close();

    /// Any operation by its request type.
    template <class Request, class Token = boost::asio::use_awaitable_t<>>
    auto call(Request request, Token&& token = {}) {
        return start(std::move(request), nullptr, std::forward<Token>(token));
    }
    /// Any operation by its request type, filling `diag`, which must live
    /// until the call completes.
    template <class Request, class Token = boost::asio::use_awaitable_t<>>
    auto call(Request request, diagnostics& diag, Token&& token = {}) {
        return start(std::move(request), &diag, std::forward<Token>(token));
    }

private:
    template <class Request, class Token>
    auto start(Request request, diagnostics* diag, Token&& token) {
        using response = typename operation_traits<Request>::response;
        if constexpr (detail::throws_with_diagnostics<Token>) {
            return detail::async_spawn<void(std::exception_ptr, response)>(
                get_executor(), detail::throwing_call<Request>(core_, std::move(request), diag),
                std::forward<Token>(token));
        } else {
            return detail::async_spawn<void(boost::system::error_code, response)>(
                get_executor(), detail::checked_call<Request>(core_, std::move(request), diag),
                std::forward<Token>(token));
        }
    }

    std::shared_ptr<detail::client_core> core_;
};

}  // namespace ivschat
