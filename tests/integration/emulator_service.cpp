// The emulator's service state and semantics, without I/O.
#include <ivschat/emulator/service.hpp>

#include <catch2/catch.hpp>

#include <set>

using namespace ivschat;
using emulator::service;
using namespace std::chrono_literals;

namespace {

const auto t0 = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 56);

// Copies out of the outcome: the callers pass temporaries.
template <class Response, class Outcome>
Response ok(const Outcome& o) {
    const auto* r = std::get_if<Response>(&o);
    REQUIRE(r != nullptr);
    return *r;
}

template <class Error, class Outcome>
Error failed(const Outcome& o) {
    const auto* e = std::get_if<emulator::service_error>(&o);
    REQUIRE(e != nullptr);
    const auto* typed = std::get_if<Error>(e);
    REQUIRE(typed != nullptr);
    return *typed;
}

bool is_id(const std::string& id) {
    return id.size() == 12 && std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

}  // namespace

TEST_CASE("service: rooms get ARNs of their region and account, and defaults", "[emulator][service]") {
    service s({.region = "ap-south-1", .account_id = "999988887777", .seed = 7});
    const auto& room = ok<create_room_response>(s.handle(create_room_request{}, t0));
    REQUIRE(room.id);
    CHECK(is_id(*room.id));
    CHECK(*room.arn == "arn:aws:ivschat:ap-south-1:999988887777:room/" + *room.id);
    CHECK(room.name == "");
    CHECK(room.maximum_message_rate_per_second == 10);
    CHECK(room.maximum_message_length == 500);
    CHECK(!room.message_review_handler);
    CHECK(room.create_time == t0);
    CHECK(room.update_time == t0);

    // Same id in another account or region: not this room.
    failed<resource_not_found_exception>(
        s.handle(get_room_request{.identifier = "arn:aws:ivschat:us-west-2:999988887777:room/" + *room.id}, t0));
    failed<resource_not_found_exception>(
        s.handle(get_room_request{.identifier = "arn:aws:ivschat:ap-south-1:111111111111:room/" + *room.id}, t0));
    // A room ARN is not a logging configuration ARN.
    failed<resource_not_found_exception>(s.handle(get_logging_configuration_request{.identifier = *room.arn}, t0));
}

TEST_CASE("service: ids are unique", "[emulator][service]") {
    service s({.seed = 1});
    std::set<std::string> ids;
    for (int i = 0; i < 500; ++i) ids.insert(*ok<create_room_response>(s.handle(create_room_request{}, t0)).id);
    CHECK(ids.size() == 500);
    CHECK(s.room_count() == 500);
}

TEST_CASE("service: updates change only what is given and move updateTime", "[emulator][service]") {
    service s;
    const auto arn = *ok<create_room_response>(
                          s.handle(create_room_request{.name = "a",
                                                       .maximum_message_length = 100,
                                                       .message_review_handler = message_review_handler{
                                                           .uri = "arn:aws:lambda:us-west-2:123456789012:function:f",
                                                           .fallback_result = fallback_result::deny}},
                                   t0))
                          .arn;
    const auto& updated = ok<update_room_response>(s.handle(update_room_request{.identifier = arn, .name = "b"}, t0 + 5s));
    CHECK(updated.name == "b");
    CHECK(updated.maximum_message_length == 100);
    CHECK(updated.message_review_handler->fallback_result == fallback_result::deny);
    CHECK(updated.create_time == t0);
    CHECK(updated.update_time == t0 + 5s);
}

