#include "ivschat/model.hpp"
#include "ivschat/operations.hpp"

#include <catch2/catch.hpp>

#include <boost/mp11/algorithm.hpp>

#include <sstream>

TEST_CASE("designated initializers build requests", "[model]") {
    ivschat::create_room_request room{.name = "lobby"};
    CHECK(room.name == "lobby");
    CHECK_FALSE(room.maximum_message_length.has_value());

    ivschat::create_chat_token_request token{
        .room_identifier = "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234",
        .user_id = "user-42",
        .capabilities = {ivschat::chat_token_capability::send_message,
                         ivschat::chat_token_capability::delete_message},
        .session_duration_in_minutes = 30,
    };
    REQUIRE(token.capabilities.size() == 2);
    CHECK(token.capabilities[0] == ivschat::chat_token_capability::send_message);
    CHECK(token.capabilities[1] != ivschat::chat_token_capability::send_message);
    CHECK(token.capabilities[1].value() == "DELETE_MESSAGE");

    ivschat::create_logging_configuration_request logging{
        .name = "logs",
        .destination_configuration = ivschat::s3_destination_configuration{.bucket_name = "bucket"},
    };
    REQUIRE(logging.destination_configuration.s3() != nullptr);
    CHECK(logging.destination_configuration.s3()->bucket_name == "bucket");
    CHECK(logging.destination_configuration.firehose() == nullptr);
    CHECK(logging.destination_configuration.has_value());
    CHECK_FALSE(ivschat::destination_configuration{}.has_value());

    ivschat::update_room_request update{
        .identifier = "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234",
        .message_review_handler = ivschat::message_review_handler{.uri = "", .fallback_result = ivschat::fallback_result::deny},
        .logging_configuration_identifiers = std::vector<std::string>{},
    };
    CHECK(update.logging_configuration_identifiers.has_value());
}

TEST_CASE("enumerations keep unknown values", "[model]") {
    ivschat::chat_token_capability known{"SEND_MESSAGE"};
    CHECK(known.is_known());
    CHECK(known == ivschat::chat_token_capability::send_message);

    ivschat::chat_token_capability future{"SEND_REACTION"};
    CHECK_FALSE(future.is_known());
    CHECK(future.value() == "SEND_REACTION");
    CHECK(future == ivschat::chat_token_capability{"SEND_REACTION"});
    CHECK(future != ivschat::chat_token_capability::send_message);

    ivschat::logging_configuration_state state{};
    CHECK_FALSE(state.is_known());
    CHECK(state.value().empty());
}

TEST_CASE("every operation is described once", "[model]") {
    using ops = ivschat::all_operation_requests;
    STATIC_REQUIRE(boost::mp11::mp_size<ops>::value == 17);
    STATIC_REQUIRE(boost::mp11::mp_is_set<ops>::value);
    using delete_room = ivschat::operation_traits<ivschat::delete_room_request>;
    STATIC_REQUIRE(delete_room::success_status == 204);
    STATIC_REQUIRE(ivschat::operation_traits<ivschat::delete_logging_configuration_request>::success_status == 204);
    STATIC_REQUIRE(ivschat::operation_traits<ivschat::create_chat_token_request>::name == "CreateChatToken");
    STATIC_REQUIRE(ivschat::operation_traits<ivschat::untag_resource_request>::method == boost::beast::http::verb::delete_);
    STATIC_REQUIRE(ivschat::operation_traits<ivschat::list_tags_for_resource_request>::uri_template == "/tags/{resourceArn}");
    STATIC_REQUIRE_FALSE(ivschat::operation_traits<ivschat::list_tags_for_resource_request>::has_body);
    int with_204 = 0;
    boost::mp11::mp_for_each<ops>([&](auto request) {
        using traits = ivschat::operation_traits<decltype(request)>;
        if (traits::success_status == 204) ++with_204;
        CHECK(!traits::name.empty());
    });
    CHECK(with_204 == 2);
}

TEST_CASE("printing redacts sensitive members", "[model]") {
    ivschat::create_chat_token_request request{
        .room_identifier = "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234",
        .user_id = "secret-user",
        .capabilities = {ivschat::chat_token_capability::send_message},
        .attributes = {{"secret-key", "secret-value"}},
    };
    std::ostringstream text;
    text << request;
    CHECK(text.str() ==
          R"({"roomIdentifier":"arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234","userId":"<redacted>",)"
          R"("capabilities":["SEND_MESSAGE"],"attributes":"<redacted>"})");

    ivschat::create_chat_token_response response{.token = "secret-token"};
    text.str("");
    text << response;
    CHECK(text.str() == R"({"token":"<redacted>"})");

    ivschat::disconnect_user_request disconnect{.room_identifier = "r", .user_id = "secret-user"};
    text.str("");
    text << disconnect << ' ' << ivschat::fallback_result::deny << ' '
         << ivschat::destination_configuration{ivschat::s3_destination_configuration{.bucket_name = "b"}};
    CHECK(text.str() == R"({"roomIdentifier":"r","userId":"<redacted>"} DENY {"s3":{"bucketName":"b"}})");
}
