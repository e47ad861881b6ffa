// Message review over real sockets: rooms whose messageReviewHandler is
// served by a local HTTP handler (server_options::review_handlers, the
// --review-handler flag), with ALLOW, DENY, replaced content and attributes,
// a handler that does not answer in time (fallback ALLOW and DENY), HTTP 500,
// invalid JSON, a refused connection, the room's order and the bound on
// pending reviews.
#include "emulator_chat_client.hpp"

#include <support/child_process.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>

using namespace emulator_test;

namespace {

constexpr std::string_view handler_arn = "arn:aws:lambda:us-west-2:123456789012:function:review";
constexpr std::string_view hanging_arn = "arn:aws:lambda:us-west-2:123456789012:function:hanging";
constexpr std::string_view refused_arn = "arn:aws:lambda:us-west-2:123456789012:function:refused";

/// A review handler on 127.0.0.1: one thread per connection, its verdict
/// chosen by the message's Content: "deny" DENY; "replace" ALLOW with new
/// Content and Attributes; "error" HTTP 500; "garbage" a body that is not
/// JSON; "hold..." waits until release(); "late" answers after 300 ms;
/// anything else ALLOW unchanged. Records every request body it got.
class review_handler_server {
public:
    review_handler_server()
        : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), endpoint_(acceptor_.local_endpoint()) {
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    ~review_handler_server() {
        release();
        // Wakes the blocking accept with a connection it will not serve.
        stopping_ = true;
        asio::io_context ioc;
        tcp::socket wake(ioc);
        beast::error_code ignored;
        wake.connect(endpoint_, ignored);
        accept_thread_.join();
        // Joined without the lock: a connection may still need it to record its request.
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(mutex_);
            threads.swap(connection_threads_);
        }
        for (auto& t : threads) t.join();
    }

    std::uint16_t port() const { return endpoint_.port(); }

    void release() {
        std::lock_guard lock(mutex_);
        released_ = true;
        released_changed_.notify_all();
    }

    std::vector<json::object> requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void accept_loop() {
        for (;;) {
            tcp::socket socket(ioc_);
            beast::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) return;
            std::lock_guard lock(mutex_);
            connection_threads_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
        }
    }

    void serve(tcp::socket socket) {
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        beast::error_code ec;
        http::read(socket, buffer, request, ec);
        if (ec) return;
        const auto event = json::parse(request.body()).as_object();
        const std::string content(event.at("Content").as_string());
        {
            std::unique_lock lock(mutex_);
            requests_.push_back(event);
            if (content.starts_with("hold")) released_changed_.wait(lock, [this] { return released_; });
        }
        if (content == "late") std::this_thread::sleep_for(300ms);
        http::response<http::string_body> response(http::status::ok, 11);
        response.set(http::field::content_type, "application/json");
        if (content == "deny") {
            response.body() = R"({"ReviewResult":"DENY"})";
        } else if (content == "replace") {
            response.body() = R"({"ReviewResult":"ALLOW","Content":"[replaced]","Attributes":{"reviewed":"yes"}})";
        } else if (content == "error") {
            response.result(http::status::internal_server_error);
            response.body() = R"({"errorMessage":"boom"})";
        } else if (content == "garbage") {
            response.body() = "this is not JSON";
        } else {
            response.body() = R"({"ReviewResult":"ALLOW"})";
        }
        response.prepare_payload();
        http::write(socket, response, ec);
        socket.shutdown(tcp::socket::shutdown_both, ec);
    }

    asio::io_context ioc_;
    tcp::acceptor acceptor_;
    // Read once: the accepting thread owns the acceptor afterwards.
    const tcp::endpoint endpoint_;
    std::thread accept_thread_;
    std::atomic<bool> stopping_ = false;
    std::mutex mutex_;
    std::condition_variable released_changed_;
    bool released_ = false;
    std::vector<std::thread> connection_threads_;
    std::vector<json::object> requests_;
};

