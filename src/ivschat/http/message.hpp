#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <chrono>
#include <string>
#include <string_view>

namespace ivschat::http {

struct header_field {
    std::string_view name{};
    std::string_view value{};
};

/// One HTTP/1.1 request as the client built and signed it. The views must
/// stay valid until the exchange completes. The caller supplies Host and
/// every other header; the transport adds only Content-Length, so headers
/// must not contain Content-Length or Transfer-Encoding.
struct request {
    std::string_view method{};
    /// Path and query exactly as on the request line.
    std::string_view target{};
    std::span<const header_field> headers{};
    std::string_view body{};
};

/// What the client needs from a response. Reused across exchanges: clear()
/// keeps the strings' capacity, so a steady state allocates nothing.
struct response {
    unsigned status = 0;
    /// x-amzn-RequestId
    std::string request_id{};
    /// x-amzn-ErrorType
    std::string error_type{};
    /// x-amz-cf-id
    std::string cf_id{};
    /// x-amz-id-2
    std::string amz_id_2{};
    /// x-amz-retry-after (milliseconds, unparsed; see parse_retry_after)
    std::string retry_after{};
    std::string date{};
    std::string content_type{};
    /// The reason phrase of the status line, as sent (at most
    /// max_reason_size bytes kept).
    std::string reason{};
    std::string body{};
    /// Set by the pool's send, not by parsing: how long the exchange waited
    /// for a connection (acquiring, opening one included).
    std::chrono::steady_clock::duration connection_wait{};
    /// Set by the pool's send: the exchange used a kept-alive connection.
    bool connection_reused = false;

    void clear() noexcept;
};

/// Writes the request line, the headers, Content-Length and the blank line
/// into `out` (replacing its content, keeping its capacity). Fails with
/// transport_errc::invalid_request, leaving `out` unspecified, if a method,
/// target or header would break the message framing.
boost::system::error_code write_request_head(const request& req, std::string& out);

/// Bytes of a status line's reason phrase that a response keeps.
inline constexpr std::size_t max_reason_size = 64;

/// A Beast response parser that keeps only what `response` holds, reading
/// the body straight into response::body up to a limit (Content-Length is
/// checked against the limit before anything is buffered). One parser per
/// message, as Beast's parsers are; the response it fills is reused. Eager:
/// one put() parses the header and as much of the body as is there. A
/// Transfer-Encoding other than a single "chunked" (gzip, chunked; two
/// Transfer-Encoding fields) is refused with bad_transfer_encoding: the
/// client asks for no coding and decodes none.
class response_parser final : public boost::beast::http::basic_parser<false> {
public:
    response_parser(response& out, std::uint64_t max_body);

private:
    using error_code = boost::beast::error_code;
    using string_view = boost::beast::string_view;

    void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                         error_code&) override;
    void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
    void on_field_impl(boost::beast::http::field name, string_view name_string,
                       string_view value, error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                           error_code& ec) override;
    std::size_t on_body_impl(string_view body, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t size, string_view extensions,
                              error_code& ec) override;
    std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body,
                                   error_code& ec) override;
    void on_finish_impl(error_code& ec) override;

    response& out_;
    bool transfer_encoding_seen_ = false;
};

/// Interim (1xx) responses skipped before a final one at most; one more is
/// transport_errc::malformed_response. Proxies send one 100 Continue; ten
/// leave room for 102/103 and stop a server that sends them forever.
inline constexpr unsigned max_interim_responses = 10;

/// Reads the final response to one request: one response_parser per
/// message, interim responses (RFC 9110 15.2: 100, 102, 103, ...) read and
/// dropped, at most max_interim_responses of them. 101 Switching Protocols
/// answers no request this client makes: transport_errc::malformed_response.
class response_reader {
public:
    response_reader(response& out, std::uint64_t max_body);

    /// Any byte of any response (interim ones included) was parsed.
    bool got_some() const noexcept { return interim_responses_ > 0 || parser_->got_some(); }
    /// The final response lets the connection be reused.
    bool keep_alive() const noexcept { return parser_->keep_alive(); }
    response_parser& parser() noexcept { return *parser_; }
    /// Called when a message is complete: true if it was an interim response
    /// and a new parser awaits the next one; an error if it may not be skipped.
    bool skip_interim(boost::system::error_code& ec);

private:
    response& out_;
    std::uint64_t max_body_;
    std::optional<response_parser> parser_;
    unsigned interim_responses_ = 0;
};

/// One parsing step of a response being read: feeds what `buffer` holds to
/// `reader` and consumes what it used. Success once the final message is
/// complete, http::error::need_more when the rest has not arrived yet, or
/// the parse error. The transport's read loop and the fuzz target share it.
boost::system::error_code parse_buffered(response_reader& reader, boost::beast::flat_buffer& buffer);

/// The stream ended cleanly before parse_buffered completed the message:
/// success when the end of the stream delimits it (a response without a
/// length), http::error::end_of_stream before any byte, partial_message
/// after some.
boost::system::error_code parse_end_of_stream(response_reader& reader);

/// Maps a failed read of a response to the error the transport reports:
/// Beast's framing errors become transport_errc values; `got_response_bytes`
/// tells a close before the response from a truncated one.
boost::system::error_code classify_read_error(boost::system::error_code ec,
                                              bool got_response_bytes);

}  // namespace ivschat::http