TEST_CASE("service: ListRooms orders by update time, pages across ties", "[emulator][service]") {
    service s({.seed = 3});
    std::vector<std::string> arns;
    for (int i = 0; i < 5; ++i) arns.push_back(*ok<create_room_response>(s.handle(create_room_request{}, t0)).arn);
    // Five rooms at the same instant, then one touched later: that one first.
    ok<update_room_response>(s.handle(update_room_request{.identifier = arns[2], .name = "touched"}, t0 + 1s));

    std::vector<std::string> walked;
    std::optional<std::string> token;
    int pages = 0;
    do {
        const auto& page = ok<list_rooms_response>(s.handle(list_rooms_request{.next_token = token, .max_results = 2}, t0));
        ++pages;
        for (const auto& r : page.rooms) walked.push_back(*r.arn);
        token = page.next_token;
    } while (token);
    CHECK(pages == 3);
    REQUIRE(walked.size() == 5);
    CHECK(walked.front() == arns[2]);
    CHECK(std::set<std::string>(walked.begin(), walked.end()).size() == 5);

    // A deleted room does not break a walk in progress.
    const auto& first = ok<list_rooms_response>(s.handle(list_rooms_request{.max_results = 2}, t0));
    ok<delete_room_response>(s.handle(delete_room_request{.identifier = *first.rooms[1].arn}, t0));
    const auto& rest = ok<list_rooms_response>(s.handle(list_rooms_request{.next_token = first.next_token}, t0));
    CHECK(rest.rooms.size() == 3);

    auto bad = failed<validation_exception>(s.handle(list_rooms_request{.next_token = "AAAA"}, t0));
    CHECK(bad.field_list.at(0).name == "nextToken");
}

TEST_CASE("service: ListRooms filters", "[emulator][service]") {
    service s;
    const auto& logging = ok<create_logging_configuration_response>(s.handle(
        create_logging_configuration_request{.destination_configuration = s3_destination_configuration{.bucket_name = "abc"}},
        t0));
    ok<create_room_response>(s.handle(create_room_request{.name = "x"}, t0));
    ok<create_room_response>(s.handle(create_room_request{.name = "y", .logging_configuration_identifiers = {*logging.arn}}, t0));
    ok<create_room_response>(s.handle(
        create_room_request{.name = "x", .message_review_handler = message_review_handler{.uri = "arn:aws:lambda:us-west-2:1:function:f"}},
        t0));
    CHECK(ok<list_rooms_response>(s.handle(list_rooms_request{.name = "x"}, t0)).rooms.size() == 2);
    CHECK(ok<list_rooms_response>(s.handle(list_rooms_request{.logging_configuration_identifier = *logging.arn}, t0)).rooms.size() == 1);
    CHECK(ok<list_rooms_response>(
              s.handle(list_rooms_request{.name = "x", .message_review_handler_uri = "arn:aws:lambda:us-west-2:1:function:f"}, t0))
              .rooms.size() == 1);
    CHECK(ok<list_rooms_response>(s.handle(list_rooms_request{.name = "z"}, t0)).rooms.empty());
}

TEST_CASE("service: quotas", "[emulator][service]") {
    service s({.max_rooms = 1, .max_logging_configurations = 1});
    ok<create_room_response>(s.handle(create_room_request{}, t0));
    const auto& room_quota = failed<service_quota_exceeded_exception>(s.handle(create_room_request{}, t0));
    CHECK(room_quota.limit == 1);
    CHECK(room_quota.resource_type == resource_type::room);
    const create_logging_configuration_request config{
        .destination_configuration = cloud_watch_logs_destination_configuration{.log_group_name = "g"}};
    ok<create_logging_configuration_response>(s.handle(config, t0));
    CHECK(failed<service_quota_exceeded_exception>(s.handle(config, t0)).limit == 1);
    s.reset();
    CHECK(s.room_count() == 0);
    CHECK(s.logging_configuration_count() == 0);
    ok<create_room_response>(s.handle(create_room_request{}, t0));
}

