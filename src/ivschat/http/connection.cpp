#include "ivschat/http/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <tuple>

namespace ivschat::http {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Sessions kept per pool: a burst of new connections can each resume.
constexpr std::size_t max_cached_sessions = 16;
// Bytes asked of one socket read: a whole typical response in one go, while
// a buffer only grows when a message needs it.
constexpr std::size_t min_read_size = 4096;
constexpr std::size_t max_read_size = 65536;

boost::beast::flat_buffer::mutable_buffers_type prepare_read(boost::beast::flat_buffer& buffer) {
    const std::size_t spare = buffer.capacity() - buffer.size();
    return buffer.prepare(std::clamp(spare, min_read_size, max_read_size));
}

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
    const asio::any_io_executor& ex, std::chrono::steady_clock::duration timeout) {
    using namespace asio::experimental::awaitable_operators;
    {
        std::lock_guard lock(cache_mutex_);
        if (!addresses_.empty() &&
            std::chrono::steady_clock::now() - resolved_at_ < dns_refresh_interval_) {
            co_return std::pair{error_code{}, addresses_};
        }
    }
    asio::ip::tcp::resolver resolver(ex);
    asio::steady_timer deadline(ex, timeout);
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

asio::awaitable<error_code> connection_opener::open(connection& conn, deadline limit) {
    auto [resolve_error, addresses] = co_await this->addresses(conn.executor(), limit.bound(connect_timeout_));
    if (resolve_error) co_return resolve_error;
    if (const error_code connect_error = co_await conn.connect(addresses, limit.bound(connect_timeout_))) {
        forget_addresses();
        co_return connect_error;
    }
    if (SSL* ssl = conn.ssl()) {
        if (const error_code name_error = expect_peer_name(ssl, endpoint_.host, host_is_ip_, verify_peer_)) {
            co_return name_error;
        }
        offer_session(ssl);
        if (const error_code handshake_error = co_await conn.handshake(limit.bound(handshake_timeout_))) {
            co_return handshake_error;
        }
        pool_counter_cells::add(counters_.tls_handshakes);
        if (SSL_session_reused(ssl) == 1) pool_counter_cells::add(counters_.tls_resumed_sessions);
    }
    co_return error_code{};
}

connection::connection(const asio::any_io_executor& ex, asio::ssl::context* tls, deadline_watch& deadlines)
    : executor_(ex), deadlines_(deadlines), socket_(executor_) {
    if (tls != nullptr) tls_.emplace(tls->native_handle());
}

asio::awaitable<error_code> connection::connect(const addresses_type& addresses,
                                                std::chrono::steady_clock::duration timeout) {
    const deadline_watch::guard deadline(deadlines_, *this, timeout);
    error_code ec = asio::error::host_not_found;
    for (const auto& address : addresses) {
        error_code ignored;
        socket_.close(ignored);
        std::tie(ec) = co_await socket_.async_connect(address.endpoint(), use_tuple);
        if (!ec || ec == asio::error::operation_aborted || expired()) break;
    }
    if (expired()) co_return transport_errc::connect_timeout;
    if (ec) co_return ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    // Non-blocking at the user level too, so looks_closed() can peek.
    if (!ec) socket_.non_blocking(true, ec);
    co_return ec;
}

bool connection::looks_closed() {
    char byte;
    error_code ec;
    socket_.receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return false;
    if (ec) return true;  // end of stream or reset
    // Bytes while idle: over plain HTTP the server broke the framing; over
    // TLS they may be post-handshake messages (TLS 1.3 session tickets on a
    // connection that has not read yet) that the next read consumes.
    return !tls_;
}

void connection::close() noexcept {
    error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    reusable_ = false;
}

asio::awaitable<error_code> connection::flush_tls_output() {
    auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(tls_->output()), use_tuple);
    tls_->output().clear();
    co_return ec;
}

