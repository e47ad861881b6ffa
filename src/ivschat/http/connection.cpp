#include "ivschat/http/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>

#include <openssl/ssl.h>

#include <array>

namespace ivschat::http {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Sessions kept per pool: a burst of new connections can each resume.
constexpr std::size_t max_cached_sessions = 16;

// SSL_CTX ex_data slot that leads OpenSSL's new-session callback back to the
// pool's opener.
int opener_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

int on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* opener = static_cast<connection_opener*>(
        SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), opener_index()));
    if (opener == nullptr) return 0;
    opener->store_session(session);
    return 1;  // the opener now owns the reference
}

bool is_ip_literal(const std::string& host) {
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

asio::ssl::context make_tls_context(const pool_options& options) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (options.verify_peer) {
        ctx.set_verify_mode(asio::ssl::verify_peer);
        if (!options.ca_file.empty()) ctx.load_verify_file(options.ca_file);
        if (!options.ca_pem.empty()) ctx.add_certificate_authority(asio::buffer(options.ca_pem));
        if (options.ca_file.empty() && options.ca_pem.empty()) ctx.set_default_verify_paths();
    } else {
        ctx.set_verify_mode(asio::ssl::verify_none);
    }
    // Client-side session cache without OpenSSL's internal store: the
    // callback hands each new session (TLS 1.3 tickets arrive after the
    // handshake) to the pool, which offers it to the next handshake.
    SSL_CTX_set_session_cache_mode(ctx.native_handle(),
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx.native_handle(), on_new_session);
    return ctx;
}

}  // namespace

pool_counters pool_counter_cells::snapshot() const noexcept {
    const auto get = [](const std::atomic<std::uint64_t>& cell) {
        return cell.load(std::memory_order_relaxed);
    };
    return {
        .connections_opened = get(connections_opened),
        .connections_reused = get(connections_reused),
        .connections_closed = get(connections_closed),
        .connections_evicted = get(connections_evicted),
        .connect_failures = get(connect_failures),
        .tls_handshakes = get(tls_handshakes),
        .tls_resumed_sessions = get(tls_resumed_sessions),
        .stale_retries = get(stale_retries),
        .live_connections = get(live_connections),
        .idle_connections = get(idle_connections),
        .waiting_callers = get(waiting_callers),
    };
}

connection_opener::connection_opener(endpoint ep, const pool_options& options,
                                     pool_counter_cells& counters)
    : endpoint_(std::move(ep)),
      host_is_ip_(is_ip_literal(endpoint_.host)),
      connect_timeout_(options.connect_timeout),
      handshake_timeout_(options.tls_handshake_timeout),
      dns_refresh_interval_(options.dns_refresh_interval),
      verify_peer_(options.verify_peer),
      counters_(counters) {
    if (endpoint_.tls) {
        tls_.emplace(make_tls_context(options));
        SSL_CTX_set_ex_data(tls_->native_handle(), opener_index(), this);
    }
}

connection_opener::~connection_opener() {
    for (auto* session : sessions_) SSL_SESSION_free(session);
}

asio::ssl::context* connection_opener::tls_context() noexcept {
    return tls_ ? &*tls_ : nullptr;
}

void connection_opener::store_session(SSL_SESSION* session) noexcept {
    if (SSL_SESSION_is_resumable(session) == 0) {
        SSL_SESSION_free(session);
        return;
    }
    std::lock_guard lock(cache_mutex_);
    if (sessions_.size() == max_cached_sessions) {
        SSL_SESSION_free(sessions_.front());
        sessions_.erase(sessions_.begin());
    }
    sessions_.push_back(session);
}

void connection_opener::offer_session(SSL* ssl) noexcept {
    std::lock_guard lock(cache_mutex_);
    while (!sessions_.empty()) {
        SSL_SESSION* session = sessions_.back();
        const bool single_use = SSL_SESSION_get_protocol_version(session) >= TLS1_3_VERSION;
        if (single_use) sessions_.pop_back();
        const bool offered = SSL_SESSION_is_resumable(session) == 1 && SSL_set_session(ssl, session) == 1;
        if (single_use) SSL_SESSION_free(session);
        if (offered) return;
        if (!single_use) {
            SSL_SESSION_free(session);
            sessions_.pop_back();
        }
    }
}

void connection_opener::forget_addresses() noexcept {
    std::lock_guard lock(cache_mutex_);
    addresses_ = {};
}

asio::awaitable<std::pair<error_code, connection_opener::results_type>> connection_opener::addresses(
    const asio::any_io_executor& ex) {
    using namespace asio::experimental::awaitable_operators;
    {
        std::lock_guard lock(cache_mutex_);
        if (!addresses_.empty() &&
            std::chrono::steady_clock::now() - resolved_at_ < dns_refresh_interval_) {
            co_return std::pair{error_code{}, addresses_};
        }
    }
    asio::ip::tcp::resolver resolver(ex);
    asio::steady_timer deadline(ex, connect_timeout_);
    const auto flags = host_is_ip_ ? asio::ip::resolver_base::numeric_host
                                   : asio::ip::resolver_base::flags{};
    auto outcome = co_await (
        resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port), flags, use_tuple) ||
        deadline.async_wait(use_tuple));
    if (outcome.index() == 1) co_return std::pair{error_code{transport_errc::connect_timeout}, results_type{}};
    auto [ec, results] = std::get<0>(std::move(outcome));
    if (ec) co_return std::pair{ec, results_type{}};
    std::lock_guard lock(cache_mutex_);
    addresses_ = results;
    resolved_at_ = std::chrono::steady_clock::now();
    co_return std::pair{error_code{}, std::move(results)};
}

