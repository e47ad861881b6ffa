// The attempt loop of a call (call_fsm) driven through every path with no
// socket and no clock: the test plays the shell, answering each action.
#include "ivschat/client/call_fsm.hpp"

#include <ivschat/credentials_provider.hpp>

#include <boost/asio/error.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>

namespace {

using namespace std::chrono_literals;
using boost::system::error_code;
using ivschat::detail::call_action;
using ivschat::detail::call_event;
using ivschat::detail::call_fsm;
using ivschat::detail::call_step;
using ivschat::detail::pacing_feedback;
using std::chrono::steady_clock;
using std::chrono::system_clock;

// 2026-01-02T03:04:05Z
const system_clock::time_point wall_start = system_clock::time_point(std::chrono::seconds(1767323045));

// A strategy whose rate limiter holds the first attempt back once.
class limiter_once final : public ivschat::retry_strategy {
protected:
    std::chrono::nanoseconds do_before_attempt(ivschat::retry_call_state& call) override {
        if (call.total_send_delay == call.total_send_delay.zero()) return 250ms;
        return {};
    }
    ivschat::retry_decision do_on_attempt_result(ivschat::retry_call_state&, const ivschat::attempt_outcome&) override {
        return {};
    }
};

// One call's world: the client's parts, the buffers, a steady and a system
// clock that the test moves by hand.
struct harness {
    std::shared_ptr<ivschat::retry_strategy> retry;
    ivschat::clock_skew skew;
    ivschat::sigv4::signer signer{{.region = "us-west-2", .service = "ivschat"}};
    ivschat::detail::call_settings settings{.retry = *retry, .skew = skew, .signer = signer, .host = "chat.test",
                                            .user_agent = "ivschat-cpp/test"};
    ivschat::detail::call_description call{.operation = "CreateRoom",
                                           .method = "POST",
                                           .target = "/CreateRoom",
                                           .body = R"({"name":"lobby"})",
                                           .success_status = 200};
    ivschat::diagnostics diag;
    ivschat::detail::attempt_buffers buffers;
    steady_clock::time_point now = steady_clock::time_point(1h);
    system_clock::time_point wall = wall_start;
    std::shared_ptr<const ivschat::credentials> creds =
        std::make_shared<const ivschat::credentials>(ivschat::credentials{"AKIDEXAMPLE", "secret", "", {}});
    std::optional<call_fsm> fsm;

    // The standard strategy with the jitter pinned to 1 unless told otherwise.
    explicit harness(std::shared_ptr<ivschat::retry_strategy> strategy =
                         ivschat::make_retry_strategy({.max_attempts = 3, .jitter = [] { return 1.0; }}))
        : retry(std::move(strategy)) {}

    call_action start() {
        fsm.emplace(settings, call, diag, buffers, now);
        return resume({});
    }
    call_action resume(const call_event& event) { return fsm->resume(event, now, wall); }
    call_action give_credentials() { return resume({.credentials = creds}); }
    // Answers the send with an HTTP response, `after` later.
    call_action respond(unsigned status, std::string_view error_type = {}, std::string_view body = "{}",
                        std::chrono::milliseconds after = 10ms) {
        auto& res = buffers.response;
        res.clear();
        res.status = status;
        res.error_type = error_type;
        res.request_id = "req-" + std::to_string(status);
        res.body = body;
        now += after;
        return resume({});
    }
    std::string_view header(std::string_view name) const {
        for (const auto& h : fsm->request().headers)
            if (h.name == name) return h.value;
        return {};
    }
};

}  // namespace

