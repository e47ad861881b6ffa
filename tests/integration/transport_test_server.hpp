#pragma once

// A small HTTP/1.1 server on 127.0.0.1 (plain or TLS with a throwaway CA) for
// the transport's tests. It runs on its own thread and misbehaves on command.

#include <ivschat/throwaway_ca.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

namespace ivschat::test {

namespace asio = boost::asio;
namespace beast = boost::beast;

/// What the server does with each request it reads.
enum class behaviour {
    /// 200 with Content-Length; body "<method> <target> <body>".
    respond,
    /// The same body, chunked in pieces of 3 bytes.
    respond_chunked,
    /// Respond, then close the connection without Connection: close.
    respond_then_close,
    /// Respond with Connection: close (and close).
    respond_connection_close,
    /// Close without responding.
    close_without_response,
    /// Send part of the status line, then reset the connection (RST).
    reset_mid_response,
    /// Announce 100 body bytes, send 10, close.
    truncate_body,
    /// A status line that is not HTTP.
    malformed_status,
    /// Announce a 100 MB body and start sending it.
    huge_body,
    /// Wait `delay` before responding.
    delay_response,
    /// Send a response followed by extra bytes.
    respond_with_garbage_after,
};

class test_server {
public:
    /// `tls`: serve HTTPS with a certificate for `names` (default 127.0.0.1
    /// and localhost) from `ca` (a fresh CA when null).
    explicit test_server(bool tls, const testing::throwaway_ca* ca = nullptr,
                         const testing::server_certificate_options& names = {})
        : tls_(tls), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
        if (tls_) {
            const testing::throwaway_ca own_ca;
            credentials_ = (ca != nullptr ? *ca : own_ca).issue_server_certificate(names);
            ssl_.emplace(asio::ssl::context::tls_server);
            ssl_->use_certificate_chain(asio::buffer(credentials_.server_cert_pem));
            ssl_->use_private_key(asio::buffer(credentials_.server_key_pem), asio::ssl::context::pem);
        }
        asio::co_spawn(ioc_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }

    ~test_server() {
        ioc_.stop();
        thread_.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    const std::string& ca_pem() const { return credentials_.ca_cert_pem; }

    void set_behaviour(behaviour b) { behaviour_ = b; }
    /// `b` for the next request only, then back to set_behaviour's.
    void set_next_behaviour(behaviour b) { next_behaviour_ = static_cast<int>(b); }
    void set_delay(std::chrono::milliseconds d) { delay_ms_ = d.count(); }

    /// Closes every connection that is waiting for its next request, as a
    /// server's keep-alive timeout does; returns how many it closed.
    std::size_t close_idle_connections() {
        return asio::post(ioc_, asio::use_future([this] {
                   std::size_t closed = 0;
                   for (auto* s : idle_) {
                       beast::error_code ignored;
                       s->socket().close(ignored);
                       ++closed;
                   }
                   idle_.clear();
                   return closed;
               })).get();
    }

    // Counts seen by the server. A client's connect or handshake completes
    // before the server's side of it, so `at_least` waits (a second at most)
    // for the server to catch up.
    std::size_t connections_accepted(std::size_t at_least = 0) const { return wait_for(accepted_, at_least); }
    std::size_t requests_read() const { return requests_; }
    std::size_t tls_resumed(std::size_t at_least = 0) const { return wait_for(resumed_, at_least); }

private:
    static std::size_t wait_for(const std::atomic<std::size_t>& count, std::size_t at_least) {
        for (int i = 0; i < 200 && count < at_least; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return count;
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            ++accepted_;
            asio::co_spawn(ioc_, serve(std::move(socket)), asio::detached);
        }
    }

    asio::awaitable<void> serve(asio::ip::tcp::socket socket) {
        if (!tls_) {
            beast::tcp_stream stream(std::move(socket));
            co_await session(stream);
            co_return;
        }
        beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ssl_);
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server,
                                                    asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        if (SSL_session_reused(stream.native_handle()) == 1) ++resumed_;
        co_await session(stream);
    }

    template <class Stream>
    asio::awaitable<void> session(Stream& stream) {
        namespace http = beast::http;
        constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
        auto& tcp = beast::get_lowest_layer(stream);
        beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            idle_.insert(&tcp);
            auto [read_error, n] = co_await http::async_read(stream, buffer, req, tuple);
            idle_.erase(&tcp);
            if (read_error) co_return;
            ++requests_;
            const std::string body = std::string(req.method_string()) + " " +
                                     std::string(req.target()) + " " + req.body();
            const std::string ok_head = "HTTP/1.1 200 OK\r\nx-amzn-RequestId: req-" +
                                        std::to_string(requests_.load()) +
                                        "\r\nContent-Type: text/plain\r\n";
            std::string out;
            bool close_after = false;
            const int next = next_behaviour_.exchange(-1);
            switch (next >= 0 ? static_cast<behaviour>(next) : behaviour_.load()) {
            case behaviour::respond:
                out = ok_head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
                break;
            case behaviour::respond_chunked:
                out = ok_head + "Transfer-Encoding: chunked\r\n\r\n";
                for (std::size_t i = 0; i < body.size(); i += 3) {
                    const auto piece = body.substr(i, 3);
                    out += std::to_string(piece.size()) + "\r\n" + piece + "\r\n";
                }
                out += "0\r\n\r\n";
                break;
            case behaviour::respond_then_close:
                out = ok_head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
                close_after = true;
                break;
            case behaviour::respond_connection_close:
                out = ok_head + "Connection: close\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\n\r\n" + body;
                close_after = true;
                break;
            case behaviour::close_without_response:
                co_return;
            case behaviour::reset_mid_response: {
                co_await asio::async_write(stream, asio::buffer(std::string_view("HTTP/1.1 20")), tuple);
                beast::error_code ignored;
                tcp.socket().set_option(asio::socket_base::linger(true, 0), ignored);
                tcp.socket().close(ignored);
                co_return;
            }
            case behaviour::truncate_body:
                out = ok_head + "Content-Length: 100\r\n\r\n0123456789";
                close_after = true;
                break;
            case behaviour::malformed_status:
                out = "HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
                break;
            case behaviour::huge_body:
                out = ok_head + "Content-Length: 100000000\r\n\r\n" + std::string(4096, 'x');
                break;
            case behaviour::delay_response: {
                asio::steady_timer timer(co_await asio::this_coro::executor,
                                         std::chrono::milliseconds(delay_ms_.load()));
                co_await timer.async_wait(tuple);
                out = ok_head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
                break;
            }
            case behaviour::respond_with_garbage_after:
                out = ok_head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body +
                      "garbage";
                break;
            }
            auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(out), tuple);
            if (write_error || close_after) co_return;
        }
    }

    bool tls_;
    testing::server_credentials credentials_;
    std::optional<asio::ssl::context> ssl_;
    asio::io_context ioc_;
    asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
    std::set<beast::tcp_stream*> idle_;
    std::atomic<behaviour> behaviour_{behaviour::respond};
    std::atomic<int> next_behaviour_{-1};
    std::atomic<long> delay_ms_{0};
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> requests_{0};
    std::atomic<std::size_t> resumed_{0};
};

}  // namespace ivschat::test
