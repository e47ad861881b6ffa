#include "ivschat/credentials/url_fetch.hpp"

#include "ivschat/http/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <vector>

namespace ivschat::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

asio::awaitable<std::pair<error_code, http::response>> fetch_once(asio::any_io_executor executor,
                                                                 const endpoint_url& url,
                                                                 http::connection_opener& opener,
                                                                 const http::request& without_host,
                                                                 const url_fetch_options& options) {
    std::vector<http::header_field> all{{.name = "Host", .value = url.host_header}};
    all.insert(all.end(), without_host.headers.begin(), without_host.headers.end());
    http::request req = without_host;
    req.headers = all;
    http::response res;
    // The connection and its deadlines live, work and end on a strand of
    // their own.
    const auto strand = http::make_strand_executor(executor);
    auto ec = co_await asio::co_spawn(
        strand,
        [&]() -> asio::awaitable<error_code> {
            http::deadline_watch deadlines(strand);
            http::connection conn(strand, opener.tls_context(), deadlines);
            error_code result = co_await opener.open(conn);
            if (!result) result = co_await conn.exchange(req, res, options.timeout, options.max_body);
            conn.close();
            co_return result;
        },
        asio::use_awaitable);
    co_return std::pair{ec, std::move(res)};
}

}  // namespace

asio::awaitable<std::pair<error_code, http::response>> fetch_url(asio::any_io_executor executor,
                                                                 const endpoint_url& url, const http::request& req,
                                                                 const url_fetch_options& options) {
    // One opener (TLS context, CA store, resolved addresses) for all attempts.
    const pool_options settings{.connect_timeout = options.timeout,
                                .tls_handshake_timeout = options.timeout,
                                .exchange_timeout = options.timeout,
                                .ca_file = options.ca_file};
    http::pool_counter_cells counters;
    http::connection_opener opener(http::endpoint{.tls = url.uses_tls(), .host = url.host, .port = url.port},
                                   settings, counters);
    for (unsigned attempt = 1;; ++attempt) {
        auto result = co_await fetch_once(executor, url, opener, req, options);
        const bool retryable = result.first || result.second.status >= 500;
        if (!retryable || attempt >= options.attempts) co_return result;
        asio::steady_timer delay(executor, options.retry_delay);
        co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

std::string body_excerpt(std::string_view body) {
    std::string out;
    for (char c : body.substr(0, 200)) out.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
    return out;
}

}  // namespace ivschat::detail
