// The emulator's connection limits and control API checks without sockets.
#include <ivschat/emulator/connection_limits.hpp>
#include <ivschat/emulator/control_access.hpp>

#include <boost/asio/error.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <vector>

namespace {

using ivschat::emulator::connection_limits;
using namespace std::chrono_literals;

boost::system::error_code system_error(int value) { return {value, boost::system::system_category()}; }

}  // namespace

TEST_CASE("connection limits: the cap counts open connections") {
    connection_limits limits(3, 100);
    CHECK_FALSE(limits.full(0));
    CHECK_FALSE(limits.full(2));
    CHECK(limits.full(3));
    CHECK(limits.full(4));
}

TEST_CASE("connection limits: running out of descriptors backs off, doubling to a second, until an accept succeeds") {
    connection_limits limits(10, 100);
    CHECK(connection_limits::is_resource_exhaustion(system_error(EMFILE)));
    CHECK(connection_limits::is_resource_exhaustion(system_error(ENFILE)));
    CHECK(connection_limits::is_resource_exhaustion(boost::asio::error::no_descriptors));
    CHECK_FALSE(connection_limits::is_resource_exhaustion(boost::asio::error::connection_aborted));
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 9; ++i) delays.push_back(limits.after_accept(system_error(EMFILE)));
    CHECK(delays == std::vector<std::chrono::milliseconds>{10ms, 20ms, 40ms, 80ms, 160ms, 320ms, 640ms, 1000ms, 1000ms});
    CHECK(limits.tally().accept_exhaustions == 9);
    CHECK(limits.after_accept({}) == 0ms);
    CHECK(limits.after_accept(system_error(ENFILE)) == 10ms);
    // Other failures wait a little, so that a broken listener cannot spin.
    CHECK(limits.after_accept(boost::asio::error::connection_aborted) == 10ms);
}

TEST_CASE("connection limits: unfinished bodies share one budget") {
    connection_limits limits(10, 1000);
    CHECK(limits.reserve_body(600));
    CHECK_FALSE(limits.reserve_body(401));
    CHECK(limits.tally().bodies_refused == 1);
    CHECK(limits.reserve_body(400));
    CHECK(limits.reserved_body_bytes() == 1000);
    CHECK_FALSE(limits.reserve_body(1));
    limits.release_body(600);
    CHECK(limits.reserve_body(600));
    limits.release_body(1000);
    CHECK(limits.reserved_body_bytes() == 0);
}

TEST_CASE("control API: refused with an Origin, for another host, and without JSON") {
    using ivschat::emulator::control_address;
    using ivschat::emulator::refuse_control_request;
    using ivschat::emulator::received_request;
    const control_address address{"127.0.0.1", 4567};
    const auto refusal = [&](std::string_view method, std::vector<ivschat::sigv4::header> headers) {
        const received_request request{.method = method, .target = "/_emulator/reset", .path = "/_emulator/reset",
                                       .headers = headers};
        const auto r = refuse_control_request(request, address);
        return r ? r->status : 0u;
    };
    const ivschat::sigv4::header json{"Content-Type", "application/json; charset=utf-8"};
    CHECK(refusal("POST", {{"Host", "127.0.0.1:4567"}, json}) == 0);
    CHECK(refusal("POST", {{"host", "LOCALHOST:4567"}, json}) == 0);
    CHECK(refusal("POST", {{"Host", "[::1]:4567"}, json}) == 0);
    CHECK(refusal("GET", {{"Host", "localhost"}}) == 0);
    CHECK(refusal("POST", {{"Host", "127.0.0.1:4567"}, json, {"Origin", "https://evil.example"}}) == 403);
    CHECK(refusal("GET", {{"Host", "127.0.0.1:4567"}, {"origin", "null"}}) == 403);
    CHECK(refusal("POST", {{"Host", "evil.example:4567"}, json}) == 403);
    CHECK(refusal("POST", {{"Host", "127.0.0.1:4568"}, json}) == 403);
    CHECK(refusal("POST", {json}) == 403);
    CHECK(refusal("POST", {{"Host", "127.0.0.1:4567"}, {"Content-Type", "text/plain"}}) == 415);
    CHECK(refusal("DELETE", {{"Host", "127.0.0.1:4567"}}) == 415);
    const std::vector<ivschat::sigv4::header> origin_only{{"Origin", "x"}};
    const received_request origin{.method = "GET", .path = "/_emulator/stats", .headers = origin_only};
    CHECK(refuse_control_request(origin, address)->message.find("Origin") != std::string::npos);
}