// A port on 127.0.0.1 that nothing listens on.
std::uint16_t closed_port() {
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

ivschat::emulator::review_handler_route route(std::string_view arn, std::uint16_t port) {
    return {.lambda_arn = std::string(arn), .address = "127.0.0.1", .port = port, .target = "/review"};
}

json::object review_room(std::string_view arn, std::string_view fallback) {
    return {{"maximumMessageRatePerSecond", 100},
            {"messageReviewHandler", {{"uri", arn}, {"fallbackResult", fallback}}}};
}

json::object send(std::string_view content, std::string_view request_id) {
    return {{"Action", "SEND_MESSAGE"}, {"Content", content}, {"RequestId", request_id}};
}

}  // namespace

TEST_CASE("review: the handler gets the service's request and its verdict applies", "[emulator][review]") {
    review_handler_server handler;
    // A generous deadline: these verdicts must not turn into fallbacks on a loaded machine.
    chat_fixture f({.review_handlers = {route(handler_arn, handler.port())}, .review_timeout = 20s});
    const auto room = f.create_room(review_room(handler_arn, "DENY"));
    auto alice = f.connect(f.token("alice", {"SEND_MESSAGE"}, 60, room));
    auto bob = f.connect(f.token("bob", {}, 60, room));

    alice->send(json::serialize(json::object{{"Action", "SEND_MESSAGE"},
                                             {"Content", "hello"},
                                             {"Attributes", {{"mood", "glad"}}},
                                             {"RequestId", "r1"}}));
    const auto allowed = bob->expect_frame();
    CHECK(str(allowed, "Type") == "MESSAGE");
    CHECK(str(allowed, "Content") == "hello");
    CHECK(str(allowed, "RequestId") == "r1");
    CHECK(alice->expect_frame() == allowed);

    const auto requests = handler.requests();
    REQUIRE(requests.size() == 1);
    const auto& event = requests[0];
    CHECK(event.size() == 5);
    CHECK(str(event, "Content") == "hello");
    CHECK(str(event, "MessageId") == str(allowed, "Id"));
    CHECK(str(event, "RoomArn") == room);
    CHECK(event.at("Attributes") == json::object{{"mood", "glad"}});
    CHECK(event.at("Sender") ==
          json::object{{"UserId", "alice"}, {"Attributes", {{"color", "blue"}}}, {"Ip", "127.0.0.1"}});

    // DENY: ERROR 406 to the sender, nothing to the others.
    alice->send(json::serialize(send("deny", "r2")));
    alice->expect_error(406, "r2");
    alice->send(json::serialize(send("replace", "r3")));
    const auto replaced = bob->expect_frame();
    CHECK(str(replaced, "Content") == "[replaced]");
    CHECK(replaced.at("Attributes") == json::object{{"reviewed", "yes"}});
    CHECK(str(replaced, "RequestId") == "r3");
    CHECK(alice->expect_frame() == replaced);

    const auto counted = messaging_stats(f);
    CHECK(counted.at("reviews") == json::object{{"allowed", 2}, {"denied", 1}, {"fallback", 0}});
    CHECK(counted.at("errors") == json::object{{"406", 1}});
    CHECK(counted.at("messagesSent") == 3);
}

TEST_CASE("review: no answer in time, HTTP 500, invalid JSON or no handler apply the room's fallbackResult",
          "[emulator][review]") {
    review_handler_server handler;
    chat_fixture f({.review_handlers = {route(handler_arn, handler.port()), route(hanging_arn, handler.port()),
                                        route(refused_arn, closed_port())},
                    .review_timeout = 200ms});
    const auto allow_room = f.create_room(review_room(hanging_arn, "ALLOW"));
    const auto deny_room = f.create_room(review_room(hanging_arn, "DENY"));
    auto in_allow = f.connect(f.token("alice", {"SEND_MESSAGE"}, 60, allow_room));
    auto in_deny = f.connect(f.token("alice", {"SEND_MESSAGE"}, 60, deny_room));

    // The handler holds these until the end of the test: only the deadline decides.
    in_allow->send(json::serialize(send("hold: allowed by the fallback", "a1")));
    const auto delivered = in_allow->expect_frame();
    CHECK(str(delivered, "Type") == "MESSAGE");
    CHECK(str(delivered, "Content") == "hold: allowed by the fallback");
    in_deny->send(json::serialize(send("hold: denied by the fallback", "d1")));
    in_deny->expect_error(406, "d1");

    SECTION("an HTTP error, an invalid reply and a refused connection") {
        const auto error_room = f.create_room(review_room(handler_arn, "DENY"));
        const auto refused_room = f.create_room(review_room(refused_arn, "DENY"));
        const auto unmapped_room =
            f.create_room(review_room("arn:aws:lambda:us-west-2:123456789012:function:unknown", "DENY"));
        auto c = f.connect(f.token("carol", {"SEND_MESSAGE"}, 60, error_room));
        c->send(json::serialize(send("error", "e1")));
        c->expect_error(406, "e1");
        c->send(json::serialize(send("garbage", "e2")));
        c->expect_error(406, "e2");
        auto r = f.connect(f.token("carol", {"SEND_MESSAGE"}, 60, refused_room));
        r->send(json::serialize(send("anything", "e3")));
        r->expect_error(406, "e3");
        auto u = f.connect(f.token("carol", {"SEND_MESSAGE"}, 60, unmapped_room));
        u->send(json::serialize(send("anything", "e4")));
        u->expect_error(406, "e4");
        CHECK(messaging_stats(f).at("reviews") == json::object{{"allowed", 0}, {"denied", 0}, {"fallback", 6}});
    }
}

