// The emulator over real sockets: every operation's success and error paths,
// model constraints, pagination, HTTP-level errors and the control API.
#include "emulator_client.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <set>

using namespace emulator_test;

namespace {

const std::string missing_room = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA";
const std::string missing_logging = "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/AAAAAAAAAAAA";

std::string encode_arn(std::string_view arn) {
    std::string out;
    for (char c : arn) {
        if (c == ':') out += "%3A";
        else if (c == '/') out += "%2F";
        else out.push_back(c);
    }
    return out;
}

std::string str(const json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }

std::set<std::string> field_names(const reply& r) {
    std::set<std::string> names;
    for (const auto& f : r.json.at("fieldList").as_array()) names.insert(str(f, "name"));
    return names;
}

void require_error(const reply& r, unsigned status, std::string_view type) {
    INFO(r.body);
    REQUIRE(!r.error);
    CHECK(r.status == status);
    CHECK(r.error_type == type);
    CHECK(!r.request_id.empty());
    CHECK(!r.message().empty());
}

}  // namespace

TEST_CASE("emulator: rooms end to end", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());

    auto created = call(c, "CreateRoom",
                        {{"name", "lobby"},
                         {"maximumMessageRatePerSecond", 5},
                         {"tags", {{"env", "test"}}},
                         {"messageReviewHandler", {{"uri", "arn:aws:lambda:us-west-2:123456789012:function:f"}}}});
    INFO(created.body);
    REQUIRE(created.status == 200);
    CHECK(created.error_type.empty());
    CHECK(!created.date.empty());
    const auto arn = str(created.json, "arn");
    const auto id = str(created.json, "id");
    CHECK(arn == "arn:aws:ivschat:us-west-2:123456789012:room/" + id);
    CHECK(id.size() == 12);
    CHECK(created.json.at("maximumMessageLength").as_int64() == 500);
    CHECK(created.json.at("maximumMessageRatePerSecond").as_int64() == 5);
    CHECK(str(created.json.at("messageReviewHandler"), "fallbackResult") == "ALLOW");
    CHECK(str(created.json, "createTime").ends_with("Z"));

    auto got = call(c, "GetRoom", {{"identifier", arn}});
    REQUIRE(got.status == 200);
    CHECK(str(got.json, "name") == "lobby");
    CHECK(str(got.json, "createTime") == str(created.json, "createTime"));

    auto updated = call(c, "UpdateRoom", {{"identifier", arn}, {"name", "hall"}, {"maximumMessageLength", 10}});
    REQUIRE(updated.status == 200);
    CHECK(str(updated.json, "name") == "hall");
    CHECK(updated.json.at("maximumMessageLength").as_int64() == 10);
    CHECK(updated.json.at("maximumMessageRatePerSecond").as_int64() == 5);

    auto removed_handler = call(c, "UpdateRoom", {{"identifier", arn}, {"messageReviewHandler", {{"uri", ""}}}});
    REQUIRE(removed_handler.status == 200);
    CHECK(!removed_handler.json.as_object().contains("messageReviewHandler"));

    auto deleted = call(c, "DeleteRoom", {{"identifier", arn}});
    CHECK(deleted.status == 204);
    CHECK(deleted.body.empty());
    require_error(call(c, "GetRoom", {{"identifier", arn}}), 404, "ResourceNotFoundException");
}

TEST_CASE("emulator: not found errors carry resourceId and resourceType", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());
    for (auto [operation, body] : std::initializer_list<std::pair<std::string_view, json::value>>{
             {"GetRoom", {{"identifier", missing_room}}},
             {"UpdateRoom", {{"identifier", missing_room}}},
             {"DeleteRoom", {{"identifier", missing_room}}},
             {"CreateChatToken", {{"roomIdentifier", missing_room}, {"userId", "u"}}},
             {"SendEvent", {{"roomIdentifier", missing_room}, {"eventName", "e"}}},
             {"DeleteMessage", {{"roomIdentifier", missing_room}, {"id", "ABCDEFGHIJKL"}}},
             {"DisconnectUser", {{"roomIdentifier", missing_room}, {"userId", "u"}}},
         }) {
        INFO(operation);
        auto r = call(c, operation, body);
        require_error(r, 404, "ResourceNotFoundException");
        CHECK(str(r.json, "resourceId") == "AAAAAAAAAAAA");
        CHECK(str(r.json, "resourceType") == "ROOM");
    }
    for (auto operation : {"GetLoggingConfiguration", "UpdateLoggingConfiguration", "DeleteLoggingConfiguration"}) {
        INFO(operation);
        require_error(call(c, operation, {{"identifier", missing_logging}}), 404, "ResourceNotFoundException");
    }
    auto tags = c.send(http::verb::get, "/tags/" + encode_arn(missing_room));
    require_error(tags, 404, "ResourceNotFoundException");
    require_error(c.send(http::verb::post, "/tags/" + encode_arn(missing_room), R"({"tags":{"a":"b"}})"), 404,
                  "ResourceNotFoundException");
    require_error(c.send(http::verb::delete_, "/tags/" + encode_arn(missing_room) + "?tagKeys=a", {}, {}, {}), 404,
                  "ResourceNotFoundException");
}

