// credential_process: real shell scripts in a temporary directory, run by
// the provider without blocking the loop.
#include <ivschat/config.hpp>
#include <ivschat/credentials_provider.hpp>
#include <ivschat/process_credentials_provider.hpp>

#include "config_temp_files.hpp"
#include "credentials_outcome.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <filesystem>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ivschat::credentials;
using ivschat::credentials_errc;
using ivschat::credentials_error;

using ivschat::test::credentials_outcome;

credentials_outcome get(ivschat::credentials_provider& p) {
    asio::io_context ioc;
    return ivschat::test::get_credentials(ioc, p);
}

struct scripts {
    ivschat::test::temp_dir dir;
    // Writes an executable script and returns the command that runs it.
    std::string script(const std::string& name, const std::string& body) {
        auto path = dir.write(name, "#!/bin/sh\n" + body);
        std::filesystem::permissions(path, std::filesystem::perms::owner_all);
        return "'" + path + "'";
    }
};

std::shared_ptr<ivschat::process_credentials_provider> provider(std::string command,
                                                                ivschat::process_credentials_options options = {}) {
    return std::make_shared<ivschat::process_credentials_provider>(std::move(command), "dev", std::move(options));
}

}  // namespace

TEST_CASE("credential_process: the JSON it prints, with arguments through /bin/sh -c") {
    scripts s;
    auto cmd = s.script("creds.sh",
                        "printf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"S\", "
                        "\"SessionToken\": \"T\", \"Expiration\": \"2099-01-01T00:00:00Z\"}' \"$1-$2\"\n");
    auto p = provider(cmd + " first 'second arg'");
    CHECK(p->name() == "credential_process of profile \"dev\"");
    auto out = get(*p);
    REQUIRE(out.creds);
    CHECK(out.creds->access_key_id == "first-second arg");
    CHECK(out.creds->session_token == "T");
    REQUIRE(out.creds->expiration);
    CHECK(p->cached() == out.creds);
    CHECK(p->fetches_started() == 1);
}

TEST_CASE("credential_process: a profile's credential_process runs through the profile provider") {
    scripts s;
    auto cmd = s.script("creds.sh", "echo '{\"Version\":1,\"AccessKeyId\":\"FROM_PROFILE\",\"SecretAccessKey\":\"S\"}'\n");
    ivschat::profile_set set;
    set.merge_file("[profile dev]\ncredential_process = " + cmd + "\n", ivschat::profile_file_kind::config, "config");
    auto p = std::make_shared<ivschat::profile_credentials_provider>(set, "dev");
    auto out = get(*p);
    REQUIRE(out.creds);
    CHECK(out.creds->access_key_id == "FROM_PROFILE");
    CHECK_FALSE(out.creds->expiration);  // no Expiration: kept
    CHECK(p->cached() == out.creds);
}

TEST_CASE("credential_process: failures say what happened, without the command") {
    scripts s;
    auto bad_json = get(*provider(s.script("bad.sh", "echo 'not json'\n")));
    CHECK(bad_json.code == credentials_errc::unavailable);
    CHECK(bad_json.error.rfind("credential_process of profile \"dev\": its output is not credentials: the answer is not "
                               "valid JSON", 0) == 0);

    auto version = get(*provider(s.script("v2.sh", "echo '{\"Version\":2,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}'\n")));
    CHECK(version.error == "credential_process of profile \"dev\": its output is not credentials: the member \"Version\" is not 1");

    auto exit_status = get(*provider(s.script("fail.sh", "echo 'token expired, run login' >&2\nexit 3\n")));
    CHECK(exit_status.code == credentials_errc::unavailable);
    CHECK(exit_status.error ==
          "credential_process of profile \"dev\": the process exited with status 3: token expired, run login");

    auto missing = get(*provider("/nonexistent/get-creds --secret-flag"));
    CHECK(missing.error.rfind("credential_process of profile \"dev\": the process exited with status 127", 0) == 0);
    CHECK(missing.error.find("secret-flag") == std::string::npos);

    auto killed = get(*provider(s.script("kill.sh", "kill -9 $$\n")));
    // The shell reports the signal (128 + 9) and says so on stderr.
    CHECK(killed.error.rfind("credential_process of profile \"dev\": the process exited with status 137", 0) == 0);
}

TEST_CASE("credential_process: a process that hangs is killed at the timeout, with its children") {
    scripts s;
    auto p = provider(s.script("hang.sh", "sleep 30 &\nsleep 30\n"), {.timeout = 300ms});
    auto began = std::chrono::steady_clock::now();
    auto out = get(*p);
    CHECK(std::chrono::steady_clock::now() - began < 10s);
    CHECK(out.code == credentials_errc::unavailable);
    CHECK(out.error == "credential_process of profile \"dev\": the process did not finish within 300 ms and was killed");
}

TEST_CASE("credential_process: output past the limit kills the process") {
    scripts s;
    auto p = provider(s.script("flood.sh", "yes '{\"Version\":1}'\n"), {.max_output = 1000});
    auto out = get(*p);
    CHECK(out.error == "credential_process of profile \"dev\": the process wrote more than 1000 bytes and was killed");
}

TEST_CASE("credential_process: the loop keeps running while the process works") {
    scripts s;
    auto p = provider(s.script("slow.sh", "sleep 0.3\necho '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}'\n"));
    asio::io_context ioc;
    int ticks = 0;
    bool done = false;
    ivschat::async_get_credentials(*p, ioc.get_executor(), [&](std::exception_ptr e, auto c) { done = !e && c; });
    asio::steady_timer tick(ioc);
    std::function<void()> again = [&] {
        tick.expires_after(10ms);
        tick.async_wait([&](boost::system::error_code) {
            ++ticks;
            if (!done) again();
        });
    };
    again();
    ioc.run();
    CHECK(done);
    CHECK(ticks >= 10);  // the timer kept firing during the 300 ms the process ran
}
