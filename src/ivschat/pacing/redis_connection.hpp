#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>

namespace ivschat::detail {

/// Where the fleet's permits live: redis://HOST:PORT[/PREFIX].
struct redis_url {
    std::string host;
    std::uint16_t port = 6379;
    /// Prepended to every key; "ivschat" when the URL has no path.
    std::string prefix = "ivschat";
};

/// Whether the library was built with hiredis (IVSCHAT_WITH_REDIS).
bool redis_supported() noexcept;

/// Parses a redis:// URL; throws config_error saying what is wrong.
redis_url parse_redis_url(std::string_view url);

/// One connection to a Redis server that runs one command at a time and
/// expects an integer reply. Commands are formatted and replies parsed by
/// hiredis (its sans-io formatter and reader); the socket is Asio's, on the
/// executor given at construction, where every member must be called.
/// A failed or timed-out command closes the connection; the next command
/// opens a new one.
class redis_connection {
public:
    redis_connection(boost::asio::any_io_executor executor, redis_url url);
    ~redis_connection();

    /// Runs `args` as one command (connecting first if needed) and returns
    /// its integer reply. On failure the error is set and `what` says why
    /// (the server's error reply, an unexpected reply type, a timeout).
    boost::asio::awaitable<std::tuple<boost::system::error_code, long long>> integer_command(
        std::span<const std::string_view> args, std::chrono::steady_clock::duration timeout, std::string& what);

    void close() noexcept;
    const redis_url& url() const noexcept { return url_; }

private:
    boost::asio::awaitable<boost::system::error_code> exchange(std::span<const std::string_view> args,
                                                               long long& integer, std::string& what);

    redis_url url_;
    boost::asio::ip::tcp::socket socket_;
    struct reader_deleter {
        void operator()(void* reader) const noexcept;
    };
    std::unique_ptr<void, reader_deleter> reader_;
};

}  // namespace ivschat::detail
