#pragma once

#include "ivschat/http/deadline_watch.hpp"
#include "ivschat/http/message.hpp"
#include "ivschat/http/tls_engine.hpp"

#include <ivschat/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/intrusive/list_hook.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ivschat::http {

/// Where a pool connects: scheme http or https, host (name or IP literal)
/// and port.
struct endpoint {
    bool tls = true;
    std::string host{};
    std::uint16_t port = 443;
};

/// An optional point in time that bounds every step of a request (the
/// caller's call or attempt timeout), on top of each step's own timeout.
struct deadline {
    std::optional<std::chrono::steady_clock::time_point> at{};

    /// `timeout`, or less when the deadline comes first (zero once it passed).
    std::chrono::steady_clock::duration bound(std::chrono::steady_clock::duration timeout) const noexcept {
        if (!at) return timeout;
        const auto left = *at - std::chrono::steady_clock::now();
        return std::max(std::chrono::steady_clock::duration::zero(), std::min(timeout, left));
    }
};

/// The pool's counters, written from several strands and read from any
/// thread (relaxed atomics: each is an independent tally).
struct pool_counter_cells {
    std::atomic<std::uint64_t> connections_opened{0};
    std::atomic<std::uint64_t> connections_reused{0};
    std::atomic<std::uint64_t> connections_closed{0};
    std::atomic<std::uint64_t> connections_evicted{0};
    std::atomic<std::uint64_t> connect_failures{0};
    std::atomic<std::uint64_t> tls_handshakes{0};
    std::atomic<std::uint64_t> tls_resumed_sessions{0};
    std::atomic<std::uint64_t> stale_retries{0};
    std::atomic<std::uint64_t> live_connections{0};
    std::atomic<std::uint64_t> idle_connections{0};
    std::atomic<std::uint64_t> waiting_callers{0};

    static void add(std::atomic<std::uint64_t>& cell) noexcept {
        cell.fetch_add(1, std::memory_order_relaxed);
    }
    pool_counters snapshot() const noexcept;
};

class connection;

/// What every connection of one pool shares for opening: the endpoint, the
/// TLS context, the resolved addresses and the latest TLS session. Opening
/// is off the hot path, so the address and session caches sit behind a small
/// mutex; exchanges never touch it.
class connection_opener {
public:
    /// Throws boost::system::system_error if the TLS context cannot be set up
    /// (e.g. an unreadable CA file).
    connection_opener(endpoint ep, const pool_options& options, pool_counter_cells& counters);
    ~connection_opener();
    connection_opener(const connection_opener&) = delete;
    connection_opener& operator=(const connection_opener&) = delete;

    /// Resolves (or reuses addresses), connects and, for https, handshakes,
    /// each step with its own timeout, none past `limit`. Runs on
    /// `conn`'s executor.
    boost::asio::awaitable<boost::system::error_code> open(connection& conn, deadline limit = {});

    boost::asio::ssl::context* tls_context() noexcept;
    const endpoint& target() const noexcept { return endpoint_; }

    /// Keeps a session a server issued on one of the pool's connections for
    /// a later handshake (takes over the caller's reference).
    void store_session(SSL_SESSION* session) noexcept;

private:
    using results_type = boost::asio::ip::tcp::resolver::results_type;

    boost::asio::awaitable<std::pair<boost::system::error_code, results_type>> addresses(
        const boost::asio::any_io_executor& ex, std::chrono::steady_clock::duration timeout);
    void forget_addresses() noexcept;
    void offer_session(SSL* ssl) noexcept;

    endpoint endpoint_;
    bool host_is_ip_;
    std::chrono::milliseconds connect_timeout_;
    std::chrono::milliseconds handshake_timeout_;
    std::chrono::milliseconds dns_refresh_interval_;
    bool verify_peer_;
    std::optional<boost::asio::ssl::context> tls_;
    pool_counter_cells& counters_;

    std::mutex cache_mutex_;
    results_type addresses_;
    std::chrono::steady_clock::time_point resolved_at_{};
    // Most recent last. TLS 1.3 tickets are single-use (OpenSSL's client
    // marks a session not resumable once used), so each is handed out once;
    // a TLS 1.2 session stays for every connection.
    std::vector<SSL_SESSION*> sessions_;
};

