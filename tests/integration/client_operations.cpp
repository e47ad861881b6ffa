// Every operation through ivschat::client against the in-process emulator
// over TLS: success paths, the service's errors with their fields,
// pagination, validation before I/O.
#include "support/emulator_fixture.hpp"

#include <ivschat/paginator.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using ivschat::test::emulator_fixture;

// Runs `op` expecting it to throw and returns the diagnostics the exception carried.
template <class Awaitable>
awaitable<ivschat::diagnostics> expect_failure(Awaitable op) {
    try {
        co_await std::move(op);
    } catch (const ivschat::error_with_diagnostics& e) {
        co_return e.diagnostics();
    }
    FAIL("the call succeeded; a failure was expected");
    co_return ivschat::diagnostics{};
}

// Runs `op` expecting a service error and returns what the service said.
template <class Awaitable>
awaitable<ivschat::service_error_info> expect_service_error(Awaitable op) {
    auto diag = co_await expect_failure(std::move(op));
    CHECK(diag.error.code != ivschat::error::unknown_service_error);
    co_return std::move(diag.error);
}

}  // namespace

TEST_CASE("rooms: create, get, update, list, delete", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        // Requests are named before co_await throughout: g++ 12 mishandles
        // non-trivial temporaries inside a co_await expression (it rejects
        // braced lists there and destroys some temporaries twice).
        const ivschat::create_room_request lobby{.name = "lobby", .maximum_message_rate_per_second = 10,
                                                 .tags = {{"team", "chat"}}};
        auto room = co_await chat.create_room(lobby);
        CHECK(room.arn.value().starts_with("arn:aws:ivschat:us-west-2:123456789012:room/"));
        CHECK(room.id.value().size() == 12);
        CHECK(room.name == "lobby");
        CHECK(room.maximum_message_rate_per_second == 10);
        REQUIRE(room.create_time);

        const ivschat::get_room_request get_room{.identifier = *room.arn};
        auto got = co_await chat.get_room(get_room);
        CHECK(got.id == room.id);
        CHECK(got.tags.at("team") == "chat");

        const ivschat::update_room_request update_room{.identifier = *room.arn, .name = "lounge", .maximum_message_length = 200};
        auto updated = co_await chat.update_room(update_room);
        CHECK(updated.name == "lounge");
        CHECK(updated.maximum_message_length == 200);

        const ivschat::list_rooms_request list_rooms{.name = "lounge"};
        auto listed = co_await chat.list_rooms(list_rooms);
        REQUIRE(listed.rooms.size() == 1);
        CHECK(listed.rooms[0].arn == room.arn);

        const ivschat::delete_room_request delete_room{.identifier = *room.arn};
        co_await chat.delete_room(delete_room);
        const ivschat::get_room_request get_room2{.identifier = *room.arn};
        auto missing = co_await expect_service_error(chat.get_room(get_room2));
        CHECK(missing.code == ivschat::error::resource_not_found);
        CHECK(missing.error_type == "ResourceNotFoundException");
        CHECK(missing.http_status == 404);
        CHECK_FALSE(missing.request_id.empty());
        CHECK(missing.resource_id == *room.id);
    });
}