TEST_CASE("emulator: constraint violations answer ValidationException with fieldList", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());

    auto r = call(c, "CreateRoom", {{"maximumMessageLength", 501}, {"maximumMessageRatePerSecond", 0}});
    require_error(r, 400, "ValidationException");
    CHECK(str(r.json, "reason") == "FIELD_VALIDATION_FAILED");
    CHECK(field_names(r) == std::set<std::string>{"maximumMessageLength", "maximumMessageRatePerSecond"});

    r = call(c, "CreateChatToken", {{"roomIdentifier", "not-an-arn"}});
    require_error(r, 400, "ValidationException");
    CHECK(field_names(r) == std::set<std::string>{"roomIdentifier", "userId"});

    r = call(c, "CreateChatToken", {{"roomIdentifier", missing_room}, {"userId", "u"}, {"sessionDurationInMinutes", 181}});
    require_error(r, 400, "ValidationException");
    CHECK(field_names(r) == std::set<std::string>{"sessionDurationInMinutes"});

    r = call(c, "CreateChatToken",
             {{"roomIdentifier", missing_room}, {"userId", "u"}, {"attributes", {{"k", std::string(1100, 'x')}}}});
    require_error(r, 400, "ValidationException");

    r = call(c, "CreateChatToken", {{"roomIdentifier", missing_room}, {"userId", "u"}, {"capabilities", {"FLY"}}});
    require_error(r, 400, "ValidationException");
    CHECK(field_names(r).size() == 1);

    r = call(c, "CreateLoggingConfiguration", {{"destinationConfiguration", json::object{}}});
    require_error(r, 400, "ValidationException");
    CHECK(field_names(r) == std::set<std::string>{"destinationConfiguration"});

    json::object tags;
    for (int i = 0; i < 51; ++i) tags["k" + std::to_string(i)] = "v";
    r = call(c, "CreateRoom", {{"tags", tags}});
    require_error(r, 400, "ValidationException");
    CHECK(field_names(r) == std::set<std::string>{"tags"});

    require_error(call(c, "DeleteMessage", {{"roomIdentifier", missing_room}, {"id", "short"}}), 400, "ValidationException");
    require_error(call(c, "SendEvent", {{"roomIdentifier", missing_room}, {"eventName", std::string(101, 'e')}}), 400,
                  "ValidationException");
    require_error(call(c, "ListRooms", {{"maxResults", 51}}), 400, "ValidationException");
    require_error(call(c, "ListLoggingConfigurations", {{"maxResults", 0}}), 400, "ValidationException");
    // UntagResource needs tagKeys.
    require_error(c.send(http::verb::delete_, "/tags/" + encode_arn(missing_room), {}, {}, {}), 400, "ValidationException");

    // Patterns are anchored (the Smithy model): the whole value must match.
    r = call(c, "CreateRoom", {{"name", "bad name!"}});
    require_error(r, 400, "ValidationException");
    CHECK(field_names(r) == std::set<std::string>{"name"});
    r = call(c, "CreateRoom", {{"messageReviewHandler", {{"uri", "not-an-arn"}}}});
    require_error(r, 400, "ValidationException");
    CHECK(field_names(r) == std::set<std::string>{"messageReviewHandler.uri"});
    r = call(c, "CreateLoggingConfiguration", {{"destinationConfiguration", {{"s3", {{"bucketName", "Bad_Bucket!"}}}}}});
    require_error(r, 400, "ValidationException");
    CHECK(field_names(r) == std::set<std::string>{"destinationConfiguration.s3.bucketName"});
}

