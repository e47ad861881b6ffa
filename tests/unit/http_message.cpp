// Request heads and response parsing without sockets.
#include "ivschat/http/message.hpp"

#include <ivschat/transport.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <catch2/catch.hpp>

#include <string>

namespace {

using ivschat::transport_errc;
using ivschat::http::header_field;
using ivschat::http::response;
using ivschat::http::response_reader;

// Feeds `wire` to the transport's parsing steps in pieces of `step` bytes,
// as a socket would deliver them, then the end of the stream.
boost::system::error_code parse(std::string_view wire, response& out, std::uint64_t limit = 1024,
                                std::size_t step = 7) {
    response_reader reader(out, limit);
    boost::beast::flat_buffer buffer;
    for (std::size_t i = 0;; i += step) {
        const auto ec = ivschat::http::parse_buffered(reader, buffer);
        if (ec != boost::beast::http::error::need_more) return ec;
        if (i >= wire.size()) return ivschat::http::parse_end_of_stream(reader);
        const auto piece = wire.substr(i, step);
        buffer.commit(boost::asio::buffer_copy(buffer.prepare(piece.size()), boost::asio::buffer(piece)));
    }
}

}  // namespace

TEST_CASE("http: request head carries method, target, headers and Content-Length") {
    const header_field headers[] = {{"Host", "ivschat.us-west-2.amazonaws.com"},
                                    {"X-Amz-Date", "20261126T000000Z"}};
    std::string head = "previous content";
    const auto ec = ivschat::http::write_request_head(
        {.method = "POST", .target = "/CreateRoom?x=1", .headers = headers, .body = "{}"}, head);
    REQUIRE_FALSE(ec);
    CHECK(head ==
          "POST /CreateRoom?x=1 HTTP/1.1\r\n"
          "Host: ivschat.us-west-2.amazonaws.com\r\n"
          "X-Amz-Date: 20261126T000000Z\r\n"
          "Content-Length: 2\r\n\r\n");
}

TEST_CASE("http: request heads that would break framing are refused") {
    std::string head;
    const auto refused = [&](ivschat::http::request req) {
        return ivschat::http::write_request_head(req, head) == transport_errc::invalid_request;
    };
    const header_field injected[] = {{"X-A", "ok\r\nX-Evil: 1"}};
    const header_field bad_name[] = {{"X A", "v"}};
    const header_field length[] = {{"content-length", "5"}};
    const header_field chunked[] = {{"Transfer-Encoding", "chunked"}};
    const header_field tab_value[] = {{"X-A", "a\tb"}};
    const header_field nul_value[] = {{"X-A", std::string_view("a\0b", 3)}};
    const header_field del_value[] = {{"X-A", "a\x7f"}};
    const header_field utf8_value[] = {{"X-A", "caf\xc3\xa9"}};
    CHECK(refused({.method = "", .target = "/"}));
    CHECK(refused({.method = "GE T", .target = "/"}));
    CHECK(refused({.method = "GET", .target = ""}));
    CHECK(refused({.method = "GET", .target = "/a b"}));
    CHECK(refused({.method = "GET", .target = "/a\r\n"}));
    CHECK(refused({.method = "GET", .target = "/", .headers = injected}));
    CHECK(refused({.method = "GET", .target = "/", .headers = bad_name}));
    CHECK(refused({.method = "GET", .target = "/", .headers = length}));
    CHECK(refused({.method = "GET", .target = "/", .headers = chunked}));
    CHECK(refused({.method = "GET", .target = "/a\tb"}));
    CHECK(refused({.method = "GET", .target = "/", .headers = nul_value}));
    CHECK(refused({.method = "GET", .target = "/", .headers = del_value}));
    CHECK_FALSE(refused({.method = "GET", .target = "/", .headers = tab_value}));
    CHECK_FALSE(refused({.method = "GET", .target = "/", .headers = utf8_value}));
}

TEST_CASE("http: a Content-Length response keeps status, the AWS headers and the body") {
    response out;
    out.body = "stale";
    const auto ec = parse(
        "HTTP/1.1 404 Not Found\r\n"
        "Date: Thu, 26 Nov 2026 07:00:00 GMT\r\n"
        "Content-Type: application/json\r\n"
        "X-Amzn-RequestId: 7c1b-req\r\n"
        "x-amzn-errortype: ResourceNotFoundException:http://internal.amazon.com/\r\n"
        "X-Amz-Cf-Id: cf-123\r\n"
        "x-amz-id-2: id2\r\n"
        "X-Other: ignored\r\n"
        "Content-Length: 17\r\n\r\n"
        "{\"message\":\"no\"}\n",
        out);
    REQUIRE_FALSE(ec);
    CHECK(out.status == 404);
    CHECK(out.date == "Thu, 26 Nov 2026 07:00:00 GMT");
    CHECK(out.content_type == "application/json");
    CHECK(out.request_id == "7c1b-req");
    CHECK(out.error_type == "ResourceNotFoundException:http://internal.amazon.com/");
    CHECK(out.cf_id == "cf-123");
    CHECK(out.amz_id_2 == "id2");
    CHECK(out.body == "{\"message\":\"no\"}\n");
}

