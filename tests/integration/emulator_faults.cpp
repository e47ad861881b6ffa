// Fault injection: the plan without I/O, then each action over a real socket.
#include "emulator_client.hpp"

#include <ivschat/emulator/fault_plan.hpp>

#include <catch2/catch.hpp>

using namespace emulator_test;
using ivschat::emulator::fault_action;
using ivschat::emulator::fault_kind;
using ivschat::emulator::fault_plan;
using ivschat::emulator::parse_fault_action;

TEST_CASE("fault plan: parses the action names", "[emulator][faults]") {
    CHECK(parse_fault_action("500")->kind == fault_kind::internal_error);
    CHECK(parse_fault_action("503")->kind == fault_kind::service_unavailable);
    CHECK(parse_fault_action("throttle")->kind == fault_kind::throttle);
    CHECK(parse_fault_action("reset")->kind == fault_kind::reset);
    CHECK(parse_fault_action("close")->kind == fault_kind::close_after_response);
    CHECK(parse_fault_action("truncate")->kind == fault_kind::truncate_body);
    CHECK(parse_fault_action("close-idle")->kind == fault_kind::close_idle);
    auto delay = parse_fault_action("delay:250");
    REQUIRE(delay);
    CHECK(delay->kind == fault_kind::delay);
    CHECK(delay->delay == std::chrono::milliseconds(250));
    for (auto bad : {"", "none", "delay", "delay:", "delay:-1", "delay:x", "delay:60001", "404", "Throttle"})
        CHECK(!parse_fault_action(bad));
}

TEST_CASE("fault plan: queued actions first, in order, one per request", "[emulator][faults]") {
    fault_plan plan(1);
    CHECK(plan.next().kind == fault_kind::none);
    plan.enqueue({fault_kind::throttle});
    plan.enqueue({fault_kind::delay, std::chrono::milliseconds(5)});
    CHECK(plan.queued() == 2);
    CHECK(plan.next().kind == fault_kind::throttle);
    auto second = plan.next();
    CHECK(second.kind == fault_kind::delay);
    CHECK(second.delay == std::chrono::milliseconds(5));
    CHECK(plan.next().kind == fault_kind::none);
    CHECK(plan.applied(fault_kind::throttle) == 1);
    CHECK(plan.applied(fault_kind::delay) == 1);
    CHECK(plan.applied(fault_kind::none) == 0);
    plan.reset();
    CHECK(plan.applied(fault_kind::throttle) == 0);
}

TEST_CASE("fault plan: probabilities", "[emulator][faults]") {
    fault_plan plan(42);
    plan.set_probability({fault_kind::service_unavailable}, 1.0);
    for (int i = 0; i < 100; ++i) CHECK(plan.next().kind == fault_kind::service_unavailable);
    plan.enqueue({fault_kind::reset});
    CHECK(plan.next().kind == fault_kind::reset);  // the queue wins over the draw

    plan.set_probability({fault_kind::service_unavailable}, 0.0);
    plan.set_probability({fault_kind::internal_error}, 0.25);
    int hits = 0;
    for (int i = 0; i < 4000; ++i) hits += plan.next().kind == fault_kind::internal_error;
    // Binomial(4000, 0.25): mean 1000, sd ~27; the bounds are > 7 sd away.
    CHECK(hits > 800);
    CHECK(hits < 1200);
    plan.reset();
    for (int i = 0; i < 100; ++i) CHECK(plan.next().kind == fault_kind::none);
}

namespace {

void queue_faults(client& control, std::string_view actions) {
    auto r = control.send(http::verb::post, "/_emulator/faults", R"({"actions":)" + std::string(actions) + "}", {.sign = false});
    REQUIRE(r.status == 200);
}

const json::value empty = json::object{};

}  // namespace

TEST_CASE("emulator: error faults answer AWS errors", "[emulator][faults]") {
    running_emulator emulator;
    client c(emulator.port());
    queue_faults(c, R"(["500","503","throttle"])");
    auto first = call(c, "ListRooms", empty);
    CHECK(first.status == 500);
    CHECK(first.error_type == "InternalServerException");
    auto second = call(c, "ListRooms", empty);
    CHECK(second.status == 503);
    CHECK(second.error_type == "ServiceUnavailableException");
    auto third = call(c, "ListRooms", empty);
    CHECK(third.status == 429);
    CHECK(third.error_type == "ThrottlingException");
    CHECK(third.json.at("limit").is_int64());
    CHECK(third.json.at("resourceType") == "ROOM");
    CHECK(call(c, "ListRooms", empty).status == 200);
    // In-process tests may also queue faults directly.
    emulator.on_server([](auto& server) {
        server.faults().enqueue({fault_kind::internal_error});
        return 0;
    });
    CHECK(call(c, "ListRooms", empty).status == 500);
    // The same connection served all of them.
    auto stats = c.send(http::verb::get, "/_emulator/stats", {}, {.sign = false}, {});
    CHECK(stats.json.at("connectionsAccepted").as_int64() == 1);
    CHECK(stats.json.at("faultsApplied").at("500").as_int64() == 2);
    CHECK(stats.json.at("faultsApplied").at("503").as_int64() == 1);
    CHECK(stats.json.at("faultsApplied").at("throttle").as_int64() == 1);
    CHECK(stats.json.at("faultsQueued").as_int64() == 0);
}

