// examples/spdlog_logging against the emulator: the client's records reach
// spdlog with their fields, and the chat token never does.
#include "support/example_run.hpp"

#include <algorithm>

TEST_CASE("spdlog example: the client's records with their fields", "[example][emulator][observability]") {
    const auto run = ivschat::test::run_example("spdlog_logging", true);
    CHECK(run.exit_status == 0);
    auto has = [&](std::string_view a, std::string_view b) {
        return std::any_of(run.lines.begin(), run.lines.end(), [&](const std::string& line) {
            return line.find(a) != std::string::npos && line.find(b) != std::string::npos;
        });
    };
    CHECK(has("[debug] attempt ended operation=CreateChatToken attempt=1 status=200", "request_id="));
    CHECK(has("[debug] call ended operation=GetRoom attempts=1 status=404", "error="));
    CHECK(has("[debug] call ended operation=DeleteRoom", "status=204"));
    for (const auto& line : run.lines) {
        INFO(line);
        CHECK(line.find("spdlog-example-user") == std::string::npos);  // the user id the example sends
    }
}
