#include "ivschat/messaging/tls_stream.hpp"

namespace ivschat::messaging {

namespace asio = boost::asio;
using boost::system::error_code;

asio::awaitable<error_code> tls_stream::handshake() {
    constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
    for (;;) {
        error_code ec;
        const auto at = engine_.handshake(ec);
        if (!engine_.output().empty()) {
            auto [write_error, written] = co_await asio::async_write(socket_, asio::buffer(engine_.output()), use_tuple);
            engine_.output().clear();
            if (write_error && at != http::tls_engine::status::failed) co_return write_error;
        }
        switch (at) {
        case http::tls_engine::status::done:
            // The handshake's buffers (the server's certificate chain) are
            // not kept for the connection's life.
            engine_.input().shrink_to_fit();
            engine_.output().shrink_to_fit();
            co_return error_code{};
        case http::tls_engine::status::failed:
            co_return ec;
        case http::tls_engine::status::closed:
            co_return error_code(asio::ssl::error::stream_truncated);
        case http::tls_engine::status::want_input:
            break;
        }
        auto [read_error, n] = co_await socket_.async_read_some(engine_.input().prepare(4096), use_tuple);
        if (read_error) co_return read_error == asio::error::eof ? error_code(asio::ssl::error::stream_truncated) : read_error;
        engine_.input().commit(n);
    }
}

void teardown(boost::beast::role_type role, tls_stream& stream, error_code& ec) {
    asio::write(stream.next_layer(), asio::buffer(stream.close_notify()), ec);
    boost::beast::websocket::teardown(role, stream.next_layer(), ec);
}

}  // namespace ivschat::messaging