/// Links a connection into its pool's list of leased connections.
using lease_hook = boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

/// One keep-alive HTTP/1.1 connection, plain or TLS, with reused buffers.
/// Used by one caller at a time (the pool's lease); the hook links it into
/// the pool's list of leased connections. Its I/O runs on the
/// executor it is given: the pool's strand, so that a call's bookkeeping and
/// I/O never hop between strands. TLS runs in a tls_engine over the socket,
/// so that reading and writing a message is one loop for both, and every
/// timeout is a deadline in the pool's deadline_watch.
class connection final : public lease_hook, public deadline_watch::entry {
public:
    using executor_type = boost::asio::any_io_executor;
    using addresses_type = boost::asio::ip::tcp::resolver::results_type;

    /// `tls` null: plain HTTP. `deadlines` runs on `ex` and outlives the
    /// connection's operations.
    connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context* tls,
               deadline_watch& deadlines);

    /// Connects to the first of `addresses` that accepts within `timeout`
    /// for all (transport_errc::connect_timeout past it). Must run on
    /// executor(), as every operation here.
    boost::asio::awaitable<boost::system::error_code> connect(const addresses_type& addresses,
                                                              std::chrono::steady_clock::duration timeout);

    /// The TLS handshake on a connected TLS connection
    /// (transport_errc::tls_handshake_timeout past `timeout`).
    boost::asio::awaitable<boost::system::error_code> handshake(std::chrono::steady_clock::duration timeout);

    /// Writes `req` and reads the response into `res` within `timeout`,
    /// refusing a body over `max_body`. Reports cancellation as
    /// operation_aborted rather than an exception (it sets
    /// this_coro::throw_if_cancelled(false) for the coroutine it runs in).
    /// After a failure the connection is not reusable.
    boost::asio::awaitable<boost::system::error_code> exchange(const request& req, response& res,
                                                               std::chrono::steady_clock::duration timeout,
                                                               std::uint64_t max_body);

    /// An idle connection the server has closed (or, over plain HTTP, sent
    /// unexpected bytes on) looks closed: one non-blocking peek at the
    /// socket, no I/O wait. A TLS close_notify waiting in front of the
    /// server's FIN is not seen; async_send's stale-connection rule covers
    /// that case.
    bool looks_closed();

    void close() noexcept;

    /// Completed exchanges.
    std::size_t exchanges() const noexcept { return exchanges_; }
    /// False after a failed or cancelled exchange or a response that ends
    /// the connection (Connection: close, HTTP/1.0, extra bytes).
    bool reusable() const noexcept { return reusable_; }
    /// The last exchange failed before any byte of its response arrived.
    bool failed_before_response() const noexcept { return failed_before_response_; }

    const executor_type& executor() const noexcept { return executor_; }
    /// The TLS session, null over plain HTTP.
    SSL* ssl() noexcept { return tls_ ? tls_->native_handle() : nullptr; }

private:
    void on_expired() noexcept override { close(); }
    /// Writes out what the TLS engine has to send.
    boost::asio::awaitable<boost::system::error_code> flush_tls_output();

    executor_type executor_;
    deadline_watch& deadlines_;
    boost::asio::ip::tcp::socket socket_;
    std::optional<tls_engine> tls_;
    boost::beast::flat_buffer read_buffer_;
    std::string head_;
    std::size_t exchanges_ = 0;
    bool reusable_ = true;
    bool failed_before_response_ = false;
};

/// A strand on `ex`'s execution context, type-erased once. On an io_context
/// the strand fits any_io_executor's small buffer, so the many executor copies
/// an operation makes allocate nothing; on other executors it is stored once
/// on the heap and copies share it.
boost::asio::any_io_executor make_strand_executor(const boost::asio::any_io_executor& ex);

/// True for the errors a connection the server closed while it sat idle
/// produces on write or before the first response byte.
bool is_closed_connection_error(const boost::system::error_code& ec) noexcept;

}  // namespace ivschat::http
