#pragma once
// One HTTP request to a URL on a fresh connection, for the credentials
// providers' rare fetches (container endpoint, IMDS, STS): no pool, each
// step bounded by a timeout, the body bounded in size.

#include <ivschat/config.hpp>

#include "ivschat/http/message.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

namespace ivschat::detail {

struct url_fetch_options {
    /// Bounds each step: resolve plus connect, TLS handshake, the exchange.
    std::chrono::milliseconds timeout{1000};
    /// A larger response body is an error (transport_errc::response_too_large).
    std::size_t max_body = 64 * 1024;
    /// https only: a PEM file of trusted CAs; empty means the system's store.
    std::string ca_file{};
    /// Tries in all; a transport error or a 5xx answer is tried again after
    /// `retry_delay`, on a new connection.
    unsigned attempts = 1;
    std::chrono::milliseconds retry_delay{0};
};

/// Sends `req` (without Host: it is added from `url`) to `url`'s host and
/// port and reads the response. Runs on its own strand of `executor`'s
/// context; completes with the transport error, if any, and the response
/// (status, body, a few headers) of the last attempt.
boost::asio::awaitable<std::pair<boost::system::error_code, http::response>> fetch_url(
    boost::asio::any_io_executor executor, const endpoint_url& url, const http::request& req,
    const url_fetch_options& options);

/// The first bytes of a response body for an error message: printable
/// ASCII only, at most 200 characters.
std::string body_excerpt(std::string_view body);

}  // namespace ivschat::detail