TEST_CASE("service: chat tokens are sealed and expire as asked", "[emulator][service]") {
    service s({.chat_token_key = "k1"});
    const auto room = *ok<create_room_response>(s.handle(create_room_request{}, t0)).arn;
    const auto& token = ok<create_chat_token_response>(s.handle(
        create_chat_token_request{.room_identifier = room,
                                  .user_id = "u",
                                  .capabilities = {chat_token_capability::disconnect_user},
                                  .attributes = {{"k", "v"}}},
        t0));
    CHECK(*token.session_expiration_time == t0 + 60min);
    CHECK(*token.token_expiration_time == t0 + 1min);
    auto claims = s.decode_chat_token(*token.token);
    REQUIRE(claims);
    CHECK(claims->capabilities == std::vector<std::string>{"DISCONNECT_USER"});
    CHECK(claims->attributes == std::map<std::string, std::string>{{"k", "v"}});
    CHECK(claims->issued_at == t0);

    // The seal depends on the key: another key cannot read it, the same key can.
    CHECK(!service({.chat_token_key = "k2"}).decode_chat_token(*token.token));
    CHECK(service({.chat_token_key = "k1"}).decode_chat_token(*token.token));
    for (std::string_view garbage : {"", "ivschat-emulator.1.", "ivschat-emulator.1.abc.def", "not a token"})
        CHECK(!s.decode_chat_token(garbage));

    const auto& brief = ok<create_chat_token_response>(
        s.handle(create_chat_token_request{.room_identifier = room, .user_id = "u", .session_duration_in_minutes = 1}, t0));
    CHECK(*brief.session_expiration_time == t0 + 1min);
    CHECK(*brief.token_expiration_time == t0 + 1min);
}

TEST_CASE("service: tags merge, stay within 50 and go away", "[emulator][service]") {
    service s;
    const auto room = *ok<create_room_response>(s.handle(create_room_request{.tags = {{"a", "1"}}}, t0)).arn;
    ok<tag_resource_response>(s.handle(tag_resource_request{.resource_arn = room, .tags = {{"a", "2"}, {"b", "3"}}}, t0));
    CHECK(ok<list_tags_for_resource_response>(s.handle(list_tags_for_resource_request{.resource_arn = room}, t0)).tags ==
          std::map<std::string, std::string>{{"a", "2"}, {"b", "3"}});
    std::map<std::string, std::string> many;
    for (int i = 0; i < 49; ++i) many["k" + std::to_string(i)] = "v";
    CHECK(failed<validation_exception>(s.handle(tag_resource_request{.resource_arn = room, .tags = many}, t0))
              .field_list.at(0)
              .name == "tags");
    // The refused request changed nothing.
    CHECK(ok<list_tags_for_resource_response>(s.handle(list_tags_for_resource_request{.resource_arn = room}, t0)).tags.size() == 2);
    ok<untag_resource_response>(s.handle(untag_resource_request{.resource_arn = room, .tag_keys = {"a", "missing"}}, t0));
    CHECK(ok<list_tags_for_resource_response>(s.handle(list_tags_for_resource_request{.resource_arn = room}, t0)).tags ==
          std::map<std::string, std::string>{{"b", "3"}});
}

TEST_CASE("service: messaging needs the room and returns ids", "[emulator][service]") {
    service s;
    const auto room = *ok<create_room_response>(s.handle(create_room_request{}, t0)).arn;
    CHECK(is_id(*ok<send_event_response>(s.handle(send_event_request{.room_identifier = room, .event_name = "e"}, t0)).id));
    CHECK(is_id(*ok<delete_message_response>(s.handle(delete_message_request{.room_identifier = room, .id = "ABCDEFGHIJKL"}, t0)).id));
    ok<disconnect_user_response>(s.handle(disconnect_user_request{.room_identifier = room, .user_id = "u"}, t0));
    ok<delete_room_response>(s.handle(delete_room_request{.identifier = room}, t0));
    const auto& gone = failed<resource_not_found_exception>(s.handle(send_event_request{.room_identifier = room, .event_name = "e"}, t0));
    CHECK(room.ends_with(gone.resource_id));
}
