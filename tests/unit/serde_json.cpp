// JSON bodies: golden documents, and the reader's behaviour on odd input.
#include "ivschat/serde/json_writer.hpp"

#include "serde_read.hpp"

#include <catch2/catch.hpp>

namespace {

using namespace ivschat;
using namespace std::chrono_literals;

constexpr const char* room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234";

template <class T>
std::string body_of(const T& request) {
    std::string out = "stale content";  // write_json_body replaces it
    detail::write_json_body(request, out);
    return out;
}

template <class T>
std::string read_error(std::string_view json) {
    T out{};
    detail::error_info error;
    INFO(json);
    REQUIRE_FALSE(detail::parse_json(json, out, error));
    return error.message();
}

}  // namespace

TEST_CASE("golden CreateChatToken body", "[serde]") {
    create_chat_token_request request{
        .room_identifier = room_arn,
        .user_id = "user-42",
        .capabilities = {chat_token_capability::send_message, chat_token_capability::delete_message},
        .session_duration_in_minutes = 30,
        .attributes = {{"color", "red"}, {"nick", "Zoë \"z\""}},
    };
    CHECK(body_of(request) ==
          R"({"roomIdentifier":"arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234","userId":"user-42",)"
          R"("capabilities":["SEND_MESSAGE","DELETE_MESSAGE"],"sessionDurationInMinutes":30,)"
          R"("attributes":{"color":"red","nick":"Zoë \"z\""}})");

    // Unset optionals and empty optional collections are left out.
    CHECK(body_of(create_chat_token_request{.room_identifier = room_arn, .user_id = "u"}) ==
          R"({"roomIdentifier":"arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234","userId":"u"})");
}

TEST_CASE("golden CreateLoggingConfiguration body for each destination", "[serde]") {
    auto with = [](destination_configuration destination) {
        return body_of(create_logging_configuration_request{.name = "logs", .destination_configuration = destination});
    };
    CHECK(with(s3_destination_configuration{.bucket_name = "my-bucket"}) ==
          R"({"name":"logs","destinationConfiguration":{"s3":{"bucketName":"my-bucket"}}})");
    CHECK(with(cloud_watch_logs_destination_configuration{.log_group_name = "/aws/chat"}) ==
          R"({"name":"logs","destinationConfiguration":{"cloudWatchLogs":{"logGroupName":"/aws/chat"}}})");
    CHECK(with(firehose_destination_configuration{.delivery_stream_name = "stream"}) ==
          R"({"name":"logs","destinationConfiguration":{"firehose":{"deliveryStreamName":"stream"}}})");
    // Tags are a required-less map: written when not empty.
    CHECK(body_of(create_logging_configuration_request{
              .destination_configuration = s3_destination_configuration{.bucket_name = "b"},
              .tags = {{"team", "chat"}}}) ==
          R"({"destinationConfiguration":{"s3":{"bucketName":"b"}},"tags":{"team":"chat"}})");
}

TEST_CASE("golden UpdateRoom body with a message review handler", "[serde]") {
    update_room_request request{
        .identifier = room_arn,
        .maximum_message_length = 200,
        .message_review_handler =
            message_review_handler{.uri = "arn:aws:lambda:us-west-2:123456789012:function:review",
                                   .fallback_result = fallback_result::deny},
        .logging_configuration_identifiers = std::vector<std::string>{},
    };
    // An empty list in an update request is sent: it clears the attachments.
    CHECK(body_of(request) ==
          R"({"identifier":"arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234","maximumMessageLength":200,)"
          R"("messageReviewHandler":{"uri":"arn:aws:lambda:us-west-2:123456789012:function:review",)"
          R"("fallbackResult":"DENY"},"loggingConfigurationIdentifiers":[]})");
    request.logging_configuration_identifiers.reset();
    CHECK(body_of(request).find("loggingConfigurationIdentifiers") == std::string::npos);
}

TEST_CASE("requests without body members have an empty body", "[serde]") {
    CHECK(body_of(list_tags_for_resource_request{.resource_arn = room_arn}).empty());
    CHECK(body_of(untag_resource_request{.resource_arn = room_arn, .tag_keys = {"a"}}).empty());
    CHECK(body_of(tag_resource_request{.resource_arn = room_arn, .tags = {{"a", "b"}}}) == R"({"tags":{"a":"b"}})");
    // A required map is written even when empty.
    CHECK(body_of(tag_resource_request{.resource_arn = room_arn}) == R"({"tags":{}})");
}

