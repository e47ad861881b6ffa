// Runs build/bin/ivschat-soak (ivschat-emulator as a separate process, with
// faults injected) for a bounded number of calls and checks its verdict.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

TEST_CASE("ivschat-soak: 2000 calls with faults all complete, the pool ends idle, nothing stays pending", "[bench]") {
    const std::string command = std::string(IVSCHAT_SOAK_BINARY) +
                                " --requests 2000 --concurrency 16 --connections 4 --fault 503=0.05"
                                " --fault reset=0.01 --fault delay:20=0.02 --fault close=0.01 2>/dev/null";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    std::array<char, 4096> buffer{};
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    INFO(output);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    const auto end = output.find_last_not_of('\n');
    REQUIRE(end != std::string::npos);
    const auto start = output.rfind('\n', end);
    const auto result =
        boost::json::parse(output.substr(start == std::string::npos ? 0 : start + 1)).as_object();
    CHECK(result.at("ok").as_bool());
    CHECK(result.at("completed").to_number<std::int64_t>() == 2000);
    CHECK(result.at("succeeded").to_number<std::int64_t>() + result.at("failed").to_number<std::int64_t>() == 2000);
    CHECK(result.at("pool_idle").as_bool());
    CHECK(result.at("io_drained").as_bool());
    // The faults reached the client: some attempts failed with the injected 503.
    const auto& attempts = result.at("failed_attempts").as_object();
    REQUIRE(attempts.contains("HTTP 503"));
    CHECK(attempts.at("HTTP 503").to_number<std::int64_t>() > 0);
    // Before the first call, then every tenth of the run.
    CHECK(result.at("rss_samples").as_array().size() == 11);
    CHECK(result.at("rss_mb_end").to_number<double>() > 1);
}