TEST_CASE("fsm: a success signs, sends, parses and completes", "[client][fsm]") {
    harness h;
    auto action = h.start();
    REQUIRE(action.step == call_step::get_credentials);
    action = h.give_credentials();
    REQUIRE(action.step == call_step::send);
    CHECK_FALSE(action.limit);
    CHECK(h.fsm->request().method == "POST");
    CHECK(h.fsm->request().target == "/CreateRoom");
    CHECK(h.fsm->request().body == R"({"name":"lobby"})");
    CHECK(h.header("Host") == "chat.test");
    CHECK(h.header("Content-Type") == "application/json");
    CHECK(h.header("X-Amz-Date") == "20260102T030405Z");
    CHECK(h.header("Authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-west-2/ivschat/"));
    CHECK(h.header("User-Agent") == "ivschat-cpp/test");
    CHECK(h.header("X-Amz-Security-Token").empty());

    action = h.respond(200);
    REQUIRE(action.step == call_step::parse);
    action = h.resume({});
    REQUIRE(action.step == call_step::done);
    CHECK_FALSE(action.result);
    CHECK(action.feedback == pacing_feedback::success);
    REQUIRE(h.diag.attempts.size() == 1);
    CHECK(h.diag.attempts[0].http_status == 200);
    CHECK(h.diag.attempts[0].latency == 10ms);
    CHECK(h.diag.request_id == "req-200");
    CHECK(h.diag.client_message.empty());
}

TEST_CASE("fsm: no body, no Content-Type; a session token is sent", "[client][fsm]") {
    harness h;
    h.call = {.operation = "ListTagsForResource", .method = "GET", .target = "/tags/arn?x=1", .body = ""};
    h.creds = std::make_shared<const ivschat::credentials>(ivschat::credentials{"ASIAEXAMPLE", "secret", "token", {}});
    h.start();
    REQUIRE(h.give_credentials().step == call_step::send);
    CHECK(h.header("Content-Type").empty());
    CHECK(h.header("X-Amz-Security-Token") == "token");
    CHECK(h.header("Authorization").find("SignedHeaders=host;x-amz-date;x-amz-security-token") != std::string_view::npos);
}

TEST_CASE("fsm: a retryable error waits the backoff and makes a new, re-signed attempt", "[client][fsm]") {
    harness h;
    h.start();
    h.give_credentials();
    auto action = h.respond(500, "InternalServerException", R"({"message":"boom"})");
    REQUIRE(action.step == call_step::wait);
    CHECK(action.delay == 50ms);  // base_delay 50 ms, jitter 1, first retry
    h.now += action.delay;
    h.wall += 2s;
    REQUIRE(h.resume({}).step == call_step::get_credentials);
    REQUIRE(h.give_credentials().step == call_step::send);
    CHECK(h.header("X-Amz-Date") == "20260102T030407Z");
    REQUIRE(h.respond(200).step == call_step::parse);
    action = h.resume({});
    CHECK(action.step == call_step::done);
    CHECK_FALSE(action.result);
    REQUIRE(h.diag.attempts.size() == 2);
    CHECK(h.diag.attempts[0].error == ivschat::error::internal_server);
    CHECK(h.diag.backoff_time == 50ms);
    CHECK(h.fsm->retry_state().attempts == 2);
}

TEST_CASE("fsm: a non-retryable error ends the call with the service's words", "[client][fsm]") {
    harness h;
    h.start();
    h.give_credentials();
    auto action = h.respond(404, "ResourceNotFoundException",
                            R"({"message":"no room","resourceId":"r1","resourceType":"ROOM"})");
    REQUIRE(action.step == call_step::done);
    CHECK(action.result == ivschat::error::resource_not_found);
    CHECK(action.result == ivschat::condition::not_found);
    CHECK(action.feedback == pacing_feedback::none);
    CHECK(h.diag.error.message == "no room");
    CHECK(h.diag.error.resource_id == "r1");
    CHECK(h.diag.error.http_status == 404);
    CHECK(h.diag.client_message.empty());
    CHECK(h.diag.attempts.size() == 1);
}

TEST_CASE("fsm: throttling tells the pacer; the attempts run out", "[client][fsm]") {
    harness h;
    h.start();
    h.give_credentials();
    auto action = h.respond(429, "ThrottlingException");
    REQUIRE(action.step == call_step::wait);
    CHECK(action.feedback == pacing_feedback::throttled);
    CHECK(action.delay == 1000ms);  // throttling base delay
    h.resume({});
    h.give_credentials();
    action = h.respond(429, "ThrottlingException");
    REQUIRE(action.step == call_step::wait);
    CHECK(action.delay == 2000ms);
    h.resume({});
    h.give_credentials();
    action = h.respond(429, "ThrottlingException");
    REQUIRE(action.step == call_step::done);
    CHECK(action.result == ivschat::error::throttling);
    CHECK(action.feedback == pacing_feedback::throttled);
    CHECK(h.diag.attempts.size() == 3);
    CHECK(h.diag.backoff_time == 3000ms);
}

