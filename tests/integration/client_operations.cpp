// Every operation through ivschat::client against the in-process emulator
// over TLS: success paths, the service's errors with their fields,
// pagination, validation before I/O.
#include "support/emulator_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using ivschat::test::emulator_fixture;

// Runs `op` expecting a service_exception and returns what it carried.
template <class Awaitable>
awaitable<ivschat::service_error_info> expect_service_error(Awaitable op) {
    try {
        co_await std::move(op);
    } catch (const ivschat::service_exception& e) {
        co_return e.info();
    }
    FAIL("the call succeeded; a service error was expected");
    co_return ivschat::service_error_info{};
}

}  // namespace

TEST_CASE("rooms: create, get, update, list, delete", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        auto room = co_await chat.create_room({.name = "lobby",
                                               .maximum_message_rate_per_second = 10,
                                               .tags = {{"team", "chat"}}});
        CHECK(room.arn.starts_with("arn:aws:ivschat:us-west-2:123456789012:room/"));
        CHECK(room.id.size() == 12);
        CHECK(room.name == "lobby");
        CHECK(room.maximum_message_rate_per_second == 10);
        REQUIRE(room.create_time);

        auto got = co_await chat.get_room({.identifier = room.arn});
        CHECK(got.id == room.id);
        CHECK(got.tags.at("team") == "chat");

        auto updated = co_await chat.update_room({.identifier = room.arn, .name = "lounge", .maximum_message_length = 200});
        CHECK(updated.name == "lounge");
        CHECK(updated.maximum_message_length == 200);

        auto listed = co_await chat.list_rooms({.name = "lounge"});
        REQUIRE(listed.rooms.size() == 1);
        CHECK(listed.rooms[0].arn == room.arn);

        co_await chat.delete_room({.identifier = room.arn});
        auto missing = co_await expect_service_error(chat.get_room({.identifier = room.arn}));
        CHECK(missing.code == ivschat::error::resource_not_found);
        CHECK(missing.error_type == "ResourceNotFoundException");
        CHECK(missing.http_status == 404);
        CHECK_FALSE(missing.request_id.empty());
        CHECK(missing.resource_id == room.arn);
    });
}

TEST_CASE("logging configurations with each destination kind", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        const ivschat::destination_configuration destinations[] = {
            ivschat::s3_destination_configuration{.bucket_name = "chat-logs"},
            ivschat::cloud_watch_logs_destination_configuration{.log_group_name = "/chat/logs"},
            ivschat::firehose_destination_configuration{.delivery_stream_name = "chat-stream"},
        };
        std::vector<std::string> arns;
        for (const auto& destination : destinations) {
            auto created = co_await chat.create_logging_configuration(
                {.name = "logs", .destination_configuration = destination});
            CHECK(created.state == ivschat::create_logging_configuration_state::active);
            CHECK(created.destination_configuration == destination);
            arns.push_back(created.arn);
        }
        auto got = co_await chat.get_logging_configuration({.identifier = arns[1]});
        REQUIRE(got.destination_configuration);
        REQUIRE(got.destination_configuration->cloud_watch_logs());
        CHECK(got.destination_configuration->cloud_watch_logs()->log_group_name == "/chat/logs");

        auto updated = co_await chat.update_logging_configuration({.identifier = arns[0], .name = "renamed"});
        CHECK(updated.name == "renamed");

        auto room = co_await chat.create_room({.logging_configuration_identifiers = {arns[0]}});
        auto by_config = co_await chat.list_rooms({.logging_configuration_identifier = arns[0]});
        REQUIRE(by_config.rooms.size() == 1);
        CHECK(by_config.rooms[0].id == room.id);

        auto all = co_await chat.list_logging_configurations({});
        CHECK(all.logging_configurations.size() == 3);
        co_await chat.delete_room({.identifier = room.arn});
        for (const auto& arn : arns) co_await chat.delete_logging_configuration({.identifier = arn});
        CHECK((co_await chat.list_logging_configurations({})).logging_configurations.empty());
    });
}

TEST_CASE("chat tokens, events, message deletion, disconnects", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        auto room = co_await chat.create_room({});
        auto token = co_await chat.create_chat_token({
            .room_identifier = room.arn,
            .user_id = "user-42",
            .capabilities = {ivschat::chat_token_capability::send_message},
            .session_duration_in_minutes = 30,
            .attributes = {{"displayName", "Ada"}},
        });
        CHECK_FALSE(token.token.empty());
        REQUIRE(token.token_expiration_time);
        REQUIRE(token.session_expiration_time);
        CHECK(*token.session_expiration_time - std::chrono::system_clock::now() <= std::chrono::minutes(30));

        auto event = co_await chat.send_event({.room_identifier = room.arn, .event_name = "app:poll"});
        CHECK_FALSE(event.id.empty());
        auto deleted = co_await chat.delete_message({.room_identifier = room.arn, .id = "abcdefABCDEF"});
        CHECK_FALSE(deleted.id.empty());
        co_await chat.disconnect_user({.room_identifier = room.arn, .user_id = "user-42"});
    });
}

