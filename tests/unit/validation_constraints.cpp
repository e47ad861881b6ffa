// Client-side validation: each kind of constraint fails with the right field
// name and the service's wording; valid requests pass.
#include "ivschat/serde/validation.hpp"

#include <catch2/catch.hpp>

namespace {

using namespace ivschat;

const std::string room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234";
const std::string logging_arn = "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/ABCD1234efgh";

template <class T>
void require_valid(const T& request) {
    auto failure = detail::validate(request);
    INFO((failure ? failure->message : std::string("valid")));
    REQUIRE_FALSE(failure.has_value());
}

// The single failure of `request`: {field name, constraint message}.
template <class T>
std::pair<std::string, std::string> single_failure(const T& request) {
    auto failure = detail::validate(request);
    REQUIRE(failure.has_value());
    INFO(failure->message);
    REQUIRE(failure->field_list.size() == 1);
    CHECK(failure->reason == validation_exception_reason::field_validation_failed);
    const auto& field = failure->field_list[0];
    CHECK(failure->message == "1 validation error detected: Value at '" + field.name +
                                  "' failed to satisfy constraint: " + field.message);
    return {field.name, field.message};
}

create_chat_token_request valid_token() {
    return {.room_identifier = room_arn,
            .user_id = "user-42",
            .capabilities = {chat_token_capability::send_message},
            .session_duration_in_minutes = 60,
            .attributes = {{"color", "red"}}};
}

}  // namespace

TEST_CASE("valid requests pass", "[validation]") {
    require_valid(valid_token());
    require_valid(create_chat_token_request{.room_identifier = room_arn, .user_id = "ü"});
    require_valid(create_room_request{});
    require_valid(create_room_request{
        .name = "lobby-1_a",
        .maximum_message_rate_per_second = 100,
        .maximum_message_length = 1,
        .message_review_handler = message_review_handler{.uri = "arn:aws:lambda:us-west-2:123456789012:function:f",
                                                         .fallback_result = fallback_result::allow},
        .tags = {{"k", ""}},
        .logging_configuration_identifiers = {logging_arn, logging_arn, logging_arn},
    });
    require_valid(create_logging_configuration_request{
        .destination_configuration = cloud_watch_logs_destination_configuration{.log_group_name = "/aws/chat#1"}});
    require_valid(update_room_request{.identifier = room_arn, .logging_configuration_identifiers = std::vector<std::string>{}});
    require_valid(list_rooms_request{.max_results = 50, .logging_configuration_identifier = logging_arn});
    require_valid(tag_resource_request{.resource_arn = logging_arn, .tags = {}});
    require_valid(untag_resource_request{.resource_arn = room_arn, .tag_keys = {"a"}});
    require_valid(delete_message_request{.room_identifier = room_arn, .id = "ABCDEFGH1234", .reason = "spam"});
    require_valid(send_event_request{.room_identifier = room_arn, .event_name = "e"});
}

TEST_CASE("required members", "[validation]") {
    auto request = valid_token();
    request.user_id.clear();
    CHECK(single_failure(request) == std::pair<std::string, std::string>{"userId", "Member must not be null"});
    CHECK(single_failure(create_logging_configuration_request{}) ==
          std::pair<std::string, std::string>{"destinationConfiguration", "Member must not be null"});
    CHECK(single_failure(untag_resource_request{.resource_arn = room_arn}) ==
          std::pair<std::string, std::string>{"tagKeys", "Member must not be null"});
    CHECK(single_failure(create_logging_configuration_request{
              .destination_configuration = s3_destination_configuration{}}) ==
          std::pair<std::string, std::string>{"destinationConfiguration.s3.bucketName", "Member must not be null"});
}