TEST_CASE("fsm: x-amz-retry-after sets the backoff", "[client][fsm]") {
    harness h{ivschat::make_retry_strategy({.max_attempts = 3, .jitter = [] { return 0.0; }})};
    h.start();
    h.give_credentials();
    h.buffers.response.retry_after = "1500";
    auto& res = h.buffers.response;
    res.status = 503;
    res.error_type = "ServiceUnavailableException";
    auto action = h.resume({});
    REQUIRE(action.step == call_step::wait);
    // The computed delay is 0 with jitter 0; the server's 1.5 s wins.
    CHECK(action.delay == 1500ms);
}

TEST_CASE("fsm: a skewed clock is corrected and the call retried once", "[client][fsm]") {
    harness h;
    h.start();
    h.give_credentials();
    CHECK(h.header("X-Amz-Date") == "20260102T030405Z");
    auto& res = h.buffers.response;
    res.clear();
    res.status = 403;
    res.error_type = "InvalidSignatureException";
    res.date = "Fri, 02 Jan 2026 04:04:05 GMT";  // the service is an hour ahead
    auto action = h.resume({});
    REQUIRE(action.step == call_step::wait);
    CHECK(h.skew.offset() == 1h);
    h.resume({});
    REQUIRE(h.give_credentials().step == call_step::send);
    CHECK(h.header("X-Amz-Date") == "20260102T040405Z");
    // A second skew error is not retried again.
    res.clear();
    res.status = 403;
    res.error_type = "InvalidSignatureException";
    res.date = "Fri, 02 Jan 2026 06:04:05 GMT";
    action = h.resume({});
    REQUIRE(action.step == call_step::done);
    CHECK(action.result == ivschat::error::unknown_service_error);
}

TEST_CASE("fsm: transport failures are retried; the last one is the result", "[client][fsm]") {
    harness h;
    h.start();
    h.give_credentials();
    auto action = h.resume({.error = boost::asio::error::connection_reset});
    REQUIRE(action.step == call_step::wait);
    h.resume({});
    h.give_credentials();
    action = h.resume({.error = boost::asio::error::host_not_found});
    REQUIRE(action.step == call_step::done);
    CHECK(action.result == boost::asio::error::host_not_found);
    CHECK_FALSE(h.diag.client_message.empty());
    CHECK(h.diag.error == ivschat::service_error_info{});
    CHECK(h.diag.attempts.size() == 2);
}

TEST_CASE("fsm: the call's deadline bounds attempts and backoff", "[client][fsm]") {
    SECTION("an attempt gets what is left of the call, at most attempt_timeout") {
        harness h;
        h.settings.call_timeout = 1000ms;
        h.settings.attempt_timeout = 300ms;
        h.start();
        auto action = h.give_credentials();
        REQUIRE(action.step == call_step::send);
        CHECK(action.limit == std::optional<steady_clock::duration>(300ms));
        action = h.resume({.error = ivschat::error::timeout});  // the attempt timed out
        REQUIRE(action.step == call_step::wait);
        h.now += 800ms;
        h.resume({});
        action = h.give_credentials();
        REQUIRE(action.step == call_step::send);
        CHECK(action.limit == std::optional<steady_clock::duration>(200ms));
    }
    SECTION("a backoff past the deadline ends the call as a timeout") {
        harness h;
        h.settings.call_timeout = 500ms;
        h.start();
        h.give_credentials();
        auto action = h.respond(429, "ThrottlingException");  // backoff 1 s > what is left
        REQUIRE(action.step == call_step::done);
        CHECK(action.result == ivschat::error::timeout);
        CHECK(action.result == ivschat::condition::timeout);
        CHECK(h.diag.backoff_time == 0ms);
    }
    SECTION("no time left when the attempt would start") {
        harness h;
        h.settings.call_timeout = 100ms;
        h.start();
        h.now += 100ms;
        auto action = h.give_credentials();
        REQUIRE(action.step == call_step::done);
        CHECK(action.result == ivschat::error::timeout);
        CHECK(h.diag.attempts.empty());
    }
}