TEST_CASE("logging configurations with each destination kind", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        const std::vector<ivschat::destination_configuration> destinations{
            ivschat::s3_destination_configuration{.bucket_name = "chat-logs"},
            ivschat::cloud_watch_logs_destination_configuration{.log_group_name = "/chat/logs"},
            ivschat::firehose_destination_configuration{.delivery_stream_name = "chat-stream"},
        };
        std::vector<std::string> arns;
        for (const auto& destination : destinations) {
            const ivschat::create_logging_configuration_request create{.name = "logs",
                                                                       .destination_configuration = destination};
            auto created = co_await chat.create_logging_configuration(create);
            CHECK(created.state == ivschat::create_logging_configuration_state::active);
            CHECK(created.destination_configuration == destination);
            arns.push_back(created.arn.value());
        }
        const ivschat::get_logging_configuration_request get_logging_configuration{.identifier = arns[1]};
        auto got = co_await chat.get_logging_configuration(get_logging_configuration);
        REQUIRE(got.destination_configuration);
        REQUIRE(got.destination_configuration->cloud_watch_logs());
        CHECK(got.destination_configuration->cloud_watch_logs()->log_group_name == "/chat/logs");

        const ivschat::update_logging_configuration_request update_logging_configuration{.identifier = arns[0], .name = "renamed"};
        auto updated = co_await chat.update_logging_configuration(update_logging_configuration);
        CHECK(updated.name == "renamed");

        const ivschat::create_room_request logged{.logging_configuration_identifiers = {arns[0]}};
        auto room = co_await chat.create_room(logged);
        const ivschat::list_rooms_request list_rooms2{.logging_configuration_identifier = arns[0]};
        auto by_config = co_await chat.list_rooms(list_rooms2);
        REQUIRE(by_config.rooms.size() == 1);
        CHECK(by_config.rooms[0].id == room.id);

        const ivschat::list_logging_configurations_request list_logging_configurations{};
        auto all = co_await chat.list_logging_configurations(list_logging_configurations);
        CHECK(all.logging_configurations.size() == 3);
        const ivschat::delete_room_request delete_room2{.identifier = *room.arn};
        co_await chat.delete_room(delete_room2);
        for (const auto& arn : arns) {
            const ivschat::delete_logging_configuration_request remove{.identifier = arn};
            co_await chat.delete_logging_configuration(remove);
        }
        const ivschat::list_logging_configurations_request list_logging_configurations2{};
        CHECK((co_await chat.list_logging_configurations(list_logging_configurations2)).logging_configurations.empty());
    });
}

TEST_CASE("chat tokens, events, message deletion, disconnects", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        const ivschat::create_room_request create_room{};
        auto room = co_await chat.create_room(create_room);
        const ivschat::create_chat_token_request token_request{
            .room_identifier = *room.arn,
            .user_id = "user-42",
            .capabilities = {ivschat::chat_token_capability::send_message},
            .session_duration_in_minutes = 30,
            .attributes = {{"displayName", "Ada"}},
        };
        auto token = co_await chat.create_chat_token(token_request);
        CHECK_FALSE(token.token.value().empty());
        REQUIRE(token.token_expiration_time);
        REQUIRE(token.session_expiration_time);
        CHECK(*token.session_expiration_time - std::chrono::system_clock::now() <= std::chrono::minutes(30));

        const ivschat::send_event_request send_event{.room_identifier = *room.arn, .event_name = "app:poll"};
        auto event = co_await chat.send_event(send_event);
        CHECK_FALSE(event.id.value().empty());
        const ivschat::delete_message_request delete_message{.room_identifier = *room.arn, .id = "abcdefABCDEF"};
        auto deleted = co_await chat.delete_message(delete_message);
        CHECK_FALSE(deleted.id.value().empty());
        const ivschat::disconnect_user_request disconnect_user{.room_identifier = *room.arn, .user_id = "user-42"};
        co_await chat.disconnect_user(disconnect_user);
    });
}

TEST_CASE("tags: tag, list, untag on the encoded ARN path", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        const ivschat::create_room_request create_room2{};
        auto room = co_await chat.create_room(create_room2);
        const ivschat::tag_resource_request tag{.resource_arn = *room.arn, .tags = {{"a", "1"}, {"b", "2"}, {"c", "3"}}};
        co_await chat.tag_resource(tag);
        const ivschat::list_tags_for_resource_request list_tags_for_resource{.resource_arn = *room.arn};
        auto tags = co_await chat.list_tags_for_resource(list_tags_for_resource);
        CHECK(tags.tags.size() == 3);
        const ivschat::untag_resource_request untag{.resource_arn = *room.arn, .tag_keys = {"a", "c"}};
        co_await chat.untag_resource(untag);
        const ivschat::list_tags_for_resource_request list_tags_for_resource2{.resource_arn = *room.arn};
        tags = co_await chat.list_tags_for_resource(list_tags_for_resource2);
        CHECK(tags.tags == std::map<std::string, std::string>{{"b", "2"}});
    });
}