TEST_CASE("emulator: logging configurations, references and conflicts", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());
    auto created = call(c, "CreateLoggingConfiguration",
                        {{"name", "logs"}, {"destinationConfiguration", {{"s3", {{"bucketName", "bucket-1"}}}}}});
    REQUIRE(created.status == 200);
    const auto arn = str(created.json, "arn");
    CHECK(arn.starts_with("arn:aws:ivschat:us-west-2:123456789012:logging-configuration/"));
    CHECK(str(created.json, "state") == "ACTIVE");

    auto updated = call(c, "UpdateLoggingConfiguration",
                        {{"identifier", arn}, {"destinationConfiguration", {{"firehose", {{"deliveryStreamName", "s"}}}}}});
    REQUIRE(updated.status == 200);
    CHECK(str(updated.json.at("destinationConfiguration").at("firehose"), "deliveryStreamName") == "s");
    CHECK(str(updated.json, "name") == "logs");

    auto missing_ref = call(c, "CreateRoom", {{"loggingConfigurationIdentifiers", {missing_logging}}});
    require_error(missing_ref, 404, "ResourceNotFoundException");

    auto room = call(c, "CreateRoom", {{"loggingConfigurationIdentifiers", {arn}}});
    REQUIRE(room.status == 200);
    auto conflict = call(c, "DeleteLoggingConfiguration", {{"identifier", arn}});
    require_error(conflict, 409, "ConflictException");
    CHECK(str(conflict.json, "resourceId") == str(created.json, "id"));

    REQUIRE(call(c, "UpdateRoom", {{"identifier", str(room.json, "arn")}, {"loggingConfigurationIdentifiers", json::array{}}})
                .status == 200);
    CHECK(call(c, "DeleteLoggingConfiguration", {{"identifier", arn}}).status == 204);
    require_error(call(c, "GetLoggingConfiguration", {{"identifier", arn}}), 404, "ResourceNotFoundException");
}

TEST_CASE("emulator: ListRooms pages and filters", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());
    std::set<std::string> created;
    for (int i = 0; i < 7; ++i) created.insert(str(call(c, "CreateRoom", {{"name", "a"}}).json, "arn"));
    call(c, "CreateRoom", {{"name", "b"}});

    std::set<std::string> seen;
    json::value next;
    int pages = 0;
    std::string previous_update = "9999";
    do {
        json::object body{{"name", "a"}, {"maxResults", 3}};
        if (next.is_string()) body["nextToken"] = next;
        auto page = call(c, "ListRooms", body);
        REQUIRE(page.status == 200);
        ++pages;
        const auto& rooms = page.json.at("rooms").as_array();
        CHECK(rooms.size() <= 3);
        for (const auto& room : rooms) {
            CHECK(seen.insert(str(room, "arn")).second);
            CHECK(str(room, "updateTime") <= previous_update);  // newest first
            previous_update = str(room, "updateTime");
            CHECK(!room.as_object().contains("maximumMessageLength"));  // not a RoomSummary member
        }
        auto* token = page.json.as_object().if_contains("nextToken");
        next = token ? *token : json::value{};
    } while (next.is_string());
    CHECK(pages == 3);
    CHECK(seen == created);

    CHECK(call(c, "ListRooms", json::object{}).json.at("rooms").as_array().size() == 8);
    auto bad = call(c, "ListRooms", {{"nextToken", "garbage"}});
    require_error(bad, 400, "ValidationException");
    CHECK(field_names(bad) == std::set<std::string>{"nextToken"});
}

TEST_CASE("emulator: ListLoggingConfigurations pages", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());
    for (int i = 0; i < 3; ++i)
        REQUIRE(call(c, "CreateLoggingConfiguration",
                     {{"destinationConfiguration", {{"cloudWatchLogs", {{"logGroupName", "g" + std::to_string(i)}}}}}})
                    .status == 200);
    auto first = call(c, "ListLoggingConfigurations", {{"maxResults", 2}});
    REQUIRE(first.status == 200);
    CHECK(first.json.at("loggingConfigurations").as_array().size() == 2);
    auto second = call(c, "ListLoggingConfigurations", {{"maxResults", 2}, {"nextToken", first.json.at("nextToken")}});
    REQUIRE(second.status == 200);
    CHECK(second.json.at("loggingConfigurations").as_array().size() == 1);
    CHECK(!second.json.as_object().contains("nextToken"));
}

