// The Messaging API's frames without sockets: client actions parsed and
// refused with the right code, server frames built with the documented fields,
// chat tokens sealed as base64url and read back.
#include <ivschat/emulator/chat_frames.hpp>
#include <ivschat/emulator/chat_token.hpp>

#include <boost/json.hpp>

#include <catch2/catch.hpp>

namespace {

namespace emulator = ivschat::emulator;
namespace json = boost::json;
using namespace std::chrono_literals;

emulator::chat_request accepted(std::string_view frame) {
    auto v = emulator::parse_chat_request(frame);
    const auto* request = std::get_if<emulator::chat_request>(&v);
    if (!request) FAIL("refused: " << std::get<emulator::chat_frame_error>(v).message);
    return *request;
}

emulator::chat_frame_error refused(std::string_view frame) {
    auto v = emulator::parse_chat_request(frame);
    const auto* error = std::get_if<emulator::chat_frame_error>(&v);
    if (!error) FAIL("accepted: " << frame);
    return *error;
}

}  // namespace

TEST_CASE("chat frames: the three actions with their fields", "[emulator][chat]") {
    const auto send = accepted((
        R"({"Action":"SEND_MESSAGE","RequestId":"r-1","Content":"h\u00e9llo","Attributes":{"a":"b"}})"));
    CHECK(send.action == emulator::chat_action::send_message);
    CHECK(send.request_id == "r-1");
    CHECK(send.content == "h\xc3\xa9llo");
    CHECK(send.attributes == std::map<std::string, std::string>{{"a", "b"}});

    const auto bare = accepted((R"({"Action":"SEND_MESSAGE","Content":"x","Attributes":null})"));
    CHECK(bare.request_id.empty());
    CHECK(bare.attributes.empty());

    const auto del = accepted((R"({"Action":"DELETE_MESSAGE","Id":"AbC123","Reason":"spam"})"));
    CHECK(del.action == emulator::chat_action::delete_message);
    CHECK(del.id == "AbC123");
    CHECK(del.reason == "spam");

    const auto kick = accepted((R"({"Action":"DISCONNECT_USER","UserId":"bob","RequestId":"k"})"));
    CHECK(kick.action == emulator::chat_action::disconnect_user);
    CHECK(kick.user_id == "bob");
    CHECK(kick.reason.empty());
}

TEST_CASE("chat frames: malformed or invalid requests are 400 with the RequestId when readable", "[emulator][chat]") {
    for (std::string_view frame : {"", "{", "[1]", "\"text\"", "{\"Action\":\"SEND_MESSAGE\",\"Content\":\"\xff\"}",
                                   R"({"Action":"SEND_MESSAGE","Content":"\ud800"})", R"({"RequestId":5})"}) {
        INFO(frame);
        const auto e = refused(frame);
        CHECK(e.code == 400);
        CHECK(e.request_id.empty());
    }
    for (std::string_view frame : {R"({"RequestId":"q"})",
                                   R"({"RequestId":"q","Action":"PUBLISH"})",
                                   R"({"RequestId":"q","Action":"SEND_MESSAGE"})",
                                   R"({"RequestId":"q","Action":"SEND_MESSAGE","Content":""})",
                                   R"({"RequestId":"q","Action":"SEND_MESSAGE","Content":7})",
                                   R"({"RequestId":"q","Action":"SEND_MESSAGE","Content":"x","Attributes":{"a":1}})",
                                   R"({"RequestId":"q","Action":"SEND_MESSAGE","Content":"x","Attributes":[]})",
                                   R"({"RequestId":"q","Action":"DELETE_MESSAGE"})",
                                   R"({"RequestId":"q","Action":"DELETE_MESSAGE","Id":"a","Reason":3})",
                                   R"({"RequestId":"q","Action":"DISCONNECT_USER","UserId":""})"}) {
        INFO(frame);
        const auto e = refused(frame);
        CHECK(e.code == 400);
        CHECK(e.request_id == "q");
        CHECK_FALSE(e.message.empty());
    }
}

TEST_CASE("chat frames: oversized attributes and reasons are 413", "[emulator][chat]") {
    json::object big{{"Action", "SEND_MESSAGE"}, {"RequestId", "z"}, {"Content", "x"},
                     {"Attributes", json::object{{"k", std::string(1024, 'v')}}}};
    CHECK(refused(json::serialize(big)).code == 413);
    big["Attributes"] = json::object{{"k", std::string(1023, 'v')}};
    CHECK(std::holds_alternative<emulator::chat_request>(emulator::parse_chat_request(json::serialize(big))));

    json::object reason{{"Action", "DISCONNECT_USER"}, {"UserId", "u"}, {"Reason", std::string(257, 'r')}};
    CHECK(refused(json::serialize(reason)).code == 413);
    reason["Reason"] = std::string(256, 'r');
    CHECK(std::holds_alternative<emulator::chat_request>(emulator::parse_chat_request(json::serialize(reason))));
    json::object long_user{{"Action", "DISCONNECT_USER"}, {"UserId", std::string(129, 'u')}};
    CHECK(refused(json::serialize(long_user)).code == 400);
}