TEST_CASE("tags: tag, list, untag on the encoded ARN path", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        auto room = co_await chat.create_room({});
        co_await chat.tag_resource({.resource_arn = room.arn, .tags = {{"a", "1"}, {"b", "2"}, {"c", "3"}}});
        auto tags = co_await chat.list_tags_for_resource({.resource_arn = room.arn});
        CHECK(tags.tags.size() == 3);
        co_await chat.untag_resource({.resource_arn = room.arn, .tag_keys = {"a", "c"}});
        tags = co_await chat.list_tags_for_resource({.resource_arn = room.arn});
        CHECK(tags.tags == std::map<std::string, std::string>{{"b", "2"}});
    });
}

TEST_CASE("pagination walks nextToken through many pages", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        std::vector<std::string> created;
        for (int i = 0; i < 23; ++i) created.push_back((co_await chat.create_room({.name = "r" + std::to_string(i)})).arn);
        std::vector<std::string> seen;
        int pages = 0;
        ivschat::list_rooms_request request{.max_results = 5};
        do {
            auto page = co_await chat.list_rooms(request);
            ++pages;
            for (auto& r : page.rooms) seen.push_back(r.arn);
            request.next_token = page.next_token;
        } while (request.next_token);
        CHECK(pages == 5);
        std::sort(created.begin(), created.end());
        std::sort(seen.begin(), seen.end());
        CHECK(seen == created);
    });
}

TEST_CASE("validation fails before any I/O and names the field", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        auto failure = co_await expect_service_error(
            chat.create_chat_token({.room_identifier = "not-an-arn", .user_id = "u"}));
        CHECK(failure.code == ivschat::error::validation_exception);
        CHECK(failure.error_type == "ValidationException");
        REQUIRE_FALSE(failure.field_list.empty());
        CHECK(failure.field_list[0].name == "roomIdentifier");
        CHECK(chat.counters().connections_opened == 0);

        ivschat::diagnostics diag;
        auto [ec, ignored] = co_await chat.create_room({.maximum_message_length = 0}, diag,
                                                       asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ivschat::error::request_validation_failed);
        CHECK(diag.error.field_list.at(0).name == "maximumMessageLength");
        CHECK(chat.counters().connections_opened == 0);
    });
}

TEST_CASE("the service's validation and conflict errors arrive with their fields", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.validate_requests = false;
        ivschat::client chat{f.ioc.get_executor(), options};
        auto invalid = co_await expect_service_error(chat.create_room({.maximum_message_length = 0}));
        CHECK(invalid.code == ivschat::error::validation_exception);
        CHECK(invalid.http_status == 400);
        CHECK(invalid.reason == "FIELD_VALIDATION_FAILED");
        REQUIRE_FALSE(invalid.field_list.empty());
        CHECK(invalid.field_list[0].name == "maximumMessageLength");

        auto config = co_await chat.create_logging_configuration(
            {.destination_configuration = ivschat::s3_destination_configuration{.bucket_name = "bucket"}});
        co_await chat.create_room({.logging_configuration_identifiers = {config.arn}});
        auto conflict = co_await expect_service_error(chat.delete_logging_configuration({.identifier = config.arn}));
        CHECK(conflict.code == ivschat::error::conflict);
        CHECK(conflict.http_status == 409);
        CHECK(conflict.resource_id == config.arn);
    });
}

TEST_CASE("the non-throwing form reports service errors and metadata", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        ivschat::diagnostics diag;
        auto [ec, room] = co_await chat.get_room({.identifier = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA"},
                                                 diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ivschat::error::resource_not_found);
        CHECK(diag.http_status == 404);
        CHECK(diag.attempts.size() == 1);
        CHECK(diag.error.resource_type == "ROOM");
        CHECK_FALSE(diag.request_id.empty());

        auto [ok, created] = co_await chat.create_room({}, diag, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ok);
        CHECK(diag.http_status == 200);
        CHECK_FALSE(diag.request_id.empty());
        CHECK(diag.error == ivschat::service_error_info{});
        CHECK(created.id.size() == 12);
    });
}

TEST_CASE("many coroutines share one client and its pool", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.pool.max_connections = 8;
        ivschat::client chat{f.ioc.get_executor(), options};
        const std::string room_arn = (co_await chat.create_room({})).arn;

        constexpr int calls = 200;
        int completed = 0, failed = 0;
        // A timer that never expires, cancelled by the last call: a latch.
        asio::steady_timer all_done(f.ioc, asio::steady_timer::time_point::max());
        for (int i = 0; i < calls; ++i) {
            asio::co_spawn(
                f.ioc,
                chat.create_chat_token({.room_identifier = room_arn, .user_id = "u" + std::to_string(i)}),
                [&](std::exception_ptr e, ivschat::create_chat_token_response token) {
                    (e || token.token.empty() ? failed : completed)++;
                    if (completed + failed == calls) all_done.cancel();
                });
        }
        co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
        CHECK(completed == calls);
        CHECK(failed == 0);
        CHECK(chat.counters().connections_opened <= 8);
    });
}
