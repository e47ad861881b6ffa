// The Messaging endpoint's semantics without sockets: token admission,
// actions with their capability, length and rate checks, broadcasts, the
// control plane's events, DeleteRoom and session expiry, on fake connections.
#include <ivschat/emulator/chat_room_registry.hpp>

#include <boost/json.hpp>

#include <catch2/catch.hpp>

#include <thread>

namespace {

namespace emulator = ivschat::emulator;
namespace json = boost::json;
using namespace std::chrono_literals;

struct fake_connection final : emulator::chat_connection {
    using chat_connection::chat_connection;
    std::vector<json::object> frames;
    std::optional<std::pair<std::uint16_t, std::string>> ended;
    bool aborted = false;

    void deliver(std::shared_ptr<const std::string> frame) override {
        if (!ending()) frames.push_back(json::parse(*frame).as_object());
    }
    void end(std::uint16_t code, std::string_view reason) override {
        if (begin_ending()) ended.emplace(code, std::string(reason));
    }
    void abort() override { aborted = true; }

    json::object take() {
        REQUIRE_FALSE(frames.empty());
        auto first = frames.front();
        frames.erase(frames.begin());
        return first;
    }
};

struct registry_fixture {
    emulator::service service;
    emulator::chat_room_registry registry{service, {}};
    std::string room;
    std::vector<std::unique_ptr<fake_connection>> connections;

    explicit registry_fixture(emulator::service_options options = {}) : service(std::move(options)) {
        room = *std::get<ivschat::create_room_response>(
                    service.handle(ivschat::create_room_request{.maximum_message_rate_per_second = 100,
                                                                .maximum_message_length = 5},
                                   std::chrono::system_clock::now()))
                    .arn;
    }
    ~registry_fixture() {
        for (auto& c : connections) registry.leave(*c);
    }

    std::string token(std::string user, std::vector<ivschat::chat_token_capability> capabilities = {},
                      std::optional<std::int32_t> session_minutes = {}) {
        return *std::get<ivschat::create_chat_token_response>(
                    service.handle(ivschat::create_chat_token_request{.room_identifier = room,
                                                                       .user_id = std::move(user),
                                                                       .capabilities = std::move(capabilities),
                                                                       .session_duration_in_minutes = session_minutes,
                                                                       .attributes = {{"tier", "gold"}}},
                                   std::chrono::system_clock::now()))
                    .token;
    }
    fake_connection& connect(const std::string& chat_token) {
        auto admitted = registry.admit(chat_token);
        REQUIRE(std::holds_alternative<emulator::chat_token_claims>(admitted));
        connections.push_back(std::make_unique<fake_connection>(std::get<emulator::chat_token_claims>(admitted)));
        registry.join(*connections.back());
        return *connections.back();
    }
};

json::object error_of(fake_connection& c, int code, std::string_view request_id) {
    auto frame = c.take();
    CHECK(frame.at("Type") == "ERROR");
    CHECK(frame.at("ErrorCode") == code);
    CHECK(frame.at("RequestId").as_string() == request_id);
    CHECK(frame.at("Id").as_string().size() == 12);
    return frame;
}

}  // namespace

TEST_CASE("chat registry: tokens are admitted once, before expiry, for an existing room", "[emulator][chat]") {
    registry_fixture f;
    const auto token = f.token("alice");
    f.connect(token);
    const auto refusal = [&](std::string_view t) { return std::get<emulator::upgrade_refusal>(f.registry.admit(t)); };
    CHECK(refusal(token).status == 401);
    CHECK(refusal(token).reason == "chat token already used");
    CHECK(refusal("").reason == "missing chat token (Sec-WebSocket-Protocol)");
    auto forged = f.token("bob");
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    CHECK(refusal(forged).reason == "invalid chat token");

    const auto orphan = f.token("carol");
    f.service.handle(ivschat::delete_room_request{.identifier = f.room}, std::chrono::system_clock::now());
    CHECK(refusal(orphan).status == 404);
    CHECK(f.registry.counters().upgrades_refused == 5);
    CHECK(f.registry.connection_count() == 1);
}