TEST_CASE("review: a room's messages keep their order; its pending reviews are bounded", "[emulator][review]") {
    review_handler_server handler;
    ivschat::emulator::server_options options{.review_handlers = {route(handler_arn, handler.port())},
                                              .review_timeout = 20s};
    options.messaging.max_pending_reviews = 3;
    chat_fixture f(options);
    const auto room = f.create_room(review_room(handler_arn, "ALLOW"));
    auto alice = f.connect(f.token("alice", {"SEND_MESSAGE"}, 60, room));

    // "late" is reviewed after "quick", but delivered first.
    alice->send(json::serialize(send("late", "1")));
    alice->send(json::serialize(send("quick", "2")));
    CHECK(str(alice->expect_frame(), "RequestId") == "1");
    CHECK(str(alice->expect_frame(), "RequestId") == "2");

    // Three held reviews fill the room's queue; the fourth message is refused.
    for (const auto* id : {"h1", "h2", "h3"}) alice->send(json::serialize(send("hold", id)));
    alice->send(json::serialize(send("one too many", "h4")));
    alice->expect_error(429, "h4");
    CHECK(f.emulator.on_server([&](auto& s) { return s.messaging().pending_reviews(room); }) == 3);
    handler.release();
    for (const auto* id : {"h1", "h2", "h3"}) CHECK(str(alice->expect_frame(), "RequestId") == id);
    CHECK(f.emulator.on_server([&](auto& s) { return s.messaging().pending_reviews(room); }) == 0);
}

TEST_CASE("review: the emulator's --review-handler flag", "[emulator][review]") {
    review_handler_server handler;
    const std::string flag = std::string(handler_arn) + "=http://127.0.0.1:" + std::to_string(handler.port()) + "/review";
    ivschat::test::child_process emulator({IVSCHAT_EMULATOR_PATH, "--review-handler", flag});
    const auto endpoint = emulator.line();
    client control(endpoint_port(endpoint));
    auto created = call(control, "CreateRoom", review_room(handler_arn, "ALLOW"));
    REQUIRE(created.status == 200);
    auto token = call(control, "CreateChatToken",
                      {{"roomIdentifier", str(created.json, "arn")}, {"userId", "alice"}, {"capabilities", {"SEND_MESSAGE"}}});
    REQUIRE(token.status == 200);
    chat_client alice;
    REQUIRE(alice.open(endpoint_port(endpoint), str(token.json, "token")).accepted);
    alice.send(json::serialize(send("deny", "d")));
    alice.expect_error(406, "d");
    CHECK(handler.requests().size() == 1);

    // A value that is not ARN=http://ADDRESS:PORT/PATH stops it with status 2.
    const std::string arn(handler_arn);
    for (const std::string& bad : std::vector<std::string>{"not-an-arn=http://127.0.0.1:1/", arn + "=https://127.0.0.1:1/", arn}) {
        INFO(bad);
        ivschat::test::child_process refused({IVSCHAT_EMULATOR_PATH, "--review-handler", bad});
        const int status = refused.wait();
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 2);
    }
}
