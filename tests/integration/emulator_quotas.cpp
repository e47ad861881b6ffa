// Service quotas over real sockets: per-operation rates answered with 429
// ThrottlingException and its modelled fields; the chat connection quota;
// the ivschat-emulator program's --enforce-quotas and --quota flags.
#include "emulator_chat_client.hpp"
#include "support/child_process.hpp"

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

// The ivschat-emulator program's --enforce-quotas and --quota flags.

TEST_CASE("ivschat-emulator --enforce-quotas: the 11th logging configuration gets 402 ServiceQuotaExceededException",
          "[emulator][quotas][program]") {
    // --quota lifts the logging-configuration operations' 3 per second, so
    // that only the count quota is met.
    ivschat::test::child_process emulator(
        {IVSCHAT_EMULATOR_PATH, "--enforce-quotas", "--quota", "CreateLoggingConfiguration=1000"});
    client c(endpoint_port(emulator.line()));
    const json::object destination{{"firehose", {{"deliveryStreamName", "quota-stream"}}}};
    for (int i = 0; i < 10; ++i) {
        INFO("logging configuration " << i + 1);
        REQUIRE(call(c, "CreateLoggingConfiguration", {{"destinationConfiguration", destination}}).status == 200);
    }
    const auto refused = call(c, "CreateLoggingConfiguration", {{"destinationConfiguration", destination}});
    INFO(refused.body);
    CHECK(refused.status == 402);
    CHECK(refused.error_type == "ServiceQuotaExceededException");
    CHECK(refused.json.at("limit") == 10);
    CHECK(refused.json.at("resourceType") == "LOGGING_CONFIGURATION");
}

TEST_CASE("ivschat-emulator --quota: an operation over its rate gets 429 ThrottlingException, others are not limited",
          "[emulator][quotas][program]") {
    // One CreateRoom per 100 s rather than per second: the second request
    // is over the rate however slowly this machine sends it.
    ivschat::test::child_process emulator({IVSCHAT_EMULATOR_PATH, "--quota", "CreateRoom=0.01"});
    client c(endpoint_port(emulator.line()));
    CHECK(call(c, "CreateRoom", json::object{}).status == 200);
    const auto throttled = call(c, "CreateRoom", json::object{});
    INFO(throttled.body);
    CHECK(throttled.status == 429);
    CHECK(throttled.error_type == "ThrottlingException");
    CHECK(throttled.json.at("resourceId") == "CreateRoom");
    CHECK(throttled.json.at("limit") == 1);
    // Without --enforce-quotas only the named operation has a rate.
    for (int i = 0; i < 10; ++i) REQUIRE(call(c, "ListRooms", json::object{}).status == 200);
}

TEST_CASE("ivschat-emulator --quota: a bad value stops it with status 2 and says why", "[emulator][quotas][program]") {
    for (const std::string bad : {"NoSuchOperation=5", "CreateRoom=fast", "CreateRoom=0", "CreateRoom=-1", "CreateRoom",
                                  "CreateRoom=", "=5", "CreateRoom=inf"}) {
        INFO(bad);
        ivschat::test::child_process refused({IVSCHAT_EMULATOR_PATH, "--quota", bad}, /*with_stderr=*/true);
        // REQUIRE: an emulator that took the value would serve, never exit.
        REQUIRE(refused.line() == "ivschat-emulator: bad value for --quota: " + bad);
        const int status = refused.wait();
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 2);
    }
}
