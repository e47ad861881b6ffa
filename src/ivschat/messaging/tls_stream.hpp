#pragma once

// A TLS client stream for Beast's websocket: the transport's sans-io
// tls_engine over a tcp::socket, as an AsyncStream.
//
// Why not asio::ssl::stream: it holds four 17 KB buffers per connection
// (its own two and a BIO pair's) whatever the traffic, and a chat room
// process holds thousands of mostly idle connections. Here a connection
// keeps a small ciphertext buffer, and OpenSSL releases its record buffers
// between records (SSL_MODE_RELEASE_BUFFERS).

#include "ivschat/http/tls_engine.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <openssl/ssl.h>

#include <string>

namespace ivschat::messaging {

class tls_stream {
public:
    using executor_type = boost::asio::any_io_executor;

    /// A client session with `ctx`'s settings (verification, versions).
    tls_stream(const executor_type& ex, SSL_CTX* ctx) : socket_(ex), engine_(ctx) {
        SSL_set_mode(engine_.native_handle(), SSL_MODE_RELEASE_BUFFERS);
    }

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    boost::asio::ip::tcp::socket& next_layer() noexcept { return socket_; }
    const boost::asio::ip::tcp::socket& next_layer() const noexcept { return socket_; }
    SSL* native_handle() noexcept { return engine_.native_handle(); }

    /// The client handshake, on the connected socket.
    boost::asio::awaitable<boost::system::error_code> handshake();

    /// Queues the close_notify alert and returns the bytes to send (the
    /// peer's TLS teardown waits for them).
    const std::string& close_notify() {
        SSL_shutdown(engine_.native_handle());
        sending_.clear();
        sending_.swap(engine_.output());
        return sending_;
    }

    /// Decrypts into the first buffer of `buffers`; reads the socket when
    /// no whole record is buffered.
    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
            read_op{*this, first_buffer(buffers)}, token, socket_);
    }

    /// Encrypts all of `buffers` and writes the records.
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
            write_op<ConstBuffers>{*this, buffers}, token, socket_);
    }

private:
    enum class step { start, socket_done, report };

    template <class Buffers>
    static boost::asio::mutable_buffer first_buffer(const Buffers& buffers) {
        for (const auto b : boost::beast::buffers_range_ref(buffers))
            if (b.size() > 0) return b;
        return {};
    }

    struct read_op {
        tls_stream& stream;
        boost::asio::mutable_buffer out;
        step at = step::start;
        boost::system::error_code result{};
        std::size_t decrypted = 0;

        template <class Self>
        void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
            namespace asio = boost::asio;
            if (at == step::report) return self.complete(result, decrypted);
            if (at == step::socket_done) {
                if (ec) return self.complete(ec == asio::error::eof ? asio::ssl::error::stream_truncated : ec, 0);
                stream.engine_.input().commit(n);
            }
            if (out.size() == 0) return finish(self, {}, 0);
            std::size_t got = 0;
            switch (stream.engine_.read(out, got, ec)) {
            case http::tls_engine::status::done:
                // Anything the record asked to send (a TLS 1.3 key update)
                // goes out ahead of the next write.
                return finish(self, {}, got);
            case http::tls_engine::status::closed:
                return finish(self, asio::error::eof, 0);
            case http::tls_engine::status::failed:
                return finish(self, ec, 0);
            case http::tls_engine::status::want_input:
                break;
            }
            // Idle until the next record: OpenSSL's record buffers (17 KB
            // read, the write one) go back to the heap. RELEASE_BUFFERS alone
            // keeps them after the handshake and after a record that was not
            // application data (a session ticket).
            SSL_free_buffers(stream.engine_.native_handle());
            at = step::socket_done;
            stream.socket_.async_read_some(stream.engine_.input().prepare(read_size), std::move(self));
        }

        /// Completes, through the executor when nothing was awaited yet.
        template <class Self>
        void finish(Self& self, boost::system::error_code ec, std::size_t n) {
            if (at == step::socket_done) return self.complete(ec, n);
            at = step::report;
            result = ec;
            decrypted = n;
            boost::asio::post(stream.socket_.get_executor(), std::move(self));
        }
    };

    template <class ConstBuffers>
    struct write_op {
        tls_stream& stream;
        ConstBuffers buffers;
        step at = step::start;
        boost::system::error_code result{};
        std::size_t total = 0;

        template <class Self>
        void operator()(Self& self, boost::system::error_code ec = {}, std::size_t = 0) {
            namespace asio = boost::asio;
            if (at == step::report) return self.complete(result, 0);
            if (at == step::socket_done) {
                stream.sending_.clear();
                return self.complete(ec, ec ? 0 : total);
            }
            for (const auto b : boost::beast::buffers_range_ref(buffers)) {
                if (stream.engine_.write(b, ec) != http::tls_engine::status::done) {
                    at = step::report;
                    result = ec;
                    return asio::post(stream.socket_.get_executor(), std::move(self));
                }
                total += b.size();
            }
            // Beast runs one write at a time; the engine's output is swapped
            // out so that a read producing records cannot touch the bytes
            // being written.
            stream.sending_.swap(stream.engine_.output());
            at = step::socket_done;
            asio::async_write(stream.socket_, asio::buffer(stream.sending_), std::move(self));
        }
    };

    /// Ciphertext read per socket read: a record of the service's frames
    /// fits; larger records take several reads.
    static constexpr std::size_t read_size = 1536;

    boost::asio::ip::tcp::socket socket_;
    http::tls_engine engine_;
    std::string sending_{};
};

/// Beast's websocket close, after the close handshake: close_notify, then
/// the TCP teardown of the socket underneath (until the peer's end of
/// stream; its own close_notify is read and dropped there).
void teardown(boost::beast::role_type role, tls_stream& stream, boost::system::error_code& ec);

/// async_teardown's steps: close_notify, the TCP teardown, the completion.
struct tls_teardown_op {
    boost::beast::role_type role;
    tls_stream& stream;
    int step = 0;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t = 0) {
        switch (step++) {
        case 0:
            // A failed send is not fatal: the TCP teardown still ends the connection.
            return boost::asio::async_write(stream.next_layer(), boost::asio::buffer(stream.close_notify()),
                                            std::move(self));
        case 1:
            return boost::beast::websocket::async_teardown(role, stream.next_layer(), std::move(self));
        default:
            return self.complete(ec);
        }
    }
};

template <class Handler>
void async_teardown(boost::beast::role_type role, tls_stream& stream, Handler&& handler) {
    boost::asio::async_compose<Handler, void(boost::system::error_code)>(tls_teardown_op{role, stream}, handler,
                                                                       stream.next_layer());
}

}  // namespace ivschat::messaging
