// Runs build/bin/ivschat-bench --emulator (a separate ivschat-emulator
// process over TLS on 127.0.0.1) with a few calls and checks its JSON line.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace {

struct bench_run {
    int exit_code = -1;
    std::string output{};
};

bench_run run_bench(const std::string& arguments) {
    const std::string command = std::string(IVSCHAT_BENCH_BINARY) + " " + arguments + " 2>/dev/null";
    bench_run result;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buffer{};
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) result.output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

boost::json::object last_json_line(const std::string& output) {
    const auto end = output.find_last_not_of('\n');
    REQUIRE(end != std::string::npos);
    const auto start = output.rfind('\n', end);
    const std::string line = output.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
    return boost::json::parse(line).as_object();
}

void check_result(const boost::json::object& result, std::string_view operation, std::int64_t requests,
                  std::int64_t concurrency, std::int64_t connections) {
    for (const char* field : {"client", "operation", "requests", "concurrency", "wall_s", "req_per_s", "cpu_user_s",
                              "cpu_sys_s", "cpu_us_per_req", "p50_ms", "p90_ms", "p99_ms", "max_ms", "peak_rss_mb",
                              "errors", "connections_opened", "allocs_per_req", "throttled", "requests_sent",
                              "pacing_wait_p99_ms"}) {
        INFO(field);
        CHECK(result.contains(field));
    }
    CHECK(result.at("client").as_string() == "ivschat-cpp");
    CHECK(result.at("operation").as_string() == operation);
    CHECK(result.at("requests").to_number<std::int64_t>() == requests);
    CHECK(result.at("concurrency").to_number<std::int64_t>() == concurrency);
    CHECK(result.at("errors").to_number<std::int64_t>() == 0);
    CHECK(result.at("connections_opened").to_number<std::int64_t>() >= 1);
    CHECK(result.at("connections_opened").to_number<std::int64_t>() <= connections);
    CHECK(result.at("connections_opened_measured_phase").to_number<std::int64_t>() == 0);
    CHECK(result.at("req_per_s").to_number<double>() > 0);
    CHECK(result.at("cpu_us_per_req").to_number<double>() > 0);
    // Signing, serializing and parsing allocate: a counter that saw nothing is broken.
    CHECK(result.at("allocs_per_req").to_number<double>() >= 1);
    CHECK(result.at("allocs_per_req").to_number<double>() < 1000);
    const double p50 = result.at("p50_ms").to_number<double>();
    const double p99 = result.at("p99_ms").to_number<double>();
    CHECK(p50 > 0);
    CHECK(p50 <= p99);
    CHECK(p99 <= result.at("max_ms").to_number<double>());
    CHECK(result.at("peak_rss_mb").to_number<double>() > 1);
    CHECK(result.at("throttled").to_number<std::int64_t>() == 0);
    CHECK(result.at("requests_sent").to_number<std::int64_t>() == requests);
}

}  // namespace

TEST_CASE("ivschat-bench --emulator: create-chat-token prints every field with zero errors", "[bench]") {
    const auto run = run_bench("--emulator --operation create-chat-token --requests 200 --concurrency 8 "
                               "--connections 4 --warmup 16");
    REQUIRE(run.exit_code == 0);
    check_result(last_json_line(run.output), "create-chat-token", 200, 8, 4);
}

TEST_CASE("ivschat-bench --emulator: get-room and send-event on a room it creates", "[bench]") {
    for (const char* operation : {"get-room", "send-event"}) {
        INFO(operation);
        const auto run = run_bench(std::string("--emulator --operation ") + operation +
                                   " --requests 50 --concurrency 2 --connections 2 --warmup 2");
        REQUIRE(run.exit_code == 0);
        check_result(last_json_line(run.output), operation, 50, 2, 2);
    }
}

TEST_CASE("ivschat-bench --pacing on --quota: the calls wait for the client's quota", "[bench]") {
    // 60 measured calls at 100/s after 10 warm-up calls: at least 0.5 s of waiting.
    const auto run = run_bench("--emulator --pacing on --quota CreateChatToken=100 --requests 60 --concurrency 8 "
                               "--connections 4 --warmup 10");
    REQUIRE(run.exit_code == 0);
    const auto result = last_json_line(run.output);
    check_result(result, "create-chat-token", 60, 8, 4);
    CHECK(result.at("wall_s").to_number<double>() >= 0.5);
    CHECK(result.at("pacing_wait_p99_ms").to_number<double>() > 10);
    // Without pacing nothing waits.
    const auto unpaced = run_bench("--emulator --requests 60 --concurrency 8 --connections 4 --warmup 10");
    REQUIRE(unpaced.exit_code == 0);
    CHECK(last_json_line(unpaced.output).at("pacing_wait_p99_ms").to_number<double>() == 0);
}