TEST_CASE("http: a chunked response is reassembled") {
    response out;
    const auto ec = parse(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n1;ext=1\r\n,\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
        out);
    REQUIRE_FALSE(ec);
    CHECK(out.status == 200);
    CHECK(out.body == "hello, world");
}

TEST_CASE("http: a 204 has no body and needs no length") {
    response out;
    CHECK_FALSE(parse("HTTP/1.1 204 No Content\r\nx-amzn-RequestId: r\r\n\r\n", out));
    CHECK(out.status == 204);
    CHECK(out.body.empty());
    CHECK(out.request_id == "r");
}

TEST_CASE("http: bodies over the limit are refused before buffering") {
    response out;
    // Content-Length beyond the limit fails at the header, before any body byte.
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n", out, 1024) ==
          boost::beast::http::error::body_limit);
    CHECK(out.body.capacity() < 1024);
    // Chunked bodies are counted as they arrive.
    std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 10; ++i) chunked += "100\r\n" + std::string(256, 'x') + "\r\n";
    CHECK(parse(chunked, out, 1024) == boost::beast::http::error::body_limit);
    CHECK(out.body.size() <= 1024);
    // Exactly at the limit is fine.
    CHECK_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd", out, 4));
}

TEST_CASE("http: malformed and truncated responses are errors") {
    response out;
    CHECK(parse("HTTP/1.1 2x0 OK\r\n\r\n", out));
    CHECK(parse("HTTX/1.1 200 OK\r\n\r\n", out));
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", out));
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", out));
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", out) ==
          boost::beast::http::error::partial_message);
}

TEST_CASE("http: the end of the stream ends a response without a length, and only that") {
    response out;
    CHECK_FALSE(parse("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"token\":\"t\"}", out));
    CHECK(out.body == "{\"token\":\"t\"}");
    CHECK(parse("", out) == boost::beast::http::error::end_of_stream);
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Le", out) == boost::beast::http::error::partial_message);
}

TEST_CASE("http: interim 1xx responses are skipped, at most ten, and 101 is refused") {
    response out;
    const std::string final_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    REQUIRE_FALSE(parse("HTTP/1.1 100 Continue\r\n\r\n" + final_response, out));
    CHECK(out.status == 200);
    CHECK(out.reason == "OK");
    CHECK(out.body == "ok");
    std::string interim;
    for (unsigned i = 0; i < ivschat::http::max_interim_responses; ++i)
        interim += "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n";
    REQUIRE_FALSE(parse(interim + final_response, out));
    CHECK(out.body == "ok");
    CHECK(parse("HTTP/1.1 102 Processing\r\n\r\n" + interim + final_response, out) ==
          transport_errc::malformed_response);
    CHECK(parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n" + final_response, out) ==
          transport_errc::malformed_response);
    // A close after an interim response is a truncated exchange, not a clean end.
    CHECK(parse("HTTP/1.1 100 Continue\r\n\r\n", out) == boost::beast::http::error::partial_message);
}

TEST_CASE("http: a transfer coding other than chunked alone is refused") {
    response out;
    const std::string body = "\r\n\r\n2\r\nok\r\n0\r\n\r\n";
    CHECK_FALSE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding:  Chunked " + body, out));
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked" + body, out) ==
          boost::beast::http::error::bad_transfer_encoding);
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked" + body, out) ==
          boost::beast::http::error::bad_transfer_encoding);
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked" + body, out) ==
          boost::beast::http::error::bad_transfer_encoding);
    CHECK(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2" + body, out));
}

TEST_CASE("http: a long reason phrase is cut") {
    response out;
    REQUIRE_FALSE(parse("HTTP/1.1 599 " + std::string(300, 'r') + "\r\nContent-Length: 0\r\n\r\n", out, 1024, 64));
    CHECK(out.reason == std::string(ivschat::http::max_reason_size, 'r'));
}

TEST_CASE("http: read errors are classified") {
    using ivschat::http::classify_read_error;
    namespace bh = boost::beast::http;
    CHECK(classify_read_error(bh::error::end_of_stream, false) == transport_errc::closed_before_response);
    CHECK(classify_read_error(bh::error::partial_message, true) == transport_errc::truncated_response);
    CHECK(classify_read_error(boost::asio::error::eof, true) == transport_errc::truncated_response);
    CHECK(classify_read_error(bh::error::body_limit, true) == transport_errc::response_too_large);
    CHECK(classify_read_error(bh::error::header_limit, true) == transport_errc::response_too_large);
    CHECK(classify_read_error(bh::error::bad_status, true) == transport_errc::malformed_response);
    CHECK(classify_read_error(boost::asio::error::connection_reset, true) ==
          boost::asio::error::connection_reset);
    CHECK(ivschat::make_error_code(transport_errc::acquire_timeout).message().find("acquire") !=
          std::string::npos);
}
