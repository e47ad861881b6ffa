// Message review without sockets: the --review-handler value, the request a
// handler gets, how its reply is read.
#include <ivschat/emulator/message_review.hpp>

#include <boost/json.hpp>

#include <catch2/catch.hpp>

namespace {

namespace emulator = ivschat::emulator;
namespace json = boost::json;

constexpr std::string_view arn = "arn:aws:lambda:us-west-2:123456789012:function:review";

}  // namespace

TEST_CASE("review: --review-handler LAMBDA_ARN=http://ADDRESS:PORT/PATH", "[emulator][review]") {
    auto route = emulator::parse_review_handler_route(std::string(arn) + "=http://127.0.0.1:9000/hooks/review");
    REQUIRE(route);
    CHECK(route->lambda_arn == arn);
    CHECK(route->address == "127.0.0.1");
    CHECK(route->port == 9000);
    CHECK(route->target == "/hooks/review");

    route = emulator::parse_review_handler_route(std::string(arn) + "=http://localhost:81");
    REQUIRE(route);
    CHECK(route->address == "127.0.0.1");
    CHECK(route->target == "/");
    route = emulator::parse_review_handler_route(std::string(arn) + "=http://[::1]:81/x");
    REQUIRE(route);
    CHECK(route->address == "::1");

    const std::string a(arn);
    for (const std::string& bad : std::vector<std::string>{
             a, "not-an-arn=http://127.0.0.1:1/", "arn:aws:lambda:us-west-2:123456789012:layer:x=http://127.0.0.1:1/",
             a + "=https://127.0.0.1:1/", a + "=http://example.com:1/", a + "=127.0.0.1:1",
             a + "=http://127.0.0.1:0/", a + "=", "=http://127.0.0.1:1/"}) {
        INFO(bad);
        CHECK_FALSE(emulator::parse_review_handler_route(bad));
    }
}

TEST_CASE("review: the handler's request has the service's fields", "[emulator][review]") {
    const std::map<std::string, std::string> attributes{{"a", "1"}};
    const std::map<std::string, std::string> sender_attributes{{"color", "blue"}};
    const auto body = emulator::review_request_body({.message_id = "AbCdEf123456",
                                                     .room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/x",
                                                     .content = "hi",
                                                     .attributes = attributes,
                                                     .sender_user_id = "alice",
                                                     .sender_attributes = sender_attributes,
                                                     .sender_ip = "127.0.0.1"});
    CHECK(json::parse(body) == json::parse(R"({"Content":"hi","MessageId":"AbCdEf123456",
        "RoomArn":"arn:aws:ivschat:us-west-2:123456789012:room/x","Attributes":{"a":"1"},
        "Sender":{"UserId":"alice","Attributes":{"color":"blue"},"Ip":"127.0.0.1"}})"));
}

TEST_CASE("review: replies are read strictly; anything else is invalid", "[emulator][review]") {
    auto reply = emulator::parse_review_reply(R"({"ReviewResult":"ALLOW"})", 10);
    REQUIRE(reply);
    CHECK(reply->allow);
    CHECK_FALSE(reply->content);
    CHECK_FALSE(reply->attributes);

    reply = emulator::parse_review_reply(R"({"ReviewResult":"DENY","Content":null,"Attributes":null})", 10);
    REQUIRE(reply);
    CHECK_FALSE(reply->allow);

    reply = emulator::parse_review_reply(R"({"ReviewResult":"ALLOW","Content":"héllo","Attributes":{"k":"v"}})", 5);
    REQUIRE(reply);
    CHECK(reply->content == "héllo");
    CHECK(reply->attributes == std::map<std::string, std::string>{{"k", "v"}});

    const std::string big_value(1030, 'x');
    for (const std::string& bad : std::vector<std::string>{std::string("not json"), std::string("[]"), std::string("{}"), std::string(R"({"ReviewResult":"allow"})"),
          std::string(R"({"ReviewResult":true})"), std::string(R"({"ReviewResult":"ALLOW","Content":""})"),
          std::string(R"({"ReviewResult":"ALLOW","Content":"too long"})"),
          std::string(R"({"ReviewResult":"ALLOW","Content":7})"),
          std::string(R"({"ReviewResult":"ALLOW","Attributes":{"k":1}})"),
          std::string(R"({"ReviewResult":"ALLOW","Attributes":[]})"),
          std::string(R"({"ReviewResult":"ALLOW","Attributes":{"k":")") + big_value + "\"}}"}) {
        INFO(bad);
        CHECK_FALSE(emulator::parse_review_reply(bad, 5));
    }
}