TEST_CASE("chat registry: an expired token is refused", "[emulator][chat]") {
    registry_fixture f({.chat_minute = 1ms});
    const auto token = f.token("alice");
    std::this_thread::sleep_for(5ms);
    CHECK(std::get<emulator::upgrade_refusal>(f.registry.admit(token)).reason == "chat token expired");
}

TEST_CASE("chat registry: SEND_MESSAGE reaches the whole room with the sender's token attributes", "[emulator][chat]") {
    registry_fixture f;
    auto& alice = f.connect(f.token("alice", {ivschat::chat_token_capability::send_message}));
    auto& viewer = f.connect(f.token("viewer"));
    f.registry.handle_frame(alice, R"({"Action":"SEND_MESSAGE","RequestId":"r1","Content":"h\u00e9!","Attributes":{"x":"y"}})");
    for (auto* c : {&alice, &viewer}) {
        auto m = c->take();
        CHECK(m.at("Type") == "MESSAGE");
        CHECK(m.at("RequestId") == "r1");
        CHECK(m.at("Content") == "h\xc3\xa9!");
        CHECK(m.at("Attributes") == json::object{{"x", "y"}});
        CHECK(m.at("Sender") == json::object{{"UserId", "alice"}, {"Attributes", json::object{{"tier", "gold"}}}});
        CHECK(m.at("Id").as_string().size() == 12);
        CHECK(m.at("SendTime").as_string().size() == 30);
    }
    // 5 code points is the room's limit: 6 is refused, 5 multi-byte ones pass.
    f.registry.handle_frame(alice, R"({"Action":"SEND_MESSAGE","RequestId":"r2","Content":"123456"})");
    CHECK(error_of(alice, 400, "r2").at("ErrorMessage") == "Content must be at most 5 characters.");
    f.registry.handle_frame(alice, R"({"Action":"SEND_MESSAGE","Content":"\u00e9\u00e9\u00e9\u00e9\u00e9"})");
    CHECK(alice.take().at("Type") == "MESSAGE");
    CHECK(viewer.frames.size() == 1);

    // A viewer may not send; a malformed frame is an error and nothing more.
    viewer.frames.clear();
    f.registry.handle_frame(viewer, R"({"Action":"SEND_MESSAGE","RequestId":"v","Content":"hi"})");
    error_of(viewer, 403, "v");
    f.registry.handle_frame(viewer, "not json");
    error_of(viewer, 400, "");
    CHECK(alice.frames.empty());
    CHECK_FALSE(viewer.ended);
}

TEST_CASE("chat registry: UpdateRoom's limits apply to the next message, the rate across all clients", "[emulator][chat]") {
    registry_fixture f;
    auto& a = f.connect(f.token("a", {ivschat::chat_token_capability::send_message}));
    auto& b = f.connect(f.token("b", {ivschat::chat_token_capability::send_message}));
    f.service.handle(ivschat::update_room_request{.identifier = f.room,
                                                  .maximum_message_rate_per_second = 2,
                                                  .maximum_message_length = 10},
                     std::chrono::system_clock::now());
    f.registry.handle_frame(a, R"({"Action":"SEND_MESSAGE","Content":"0123456789"})");
    f.registry.handle_frame(b, R"({"Action":"SEND_MESSAGE","Content":"two"})");
    f.registry.handle_frame(a, R"({"Action":"SEND_MESSAGE","RequestId":"third","Content":"three"})");
    CHECK(a.take().at("Content") == "0123456789");
    CHECK(a.take().at("Content") == "two");
    error_of(a, 429, "third");
    CHECK(b.frames.size() == 2);
    CHECK(f.registry.counters().messages_sent == 2);
}