TEST_CASE("emulator: chat tokens, events, message deletion, disconnection", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());
    const auto room = str(call(c, "CreateRoom", json::object{}).json, "arn");
    const auto before = std::chrono::system_clock::now();
    auto token = call(c, "CreateChatToken",
                      {{"roomIdentifier", room},
                       {"userId", "user-1"},
                       {"capabilities", {"SEND_MESSAGE"}},
                       {"sessionDurationInMinutes", 5},
                       {"attributes", {{"color", "blue"}}}});
    REQUIRE(token.status == 200);
    auto claims = emulator.on_server([&](auto& s) { return s.state().decode_chat_token(str(token.json, "token")); });
    REQUIRE(claims);
    CHECK(claims->room_arn == room);
    CHECK(claims->user_id == "user-1");
    CHECK(claims->capabilities == std::vector<std::string>{"SEND_MESSAGE"});
    CHECK(claims->attributes.at("color") == "blue");
    const auto minutes = std::chrono::duration_cast<std::chrono::seconds>(claims->session_expiration_time - before).count();
    CHECK(minutes >= 299);
    CHECK(minutes <= 301);
    CHECK(claims->token_expiration_time <= claims->session_expiration_time);

    auto tampered = str(token.json, "token");
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    CHECK(!emulator.on_server([&](auto& s) { return s.state().decode_chat_token(tampered); }));

    auto event = call(c, "SendEvent", {{"roomIdentifier", room}, {"eventName", "poll"}, {"attributes", {{"a", "b"}}}});
    REQUIRE(event.status == 200);
    CHECK(str(event.json, "id").size() == 12);
    auto deleted = call(c, "DeleteMessage", {{"roomIdentifier", room}, {"id", "ABCDEFGHIJKL"}, {"reason", "spam"}});
    REQUIRE(deleted.status == 200);
    CHECK(str(deleted.json, "id").size() == 12);
    auto disconnected = call(c, "DisconnectUser", {{"roomIdentifier", room}, {"userId", "user-1"}});
    REQUIRE(disconnected.status == 200);
    CHECK(disconnected.json.as_object().empty());
}

TEST_CASE("emulator: tags on rooms and logging configurations", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());
    const auto room = str(call(c, "CreateRoom", {{"tags", {{"a", "1"}}}}).json, "arn");
    const auto path = "/tags/" + encode_arn(room);
    REQUIRE(c.send(http::verb::post, path, R"({"tags":{"b":"2","c d":"3"}})").status == 200);
    auto listed = c.send(http::verb::get, path, {}, {}, {});
    REQUIRE(listed.status == 200);
    CHECK(listed.json.at("tags") == json::value{{"a", "1"}, {"b", "2"}, {"c d", "3"}});
    REQUIRE(c.send(http::verb::delete_, path + "?tagKeys=a&tagKeys=c%20d", {}, {}, {}).status == 200);
    CHECK(c.send(http::verb::get, path, {}, {}, {}).json.at("tags") == json::value{{"b", "2"}});

    json::object many;
    for (int i = 0; i < 50; ++i) many["k" + std::to_string(i)] = "v";  // 51 with "b"
    auto too_many = c.send(http::verb::post, path, json::serialize(json::object{{"tags", many}}));
    require_error(too_many, 400, "ValidationException");

    const auto logging = str(call(c, "CreateLoggingConfiguration",
                                  {{"destinationConfiguration", {{"s3", {{"bucketName", "bucket"}}}}}, {"tags", {{"t", "v"}}}})
                                 .json,
                             "arn");
    auto logging_tags = c.send(http::verb::get, "/tags/" + encode_arn(logging), {}, {}, {});
    REQUIRE(logging_tags.status == 200);
    CHECK(logging_tags.json.at("tags") == json::value{{"t", "v"}});
}

TEST_CASE("emulator: rooms quota answers ServiceQuotaExceededException", "[emulator]") {
    ivschat::emulator::server_options options;
    options.service.max_rooms = 2;
    running_emulator emulator(options);
    client c(emulator.port());
    CHECK(call(c, "CreateRoom", json::object{}).status == 200);
    CHECK(call(c, "CreateRoom", json::object{}).status == 200);
    auto r = call(c, "CreateRoom", json::object{});
    require_error(r, 402, "ServiceQuotaExceededException");
    CHECK(r.json.at("limit").as_int64() == 2);
    CHECK(str(r.json, "resourceType") == "ROOM");
}

