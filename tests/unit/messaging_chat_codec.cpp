// The Messaging frame codec: server frames as the service and the emulator
// send them (captured shapes in shared/messaging-api.md), the tolerated
// variations, bad frames, and the client actions it writes.
#include <ivschat/chat_room.hpp>
#include <ivschat/messaging/chat_codec.hpp>

#include <boost/json.hpp>

#include <catch2/catch.hpp>

using namespace ivschat;
using namespace ivschat::messaging;
namespace json = boost::json;

namespace {

template <class T>
T decode_as(std::string_view text) {
    auto decoded = decode_frame(text);
    INFO(decoded.problem);
    REQUIRE(decoded.frame);
    REQUIRE(std::holds_alternative<T>(*decoded.frame));
    return std::get<T>(*decoded.frame);
}

std::string problem_of(std::string_view text) {
    auto decoded = decode_frame(text);
    CHECK_FALSE(decoded.frame);
    return decoded.problem;
}

}  // namespace

TEST_CASE("a MESSAGE with every field, SendTime to the nanosecond") {
    const std::string text =
        R"({"Type":"MESSAGE","Id":"M2YcHkgffEvU","RequestId":"r1","Attributes":{"a":"1"},"Content":"hi",)"
        R"("SendTime":"2022-12-02T08:21:20.754555595Z","Sender":{"UserId":"u1","Attributes":{"role":"mod"}}})";
    const auto m = decode_as<chat_message>(text);
    CHECK(m.id == "M2YcHkgffEvU");
    CHECK(m.request_id == "r1");
    CHECK(m.content == "hi");
    CHECK(m.attributes == chat_attributes{{"a", "1"}});
    CHECK(m.sender.user_id == "u1");
    CHECK(m.sender.attributes == chat_attributes{{"role", "mod"}});
    CHECK(m.send_time.time_since_epoch().count() % 1000000000 == 754555595);
    CHECK(std::chrono::floor<std::chrono::seconds>(m.send_time).time_since_epoch().count() == 1669969280);
    CHECK(m.json == text);
    CHECK(frame_id(chat_frame(m)) == "M2YcHkgffEvU");
    CHECK(frame_request_id(chat_frame(m)) == "r1");
}

TEST_CASE("null Attributes, empty or missing RequestId and unknown fields are accepted") {
    const auto m = decode_as<chat_message>(
        R"({"Type":"MESSAGE","Id":"a","RequestId":"","Attributes":null,"Content":"x","New":[1],)"
        R"("SendTime":"2022-12-02T08:21:20Z","Sender":{"UserId":"u","Attributes":{}}})");
    CHECK(m.attributes.empty());
    CHECK(m.request_id.empty());
    const auto e = decode_as<chat_event>(
        R"({"Type":"EVENT","Id":"b","EventName":"app:custom","SendTime":"2022-12-02T08:21:20.1Z"})");
    CHECK(e.event_name == "app:custom");
    CHECK(e.request_id.empty());
    CHECK(e.attributes.empty());
}

TEST_CASE("aws:DELETE_MESSAGE with either spelling of the message id") {
    const auto both = decode_as<chat_deleted_message>(
        R"({"Type":"EVENT","Id":"e","RequestId":"r","EventName":"aws:DELETE_MESSAGE",)"
        R"("Attributes":{"MessageId":"m1","MessageID":"m1","Reason":"spam"},"SendTime":"2022-12-02T08:21:20Z"})");
    CHECK(both.message_id == "m1");
    CHECK(both.reason == "spam");
    const auto old_spelling = decode_as<chat_deleted_message>(
        R"({"Type":"EVENT","Id":"e","EventName":"aws:DELETE_MESSAGE","Attributes":{"MessageID":"m2"},)"
        R"("SendTime":"2022-12-02T08:21:20Z"})");
    CHECK(old_spelling.message_id == "m2");
    CHECK(old_spelling.reason.empty());
}

TEST_CASE("aws:DISCONNECT_USER") {
    const auto d = decode_as<chat_user_disconnected>(
        R"({"Type":"EVENT","Id":"e","RequestId":"","EventName":"aws:DISCONNECT_USER",)"
        R"("Attributes":{"UserId":"bob","Reason":"rude"},"SendTime":"2022-12-02T08:21:20Z"})");
    CHECK(d.user_id == "bob");
    CHECK(d.reason == "rude");
}