TEST_CASE("string lengths, in code points", "[validation]") {
    auto request = valid_token();
    request.user_id = std::string(128, 'u');
    require_valid(request);
    request.user_id = std::string(64, 'u');
    for (int i = 0; i < 64; ++i) request.user_id += "é";  // 128 code points, 192 bytes
    require_valid(request);
    request.user_id += "x";
    CHECK(single_failure(request) ==
          std::pair<std::string, std::string>{"userId", "Member must have length less than or equal to 128"});
    CHECK(single_failure(delete_message_request{.room_identifier = room_arn, .id = "ABCDEFGH123"}) ==
          std::pair<std::string, std::string>{"id", "Member must have length greater than or equal to 12"});
    CHECK(single_failure(send_event_request{.room_identifier = room_arn, .event_name = std::string(101, 'e')}) ==
          std::pair<std::string, std::string>{"eventName", "Member must have length less than or equal to 100"});
    CHECK(single_failure(disconnect_user_request{.room_identifier = room_arn, .user_id = "u", .reason = ""}) ==
          std::pair<std::string, std::string>{"reason", "Member must have length greater than or equal to 1"});
}

TEST_CASE("patterns", "[validation]") {
    auto request = valid_token();
    request.room_identifier = "arn:aws:ivschat:us-west-2:123456789012:channel/abc";
    CHECK(single_failure(request) ==
          std::pair<std::string, std::string>{
              "roomIdentifier",
              "Member must satisfy regular expression pattern: ^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:room/[a-zA-Z0-9-]+$"});
    // The Smithy model anchors every pattern: the whole value must match.
    CHECK(single_failure(create_room_request{.name = std::string("bad name!")}) ==
          std::pair<std::string, std::string>{"name",
                                              "Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_]*$"});
    require_valid(create_room_request{.name = std::string("good-name_1")});
    require_valid(create_room_request{.name = std::string("")});
    CHECK(single_failure(create_logging_configuration_request{
              .destination_configuration = s3_destination_configuration{.bucket_name = "Bad_Bucket!"}}) ==
          std::pair<std::string, std::string>{"destinationConfiguration.s3.bucketName",
                                              "Member must satisfy regular expression pattern: ^[a-z0-9-.]+$"});
    CHECK(single_failure(create_logging_configuration_request{
              .destination_configuration = s3_destination_configuration{.bucket_name = "bucket!"}})
              .first == "destinationConfiguration.s3.bucketName");
    CHECK(single_failure(create_logging_configuration_request{
              .destination_configuration = firehose_destination_configuration{.delivery_stream_name = "ok!"}})
              .first == "destinationConfiguration.firehose.deliveryStreamName");
    CHECK(single_failure(delete_message_request{.room_identifier = room_arn, .id = "ABCDEFGHIJK!"}).first == "id");
    // A room ARN with anything after it is not a room ARN.
    request.room_identifier = room_arn + "/extra";
    CHECK(single_failure(request).first == "roomIdentifier");
    // The review handler's uri: empty, or a Lambda function ARN.
    CHECK(single_failure(create_room_request{.message_review_handler = message_review_handler{.uri = "not-an-arn"}})
              .first == "messageReviewHandler.uri");
    require_valid(create_room_request{.message_review_handler = message_review_handler{.uri = ""}});
    require_valid(create_room_request{.message_review_handler = message_review_handler{
                                          .uri = "arn:aws:lambda:us-west-2:123456789012:function:review"}});
    // The resource ARN: a room or logging-configuration ARN (data/model/README.md).
    CHECK(single_failure(tag_resource_request{.resource_arn = "arn:aws:ivschat:us-west-2:1:x/abc"}) ==
          std::pair<std::string, std::string>{
              "resourceArn",
              "Member must satisfy regular expression pattern: ^arn:aws:ivschat:[a-z0-9-]+:[0-9]+:[a-z-]/[a-zA-Z0-9-]+$"});
    // An over-long value reports its length only.
    request.room_identifier = room_arn + std::string(100, 'x');
    CHECK(single_failure(request).second == "Member must have length less than or equal to 128");
}

TEST_CASE("integer ranges", "[validation]") {
    auto request = valid_token();
    request.session_duration_in_minutes = 0;
    CHECK(single_failure(request) ==
          std::pair<std::string, std::string>{"sessionDurationInMinutes",
                                              "Member must have value greater than or equal to 1"});
    request.session_duration_in_minutes = 181;
    CHECK(single_failure(request) ==
          std::pair<std::string, std::string>{"sessionDurationInMinutes", "Member must have value less than or equal to 180"});
    request.session_duration_in_minutes = 180;
    require_valid(request);
    CHECK(single_failure(list_rooms_request{.max_results = 51}).first == "maxResults");
    CHECK(single_failure(create_room_request{.maximum_message_length = 501}).first == "maximumMessageLength");
    CHECK(single_failure(update_room_request{.identifier = room_arn, .maximum_message_rate_per_second = -3}).first ==
          "maximumMessageRatePerSecond");
}

