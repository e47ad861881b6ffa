#pragma once

#include <ivschat/emulator/request_handler.hpp>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ivschat::emulator {

/// The parser a connection reads each request with (one per request, as Beast's parsers are).
using request_parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

/// Requests larger than this in their headers are refused with 431; signed
/// SDK requests carry well under 2 KB of headers.
inline constexpr std::uint32_t request_header_limit = 16 * 1024;

/// Sets the server's limits on a fresh parser: `max_body_bytes` for the body
/// and request_header_limit for the headers.
void limit_request_parser(request_parser& parser, std::size_t max_body_bytes);

/// What the server answers after one read of a request ended, without I/O:
/// - a complete request: request_handler::handle with the request line split
///   into path and query and every header as received (`headers` is the
///   caller's reused buffer; the views point into `parser`'s message);
/// - a body or headers over the limit: 413 or 431 ValidationException;
/// - a malformed request: 400 SerializationException;
/// - nullopt when there is nothing to answer (end of stream, a request cut
///   short by the peer, a timeout, a socket error): the connection closes.
/// Each rejection closes the connection after its response.
std::optional<response_plan> answer_read(request_handler& handler, const boost::system::error_code& read_error,
                                         const request_parser& parser, std::size_t max_body_bytes,
                                         std::vector<sigv4::header>& headers,
                                         std::chrono::system_clock::time_point now, std::string& out);

}  // namespace ivschat::emulator