asio::awaitable<error_code> connection_opener::open(connection& conn) {
    auto [resolve_error, addresses] = co_await this->addresses(conn.executor());
    if (resolve_error) co_return resolve_error;

    auto& tcp = conn.tcp();
    tcp.expires_after(connect_timeout_);
    auto [connect_error, connected_to] = co_await tcp.async_connect(addresses, use_tuple);
    if (connect_error) {
        forget_addresses();
        co_return connect_error == boost::beast::error::timeout
            ? error_code{transport_errc::connect_timeout}
            : connect_error;
    }
    error_code option_error;
    tcp.socket().set_option(asio::ip::tcp::no_delay(true), option_error);
    // Non-blocking at the user level too, so looks_closed() can peek.
    tcp.socket().non_blocking(true, option_error);
    if (option_error) co_return option_error;

    if (auto* tls = conn.tls()) {
        SSL* ssl = tls->native_handle();
        if (!host_is_ip_ && SSL_set_tlsext_host_name(ssl, endpoint_.host.c_str()) != 1) {
            co_return error_code{static_cast<int>(ERR_get_error()), asio::error::get_ssl_category()};
        }
        if (verify_peer_) tls->set_verify_callback(asio::ssl::host_name_verification(endpoint_.host));
        offer_session(ssl);
        tcp.expires_after(handshake_timeout_);
        auto [handshake_error] = co_await tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (handshake_error) {
            co_return handshake_error == boost::beast::error::timeout
                ? error_code{transport_errc::tls_handshake_timeout}
                : handshake_error;
        }
        pool_counter_cells::add(counters_.tls_handshakes);
        if (SSL_session_reused(ssl) == 1) pool_counter_cells::add(counters_.tls_resumed_sessions);
    }
    tcp.expires_never();
    co_return error_code{};
}

connection::connection(const asio::any_io_executor& ex, asio::ssl::context* tls)
    : executor_(ex),
      stream_(tls != nullptr ? decltype(stream_){std::in_place_type<tls_stream>, executor_, *tls}
                             : decltype(stream_){std::in_place_type<plain_stream>, executor_}) {}

connection::plain_stream& connection::tcp() noexcept {
    if (auto* s = std::get_if<tls_stream>(&stream_)) return s->next_layer();
    return std::get<plain_stream>(stream_);
}

bool connection::looks_closed() {
    char byte;
    error_code ec;
    tcp().socket().receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return false;
    if (ec) return true;  // end of stream or reset
    // Bytes while idle: over plain HTTP the server broke the framing; over
    // TLS they may be post-handshake messages (TLS 1.3 session tickets on a
    // connection that has not read yet) that the next read consumes.
    return tls() == nullptr;
}

void connection::close() noexcept {
    error_code ignored;
    tcp().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
    reusable_ = false;
}

template <class Stream>
asio::awaitable<error_code> connection::exchange_on(Stream& stream, const request& req, response& res,
                                                    std::chrono::milliseconds timeout,
                                                    std::uint64_t max_body) {
    co_await asio::this_coro::throw_if_cancelled(false);
    if (auto ec = write_request_head(req, head_)) co_return ec;
    // Until the exchange completes in full, the connection counts as broken:
    // a cancellation or failure at any step leaves it unusable.
    reusable_ = false;
    failed_before_response_ = true;
    tcp().expires_after(timeout);
    const std::array<asio::const_buffer, 2> message{asio::buffer(head_), asio::buffer(req.body)};
    auto [write_error, written] = co_await asio::async_write(stream, message, use_tuple);
    if (write_error) {
        co_return write_error == boost::beast::error::timeout
            ? error_code{transport_errc::exchange_timeout}
            : write_error;
    }
    response_parser parser(res, max_body);
    auto [read_error, read] = co_await boost::beast::http::async_read(stream, read_buffer_, parser, use_tuple);
    const bool got_response_bytes = parser.got_some() || read_buffer_.size() > 0;
    failed_before_response_ = !got_response_bytes;
    if (read_error) co_return classify_read_error(read_error, got_response_bytes);
    tcp().expires_never();
    ++exchanges_;
    // Bytes after the response mean the server and we disagree on framing.
    reusable_ = parser.keep_alive() && read_buffer_.size() == 0;
    co_return error_code{};
}

asio::awaitable<error_code> connection::exchange(const request& req, response& res,
                                                 std::chrono::milliseconds timeout,
                                                 std::uint64_t max_body) {
    // Not a coroutine itself: one coroutine frame per exchange, not two.
    if (auto* s = std::get_if<tls_stream>(&stream_)) return exchange_on(*s, req, res, timeout, max_body);
    return exchange_on(std::get<plain_stream>(stream_), req, res, timeout, max_body);
}

asio::any_io_executor make_strand_executor(const asio::any_io_executor& ex) {
    if (const auto* io = ex.target<asio::io_context::executor_type>()) return asio::make_strand(*io);
    return asio::make_strand(ex);
}

bool is_closed_connection_error(const error_code& ec) noexcept {
    return ec == transport_errc::closed_before_response || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

}  // namespace ivschat::http
