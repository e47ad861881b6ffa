#pragma once

#include "ivschat/http/connection.hpp"
#include "ivschat/http/message.hpp"

#include <ivschat/detail/async_spawn.hpp>
#include <ivschat/transport.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>

#include <exception>
#include <memory>
#include <tuple>

namespace ivschat::http {

using detail::async_spawn;

class pool_core;

/// A connection leased from a pool (Boost.MySQL's pooled_connection is the
/// model): returned to the pool when the handle is destroyed, and kept for
/// reuse only if its last exchange completed cleanly and the response allows
/// keep-alive. A connection whose exchange failed, timed out or was
/// cancelled is closed, never reused.
///
/// Lifetime: the handle keeps the pool's state alive; it must not outlive
/// the io_context. Thread safety: one handle, one caller at a time.
class pooled_connection {
public:
    pooled_connection() = default;
    /// `reused`: the connection comes from the idle set rather than being
    /// opened for this caller.
    pooled_connection(std::shared_ptr<pool_core> pool, std::unique_ptr<connection> conn, bool reused) noexcept;
    pooled_connection(pooled_connection&&) noexcept = default;
    pooled_connection& operator=(pooled_connection&& other) noexcept;
    ~pooled_connection();

    explicit operator bool() const noexcept { return conn_ != nullptr; }

    /// Writes `req` and reads its response into `res` (cleared first; its
    /// buffers are reused). Completion signature: void(error_code).
    /// Errors: socket and TLS errors, transport_errc::exchange_timeout,
    /// closed_before_response, truncated_response, malformed_response,
    /// response_too_large, invalid_request; operation_aborted on
    /// cancellation (terminal cancellation; the connection is then closed).
    /// `req`'s views and `res` must stay valid until completion.
    template <class Token>
    auto async_exchange(const request& req, response& res, Token&& token) {
        return async_spawn<void(boost::system::error_code)>(executor(), exchange(req, res),
                                                            std::forward<Token>(token));
    }

    /// The connection was idle in the pool before this lease (rather than
    /// opened for it), so the server may have closed it meanwhile.
    bool reused() const noexcept { return reused_; }
    /// The last exchange failed before any response byte arrived.
    bool failed_before_response() const noexcept;

    /// Returns the connection to the pool now (same as destruction).
    void release() noexcept;

    /// The awaitable behind async_exchange; it must run on executor() as a
    /// spawned coroutine. Precondition: the handle is not empty.
    boost::asio::awaitable<boost::system::error_code> exchange(const request& req, response& res,
                                                               deadline limit = {});

    /// The connection's executor, the pool's strand. Precondition: the handle
    /// is not empty.
    const connection::executor_type& executor() const noexcept;

private:
    std::shared_ptr<pool_core> pool_;
    std::unique_ptr<connection> conn_;
    bool reused_ = false;
};

/// A keep-alive connection pool for one endpoint (http or https, host,
/// port). See pool_options for the limits and timeouts.
///
/// Thread safety: all member functions may be called from any thread, also
/// when the io_context runs on several threads. The pool's bookkeeping runs on
/// its strand, and so does each connection's I/O: a call that runs on the
/// pool's executor() (as the client's calls do) never hops between strands.
///
/// Idle connections past pool_options::idle_timeout are closed at the pool's
/// next acquisition or return of a connection; the pool holds no timer of its
/// own, so io_context::run() returns once the callers' work is done.
///
/// Lifetime: close() or destroying the pool closes idle connections, fails
/// waiting callers with transport_errc::pool_closed and closes the sockets of
/// connections leased out, so that their exchanges end at once (with
/// operation_aborted or a socket error). The io_context must outlive the pool
/// and its handles.
class connection_pool {
public:
    /// Throws boost::system::system_error if the TLS settings are unusable
    /// (e.g. an unreadable CA file).
    connection_pool(const boost::asio::any_io_executor& ex, endpoint target, pool_options options = {});
    ~connection_pool();
    /// Shuts the pool down (see the class comment); any thread, idempotent.
    void close();
    connection_pool(const connection_pool&) = delete;
    connection_pool& operator=(const connection_pool&) = delete;

    /// Leases a connection: an idle one (most recently used first, after a
    /// check that the server has not closed it), a new one if under
    /// max_connections, or the next one returned, waiting in FIFO order.
    /// Completion signature: void(error_code, pooled_connection).
    /// Errors: acquire_timeout, too_many_waiters, pool_closed, connect and
    /// TLS errors of a new connection, operation_aborted on cancellation (a
    /// cancelled waiter leaves the queue).
    template <class Token>
    auto async_acquire(Token&& token) {
        return async_spawn<void(boost::system::error_code, pooled_connection)>(executor(), acquire(),
                                                                               std::forward<Token>(token));
    }

    /// Opens connections until `n` are live (bounded by max_connections), in
    /// parallel, and keeps them idle. Completion signature: void(error_code),
    /// the first failure if any connection failed to open.
    template <class Token>
    auto async_warm_up(std::size_t n, Token&& token) {
        return async_spawn<void(boost::system::error_code)>(executor(), warm_up(n),
                                                            std::forward<Token>(token));
    }

    /// A snapshot of the counters; any thread, any time.
    pool_counters counters() const noexcept;

    /// The Host header value for this endpoint ("host" or "host:port" for a
    /// non-default port), as the signer must sign it.
    const std::string& host_header() const noexcept;

    /// The awaitables behind the async functions; they must run on
    /// executor(). A coroutine already running there co_awaits them directly
    /// and saves a spawn; they report cancellation through their results
    /// (they set this_coro::throw_if_cancelled(false) for that coroutine).
    /// `fresh` skips idle connections. send() bounds its wait for a
    /// connection, the opening of one and the exchange by `limit` too, each
    /// failing with its own timeout error when the limit cuts it short.
    boost::asio::awaitable<std::tuple<boost::system::error_code, pooled_connection>> acquire(bool fresh = false);
    boost::asio::awaitable<std::tuple<boost::system::error_code>> warm_up(std::size_t n);
    boost::asio::awaitable<std::tuple<boost::system::error_code>> send(const request& req, response& res,
                                                                       deadline limit = {});

    /// The pool's strand (the executor it was given when
    /// pool_options::thread_safe is false).
    const boost::asio::any_io_executor& executor() const noexcept;

private:
    std::shared_ptr<pool_core> core_;
};

/// Acquire + exchange + release in one operation, with the stale-connection
/// rule: when a reused connection fails before any response byte arrives
/// (the server closed it while idle), the request goes out once more on a
/// newly opened connection; this is not a retry in the retry strategy's
/// sense and is counted in pool_counters::stale_retries.
/// Completion signature: void(error_code); errors as for async_acquire and
/// pooled_connection::async_exchange. `res.connection_wait` tells how long
/// it waited for connections.
template <class Token>
auto async_send(connection_pool& pool, const request& req, response& res, Token&& token) {
    return async_spawn<void(boost::system::error_code)>(pool.executor(), pool.send(req, res),
                                                        std::forward<Token>(token));
}

}  // namespace ivschat::http
