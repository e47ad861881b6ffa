#pragma once
// A small HTTP/1.1 server on 127.0.0.1 for the credentials providers' tests:
// it stands in for the container endpoint, IMDS and STS, answering each
// request with what the test's handler returns. One request per connection
// (the providers open a connection per fetch). Plain HTTP, or HTTPS with a
// certificate the test issued.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ivschat::test {

namespace beast_http = boost::beast::http;
using http_request = beast_http::request<beast_http::string_body>;
using http_response = beast_http::response<beast_http::string_body>;

inline http_response make_response(unsigned status, std::string body, std::string content_type = "application/json") {
    http_response res{static_cast<beast_http::status>(status), 11};
    res.set(beast_http::field::content_type, content_type);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

class credentials_test_server {
public:
    using handler_type = std::function<http_response(const http_request&)>;

    /// With `certificate_pem` and `key_pem`, serves HTTPS.
    credentials_test_server(boost::asio::any_io_executor ex, handler_type handler, const std::string& certificate_pem = {},
                            const std::string& key_pem = {})
        : state_(std::make_shared<state>(ex, std::move(handler))) {
        if (!certificate_pem.empty()) {
            state_->tls.emplace(boost::asio::ssl::context::tls_server);
            state_->tls->use_certificate_chain(boost::asio::buffer(certificate_pem));
            state_->tls->use_private_key(boost::asio::buffer(key_pem), boost::asio::ssl::context::pem);
        }
        boost::asio::co_spawn(ex, accept_loop(state_), boost::asio::detached);
    }
    ~credentials_test_server() {
        boost::system::error_code ignored;
        state_->acceptor.close(ignored);
    }

    unsigned short port() const { return state_->acceptor.local_endpoint().port(); }
    std::string url() const {
        return (state_->tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port());
    }
    int requests() const { return state_->requests.load(); }

private:
    struct state {
        state(boost::asio::any_io_executor ex, handler_type h)
            : acceptor(ex, {boost::asio::ip::make_address("127.0.0.1"), 0}), handler(std::move(h)) {}
        boost::asio::ip::tcp::acceptor acceptor;
        handler_type handler;
        std::optional<boost::asio::ssl::context> tls;
        std::atomic<int> requests{0};
    };
    std::shared_ptr<state> state_;

    static boost::asio::awaitable<void> accept_loop(std::shared_ptr<state> s) {
        for (;;) {
            auto [ec, socket] = co_await s->acceptor.async_accept(boost::asio::as_tuple(boost::asio::use_awaitable));
            if (ec) co_return;
            boost::asio::co_spawn(s->acceptor.get_executor(), serve(s, std::move(socket)), boost::asio::detached);
        }
    }

    static boost::asio::awaitable<void> serve(std::shared_ptr<state> s, boost::asio::ip::tcp::socket socket) {
        if (!s->tls) {
            co_await exchange(*s, socket);
            boost::system::error_code ignored;
            socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
            co_return;
        }
        boost::beast::ssl_stream<boost::asio::ip::tcp::socket> stream(std::move(socket), *s->tls);
        auto [handshake_error] = co_await stream.async_handshake(boost::asio::ssl::stream_base::server,
                                                                 boost::asio::as_tuple(boost::asio::use_awaitable));
        if (handshake_error) co_return;
        co_await exchange(*s, stream);
        co_await stream.async_shutdown(boost::asio::as_tuple(boost::asio::use_awaitable));
    }

    template <class Stream>
    static boost::asio::awaitable<void> exchange(state& s, Stream& stream) {
        constexpr auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
        boost::beast::flat_buffer buffer;
        http_request req;
        auto [read_error, n] = co_await beast_http::async_read(stream, buffer, req, tuple);
        if (read_error) co_return;
        ++s.requests;
        auto res = s.handler(req);
        res.keep_alive(false);
        co_await beast_http::async_write(stream, res, tuple);
    }
};

}  // namespace ivschat::test