TEST_CASE("pagination walks nextToken through many pages", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        std::vector<std::string> created;
        for (int i = 0; i < 23; ++i) {
            const ivschat::create_room_request numbered{.name = "r" + std::to_string(i)};
            created.push_back((co_await chat.create_room(numbered)).arn.value());
        }
        std::vector<std::string> seen;
        int pages = 0;
        ivschat::paginator<ivschat::list_rooms_request> walk{chat, {.max_results = 5}};
        while (!walk.done()) {
            auto page = co_await walk.next_page();
            ++pages;
            for (auto& r : page.rooms) seen.push_back(r.arn.value());
        }
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
        const ivschat::create_chat_token_request bad_room{.room_identifier = "not-an-arn", .user_id = "u"};
        try {
            co_await chat.create_chat_token(bad_room);
            FAIL("an invalid request was sent");
        } catch (const ivschat::error_with_diagnostics& e) {
            CHECK(e.code() == ivschat::error::request_validation_failed);
            CHECK(e.code() == ivschat::condition::validation);
            CHECK(e.code() != ivschat::error::validation_exception);
            CHECK(std::string_view(e.what()).find("roomIdentifier") != std::string_view::npos);
            // The service said nothing: the client's words are apart from the service's.
            CHECK(e.diagnostics().error == ivschat::service_error_info{});
            CHECK(e.diagnostics().http_status == 0);
            REQUIRE_FALSE(e.diagnostics().invalid_fields.empty());
            CHECK(e.diagnostics().invalid_fields[0].name == "roomIdentifier");
        }
        CHECK(chat.counters().connections_opened == 0);

        ivschat::diagnostics diag;
        const ivschat::create_room_request create_room3{.maximum_message_length = 0};
        auto [ec, ignored] = co_await chat.create_room(create_room3, diag,
                                                       asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ivschat::error::request_validation_failed);
        CHECK(diag.invalid_fields.at(0).name == "maximumMessageLength");
        CHECK(diag.client_message.find("maximumMessageLength") != std::string::npos);
        CHECK(chat.counters().connections_opened == 0);
    });
}

TEST_CASE("the service's validation and conflict errors arrive with their fields", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.validate_requests = false;
        ivschat::client chat{f.ioc.get_executor(), options};
        const ivschat::create_room_request create_room4{.maximum_message_length = 0};
        auto invalid = co_await expect_service_error(chat.create_room(create_room4));
        CHECK(invalid.code == ivschat::error::validation_exception);
        CHECK(invalid.http_status == 400);
        CHECK(invalid.reason == "FIELD_VALIDATION_FAILED");
        REQUIRE_FALSE(invalid.field_list.empty());
        CHECK(invalid.field_list[0].name == "maximumMessageLength");

        const ivschat::create_logging_configuration_request to_bucket{
            .destination_configuration = ivschat::s3_destination_configuration{.bucket_name = "bucket"}};
        auto config = co_await chat.create_logging_configuration(to_bucket);
        const ivschat::create_room_request logged{.logging_configuration_identifiers = {*config.arn}};
        co_await chat.create_room(logged);
        const ivschat::delete_logging_configuration_request delete_logging_configuration{.identifier = *config.arn};
        auto conflict = co_await expect_service_error(chat.delete_logging_configuration(delete_logging_configuration));
        CHECK(conflict.code == ivschat::error::conflict);
        CHECK(conflict.http_status == 409);
        CHECK(conflict.resource_id == *config.id);
    });
}