TEST_CASE("chat frames: code points, send times and server frames", "[emulator][chat]") {
    CHECK(emulator::code_points("") == 0);
    CHECK(emulator::code_points("abc") == 3);
    CHECK(emulator::code_points("h\xc3\xa9") == 2);
    CHECK(emulator::code_points("\xf0\x9f\x98\x80\xe2\x82\xac") == 2);

    const auto t = std::chrono::sys_days{std::chrono::December / 2 / 2022} + 8h + 21min + 20s + 754555595ns;
    CHECK(emulator::format_send_time(t) == "2022-12-02T08:21:20.754555595Z");
    CHECK(emulator::format_send_time(std::chrono::sys_days{std::chrono::January / 1 / 2024}) ==
          "2024-01-01T00:00:00.000000000Z");

    const std::map<std::string, std::string> token_attributes{{"role", "mod"}};
    const auto message = json::parse(emulator::message_frame("Abc123Def456", "r", "hi", {}, t, {"alice", token_attributes}));
    CHECK(message == json::parse(R"({"Type":"MESSAGE","Id":"Abc123Def456","RequestId":"r","Attributes":{},"Content":"hi",
        "SendTime":"2022-12-02T08:21:20.754555595Z","Sender":{"UserId":"alice","Attributes":{"role":"mod"}}})"));
    const auto event = json::parse(emulator::event_frame("E", "", "aws:DELETE_MESSAGE", {{"MessageId", "m"}}, t));
    CHECK(event == json::parse(R"({"Type":"EVENT","Id":"E","RequestId":"","EventName":"aws:DELETE_MESSAGE",
        "Attributes":{"MessageId":"m"},"SendTime":"2022-12-02T08:21:20.754555595Z"})"));
    const auto error = json::parse(emulator::error_frame("X", "q", 429, "slow down"));
    CHECK(error == json::parse(R"({"Type":"ERROR","Id":"X","RequestId":"q","ErrorCode":429,"ErrorMessage":"slow down"})"));
}

TEST_CASE("chat tokens: base64url without padding, sealed, read back", "[emulator][chat]") {
    CHECK(emulator::base64url("") == "");
    CHECK(emulator::base64url("f") == "Zg");
    CHECK(emulator::base64url("fo") == "Zm8");
    CHECK(emulator::base64url("foo") == "Zm9v");
    CHECK(emulator::base64url("\xfb\xff\xbf") == "-_-_");
    for (std::string_view text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff\xbf\x00\x01"})
        CHECK(emulator::unbase64url(emulator::base64url(text)) == std::string(text));
    for (std::string_view bad : {"Z", "Zg=", "Zh", "Zm9v+", "a/bc"}) CHECK_FALSE(emulator::unbase64url(bad));

    emulator::chat_token_claims claims{.room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/abcdefABCDEF",
                                       .user_id = "\xc3\xa9l\xc3\xa8ve",
                                       .capabilities = {"SEND_MESSAGE", "DELETE_MESSAGE"},
                                       .attributes = {{"a", "=/+"}},
                                       .issued_at = std::chrono::sys_days{std::chrono::May / 1 / 2025} + 1234ms};
    claims.token_expiration_time = claims.issued_at + 1min;
    claims.session_expiration_time = claims.issued_at + 60min;
    const auto token = emulator::seal_chat_token("key", claims);
    // RFC 7230 token characters only (a WebSocket subprotocol), and no padding.
    CHECK(token.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
          std::string::npos);
    const auto back = emulator::open_chat_token("key", token);
    REQUIRE(back);
    CHECK(back->room_arn == claims.room_arn);
    CHECK(back->user_id == claims.user_id);
    CHECK(back->capabilities == claims.capabilities);
    CHECK(back->attributes == claims.attributes);
    CHECK(back->issued_at == claims.issued_at);
    CHECK(back->token_expiration_time == claims.token_expiration_time);
    CHECK(back->session_expiration_time == claims.session_expiration_time);
    CHECK(emulator::chat_token_seal(token).size() == 43);  // 32 bytes, unpadded
    CHECK(emulator::seal_chat_token("key", claims) != token);  // single use: never issued twice

    CHECK_FALSE(emulator::open_chat_token("other key", token));
    auto tampered = token;
    tampered[30] = tampered[30] == 'A' ? 'B' : 'A';
    CHECK_FALSE(emulator::open_chat_token("key", tampered));
    for (std::string_view garbage : {"", "ivschat-emulator.1.", "ivschat-emulator.1.abc.def", "not a token"}) {
        CHECK_FALSE(emulator::open_chat_token("key", garbage));
    }
    CHECK(emulator::chat_token_seal("not a token").empty());
}
