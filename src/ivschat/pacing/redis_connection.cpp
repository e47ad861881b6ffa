#include "ivschat/pacing/redis_connection.hpp"

#include <ivschat/config.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/url/parse.hpp>

#if IVSCHAT_WITH_REDIS
#include <hiredis/hiredis.h>
#endif

#include <array>
#include <charconv>
#include <vector>

namespace ivschat::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// A reply we can use is a small integer; anything this long is garbage.
constexpr std::size_t max_reply_bytes = 64 * 1024;

[[noreturn]] void reject(std::string_view url, std::string_view why) {
    throw config_error("invalid rate limiter URL \"" + std::string(url) + "\": " + std::string(why));
}

}  // namespace

bool redis_supported() noexcept { return IVSCHAT_WITH_REDIS; }

redis_url parse_redis_url(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) reject(url, "not a URL such as redis://127.0.0.1:6379/prefix");
    if (parsed->scheme() != "redis") reject(url, "the scheme must be redis");
    if (!parsed->has_authority() || parsed->encoded_host().empty()) reject(url, "it has no host");
    if (parsed->has_userinfo() || parsed->has_query() || parsed->has_fragment())
        reject(url, "user information, a query or a fragment is not supported");
    redis_url out;
    out.host = parsed->host_type() == boost::urls::host_type::ipv6 ? std::string(parsed->host_address())
                                                                   : std::string(parsed->encoded_host());
    if (parsed->has_port()) {
        const auto port = parsed->port();
        unsigned value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535)
            reject(url, "the port must be 1 to 65535");
        out.port = static_cast<std::uint16_t>(value);
    }
    std::string_view path = parsed->encoded_path();
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (!path.empty()) {
        if (path.find_first_of("/% ") != std::string_view::npos) reject(url, "the prefix must be one plain path segment");
        out.prefix = std::string(path);
    }
    return out;
}

#if IVSCHAT_WITH_REDIS
void redis_connection::reader_deleter::operator()(void* reader) const noexcept {
    redisReaderFree(static_cast<redisReader*>(reader));
}
#else
// Without hiredis the client refuses a rate limiter before it makes a connection.
void redis_connection::reader_deleter::operator()(void*) const noexcept {}
#endif

redis_connection::redis_connection(asio::any_io_executor executor, redis_url url)
    : url_(std::move(url)), socket_(std::move(executor)) {}

redis_connection::~redis_connection() = default;

void redis_connection::close() noexcept {
    error_code ignored;
    socket_.close(ignored);
    reader_.reset();
}

asio::awaitable<std::tuple<error_code, long long>> redis_connection::integer_command(
    std::span<const std::string_view> args, std::chrono::steady_clock::duration timeout, std::string& what) {
    using namespace asio::experimental::awaitable_operators;
    long long integer = 0;
    asio::steady_timer timer(socket_.get_executor(), timeout);
    auto winner = co_await (exchange(args, integer, what) || timer.async_wait(use_tuple));
    error_code ec;
    if (winner.index() == 1) {
        ec = asio::error::timed_out;
        what = "no reply within " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
               " ms";
    } else {
        ec = std::get<0>(winner);
    }
    if (ec) close();
    co_return std::tuple{ec, integer};
}

#if IVSCHAT_WITH_REDIS
namespace {
struct reply_deleter {
    void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
}  // namespace

asio::awaitable<error_code> redis_connection::exchange(std::span<const std::string_view> args, long long& integer,
                                                       std::string& what) {
    if (!socket_.is_open()) {
        asio::ip::tcp::resolver resolver(socket_.get_executor());
        auto [resolve_ec, endpoints] = co_await resolver.async_resolve(url_.host, std::to_string(url_.port), use_tuple);
        if (resolve_ec) {
            what = "cannot resolve " + url_.host + ": " + resolve_ec.message();
            co_return resolve_ec;
        }
        auto [connect_ec, endpoint] = co_await asio::async_connect(socket_, endpoints, use_tuple);
        if (connect_ec) {
            what = "cannot connect to " + url_.host + ":" + std::to_string(url_.port) + ": " + connect_ec.message();
            co_return connect_ec;
        }
        socket_.set_option(asio::ip::tcp::no_delay(true));
        reader_.reset(redisReaderCreate());
        if (!reader_) co_return asio::error::no_memory;
    }

    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (auto a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    char* formatted = nullptr;
    const int length = redisFormatCommandArgv(&formatted, static_cast<int>(args.size()), argv.data(), lengths.data());
    if (length < 0) co_return asio::error::no_memory;
    std::unique_ptr<char, void (*)(char*)> command(formatted, redisFreeCommand);
    auto [write_ec, written] =
        co_await asio::async_write(socket_, asio::buffer(command.get(), static_cast<std::size_t>(length)), use_tuple);
    if (write_ec) {
        what = "cannot send to Redis: " + write_ec.message();
        co_return write_ec;
    }

    auto* reader = static_cast<redisReader*>(reader_.get());
    std::array<char, 512> chunk;
    std::size_t received = 0;
    for (;;) {
        void* parsed = nullptr;
        if (redisReaderGetReply(reader, &parsed) != REDIS_OK) {
            what = std::string("a reply that is not RESP: ") + reader->errstr;
            co_return asio::error::invalid_argument;
        }
        if (parsed) {
            std::unique_ptr<redisReply, reply_deleter> reply(static_cast<redisReply*>(parsed));
            if (reply->type == REDIS_REPLY_INTEGER) {
                integer = reply->integer;
                co_return error_code{};
            }
            if (reply->type == REDIS_REPLY_ERROR) what = "Redis answered: " + std::string(reply->str, reply->len);
            else what = "Redis answered with a reply that is not an integer (type " + std::to_string(reply->type) + ")";
            // Nothing else may follow a reply to one command.
            co_return asio::error::invalid_argument;
        }
        auto [read_ec, n] = co_await socket_.async_read_some(asio::buffer(chunk), use_tuple);
        if (read_ec) {
            what = "the Redis connection failed: " + read_ec.message();
            co_return read_ec;
        }
        received += n;
        if (received > max_reply_bytes) {
            what = "the Redis reply exceeds " + std::to_string(max_reply_bytes) + " bytes";
            co_return asio::error::message_size;
        }
        if (redisReaderFeed(reader, chunk.data(), n) != REDIS_OK) {
            what = std::string("a reply that is not RESP: ") + reader->errstr;
            co_return asio::error::invalid_argument;
        }
    }
}

#else
asio::awaitable<error_code> redis_connection::exchange(std::span<const std::string_view>, long long&, std::string& what) {
    what = "this build of ivschat has no Redis support";
    co_return asio::error::operation_not_supported;
}
#endif

}  // namespace ivschat::detail
