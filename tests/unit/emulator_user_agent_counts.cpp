// The emulator's count of service requests by User-Agent: bounded, with the
// requests that carry none and those past the bound under their own keys.
#include <ivschat/emulator/request_handler.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace {
using ivschat::emulator::server_counters;
}  // namespace

TEST_CASE("requests by user agent: counted per value, none and overflow apart", "[emulator]") {
    server_counters counters;
    counters.count_user_agent("ivschat-cpp/0.1.0 ua/2.1 app/a");
    counters.count_user_agent("ivschat-cpp/0.1.0 ua/2.1 app/a");
    counters.count_user_agent(std::nullopt);
    CHECK(counters.requests_per_user_agent.size() == 2);
    CHECK(counters.requests_per_user_agent.at("ivschat-cpp/0.1.0 ua/2.1 app/a") == 2);
    CHECK(counters.requests_per_user_agent.at(std::string(server_counters::no_user_agent)) == 1);

    for (int i = 0; i < 30; ++i) counters.count_user_agent("agent-" + std::to_string(i));
    CHECK(counters.requests_per_user_agent.size() == server_counters::max_user_agents + 1);
    // 14 of the 30 found room next to the two above; the other 16 count as one key.
    CHECK(counters.requests_per_user_agent.at(std::string(server_counters::other_user_agent)) == 16);
    CHECK(counters.requests_per_user_agent.at("agent-13") == 1);
    CHECK_FALSE(counters.requests_per_user_agent.contains("agent-14"));
    counters.count_user_agent("ivschat-cpp/0.1.0 ua/2.1 app/a");
    CHECK(counters.requests_per_user_agent.at("ivschat-cpp/0.1.0 ua/2.1 app/a") == 3);
}