TEST_CASE("emulator: reset aborts the connection without a response", "[emulator][faults]") {
    running_emulator emulator;
    client c(emulator.port());
    queue_faults(c, R"(["reset"])");
    auto r = call(c, "ListRooms", empty);
    CHECK(r.error == asio::error::connection_reset);
    CHECK(r.status == 0);
    CHECK(call(c, "ListRooms", empty).status == 200);  // a new connection works
}

TEST_CASE("emulator: delay holds the response back", "[emulator][faults]") {
    running_emulator emulator;
    client c(emulator.port());
    queue_faults(c, R"(["delay:300"])");
    const auto start = std::chrono::steady_clock::now();
    auto r = call(c, "ListRooms", empty);
    CHECK(r.status == 200);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(300));
}

TEST_CASE("emulator: close after the response", "[emulator][faults]") {
    running_emulator emulator;
    client c(emulator.port());
    queue_faults(c, R"(["close"])");
    auto r = call(c, "ListRooms", empty);
    CHECK(r.status == 200);
    CHECK(r.connection == "close");
    CHECK(!c.connected());
}

TEST_CASE("emulator: truncated body", "[emulator][faults]") {
    running_emulator emulator;
    client c(emulator.port());
    REQUIRE(call(c, "CreateRoom", {{"name", "a-room-with-a-long-enough-name"}}).status == 200);
    queue_faults(c, R"(["truncate"])");
    auto r = call(c, "ListRooms", empty);
    CHECK(r.error == http::error::partial_message);
}

TEST_CASE("emulator: close-idle closes every idle keep-alive connection", "[emulator][faults]") {
    running_emulator emulator;
    client idle1(emulator.port()), idle2(emulator.port()), trigger(emulator.port());
    REQUIRE(call(idle1, "ListRooms", empty).status == 200);
    REQUIRE(call(idle2, "ListRooms", empty).status == 200);
    queue_faults(trigger, R"(["close-idle"])");
    auto r = call(trigger, "ListRooms", empty);
    CHECK(r.status == 200);
    CHECK(r.connection.empty());  // announced as keep-alive, closed anyway: what clients must survive
    CHECK(idle1.wait_closed() == asio::error::eof);
    CHECK(idle2.wait_closed() == asio::error::eof);
    CHECK(trigger.wait_closed() == asio::error::eof);

    client again(emulator.port());
    CHECK(call(again, "ListRooms", empty).status == 200);
    auto closed = again.send(http::verb::post, "/_emulator/close-idle-connections", {}, {.sign = false});
    CHECK(closed.status == 200);
    CHECK(again.wait_closed() == asio::error::eof);
}

TEST_CASE("emulator: faults by probability from the options", "[emulator][faults]") {
    ivschat::emulator::server_options options;
    options.random_faults = {{fault_action{fault_kind::throttle}, 1.0}};
    running_emulator emulator(options);
    client c(emulator.port());
    for (int i = 0; i < 5; ++i) CHECK(call(c, "ListRooms", empty).status == 429);
    // Control requests are never faulted; DELETE /_emulator/faults clears the probabilities.
    CHECK(c.send(http::verb::delete_, "/_emulator/faults", {}, {.sign = false}).status == 200);
    CHECK(call(c, "ListRooms", empty).status == 200);
    auto set = c.send(http::verb::post, "/_emulator/faults", R"({"probabilities":{"503":1}})", {.sign = false});
    CHECK(set.status == 200);
    CHECK(call(c, "ListRooms", empty).status == 503);
}

TEST_CASE("emulator: idle keep-alive connections time out", "[emulator][faults]") {
    ivschat::emulator::server_options options;
    options.idle_timeout = std::chrono::seconds(1);
    running_emulator emulator(options);
    client c(emulator.port());
    REQUIRE(call(c, "ListRooms", empty).status == 200);
    const auto start = std::chrono::steady_clock::now();
    CHECK(c.wait_closed() == asio::error::eof);
    // Checked once a second: closed after one to two seconds of idleness.
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::seconds(1));
    CHECK(call(c, "ListRooms", empty).status == 200);
}