TEST_CASE("the non-throwing form reports service errors and metadata", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        ivschat::client chat{f.ioc.get_executor(), f.options()};
        ivschat::diagnostics diag;
        const ivschat::get_room_request get_room3{.identifier = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA"};
        auto [ec, room] = co_await chat.get_room(get_room3,
                                                 diag, asio::as_tuple(asio::use_awaitable));
        CHECK(ec == ivschat::error::resource_not_found);
        CHECK(diag.http_status == 404);
        CHECK(diag.attempts.size() == 1);
        CHECK(diag.error.resource_type == "ROOM");
        CHECK_FALSE(diag.request_id.empty());

        const ivschat::create_room_request create_room5{};
        auto [ok, created] = co_await chat.create_room(create_room5, diag, asio::as_tuple(asio::use_awaitable));
        CHECK_FALSE(ok);
        CHECK(diag.http_status == 200);
        CHECK_FALSE(diag.request_id.empty());
        CHECK(diag.error == ivschat::service_error_info{});
        CHECK(created.id.value().size() == 12);
    });
}

TEST_CASE("many coroutines share one client and its pool", "[client][emulator]") {
    // Without thread safety the client runs on the io_context's executor
    // itself (one thread runs it here), with it on a strand of its own.
    const bool thread_safe = GENERATE(true, false);
    CAPTURE(thread_safe);
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.pool.max_connections = 8;
        options.pool.thread_safe = thread_safe;
        ivschat::client chat{f.ioc.get_executor(), options};
        CHECK((chat.get_executor() == asio::any_io_executor(f.ioc.get_executor())) == !thread_safe);
        const ivschat::create_room_request create_room6{};
        const std::string room_arn = (co_await chat.create_room(create_room6)).arn.value();

        constexpr int calls = 200;
        int completed = 0, failed = 0;
        // A timer that never expires, cancelled by the last call: a latch.
        asio::steady_timer all_done(f.ioc, asio::steady_timer::time_point::max());
        for (int i = 0; i < calls; ++i) {
            asio::co_spawn(
                f.ioc,
                chat.create_chat_token({.room_identifier = room_arn, .user_id = "u" + std::to_string(i)}),
                [&](std::exception_ptr e, ivschat::create_chat_token_response token) {
                    if (e) {
                        try {
                            std::rethrow_exception(e);
                        } catch (const std::exception& x) {
                            UNSCOPED_INFO("call failed: " << x.what());
                        }
                    }
                    (e || !token.token ? failed : completed)++;
                    if (completed + failed == calls) all_done.cancel();
                });
        }
        co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
        CHECK(completed == calls);
        CHECK(failed == 0);
        CHECK(chat.counters().connections_opened <= 8);
    });
}

// One pooled connection, two calls at once, the first answered 1 s late:
// the second waits for the connection, and its diagnostics say so apart from
// its latency.
TEST_CASE("diagnostics separate the wait for a connection from the attempt", "[client][emulator]") {
    emulator_fixture f;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.pool.max_connections = 1;
        ivschat::client chat{f.ioc.get_executor(), options};
        co_await chat.warm_up(1);
        f.server.faults().enqueue({ivschat::emulator::fault_kind::delay, std::chrono::milliseconds(1000)});
        ivschat::diagnostics first, second;
        int done = 0;
        asio::steady_timer both_done(f.ioc, asio::steady_timer::time_point::max());
        for (auto* diag : {&first, &second}) {
            chat.create_room({}, *diag, [&](boost::system::error_code ec, ivschat::create_room_response) {
                CHECK_FALSE(ec);
                if (++done == 2) both_done.cancel();
            });
        }
        co_await both_done.async_wait(asio::as_tuple(asio::use_awaitable));
        REQUIRE(first.attempts.size() == 1);
        REQUIRE(second.attempts.size() == 1);
        // Lower bounds from the delay, and comparisons between the two parts
        // of one call: none depends on how fast the machine schedules.
        CHECK(first.attempts[0].latency >= std::chrono::milliseconds(1000));
        CHECK(first.connection_wait_time < first.attempts[0].latency);
        CHECK(second.connection_wait_time >= std::chrono::milliseconds(750));
        CHECK(second.attempts[0].connection_wait == second.connection_wait_time);
        CHECK(second.attempts[0].latency < second.connection_wait_time);
    });
}