TEST_CASE("fsm: cancellation in a wait, as a wait ends, and by close()", "[client][fsm]") {
    SECTION("the timer was cancelled") {
        harness h;
        h.start();
        h.give_credentials();
        h.respond(500, "InternalServerException");
        auto action = h.resume({.error = boost::asio::error::operation_aborted});
        REQUIRE(action.step == call_step::done);
        CHECK(action.result == boost::asio::error::operation_aborted);
    }
    SECTION("the slot was triggered as the timer expired") {
        harness h;
        h.start();
        h.give_credentials();
        h.respond(500, "InternalServerException");
        auto action = h.resume({.cancelled = true});
        REQUIRE(action.step == call_step::done);
        CHECK(action.result == boost::asio::error::operation_aborted);
    }
    SECTION("the client was closed under the exchange") {
        harness h;
        h.start();
        h.give_credentials();
        auto action = h.resume({.error = boost::asio::error::operation_aborted, .client_closed = true});
        REQUIRE(action.step == call_step::done);
        CHECK(action.result == boost::asio::error::operation_aborted);
        CHECK(h.diag.client_message == "the client was closed");
        CHECK(h.diag.attempts.size() == 1);
    }
}

TEST_CASE("fsm: a credentials failure ends the call before anything is sent", "[client][fsm]") {
    harness h;
    h.start();
    const error_code unavailable(ivschat::make_error_code(ivschat::credentials_errc::unavailable));
    auto action = h.resume({.error = unavailable});
    REQUIRE(action.step == call_step::done);
    CHECK(action.result == unavailable);
    CHECK(h.diag.attempts.empty());
}

TEST_CASE("fsm: pacing waits before signing, bounded by the deadline", "[client][fsm]") {
    harness h;
    h.settings.paced = true;
    h.settings.call_timeout = 2000ms;
    h.start();
    h.now += 500ms;
    auto action = h.give_credentials();
    REQUIRE(action.step == call_step::pace);
    CHECK(action.max_wait == 1500ms);
    SECTION("a permit came") {
        h.now += 700ms;
        action = h.resume({});
        REQUIRE(action.step == call_step::send);
        CHECK(action.limit == std::optional<steady_clock::duration>(800ms));
    }
    SECTION("no permit before the deadline") {
        action = h.resume({.error = ivschat::error::quota_wait});
        REQUIRE(action.step == call_step::done);
        CHECK(action.result == ivschat::condition::quota_wait);
        CHECK(h.diag.attempts.empty());
    }
}

TEST_CASE("fsm: the rate limiter's delay is waited before the attempt", "[client][fsm]") {
    harness h{std::make_shared<limiter_once>()};
    auto action = h.start();
    REQUIRE(action.step == call_step::wait);
    CHECK(action.delay == 250ms);
    h.now += 250ms;
    CHECK(h.resume({}).step == call_step::get_credentials);
    CHECK(h.diag.backoff_time == 250ms);
}

TEST_CASE("fsm: a 2xx that is not the operation's success status is malformed", "[client][fsm]") {
    harness h;
    h.call.operation = "DeleteRoom";
    h.call.success_status = 204;
    h.start();
    h.give_credentials();
    auto action = h.respond(200);
    REQUIRE(action.step == call_step::done);
    CHECK(action.result == ivschat::error::malformed_response);
    CHECK(h.diag.client_message == "HTTP 200 where DeleteRoom answers 204");
    CHECK(h.diag.attempts.at(0).error == ivschat::error::malformed_response);
}

TEST_CASE("fsm: a body that is not the output is malformed and not retried", "[client][fsm]") {
    harness h;
    h.start();
    h.give_credentials();
    REQUIRE(h.respond(200).step == call_step::parse);
    auto action = h.resume({.parse_error = "expected an object"});
    REQUIRE(action.step == call_step::done);
    CHECK(action.result == ivschat::error::malformed_response);
    CHECK(action.feedback == pacing_feedback::none);
    CHECK(h.diag.client_message == "the response does not match the operation's output: expected an object");
}