TEST_CASE("strings are escaped as JSON requires", "[serde]") {
    std::string out;
    detail::append_json_string(out, std::string_view("a\"b\\c\b\f\n\r\t\x01\x1f\x7f/é😀\0z", 22));
    CHECK(out == "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\x7f/é😀\\u0000z\"");
    // And Boost.JSON reads it back to the same bytes.
    message_review_handler back = test::read_ok<message_review_handler>(R"({"uri":)" + out + "}");
    CHECK(*back.uri == std::string_view("a\"b\\c\b\f\n\r\t\x01\x1f\x7f/é😀\0z", 22));
}

TEST_CASE("a CreateChatToken response reads with timestamps", "[serde]") {
    auto response = test::read_ok<create_chat_token_response>(
        R"({"token":"v1:abc","tokenExpirationTime":"2024-01-02T03:04:05.678Z",)"
        R"("sessionExpirationTime":"2024-01-02T04:04:05+01:00"})");
    CHECK(*response.token == "v1:abc");
    CHECK(*response.token_expiration_time ==
          std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + 3h + 4min + 5s + 678ms);
    CHECK(*response.session_expiration_time == std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + 3h + 4min + 5s);
    // Epoch seconds are accepted too.
    auto epoch = test::read_ok<create_chat_token_response>(R"({"tokenExpirationTime":1700000000.5})");
    CHECK(epoch.token_expiration_time->time_since_epoch() == 1700000000s + 500ms);
}

TEST_CASE("unknown members are ignored, absent and null ones stay unset", "[serde]") {
    auto room = test::read_ok<get_room_response>(
        R"({"arn":"a","brandNewMember":{"deep":[1,2,{"x":null}]},"name":null,"tags":{},"future":7})");
    CHECK(*room.arn == "a");
    CHECK_FALSE(room.name.has_value());
    CHECK_FALSE(room.maximum_message_length.has_value());
    CHECK(room.tags.empty());
    // Empty bodies (204, or a bodiless request) read as {}.
    test::read_ok<delete_room_response>("");
    test::read_ok<delete_room_response>(" \r\n\t");
    test::read_ok<disconnect_user_response>("{}");
}

TEST_CASE("unknown enum values and union members are kept or tolerated", "[serde]") {
    auto summary = test::read_ok<logging_configuration_summary>(
        R"({"state":"HIBERNATING","destinationConfiguration":{"kinesisVideo":{"x":1}}})");
    CHECK_FALSE(summary.state->is_known());
    CHECK(summary.state->value() == "HIBERNATING");
    // A union member from a newer service: the union holds none.
    REQUIRE(summary.destination_configuration.has_value());
    CHECK_FALSE(summary.destination_configuration->has_value());

    auto token = test::read_ok<create_chat_token_request>(
        R"({"roomIdentifier":"r","userId":"u","capabilities":["SEND_MESSAGE","SEND_REACTION"]})");
    REQUIRE(token.capabilities.size() == 2);
    CHECK(token.capabilities[0] == chat_token_capability::send_message);
    CHECK(token.capabilities[1].value() == "SEND_REACTION");
    // Written back as it came.
    std::string out;
    detail::write_json_body(token, out);
    CHECK(out.find(R"(["SEND_MESSAGE","SEND_REACTION"])") != std::string::npos);
}

TEST_CASE("wrong JSON types name the member path", "[serde]") {
    CHECK(read_error<create_room_response>(R"({"arn":5})") == "expected a string at 'arn'");
    CHECK(read_error<create_room_response>(R"({"maximumMessageLength":"5"})") ==
          "expected an integer at 'maximumMessageLength'");
    CHECK(read_error<create_room_response>(R"({"maximumMessageLength":1.5})") ==
          "expected an integer at 'maximumMessageLength'");
    CHECK(read_error<create_room_response>(R"({"maximumMessageLength":4294967296})") ==
          "integer out of range at 'maximumMessageLength'");
    CHECK(read_error<create_room_response>(R"({"createTime":"yesterday"})") ==
          "expected an ISO 8601 timestamp at 'createTime'");
    CHECK(read_error<create_room_response>(R"({"createTime":true})") ==
          "expected an ISO 8601 timestamp at 'createTime'");
    CHECK(read_error<create_room_response>(R"({"tags":{"a":1}})") == "expected string values at 'tags'");
    CHECK(read_error<create_room_response>(R"({"tags":[]})") == "expected an object at 'tags'");
    CHECK(read_error<create_room_response>(R"({"messageReviewHandler":{"fallbackResult":0}})") ==
          "expected a string at 'messageReviewHandler.fallbackResult'");
    CHECK(read_error<list_rooms_response>(R"({"rooms":[{"arn":"a"},{"createTime":[]}]})") ==
          "expected an ISO 8601 timestamp at 'rooms[1].createTime'");
    CHECK(read_error<list_rooms_response>(R"({"rooms":{}})") == "expected an array at 'rooms'");
    CHECK(read_error<create_room_response>(R"({"loggingConfigurationIdentifiers":["a",null]})") ==
          "expected a string at 'loggingConfigurationIdentifiers[1]'");
    CHECK(read_error<list_logging_configurations_response>(
              R"({"loggingConfigurations":[{"destinationConfiguration":{"s3":{"bucketName":7}}}]})") ==
          "expected a string at 'loggingConfigurations[0].destinationConfiguration.s3.bucketName'");
    CHECK(read_error<get_logging_configuration_response>(
              R"({"destinationConfiguration":{"s3":{"bucketName":"b"},"firehose":{"deliveryStreamName":"f"}}})") ==
          "more than one member of a union is set at 'destinationConfiguration'");
    CHECK(read_error<get_logging_configuration_response>(R"({"destinationConfiguration":{"s3":"b"}})") ==
          "expected an object at 'destinationConfiguration.s3'");
}