TEST_CASE("enum values must be known in requests", "[validation]") {
    auto request = valid_token();
    request.capabilities.push_back(chat_token_capability{"SEND_REACTION"});
    CHECK(single_failure(request) ==
          std::pair<std::string, std::string>{
              "capabilities.2.member", "Member must satisfy enum value set: [SEND_MESSAGE, DISCONNECT_USER, DELETE_MESSAGE]"});
    CHECK(single_failure(create_room_request{.message_review_handler = message_review_handler{
                                                 .fallback_result = fallback_result{"MAYBE"}}}) ==
          std::pair<std::string, std::string>{"messageReviewHandler.fallbackResult",
                                              "Member must satisfy enum value set: [ALLOW, DENY]"});
}

TEST_CASE("list sizes and elements", "[validation]") {
    CHECK(single_failure(create_room_request{.logging_configuration_identifiers = {logging_arn, logging_arn, logging_arn,
                                                                                   logging_arn}}) ==
          std::pair<std::string, std::string>{"loggingConfigurationIdentifiers",
                                              "Member must have length less than or equal to 3"});
    CHECK(single_failure(create_room_request{.logging_configuration_identifiers = {logging_arn, room_arn}}).first ==
          "loggingConfigurationIdentifiers.2.member");
    untag_resource_request untag{.resource_arn = room_arn};
    untag.tag_keys.assign(51, "k");
    CHECK(single_failure(untag).first == "tagKeys");
    untag.tag_keys = {"k", ""};
    CHECK(single_failure(untag) ==
          std::pair<std::string, std::string>{"tagKeys.2.member", "Member must have length greater than or equal to 1"});
}

TEST_CASE("map sizes, keys, values and the attributes' 1 KB", "[validation]") {
    tag_resource_request tags{.resource_arn = room_arn};
    for (int i = 0; i < 51; ++i) tags.tags["k" + std::to_string(i)] = "v";
    CHECK(single_failure(tags) ==
          std::pair<std::string, std::string>{"tags", "Member must have length less than or equal to 50"});
    tags.tags = {{std::string(129, 'k'), "v"}};
    CHECK(single_failure(tags) ==
          std::pair<std::string, std::string>{
              "tags", "Map keys must satisfy constraint: [Member must have length less than or equal to 128]"});
    tags.tags = {{"k", std::string(257, 'v')}};
    CHECK(single_failure(tags) ==
          std::pair<std::string, std::string>{
              "tags", "Map values must satisfy constraint: [Member must have length less than or equal to 256]"});

    auto request = valid_token();
    request.attributes = {{"a", std::string(1023, 'v')}};  // 1024 bytes in all
    require_valid(request);
    request.attributes = {{"ab", std::string(1023, 'v')}};
    CHECK(single_failure(request) ==
          std::pair<std::string, std::string>{
              "attributes", "Member must have a total length of keys and values less than or equal to 1024 bytes"});
    send_event_request event{.room_identifier = room_arn, .event_name = "e", .attributes = {{"x", std::string(1024, 'y')}}};
    CHECK(single_failure(event).first == "attributes");
}

TEST_CASE("several failures are all reported, values never", "[validation]") {
    create_chat_token_request request{.room_identifier = "secret-room", .user_id = std::string(200, 's'),
                                      .session_duration_in_minutes = 999};
    auto failure = detail::validate(request);
    REQUIRE(failure.has_value());
    REQUIRE(failure->field_list.size() == 3);
    CHECK(failure->field_list[0].name == "roomIdentifier");
    CHECK(failure->field_list[1].name == "userId");
    CHECK(failure->field_list[2].name == "sessionDurationInMinutes");
    CHECK(failure->message.rfind("3 validation errors detected: Value at 'roomIdentifier' failed", 0) == 0);
    CHECK(failure->message.find("; Value at 'userId' failed") != std::string::npos);
    CHECK(failure->message.find("sss") == std::string::npos);
    CHECK(failure->message.find("secret-room") == std::string::npos);
}