TEST_CASE("chat registry: DELETE_MESSAGE and DISCONNECT_USER broadcast their events", "[emulator][chat]") {
    registry_fixture f;
    auto& mod = f.connect(f.token("mod", {ivschat::chat_token_capability::delete_message,
                                          ivschat::chat_token_capability::disconnect_user}));
    auto& bob1 = f.connect(f.token("bob"));
    auto& bob2 = f.connect(f.token("bob"));
    auto& eve = f.connect(f.token("eve"));

    f.registry.handle_frame(mod, R"({"Action":"DELETE_MESSAGE","RequestId":"d","Id":"Msg123","Reason":"spam"})");
    for (auto* c : {&mod, &bob1, &bob2, &eve}) {
        auto e = c->take();
        CHECK(e.at("Type") == "EVENT");
        CHECK(e.at("EventName") == "aws:DELETE_MESSAGE");
        CHECK(e.at("RequestId") == "d");
        CHECK(e.at("Attributes") ==
              json::object{{"MessageId", "Msg123"}, {"MessageID", "Msg123"}, {"Reason", "spam"}});
    }
    f.registry.handle_frame(mod, R"({"Action":"DISCONNECT_USER","RequestId":"k","UserId":"bob","Reason":"rude"})");
    for (auto* c : {&mod, &bob1, &bob2, &eve}) {
        auto e = c->take();
        CHECK(e.at("EventName") == "aws:DISCONNECT_USER");
        CHECK(e.at("RequestId") == "k");
        CHECK(e.at("Attributes") == json::object{{"UserId", "bob"}, {"Reason", "rude"}});
    }
    CHECK(bob1.ended == std::pair<std::uint16_t, std::string>{1000, "disconnected by a moderator"});
    CHECK(bob2.ended);
    CHECK_FALSE(eve.ended);
    CHECK_FALSE(mod.ended);

    f.registry.handle_frame(eve, R"({"Action":"DELETE_MESSAGE","RequestId":"x","Id":"Msg123"})");
    error_of(eve, 403, "x");
    f.registry.handle_frame(eve, R"({"Action":"DISCONNECT_USER","RequestId":"y","UserId":"mod"})");
    error_of(eve, 403, "y");
}

TEST_CASE("chat registry: the control plane's events, disconnects and DeleteRoom reach the room", "[emulator][chat]") {
    registry_fixture f;
    auto& a = f.connect(f.token("a"));
    auto& b = f.connect(f.token("b"));
    const auto now = std::chrono::system_clock::now();
    const auto sent = std::get<ivschat::send_event_response>(f.service.handle(
        ivschat::send_event_request{.room_identifier = f.room, .event_name = "poll", .attributes = {{"q", "1"}}}, now));
    const auto deleted = std::get<ivschat::delete_message_response>(f.service.handle(
        ivschat::delete_message_request{.room_identifier = f.room, .id = "AAAAAAAAAAAA"}, now));
    f.service.handle(ivschat::disconnect_user_request{.room_identifier = f.room, .user_id = "b", .reason = "bye"}, now);
    for (auto* c : {&a, &b}) {
        auto poll = c->take();
        CHECK(poll.at("Id").as_string() == *sent.id);
        CHECK(poll.at("EventName") == "poll");
        CHECK(poll.at("RequestId") == "");
        CHECK(poll.at("Attributes") == json::object{{"q", "1"}});
        auto del = c->take();
        CHECK(del.at("Id").as_string() == *deleted.id);
        CHECK(del.at("Attributes") == json::object{{"MessageId", "AAAAAAAAAAAA"}, {"MessageID", "AAAAAAAAAAAA"}, {"Reason", ""}});
        auto kick = c->take();
        CHECK(kick.at("EventName") == "aws:DISCONNECT_USER");
        CHECK(kick.at("Attributes") == json::object{{"UserId", "b"}, {"Reason", "bye"}});
    }
    CHECK(b.ended);
    CHECK_FALSE(a.ended);

    f.service.handle(ivschat::delete_room_request{.identifier = f.room}, now);
    CHECK(a.ended == std::pair<std::uint16_t, std::string>{1000, "room deleted"});
}

TEST_CASE("chat registry: a session ends at its expiry with ERROR 401; overdue closes are aborted", "[emulator][chat]") {
    // A chat minute of 100 ms: "brief" lasts 100 ms, "lasting" 18 s.
    registry_fixture f({.chat_minute = 100ms});
    auto& brief = f.connect(f.token("brief", {}, 1));
    auto& lasting = f.connect(f.token("lasting", {}, 180));
    std::this_thread::sleep_for(150ms);
    f.registry.sweep(std::chrono::steady_clock::now());
    error_of(brief, 401, "");
    CHECK(brief.ended == std::pair<std::uint16_t, std::string>{1000, "session expired"});
    CHECK_FALSE(lasting.ended);
    CHECK_FALSE(brief.aborted);
    f.registry.sweep(std::chrono::steady_clock::now() + f.registry.options().close_timeout + 1s);
    CHECK(brief.aborted);
    CHECK_FALSE(lasting.aborted);
}