// Found by fuzz/json_response_fuzzer: both forms overflowed system_clock's
// 64-bit nanoseconds (undefined behaviour) instead of failing.
TEST_CASE("timestamps beyond system_clock's range are errors", "[serde]") {
    CHECK(read_error<get_logging_configuration_response>(R"({"createTime":"4052-11-26T10:52:15.935Z"})") ==
          "expected an ISO 8601 timestamp at 'createTime'");
    CHECK(read_error<create_chat_token_response>(R"({"tokenExpirationTime":1e11})") ==
          "timestamp out of range at 'tokenExpirationTime'");
    CHECK(read_error<create_chat_token_response>(R"({"tokenExpirationTime":-9.3e9})") ==
          "timestamp out of range at 'tokenExpirationTime'");
    const auto latest = test::read_ok<create_chat_token_response>(R"({"tokenExpirationTime":9.2e9})");
    CHECK(latest.token_expiration_time->time_since_epoch() == std::chrono::seconds(9'200'000'000));
}

TEST_CASE("malformed and truncated documents are errors, not crashes", "[serde]") {
    const std::string full =
        R"({"token":"v1:abc","tokenExpirationTime":"2024-01-02T03:04:05.678Z","sessionExpirationTime":"2024-01-02T04:04:05Z"})";
    for (std::size_t length = 1; length < full.size(); ++length) {
        create_chat_token_response out{};
        detail::error_info error;
        CHECK_FALSE(detail::parse_json(std::string_view(full).substr(0, length), out, error));
        CHECK(error.message().rfind("malformed JSON", 0) == 0);
    }
    CHECK(read_error<create_chat_token_response>("[]") == "expected a JSON object");
    CHECK(read_error<create_chat_token_response>("\"token\"") == "expected a JSON object");
    CHECK(read_error<create_chat_token_response>("null") == "expected a JSON object");
    CHECK(read_error<create_chat_token_response>("{} {}").rfind("malformed JSON", 0) == 0);
    CHECK(read_error<create_chat_token_response>("{\"token\":\"\xff\"}").rfind("malformed JSON", 0) == 0);
    // Deep nesting is refused by the parser's depth limit.
    CHECK(read_error<create_chat_token_response>("{\"x\":" + std::string(10000, '[') + std::string(10000, ']') + "}")
              .rfind("malformed JSON", 0) == 0);
}

TEST_CASE("large documents spill past the per-thread buffer", "[serde]") {
    list_rooms_response rooms;
    for (int i = 0; i < 2000; ++i)
        rooms.rooms.push_back(room_summary{.arn = std::string(room_arn) + std::to_string(i), .tags = {{"k", "v"}}});
    std::string json;
    detail::write_json(rooms, json);
    REQUIRE(json.size() > 100'000);
    CHECK(test::read_ok<list_rooms_response>(json) == rooms);
    // And the buffer is reusable afterwards.
    CHECK(*test::read_ok<create_chat_token_response>(R"({"token":"t"})").token == "t");
}

TEST_CASE("two documents alive on one thread do not share the buffer", "[serde]") {
    detail::json_document outer;
    detail::error_info error;
    REQUIRE(outer.parse(R"({"token":"outer"})", error));
    // parse_json inside uses its own storage while `outer` holds the thread's buffer.
    CHECK(*test::read_ok<create_chat_token_response>(R"({"token":"inner"})").token == "inner");
    CHECK(outer.root().as_object().at("token").as_string() == "outer");
}
