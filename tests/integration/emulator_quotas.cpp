// Service quotas over real sockets: per-operation rates answered with 429
// ThrottlingException and its modelled fields; the chat connection quota.
#include "emulator_client.hpp"

#include <catch2/catch.hpp>

using namespace emulator_test;

TEST_CASE("quotas: an operation over its rate gets 429 ThrottlingException", "[emulator][quotas]") {
    // One ListRooms per 100 s: the second request in a row is over the rate.
    running_emulator emulator({.enforce_quotas = true, .operation_rates = {{"ListRooms", 0.01}}});
    client c(emulator.port());
    CHECK(call(c, "ListRooms", json::object{}).status == 200);
    auto throttled = call(c, "ListRooms", json::object{});
    INFO(throttled.body);
    CHECK(throttled.status == 429);
    CHECK(throttled.error_type == "ThrottlingException");
    CHECK(throttled.json.at("resourceId") == "ListRooms");
    CHECK(throttled.json.at("resourceType") == "ROOM");
    CHECK(throttled.json.at("limit") == 1);
    // Other operations keep their own rates (CreateRoom: 5 per second).
    CHECK(call(c, "CreateRoom", json::object{}).status == 200);
    // Unsigned requests are refused before the quota is counted.
    CHECK(call(c, "ListRooms", json::object{}, {.sign = false}).status == 403);
}

TEST_CASE("quotas: off by default", "[emulator][quotas]") {
    running_emulator emulator;
    client c(emulator.port());
    for (int i = 0; i < 20; ++i) REQUIRE(call(c, "ListRooms", json::object{}).status == 200);
}
