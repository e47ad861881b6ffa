// What the client sends as User-Agent, as the emulator recorded it (GET
// /_emulator/stats, requestsPerUserAgent), for each source of the
// application id: client_options, AWS_SDK_UA_APP_ID, the profile's
// sdk_ua_app_id, none; and a bad id failing the client's construction.
#include "emulator_client.hpp"

#include "unit/config_temp_files.hpp"

#include <ivschat/client.hpp>
#include <ivschat/version.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <map>

namespace {

namespace asio = boost::asio;
using emulator_test::running_emulator;
using emulator_test::take_user_agents_seen;
using variables = std::map<std::string, std::string, std::less<>>;

ivschat::client_options options_for(const running_emulator& emulator, variables env) {
    ivschat::client_options o;
    o.region = "us-west-2";
    o.endpoint_url = emulator.endpoint();
    o.credentials = ivschat::emulator::example_credentials();
    o.environment = ivschat::environment::from_map(std::move(env));
    return o;
}

// Makes `calls` ListRooms calls with a client built from `options`.
void call_list_rooms(ivschat::client_options options, int calls) {
    asio::io_context ioc;
    ivschat::client chat{ioc.get_executor(), std::move(options)};
    std::exception_ptr failure;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < calls; ++i) {
                const ivschat::list_rooms_request request{};
                co_await chat.list_rooms(request);
            }
        },
        [&](std::exception_ptr e) { failure = e; });
    ioc.run();
    if (failure) std::rethrow_exception(failure);
}

// The one User-Agent the emulator saw, which came with `calls` requests.
std::string only_user_agent(const running_emulator& emulator, int calls) {
    auto seen = take_user_agents_seen(emulator);
    REQUIRE(seen.size() == 1);
    CHECK(seen.begin()->second == calls);
    return seen.begin()->first;
}

void check_sdk_format(const std::string& user_agent) {
    INFO(user_agent);
    CHECK(user_agent.starts_with("ivschat-cpp/" IVSCHAT_VERSION_STRING " ua/2.1 os/linux#"));
    CHECK(user_agent.find(" md/arch#") != std::string::npos);
    CHECK(user_agent.find(" lang/cpp#C++20 md/") != std::string::npos);
}

}  // namespace

TEST_CASE("user agent app id from each source reaches the service", "[client][emulator]") {
    running_emulator emulator;
    ivschat::test::temp_dir home;
    home.write(".aws/config", "[default]\nsdk_ua_app_id = profile-app\n[profile plain]\n");
    const variables with_profile{{"HOME", home.path().string()}};

    SECTION("none") {
        call_list_rooms(options_for(emulator, {}), 2);
        auto user_agent = only_user_agent(emulator, 2);
        check_sdk_format(user_agent);
        CHECK(user_agent.find(" app/") == std::string::npos);
    }
    SECTION("client_options") {
        auto options = options_for(emulator, with_profile);
        options.user_agent_app_id = "option-app";
        call_list_rooms(options, 3);
        auto user_agent = only_user_agent(emulator, 3);
        check_sdk_format(user_agent);
        CHECK(user_agent.ends_with(" app/option-app"));
    }
    SECTION("AWS_SDK_UA_APP_ID") {
        auto env = with_profile;
        env.emplace("AWS_SDK_UA_APP_ID", "env-app");
        call_list_rooms(options_for(emulator, env), 2);
        CHECK(only_user_agent(emulator, 2).ends_with(" app/env-app"));
    }
    SECTION("the profile's sdk_ua_app_id") {
        call_list_rooms(options_for(emulator, with_profile), 2);
        CHECK(only_user_agent(emulator, 2).ends_with(" app/profile-app"));
        auto env = with_profile;
        env.emplace("AWS_PROFILE", "plain");
        call_list_rooms(options_for(emulator, env), 1);
        CHECK(only_user_agent(emulator, 1).find(" app/") == std::string::npos);
    }
}

TEST_CASE("a bad user agent app id fails the client's construction, before any request", "[client][emulator]") {
    running_emulator emulator;
    asio::io_context ioc;
    auto options = options_for(emulator, {});
    options.user_agent_app_id = "my app";
    CHECK_THROWS_WITH((ivschat::client{ioc.get_executor(), options}),
                      Catch::Contains("invalid user_agent_app_id \"my app\" from config_options::user_agent_app_id"));
    CHECK_THROWS_AS((ivschat::client{ioc.get_executor(), options_for(emulator, {{"AWS_SDK_UA_APP_ID", std::string(51, 'x')}})}),
                    ivschat::config_error);
    CHECK(take_user_agents_seen(emulator).empty());
}