namespace {

// Keeps every review's callback, to answer them in any order.
struct held_reviews final : emulator::message_reviewer {
    std::vector<std::pair<std::string, std::function<void(std::optional<std::string>)>>> calls;
    void review(std::string_view lambda_arn, std::string body,
                std::function<void(std::optional<std::string>)> done) override {
        CHECK(lambda_arn == "arn:aws:lambda:us-west-2:123456789012:function:f");
        calls.emplace_back(std::move(body), std::move(done));
    }
};

}  // namespace

TEST_CASE("chat registry: reviewed messages keep the room's order; a denial reaches the sender alone",
          "[emulator][chat][review]") {
    registry_fixture f;
    held_reviews reviews;
    f.registry.set_reviewer(&reviews);
    f.service.handle(ivschat::update_room_request{.identifier = f.room,
                                                  .message_review_handler = ivschat::message_review_handler{
                                                      .uri = "arn:aws:lambda:us-west-2:123456789012:function:f",
                                                      .fallback_result = ivschat::fallback_result::deny}},
                     std::chrono::system_clock::now());
    auto& alice = f.connect(f.token("alice", {ivschat::chat_token_capability::send_message}));
    auto& viewer = f.connect(f.token("viewer"));
    for (const auto* content : {"one", "two", "three", "four"})
        f.registry.handle_frame(alice, std::string(R"({"Action":"SEND_MESSAGE","RequestId":")") + content +
                                           R"(","Content":")" + content + R"("})");
    REQUIRE(reviews.calls.size() == 4);
    CHECK(json::parse(reviews.calls[0].first).at("Content") == "one");
    CHECK(f.registry.pending_reviews(f.room) == 4);

    // Later verdicts wait for the first one.
    reviews.calls[3].second(R"({"ReviewResult":"ALLOW","Content":"FOUR"})");
    reviews.calls[1].second(R"({"ReviewResult":"DENY"})");
    reviews.calls[2].second(std::nullopt);  // no reply: the fallback, DENY
    CHECK(viewer.frames.empty());
    CHECK(alice.frames.empty());
    reviews.calls[0].second(R"({"ReviewResult":"ALLOW"})");
    CHECK(viewer.take().at("Content") == "one");
    CHECK(viewer.take().at("Content") == "FOUR");
    CHECK(viewer.frames.empty());
    CHECK(alice.take().at("Content") == "one");
    error_of(alice, 406, "two");
    error_of(alice, 406, "three");
    CHECK(alice.take().at("Content") == "FOUR");
    CHECK(f.registry.pending_reviews(f.room) == 0);
    const auto& counted = f.registry.counters();
    CHECK(counted.reviews_allowed == 2);
    CHECK(counted.reviews_denied == 1);
    CHECK(counted.reviews_fallback == 1);
    CHECK(counted.errors.at(406) == 2);

    // A sender that left misses its denial; the room still gets what is allowed.
    f.registry.handle_frame(alice, R"({"Action":"SEND_MESSAGE","RequestId":"5","Content":"five"})");
    f.registry.handle_frame(alice, R"({"Action":"SEND_MESSAGE","RequestId":"6","Content":"six"})");
    f.registry.leave(alice);
    reviews.calls[4].second(R"({"ReviewResult":"DENY"})");
    reviews.calls[5].second(R"({"ReviewResult":"ALLOW"})");
    CHECK(viewer.take().at("Content") == "six");
    CHECK(alice.frames.empty());

    // DeleteRoom drops what waits; a late verdict finds nothing.
    f.registry.join(alice);
    f.registry.handle_frame(alice, R"({"Action":"SEND_MESSAGE","RequestId":"7","Content":"seven"})");
    f.service.handle(ivschat::delete_room_request{.identifier = f.room}, std::chrono::system_clock::now());
    CHECK(f.registry.pending_reviews(f.room) == 0);
    reviews.calls[6].second(R"({"ReviewResult":"ALLOW"})");
    CHECK(viewer.frames.empty());
}
