// The ivschat CLI sends the application id of AWS_SDK_UA_APP_ID or of the
// profile's sdk_ua_app_id in its User-Agent (as `aws` does, it has no option
// for it), as the emulator recorded it; a bad id stops it before any request.
#include "emulator_client.hpp"
#include "support/shell_command.hpp"
#include "unit/config_temp_files.hpp"

#include <ivschat/version.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <map>

namespace {

using emulator_test::running_emulator;
using emulator_test::take_user_agents_seen;
using ivschat::test::shell_quote;

struct cli_run {
    int exit_code = -1;
    std::string err{};
};

// `ivschat list-rooms` against `emulator` with only the given extra variables.
cli_run list_rooms(const running_emulator& emulator, const ivschat::test::temp_dir& scratch, const std::string& extra) {
    const auto keys = ivschat::emulator::example_credentials();
    const auto err = scratch.path() / "stderr";
    std::string command = "env -i PATH=/usr/bin:/bin HOME=/nonexistent AWS_CONFIG_FILE=/nonexistent "
                          "AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_REGION=us-west-2";
    command += " AWS_ACCESS_KEY_ID=" + shell_quote(keys.access_key_id);
    command += " AWS_SECRET_ACCESS_KEY=" + shell_quote(keys.secret_access_key);
    command += " AWS_ENDPOINT_URL_IVSCHAT=" + shell_quote(emulator.endpoint());
    command += " " + extra + " " + shell_quote(IVSCHAT_CLI_PATH) + " list-rooms >/dev/null 2>" + shell_quote(err.string());
    const int status = std::system(command.c_str());
    cli_run run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ivschat::test::read_file(err)};
    UNSCOPED_INFO(command << "\nstderr: " << run.err);
    return run;
}

}  // namespace

TEST_CASE("ivschat: the application id from the environment or the profile", "[cli][emulator]") {
    running_emulator emulator;
    ivschat::test::temp_dir scratch;
    const auto config = scratch.write("config", "[profile shop]\nsdk_ua_app_id = shop-frontend\n");
    const std::string prefix = "ivschat-cpp/" IVSCHAT_VERSION_STRING " ua/2.1 os/linux#";

    REQUIRE(list_rooms(emulator, scratch, "").exit_code == 0);
    auto seen = take_user_agents_seen(emulator);
    REQUIRE(seen.size() == 1);
    CHECK(seen.begin()->first.starts_with(prefix));
    CHECK(seen.begin()->first.find(" app/") == std::string::npos);

    REQUIRE(list_rooms(emulator, scratch, "AWS_SDK_UA_APP_ID=ops-cli").exit_code == 0);
    seen = take_user_agents_seen(emulator);
    REQUIRE(seen.size() == 1);
    CHECK(seen.begin()->first.starts_with(prefix));
    CHECK(seen.begin()->first.ends_with(" app/ops-cli"));

    REQUIRE(list_rooms(emulator, scratch, "AWS_PROFILE=shop AWS_CONFIG_FILE=" + shell_quote(config)).exit_code == 0);
    seen = take_user_agents_seen(emulator);
    REQUIRE(seen.size() == 1);
    CHECK(seen.begin()->first.ends_with(" app/shop-frontend"));
}

TEST_CASE("ivschat: a bad application id is an error before any request", "[cli][emulator]") {
    running_emulator emulator;
    ivschat::test::temp_dir scratch;
    const auto run = list_rooms(emulator, scratch, "AWS_SDK_UA_APP_ID='two words'");
    CHECK(run.exit_code == 255);
    CHECK(run.err.find("invalid user_agent_app_id \"two words\" from AWS_SDK_UA_APP_ID") != std::string::npos);
    CHECK(take_user_agents_seen(emulator).empty());
}
