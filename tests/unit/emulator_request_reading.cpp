// The emulator's answer to one read of a request (answer_read), without
// sockets: limits, malformed requests, closes, and a complete request
// reaching the handler.
#include <ivschat/emulator/request_reading.hpp>
#include <ivschat/emulator/server.hpp>
#include <ivschat/emulator/service.hpp>
#include <ivschat/emulator/service_api.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include <catch2/catch.hpp>

namespace {

namespace emulator = ivschat::emulator;
namespace http = boost::beast::http;

struct handler_fixture {
    emulator::service service{};
    emulator::service_api api{service};
    emulator::request_handler handler{api, {.keys = {emulator::example_credentials()}}, 1};
    std::vector<ivschat::sigv4::header> headers{};
    std::string out{};
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();

    std::optional<emulator::response_plan> answer(boost::system::error_code ec, const emulator::request_parser& parser,
                                                  std::size_t max_body = 1024) {
        return emulator::answer_read(handler, ec, parser, max_body, headers, now, out);
    }
};

// Feeds `bytes` to `parser` as the server's read loop would; the read's error.
boost::system::error_code parse(emulator::request_parser& parser, std::string_view bytes) {
    boost::system::error_code ec;
    while (!bytes.empty() && !parser.is_done()) {
        const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
        if (ec == http::error::need_more) ec = {};
        if (ec || used == 0) break;
        bytes.remove_prefix(used);
    }
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    return ec;
}

}  // namespace

TEST_CASE("answer_read: a body over the limit is refused with 413 and the connection closes", "[emulator]") {
    handler_fixture f;
    emulator::request_parser parser;
    emulator::limit_request_parser(parser, 8);
    const auto ec = parse(parser, "POST /CreateRoom HTTP/1.1\r\nHost: h\r\nContent-Length: 40\r\n\r\n"
                                  "{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}");
    CHECK(ec == http::error::body_limit);
    const auto plan = f.answer(ec, parser, 8);
    REQUIRE(plan);
    CHECK(plan->status == 413);
    CHECK(plan->after == emulator::connection_action::close);
    CHECK(f.out.starts_with("HTTP/1.1 413 "));
    CHECK(f.out.find("x-amzn-ErrorType: ValidationException") != std::string::npos);
    CHECK(f.out.find("limit of 8 bytes") != std::string::npos);
    CHECK(plan->bytes_to_send == f.out.size());
}

TEST_CASE("answer_read: headers over the limit are refused with 431", "[emulator]") {
    handler_fixture f;
    emulator::request_parser parser;
    emulator::limit_request_parser(parser, 1024);
    const std::string request = "GET /_emulator/stats HTTP/1.1\r\nHost: h\r\nX-Big: " +
                                std::string(emulator::request_header_limit, 'a') + "\r\n\r\n";
    const auto ec = parse(parser, request);
    CHECK(ec == http::error::header_limit);
    const auto plan = f.answer(ec, parser);
    REQUIRE(plan);
    CHECK(plan->status == 431);
    CHECK(plan->after == emulator::connection_action::close);
}

TEST_CASE("answer_read: a malformed request gets 400 SerializationException", "[emulator]") {
    handler_fixture f;
    emulator::request_parser parser;
    emulator::limit_request_parser(parser, 1024);
    const auto ec = parse(parser, "GET /x HTTP/1.1 extra\r\n\r\n");
    REQUIRE(ec);
    const auto plan = f.answer(ec, parser);
    REQUIRE(plan);
    CHECK(plan->status == 400);
    CHECK(f.out.find("x-amzn-ErrorType: SerializationException") != std::string::npos);
    CHECK(f.out.find("Connection: close") != std::string::npos);
}

TEST_CASE("answer_read: nothing to answer when the peer closes or the socket fails", "[emulator]") {
    handler_fixture f;
    emulator::request_parser parser;
    for (boost::system::error_code ec : {boost::system::error_code(http::error::end_of_stream),
                                         boost::system::error_code(http::error::partial_message),
                                         boost::system::error_code(boost::asio::error::connection_reset),
                                         boost::system::error_code(boost::beast::error::timeout)}) {
        INFO(ec.message());
        CHECK_FALSE(f.answer(ec, parser));
    }
}

TEST_CASE("answer_read: a complete request reaches the handler with its headers and query", "[emulator]") {
    handler_fixture f;
    emulator::request_parser parser;
    emulator::limit_request_parser(parser, 1024);
    REQUIRE_FALSE(parse(parser, "DELETE /tags/arn%3Aaws%3Aivschat%3Aus-west-2%3A123456789012%3Aroom%2Fabc?tagKeys=a "
                                "HTTP/1.1\r\nHost: h\r\nX-Extra: 1\r\n\r\n"));
    const auto plan = f.answer({}, parser);
    REQUIRE(plan);
    // Unsigned: the authenticator answers, on a connection that stays open.
    CHECK(plan->status == 403);
    CHECK(plan->after == emulator::connection_action::keep_alive);
    CHECK(f.out.find("x-amzn-ErrorType: MissingAuthenticationTokenException") != std::string::npos);
    REQUIRE(f.headers.size() == 2);
    CHECK(f.headers[0].name == "Host");
    CHECK(f.headers[1].value == "1");
}
