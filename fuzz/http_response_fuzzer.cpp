// Response bytes as the transport reads them: the transport's own parsing
// steps (parse_buffered, parse_end_of_stream) with the client's
// response_reader and response_parser (interim 1xx responses skipped, only
// the headers the client keeps, the body straight into
// response::body, the body limit checked against Content-Length and while
// chunks arrive), the bytes arriving in fragments as from a socket, then end
// of stream. Read errors go through
// classify_read_error; complete responses through the client's next step
// (parse_service_error for a non-2xx status). A connection stays in use for
// the next response only when the client would reuse it (keep-alive, no
// bytes left over), as src/ivschat/http/connection.cpp decides.
//
// Input: byte 0 picks the fragment size (1..256 bytes per read), byte 1 the
// body limit (byte * 16, or the default 1 MiB for 255); the rest is what the
// server sends.
#include "fragment_stream.hpp"
#include "fuzz_input.hpp"

#include "ivschat/http/message.hpp"
#include "ivschat/serde/service_error.hpp"

#include <ivschat/transport.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ivschat;
    std::string_view rest = fuzz::as_text(data, size);
    const std::size_t fragment = std::size_t{fuzz::take_byte(rest)} + 1;
    const std::uint8_t limit_byte = fuzz::take_byte(rest);
    const std::uint64_t max_body = limit_byte == 255 ? pool_options{}.max_response_body : limit_byte * 16u;

    fuzz::fragment_stream stream(rest, fragment);
    boost::beast::flat_buffer read_buffer;
    http::response response;
    // A bound on responses per input: each needs at least a status line.
    for (int exchange = 0; exchange < 64; ++exchange) {
        http::response_reader reader(response, max_body);
        boost::system::error_code ec;
        // The read loop of connection::exchange, minus the socket.
        for (;;) {
            ec = http::parse_buffered(reader, read_buffer);
            if (ec != boost::beast::http::error::need_more) break;
            boost::system::error_code read_error;
            const std::size_t n = stream.read_some(read_buffer.prepare(4096), read_error);
            if (read_error == boost::asio::error::eof) {
                ec = http::parse_end_of_stream(reader);
                break;
            }
            read_buffer.commit(n);
        }
        const bool got_response_bytes = reader.got_some() || read_buffer.size() > 0;
        if (ec) {
            const auto classified = http::classify_read_error(ec, got_response_bytes);
            if (!classified) std::abort();  // a failed read is never success
            return 0;
        }
        if (response.body.size() > max_body) std::abort();
        if (response.status > 999) std::abort();  // three digits; Beast accepts "000"
        if (response.status >= 100 && response.status < 200) std::abort();  // interim ones are skipped
        if (response.status < 200 || response.status >= 300) {
            const auto info = detail::parse_service_error(response.status, response.error_type,
                                                          response.request_id, response.body);
            if (info.http_status != response.status) std::abort();
        }
        if (!reader.keep_alive() || read_buffer.size() != 0 || stream.exhausted()) return 0;
    }
    return 0;
}