TEST_CASE("ERROR frames map to chat_errc") {
    for (int code : {400, 401, 403, 404, 406, 413, 429, 500}) {
        const auto e = decode_as<chat_error>(R"({"Type":"ERROR","Id":"x","RequestId":"r","ErrorCode":)" +
                                             std::to_string(code) + R"(,"ErrorMessage":"m"})");
        CHECK(e.error_code == code);
        CHECK(e.error_message == "m");
        CHECK(to_error_code(e) == static_cast<chat_errc>(code));
        CHECK(to_error_code(e).category() == chat_category());
    }
    const auto odd = decode_as<chat_error>(R"({"Type":"ERROR","Id":"x","ErrorCode":418})");
    CHECK(to_error_code(odd) == chat_errc::unknown_service_error);
    CHECK(make_error_code(chat_errc::rate_exceeded).message().find("429") != std::string::npos);
}

TEST_CASE("bad frames are reported with a problem") {
    CHECK(problem_of("").find("not JSON") == 0);
    CHECK(problem_of("[1]") == "not a JSON object");
    CHECK(problem_of(R"({"Id":"a"})") == "Type is missing");
    CHECK(problem_of(R"({"Type":"MESSAGE"})") == "Id is missing");
    CHECK(problem_of(R"({"Type":"PING","Id":"a"})") == "unknown Type");
    CHECK(problem_of(R"({"Type":"MESSAGE","Id":"a","Content":"x","SendTime":"yesterday","Sender":{"UserId":"u"}})") ==
          "SendTime is not an RFC 3339 time");
    CHECK(problem_of(R"({"Type":"MESSAGE","Id":"a","Content":"x","SendTime":"2022-12-02T08:21:20Z"})") ==
          "Sender is missing or not an object");
    CHECK(problem_of(R"({"Type":"EVENT","Id":"a","EventName":"e","Attributes":{"k":1},"SendTime":"2022-12-02T08:21:20Z"})") ==
          "Attributes.k is not a string");
    CHECK(problem_of(R"({"Type":"ERROR","Id":"a","ErrorCode":"400"})").find("ErrorCode") == 0);
    CHECK(problem_of(std::string(100, '[') + std::string(100, ']')).find("not JSON") == 0);
}

TEST_CASE("client actions are written with PascalCase fields") {
    CHECK(json::parse(encode_send_message("r1", "hi \"there\"", {{"k", "v"}})) ==
          json::parse(R"({"Action":"SEND_MESSAGE","RequestId":"r1","Content":"hi \"there\"","Attributes":{"k":"v"}})"));
    CHECK(json::parse(encode_send_message("r1", "x", {})) ==
          json::parse(R"({"Action":"SEND_MESSAGE","RequestId":"r1","Content":"x"})"));
    CHECK(json::parse(encode_delete_message("r2", "m1", "spam")) ==
          json::parse(R"({"Action":"DELETE_MESSAGE","RequestId":"r2","Id":"m1","Reason":"spam"})"));
    CHECK(json::parse(encode_disconnect_user("r3", "bob", "")) ==
          json::parse(R"({"Action":"DISCONNECT_USER","RequestId":"r3","UserId":"bob"})"));
}

TEST_CASE("prepared actions keep their RequestId or get a fresh one") {
    const auto kept = prepare_action(R"({"Action":"SEND_MESSAGE","RequestId":"mine","Content":"x"})", "fresh");
    REQUIRE(kept);
    CHECK(kept->request_id == "mine");
    const auto added = prepare_action(R"({"Action":"DELETE_MESSAGE","Id":"m"})", "fresh");
    REQUIRE(added);
    CHECK(added->request_id == "fresh");
    CHECK(json::parse(added->text).at("RequestId") == "fresh");
    CHECK_FALSE(prepare_action("hello", "f"));
    CHECK_FALSE(prepare_action(R"({"Content":"x"})", "f"));
    CHECK_FALSE(prepare_action(R"({"Action":1})", "f"));
}

TEST_CASE("request ids are UUID v4 text and differ") {
    const auto a = make_request_id();
    const auto b = make_request_id();
    CHECK(a.size() == 36);
    CHECK(a[14] == '4');
    CHECK(a != b);
}

TEST_CASE("the messaging endpoint of a region, or the URL given") {
    CHECK(messaging_endpoint("us-west-2") == "wss://edge.ivschat.us-west-2.amazonaws.com");
    CHECK(messaging_endpoint("ws://127.0.0.1:9") == "ws://127.0.0.1:9");
    CHECK(messaging_endpoint("https://example.com") == "https://example.com");
}
