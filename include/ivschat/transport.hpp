#pragma once

#include <ivschat/export.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

/// The HTTP transport's settings, counters and errors: what a user of the
/// client configures and observes about its keep-alive connection pool.
namespace ivschat {

/// How one endpoint's connection pool behaves. Every member has a default, so
/// designated initializers may name only what they change.
struct IVSCHAT_API pool_options {
    /// Live connections (connecting, in use or idle) at most.
    std::size_t max_connections = 64;
    /// Callers waiting for a connection at most; one more fails at once with
    /// transport_errc::too_many_waiters.
    std::size_t max_waiters = 4096;
    /// How long a caller waits for a connection before
    /// transport_errc::acquire_timeout. The AWS SDK for Java v2 default
    /// (SdkHttpConfigurationOption.CONNECTION_ACQUIRE_TIMEOUT).
    std::chrono::milliseconds acquire_timeout = std::chrono::seconds{10};
    /// A connection that has waited unused in the pool this long is closed
    /// (the time counts from its last exchange, not from its opening). The
    /// AWS SDK for Java v2 default (SdkHttpConfigurationOption.CONNECTION_MAX_IDLE_TIMEOUT).
    std::chrono::milliseconds idle_timeout = std::chrono::seconds{60};
    /// An idle connection reused after at least this long is first checked
    /// for a close by the server (one non-blocking peek at its socket);
    /// connections reused sooner are not, and async_send's stale-connection
    /// rule covers a close that races with reuse. Zero checks every reuse.
    /// Apache HttpClient's default (PoolingHttpClientConnectionManager
    /// validateAfterInactivity, 2 s).
    std::chrono::milliseconds validate_after_idle = std::chrono::seconds{2};
    /// Exchanges per connection before it is closed instead of reused;
    /// 0 means no limit.
    std::size_t max_requests_per_connection = 0;
    /// DNS resolution plus TCP connect. AWS SDK for Java v2 default
    /// (SdkHttpConfigurationOption.CONNECTION_TIMEOUT).
    std::chrono::milliseconds connect_timeout = std::chrono::seconds{2};
    /// TLS handshake. AWS SDK for Java v2 default
    /// (SdkHttpConfigurationOption.TLS_NEGOTIATION_TIMEOUT).
    std::chrono::milliseconds tls_handshake_timeout = std::chrono::seconds{5};
    /// Writing one request and reading its whole response. AWS SDK for Java v2
    /// default socket read timeout (SdkHttpConfigurationOption.READ_TIMEOUT).
    std::chrono::milliseconds exchange_timeout = std::chrono::seconds{30};
    /// Resolved addresses are reused this long, and re-resolved at once after
    /// a failed connect.
    std::chrono::milliseconds dns_refresh_interval = std::chrono::seconds{60};
    /// A response body larger than this fails with
    /// transport_errc::response_too_large before it is buffered. The default
    /// is the longest body a valid response can have by the service model
    /// (a ListLoggingConfigurations page, every string at its maximum length
    /// and fully JSON-escaped: 6,068,388 bytes) rounded up to a whole MiB;
    /// tools/generate_model.py computes it, docs/limits.md explains it.
    std::size_t max_response_body = 6 * 1024 * 1024;
    /// The pool (and a client's calls, which run on the pool's executor)
    /// works on a strand it makes from the executor it is given, so that it
    /// may be used from any thread and on an io_context run by several
    /// threads. false: it works directly on the given executor, which must
    /// then run one handler at a time (an io_context run by one thread, the
    /// common one-io_context-per-thread server, or a strand of the caller's);
    /// this saves a strand dispatch on every I/O completion. Boost.MySQL's
    /// connection_pool has the same switch (pool_params::thread_safe).
    bool thread_safe = true;
    /// TLS only: verify the server's certificate chain and host name.
    bool verify_peer = true;
    /// TLS only: a PEM file of trusted CAs (what AWS_CA_BUNDLE names). Empty:
    /// the system's default trust store, unless ca_pem is set.
    std::string ca_file{};
    /// TLS only: trusted CAs as PEM text, added to ca_file if both are set.
    std::string ca_pem{};
};

/// A snapshot of one pool's counters. Totals count since the pool was
/// created; the three gauges are the state at the time of the snapshot.
struct IVSCHAT_API pool_counters {
    /// TCP connections established (and, for https, handshaken).
    std::uint64_t connections_opened = 0;
    /// Acquisitions served by an idle connection instead of a new one.
    std::uint64_t connections_reused = 0;
    /// Connections closed for any reason, including evictions.
    std::uint64_t connections_closed = 0;
    /// Of those, idle connections closed by the idle timeout or found closed
    /// by the server while idle.
    std::uint64_t connections_evicted = 0;
    /// Opening attempts that failed (resolve, connect or handshake).
    std::uint64_t connect_failures = 0;
    /// TLS handshakes completed, and how many of them resumed a session.
    std::uint64_t tls_handshakes = 0;
    /// TLS handshakes that resumed a session.
    std::uint64_t tls_resumed_sessions = 0;
    /// Requests sent again because a reused connection turned out closed.
    std::uint64_t stale_retries = 0;
    /// Connections open now, idle or in use.
    std::uint64_t live_connections = 0;
    /// Open connections waiting for a request.
    std::uint64_t idle_connections = 0;
    /// Calls waiting for a connection.
    std::uint64_t waiting_callers = 0;
};

/// Transport failures that are not plain socket or TLS errors (those arrive
/// as the asio::error / asio::ssl::error codes OpenSSL and the OS report).
enum class transport_errc {
    /// No connection became available within pool_options::acquire_timeout.
    acquire_timeout = 1,
    /// pool_options::max_waiters callers were already waiting.
    too_many_waiters,
    /// The pool was destroyed while the caller waited.
    pool_closed,
    connect_timeout,
    tls_handshake_timeout,
    /// The request was not answered in full within exchange_timeout.
    exchange_timeout,
    /// The server closed the connection before sending any response byte.
    closed_before_response,
    /// The server closed the connection in the middle of a response.
    truncated_response,
    /// The response is not valid HTTP/1.1.
    malformed_response,
    /// The response's headers or body exceed the configured limits.
    response_too_large,
    /// The request has a method, target or header that cannot go on the
    /// wire (CR, LF or other control characters, empty method or target).
    invalid_request,
};

/// The category of transport_errc, named "ivschat.transport".
IVSCHAT_API const boost::system::error_category& transport_category() noexcept;

/// Lets `boost::system::error_code ec = ivschat::transport_errc::...;` work.
inline boost::system::error_code make_error_code(transport_errc e) noexcept {
    return {static_cast<int>(e), transport_category()};
}

}  // namespace ivschat

//! @cond
template <>
struct boost::system::is_error_code_enum<ivschat::transport_errc> : std::true_type {};
//! @endcond
