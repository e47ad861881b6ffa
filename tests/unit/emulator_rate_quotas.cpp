// The emulator's per-operation rate quotas without a clock: token buckets
// that allow a burst of one second's rate, then the rate; parsing of --quota.
#include <ivschat/emulator/rate_quotas.hpp>

#include <catch2/catch.hpp>

namespace {

namespace emulator = ivschat::emulator;
using namespace std::chrono_literals;

}  // namespace

TEST_CASE("rate quotas: a burst of the rate, then the rate", "[emulator][quotas]") {
    emulator::rate_quotas quotas({{"CreateRoom", 5}, {"CreateChatToken", 200}, {"CreateRoom", 2}});
    const emulator::rate_quotas::clock::time_point t0{};
    CHECK(quotas.rate("CreateRoom") == 2.0);  // the later entry overrides
    CHECK_FALSE(quotas.rate("GetRoom"));
    CHECK(quotas.admit("CreateRoom", t0 + 1s));
    CHECK(quotas.admit("CreateRoom", t0 + 1s));
    CHECK_FALSE(quotas.admit("CreateRoom", t0 + 1s));
    CHECK_FALSE(quotas.admit("CreateRoom", t0 + 1s + 400ms));  // 0.8 of a token
    CHECK(quotas.admit("CreateRoom", t0 + 1s + 500ms));
    CHECK_FALSE(quotas.admit("CreateRoom", t0 + 1s + 500ms));
    // Idle time refills up to one second's worth, no more.
    CHECK(quotas.admit("CreateRoom", t0 + 60s));
    CHECK(quotas.admit("CreateRoom", t0 + 60s));
    CHECK_FALSE(quotas.admit("CreateRoom", t0 + 60s));
    // Other operations are independent; unlisted ones are not limited.
    for (int i = 0; i < 200; ++i) CHECK(quotas.admit("CreateChatToken", t0 + 1s));
    CHECK_FALSE(quotas.admit("CreateChatToken", t0 + 1s));
    for (int i = 0; i < 1000; ++i) REQUIRE(quotas.admit("GetRoom", t0 + 1s));
}

TEST_CASE("rate quotas: a rate under one still lets one request through", "[emulator][quotas]") {
    emulator::rate_quotas quotas({{"ListRooms", 0.5}});
    const emulator::rate_quotas::clock::time_point t0{};
    CHECK(quotas.admit("ListRooms", t0));
    CHECK_FALSE(quotas.admit("ListRooms", t0 + 1s));
    CHECK(quotas.admit("ListRooms", t0 + 2s));
}

TEST_CASE("rate quotas: the service's rates and --quota values", "[emulator][quotas]") {
    const auto rates = emulator::default_operation_rates();
    CHECK(rates.size() == 17);
    emulator::rate_quotas quotas(rates);
    CHECK(quotas.rate("CreateChatToken") == 200.0);
    CHECK(quotas.rate("DisconnectUser") == 100.0);
    CHECK(quotas.rate("UpdateRoom") == 5.0);
    CHECK(quotas.rate("ListLoggingConfigurations") == 3.0);
    CHECK(quotas.rate("ListTagsForResource") == 10.0);

    CHECK(emulator::parse_operation_rate("CreateChatToken=500") == std::pair<std::string, double>{"CreateChatToken", 500});
    CHECK(emulator::parse_operation_rate("GetRoom=0.5") == std::pair<std::string, double>{"GetRoom", 0.5});
    for (std::string_view bad : {"", "=5", "GetRoom", "GetRoom=", "GetRoom=0", "GetRoom=-1", "GetRoom=5x", "GetRoom=inf"})
        CHECK_FALSE(emulator::parse_operation_rate(bad));
}