asio::awaitable<error_code> connection::handshake(std::chrono::steady_clock::duration timeout) {
    const deadline_watch::guard deadline(deadlines_, *this, timeout);
    for (;;) {
        error_code ec;
        const auto step = tls_->handshake(ec);
        if (!tls_->output().empty()) {
            const error_code write_error = co_await flush_tls_output();
            if (expired()) co_return transport_errc::tls_handshake_timeout;
            if (write_error && step != tls_engine::status::failed) co_return write_error;
        }
        switch (step) {
        case tls_engine::status::done:
            co_return error_code{};
        case tls_engine::status::failed:
            co_return ec;
        case tls_engine::status::closed:
            co_return error_code{asio::ssl::error::stream_truncated};
        case tls_engine::status::want_input:
            break;
        }
        auto [read_error, n] = co_await socket_.async_read_some(prepare_read(tls_->input()), use_tuple);
        if (expired()) co_return transport_errc::tls_handshake_timeout;
        if (read_error) co_return read_error == asio::error::eof ? error_code{asio::ssl::error::stream_truncated} : read_error;
        tls_->input().commit(n);
    }
}

// One coroutine frame per exchange: the write, the reads and the TLS steps
// are all inline.
asio::awaitable<error_code> connection::exchange(const request& req, response& res,
                                                 std::chrono::steady_clock::duration timeout,
                                                 std::uint64_t max_body) {
    namespace beast_http = boost::beast::http;
    co_await asio::this_coro::throw_if_cancelled(false);
    if (auto ec = write_request_head(req, head_)) co_return ec;
    // Until the exchange completes in full, the connection counts as broken:
    // a cancellation or failure at any step leaves it unusable.
    reusable_ = false;
    failed_before_response_ = true;
    const deadline_watch::guard deadline(deadlines_, *this, timeout);

    error_code write_error;
    if (tls_) {
        // The whole request in one SSL_write: one record up to 16 KB.
        head_.append(req.body);
        if (tls_->write(asio::buffer(head_), write_error) == tls_engine::status::done) {
            std::tie(write_error, std::ignore) =
                co_await asio::async_write(socket_, asio::buffer(tls_->output()), use_tuple);
            tls_->output().clear();
        }
    } else {
        const std::array<asio::const_buffer, 2> message{asio::buffer(head_), asio::buffer(req.body)};
        std::tie(write_error, std::ignore) = co_await asio::async_write(socket_, message, use_tuple);
    }
    if (expired()) co_return transport_errc::exchange_timeout;
    if (write_error) co_return write_error;

    response_reader reader(res, max_body);
    error_code read_error;
    for (;;) {
        read_error = parse_buffered(reader, read_buffer_);
        if (read_error != beast_http::error::need_more) break;
        // More of the response: plaintext straight from the socket, or
        // decrypted from what the socket delivers.
        std::size_t n = 0;
        read_error = {};
        if (!tls_) {
            std::tie(read_error, n) = co_await socket_.async_read_some(prepare_read(read_buffer_), use_tuple);
        } else {
            for (;;) {
                const auto step = tls_->read(prepare_read(read_buffer_), n, read_error);
                if (step == tls_engine::status::closed) read_error = asio::error::eof;
                if (step != tls_engine::status::want_input) break;
                // A key update or session ticket may want an answer first.
                if (!tls_->output().empty()) {
                    read_error = co_await flush_tls_output();
                    if (read_error) break;
                }
                auto [socket_error, got] = co_await socket_.async_read_some(prepare_read(tls_->input()), use_tuple);
                if (socket_error) {
                    // The server closed TCP without close_notify.
                    read_error = socket_error == asio::error::eof ? error_code{asio::ssl::error::stream_truncated}
                                                                  : socket_error;
                    break;
                }
                tls_->input().commit(got);
            }
        }
        if (read_error == asio::error::eof) {
            read_error = parse_end_of_stream(reader);
            break;
        }
        if (read_error) break;
        // A cancellation that came while this read's completion was queued
        // reached no operation: stop here rather than at the next deadline.
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) {
            read_error = asio::error::operation_aborted;
            break;
        }
        read_buffer_.commit(n);
    }
    const bool got_response_bytes = reader.got_some() || read_buffer_.size() > 0;
    failed_before_response_ = !got_response_bytes;
    if (expired()) co_return transport_errc::exchange_timeout;
    if (read_error) co_return classify_read_error(read_error, got_response_bytes);
    ++exchanges_;
    // Bytes after the response mean the server and we disagree on framing.
    reusable_ = reader.keep_alive() && read_buffer_.size() == 0;
    co_return error_code{};
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