TEST_CASE("emulator: HTTP-level errors are AWS-shaped and keep the server alive", "[emulator]") {
    ivschat::emulator::server_options options;
    options.max_body_bytes = 4096;
    running_emulator emulator(options);
    client c(emulator.port());

    auto bad_json = c.send(http::verb::post, "/CreateRoom", "{not json");
    require_error(bad_json, 400, "SerializationException");
    auto wrong_type = c.send(http::verb::post, "/CreateRoom", R"({"name": 5})");
    require_error(wrong_type, 400, "SerializationException");
    CHECK(wrong_type.message().find("name") != std::string::npos);
    auto not_object = c.send(http::verb::post, "/CreateRoom", "[]");
    require_error(not_object, 400, "SerializationException");

    auto form = c.send(http::verb::post, "/CreateRoom", "name=x", {}, {{"content-type", "application/x-www-form-urlencoded"}});
    require_error(form, 415, "UnsupportedMediaTypeException");
    CHECK(c.send(http::verb::post, "/CreateRoom", "{}", {}, {{"content-type", "application/json; charset=utf-8"}}).status == 200);

    require_error(c.send(http::verb::post, "/NoSuchOperation", "{}"), 404, "UnknownOperationException");
    require_error(c.send(http::verb::get, "/CreateRoom", {}, {}, {}), 405, "UnknownOperationException");
    require_error(c.send(http::verb::put, "/tags/x", "{}"), 405, "UnknownOperationException");

    auto big = c.send(http::verb::post, "/CreateRoom", std::string(8192, ' '));
    require_error(big, 413, "ValidationException");
    CHECK(big.connection == "close");

    client raw(emulator.port());
    auto garbage = raw.send_raw("NOT HTTP AT ALL\r\n\r\n");
    require_error(garbage, 400, "SerializationException");

    client still(emulator.port());
    CHECK(call(still, "ListRooms", json::object{}).status == 200);
}

TEST_CASE("emulator: keep-alive serves many requests on one connection", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());
    const auto room = str(call(c, "CreateRoom", json::object{}).json, "arn");
    std::set<std::string> request_ids;
    for (int i = 0; i < 50; ++i) {
        auto r = call(c, "CreateChatToken", {{"roomIdentifier", room}, {"userId", "u"}});
        REQUIRE(r.status == 200);
        request_ids.insert(r.request_id);
    }
    CHECK(request_ids.size() == 50);
    client control(emulator.port());
    auto stats = control.send(http::verb::get, "/_emulator/stats", {}, {.sign = false}, {});
    REQUIRE(stats.status == 200);
    CHECK(stats.json.at("connectionsAccepted").as_int64() == 2);
    CHECK(stats.json.at("requestsPerOperation").at("CreateChatToken").as_int64() == 50);
    CHECK(stats.json.at("requests").as_int64() == 51);
}

TEST_CASE("emulator: control API reset forgets resources and counters", "[emulator]") {
    running_emulator emulator;
    client c(emulator.port());
    REQUIRE(call(c, "CreateRoom", json::object{}).status == 200);
    CHECK(c.send(http::verb::post, "/_emulator/reset", {}, {.sign = false}, {}).status == 200);
    CHECK(call(c, "ListRooms", json::object{}).json.at("rooms").as_array().empty());
    auto stats = c.send(http::verb::get, "/_emulator/stats", {}, {.sign = false}, {});
    CHECK(stats.json.at("requests").as_int64() == 1);
    require_error(c.send(http::verb::get, "/_emulator/nothing", {}, {.sign = false}, {}), 404, "ValidationException");
    require_error(c.send(http::verb::post, "/_emulator/faults", R"({"actions":["explode"]})", {.sign = false}), 400,
                  "ValidationException");
    require_error(c.send(http::verb::post, "/_emulator/faults", R"({"probabilities":{"500":2}})", {.sign = false}), 400,
                  "ValidationException");
}

TEST_CASE("emulator: random bytes never take the server down", "[emulator]") {
    running_emulator emulator;
    std::mt19937 rng(1234);
    for (int round = 0; round < 40; ++round) {
        std::string bytes(1 + rng() % 3000, '\0');
        for (char& b : bytes) b = static_cast<char>(rng());
        // Half the rounds start like a request, to get past the request line.
        if (round % 2) bytes = "POST /CreateRoom HTTP/1.1\r\n" + bytes;
        client c(emulator.port());
        auto r = c.send_raw(bytes, /*end_input=*/true);
        if (!r.error) {
            CHECK(r.status >= 400);
            CHECK(!r.error_type.empty());
        }
    }
    client c(emulator.port());
    CHECK(call(c, "ListRooms", json::object{}).status == 200);
}
