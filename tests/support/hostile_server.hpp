#pragma once

// A scriptable hostile HTTP/1.1 server on 127.0.0.1, plain or TLS with a
// certificate from the throwaway CA, for the hostile suite (tests/hostile/).
// Each accepted connection runs the test's script, a coroutine that reads
// requests and writes whatever bytes it likes, pauses, resets, or never
// answers. It runs on its own thread.

#include <ivschat/throwaway_ca.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>

namespace ivschat::test {

/// One connection as a script sees it.
class hostile_session {
public:
    using stream_type = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    hostile_session(stream_type& stream, bool tls, std::atomic<std::size_t>& requests)
        : stream_(stream), tls_(tls), requests_(requests) {}

    /// Reads one request (headers and a body up to 1 MiB); false when the
    /// client closed or sent something that is not a request.
    boost::asio::awaitable<bool> read_request() {
        namespace http = boost::beast::http;
        http::request_parser<http::string_body> parser;
        parser.body_limit(1024 * 1024);
        // No co_await inside ?: (g++ 12 miscompiles it).
        boost::system::error_code ec;
        if (tls_) {
            std::tie(ec, std::ignore) = co_await http::async_read(stream_, buffer_, parser, tuple);
        } else {
            std::tie(ec, std::ignore) = co_await http::async_read(stream_.next_layer(), buffer_, parser, tuple);
        }
        if (ec) co_return false;
        request_ = parser.release();
        ++requests_;
        co_return true;
    }

    /// The last request read.
    const boost::beast::http::request<boost::beast::http::string_body>& request() const { return request_; }

    /// Writes `bytes`; false once the client has gone.
    boost::asio::awaitable<bool> send(std::string_view bytes) {
        boost::system::error_code ec;
        if (tls_) {
            std::tie(ec, std::ignore) = co_await boost::asio::async_write(stream_, boost::asio::buffer(bytes), tuple);
        } else {
            std::tie(ec, std::ignore) =
                co_await boost::asio::async_write(stream_.next_layer(), boost::asio::buffer(bytes), tuple);
        }
        co_return !ec;
    }


    boost::asio::awaitable<void> pause(std::chrono::milliseconds d) {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
        co_await timer.async_wait(tuple);
    }

    /// Waits until the client closes (or `limit` passes), reading and
    /// dropping what it sends.
    boost::asio::awaitable<void> wait_for_close(std::chrono::milliseconds limit = std::chrono::seconds{30}) {
        auto& tcp = stream_.next_layer();
        tcp.expires_after(limit);
        char scratch[4096];
        for (;;) {
            auto [ec, n] = co_await tcp.async_read_some(boost::asio::buffer(scratch), tuple);
            if (ec) co_return;
        }
    }

    /// Closes with a TCP reset (RST) instead of a FIN.
    void reset() {
        boost::system::error_code ignored;
        auto& socket = stream_.next_layer().socket();
        socket.set_option(boost::asio::socket_base::linger(true, 0), ignored);
        socket.close(ignored);
    }

private:
    static constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

    stream_type& stream_;
    bool tls_;
    std::atomic<std::size_t>& requests_;
    boost::beast::flat_buffer buffer_;
    boost::beast::http::request<boost::beast::http::string_body> request_;
};

/// What a connection does: the test's script. The connection is closed when
/// the script returns. Scripts keep each co_await in a statement of its own:
/// g++ 12 miscompiles co_await inside ?:, && and || and destroys temporaries
/// of a co_await expression twice.
using hostile_script = std::function<boost::asio::awaitable<void>(hostile_session&)>;

/// Answers every request on the connection with `bytes`.
inline hostile_script answer_each(std::string bytes) {
    return [bytes = std::move(bytes)](hostile_session& s) -> boost::asio::awaitable<void> {
        for (;;) {
            const bool got = co_await s.read_request();
            if (!got) co_return;
            const bool sent = co_await s.send(bytes);
            if (!sent) co_return;
        }
    };
}

/// Reads one request, sends `bytes`, closes.
inline hostile_script answer_once_and_close(std::string bytes) {
    return [bytes = std::move(bytes)](hostile_session& s) -> boost::asio::awaitable<void> {
        const bool got = co_await s.read_request();
        if (got) co_await s.send(bytes);
    };
}

/// Reads one request, sends `head`, then `piece` again and again (every
/// `pause` when not zero) until the client goes away.
inline hostile_script answer_endlessly(std::string head, std::string piece,
                                       std::chrono::milliseconds pause = std::chrono::milliseconds{0}) {
    return [head = std::move(head), piece = std::move(piece), pause](hostile_session& s) -> boost::asio::awaitable<void> {
        const bool got = co_await s.read_request();
        if (!got) co_return;
        bool sent = co_await s.send(head);
        while (sent) {
            if (pause.count() > 0) co_await s.pause(pause);
            sent = co_await s.send(piece);
        }
    };
}

struct hostile_server_options {
    bool tls = false;
    /// TLS: the certificate's names and validity.
    testing::server_certificate_options certificate{};
    /// TLS: send the CA certificate along in the chain (a client that does
    /// not trust it sees a self-signed certificate in the chain).
    bool send_ca_in_chain = false;
};

class hostile_server {
public:
    explicit hostile_server(hostile_script script, hostile_server_options options = {})
        : script_(std::move(script)), tls_(options.tls), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        if (tls_) {
            credentials_ = ca_.issue_server_certificate(options.certificate);
            ssl_.emplace(boost::asio::ssl::context::tls_server);
            std::string chain = credentials_.server_cert_pem;
            if (options.send_ca_in_chain) chain += credentials_.ca_cert_pem;
            ssl_->use_certificate_chain(boost::asio::buffer(chain));
            ssl_->use_private_key(boost::asio::buffer(credentials_.server_key_pem), boost::asio::ssl::context::pem);
        } else {
            ssl_.emplace(boost::asio::ssl::context::tls_server);  // unused: the stream type needs one
        }
        boost::asio::co_spawn(ioc_, accept_loop(), boost::asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }

    ~hostile_server() {
        ioc_.stop();
        thread_.join();
    }
    hostile_server(const hostile_server&) = delete;
    hostile_server& operator=(const hostile_server&) = delete;

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    /// "http://127.0.0.1:<port>" or "https://localhost:<port>".
    std::string url() const {
        return tls_ ? "https://localhost:" + std::to_string(port()) : "http://127.0.0.1:" + std::to_string(port());
    }
    /// The CA that issued the server's certificate.
    const std::string& ca_pem() const { return ca_.cert_pem(); }

    std::size_t connections_accepted() const { return accepted_; }
    std::size_t requests_read() const { return requests_; }

private:
    boost::asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec) co_return;
            ++accepted_;
            boost::asio::co_spawn(ioc_, serve(std::move(socket)), boost::asio::detached);
        }
    }

    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket) {
        hostile_session::stream_type stream(boost::beast::tcp_stream(std::move(socket)), *ssl_);
        if (tls_) {
            auto [ec] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server,
                                                        boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec) co_return;
        }
        hostile_session session(stream, tls_, requests_);
        co_await script_(session);
    }

    hostile_script script_;
    bool tls_;
    testing::throwaway_ca ca_;
    testing::server_credentials credentials_;
    std::optional<boost::asio::ssl::context> ssl_;
    // Before ioc_: the sessions' frames, destroyed with ioc_, point at them.
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> requests_{0};
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
};

}  // namespace ivschat::test