TEST_CASE("ivschat-bench rejects bad command lines with exit code 2", "[bench]") {
    CHECK(run_bench("--emulator --operation no-such-operation").exit_code == 2);
    CHECK(run_bench("--emulator --requests many").exit_code == 2);
    CHECK(run_bench("--requests 10").exit_code == 2);
    CHECK(run_bench("--emulator --pacing maybe").exit_code == 2);
    CHECK(run_bench("--emulator --quota CreateChatToken").exit_code == 2);
    CHECK(run_bench("--emulator --quota CreateChatToken=0").exit_code == 2);
    CHECK(run_bench("--emulator --quota CreateChatToken=-5").exit_code == 2);
    // A quota for an operation that does not exist is a configuration error.
    CHECK(run_bench("--emulator --pacing on --quota NoSuchOperation=5").exit_code == 1);
}

// Runs chat-fanout against the emulator with `settings`; every one of the
// `deliveries` arrives once, without an error.
boost::json::object fanout_delivering(const std::string& settings, std::int64_t deliveries) {
    const auto run = run_bench("--emulator --operation chat-fanout " + settings);
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    auto result = last_json_line(run.output);
    CHECK(result.at("expected").to_number<std::int64_t>() == deliveries);
    CHECK(result.at("delivered").to_number<std::int64_t>() == deliveries);
    CHECK(result.at("lost").to_number<std::int64_t>() == 0);
    CHECK(result.at("duplicated").to_number<std::int64_t>() == 0);
    CHECK(result.at("errors").to_number<std::int64_t>() == 0);
    return result;
}

TEST_CASE("ivschat-bench --emulator --operation chat-fanout: every message to every receiver once", "[bench]") {
    // 2 rooms x 5 receivers, 12 messages per room from 2 senders each.
    const auto result =
        fanout_delivering("--rooms 2 --receivers-per-room 5 --senders-per-room 2 --rate 40 --messages 12 --message-bytes 64", 120);
    for (const char* field : {"client", "operation", "role", "connections", "messages_sent", "expected", "delivered",
                              "lost", "duplicated", "wall_s", "delivered_per_s", "cpu_scope", "cpu_us_per_delivered",
                              "p50_ms", "p99_ms", "max_ms", "rss_before_kb", "rss_connected_kb",
                              "bytes_per_connection", "rss_end_kb", "reconnects", "errors", "refused", "thread_safe"}) {
        INFO(field);
        CHECK(result.contains(field));
    }
    CHECK(result.at("operation").as_string() == "chat-fanout");
    CHECK(result.at("role").as_string() == "both");
    CHECK(result.at("thread_safe").as_bool());
    CHECK(result.at("connections").to_number<std::int64_t>() == 10);
    CHECK(result.at("messages_sent").to_number<std::int64_t>() == 24);
    CHECK(result.at("max_ms").to_number<double>() >= result.at("p50_ms").to_number<double>());
    const auto rss_before = result.at("rss_before_kb").to_number<std::int64_t>();
    CHECK(result.at("rss_connected_kb").to_number<std::int64_t>() > rss_before);
}

TEST_CASE("ivschat-bench chat-fanout --thread-safe 0: rooms without a strand lose and duplicate nothing", "[bench]") {
    const auto result = fanout_delivering("--rooms 1 --receivers-per-room 5 --rate 40 --messages 10 --thread-safe 0", 50);
    CHECK(result.at("thread_safe").as_bool() == false);
}

TEST_CASE("ivschat-bench chat-fanout rejects bad settings with exit code 2", "[bench]") {
    CHECK(run_bench("--emulator --operation chat-fanout --rate 101").exit_code == 2);
    CHECK(run_bench("--emulator --operation chat-fanout --rate 0").exit_code == 2);
    CHECK(run_bench("--emulator --operation chat-fanout --rooms 0").exit_code == 2);
    CHECK(run_bench("--emulator --operation chat-fanout --role listen").exit_code == 2);
    CHECK(run_bench("--endpoint-url http://127.0.0.1:9 --operation chat-fanout").exit_code == 2);
}
