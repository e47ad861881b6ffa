// examples/tracing against the emulator: one JSON line per hook, in order,
// with the facts a span needs.
#include "support/example_run.hpp"

#include <boost/json.hpp>

TEST_CASE("tracing example: every call and attempt as a JSON line", "[example][emulator][observability]") {
    const auto run = ivschat::test::run_example("tracing");
    CHECK(run.exit_status == 0);
    std::vector<std::string> events;
    for (const auto& line : run.lines) {
        INFO(line);
        const auto event = boost::json::parse(line).as_object();
        CHECK(event.at("time_unix_nano").as_int64() > 0);
        events.push_back(std::string(event.at("event").as_string()) + " " +
                         std::string(event.at("operation").as_string()));
        if (event.at("event") == "attempt_ended" && event.at("operation") == "GetRoom")
            CHECK(event.at("http_status").as_int64() == 404);
        if (event.at("event") == "attempt_ended" && event.at("operation") == "CreateChatToken") {
            CHECK(event.at("http_status").as_int64() == 200);
            CHECK_FALSE(event.at("request_id").as_string().empty());
        }
    }
    std::vector<std::string> expected;
    for (const char* operation : {"CreateRoom", "CreateChatToken", "GetRoom", "DeleteRoom"}) {
        for (const char* event : {"call_started", "attempt_started", "attempt_ended", "call_ended"})
            expected.push_back(std::string(event) + " " + operation);
    }
    CHECK(events == expected);
}
