// HTTPS with the throwaway CA, in-process and through the ivschat-emulator
// program (its command line, stdout lines and clean exit on SIGTERM).
#include "emulator_client.hpp"
#include "support/child_process.hpp"

#include <ivschat/throwaway_ca.hpp>
#include <ivschat/version.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

using namespace emulator_test;
using ivschat::test::child_process;
namespace fs = std::filesystem;

namespace {

const json::value empty = json::object{};

fs::path temp_file(const std::string& name) {
    return fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".pem");
}

// build/bin/ivschat-emulator, next to this test's build/tests/.
fs::path emulator_program() { return fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "bin" / "ivschat-emulator"; }

std::uint16_t port_of(const std::string& url) { return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1))); }

}  // namespace

TEST_CASE("emulator: HTTPS with a generated certificate", "[emulator][tls]") {
    ivschat::emulator::server_options options;
    options.tls = true;
    options.ca_bundle_path = temp_file("emulator-tls-test-ca");
    running_emulator emulator(options);
    CHECK(emulator.endpoint() == "https://127.0.0.1:" + std::to_string(emulator.port()));
    REQUIRE(emulator.ca_bundle() == options.ca_bundle_path);
    REQUIRE(fs::exists(emulator.ca_bundle()));

    client c(emulator.port(), emulator.ca_bundle());
    const auto room = call(c, "CreateRoom", {{"name", "secure"}});
    REQUIRE(room.status == 200);
    for (int i = 0; i < 10; ++i) CHECK(call(c, "GetRoom", {{"identifier", room.json.at("arn")}}).status == 200);

    // A client trusting another CA refuses the certificate.
    const auto other = temp_file("emulator-tls-test-other-ca");
    ivschat::testing::throwaway_ca("unrelated").write_cert_pem(other);
    client stranger(emulator.port(), other);
    CHECK_THROWS_AS(stranger.connect(), boost::system::system_error);
    fs::remove(other);
    fs::remove(options.ca_bundle_path);
}

TEST_CASE("emulator: HTTPS with a given certificate and key", "[emulator][tls]") {
    const ivschat::testing::throwaway_ca ca;
    const auto creds = ca.issue_server_certificate();
    const auto cert = temp_file("emulator-given-cert"), key = temp_file("emulator-given-key"), trust = temp_file("emulator-given-ca");
    std::ofstream(cert) << creds.server_cert_pem;
    std::ofstream(key) << creds.server_key_pem;
    ca.write_cert_pem(trust);
    {
        ivschat::emulator::server_options options;
        options.tls = true;
        options.cert_file = cert;
        options.key_file = key;
        running_emulator emulator(options);
        CHECK(emulator.ca_bundle().empty());
        client c(emulator.port(), trust);
        CHECK(call(c, "ListRooms", empty).status == 200);
    }
    for (const auto& f : {cert, key, trust}) fs::remove(f);
}

TEST_CASE("ivschat-emulator: plain HTTP program, SIGINT exits cleanly", "[emulator][program]") {
    child_process program({emulator_program().string(), "--port", "0", "--credentials", "AKIDP:secret-p",
                           "--region", "eu-west-1", "--account-id", "111122223333"});
    const auto url = program.line();
    REQUIRE(url.starts_with("http://127.0.0.1:"));
    CHECK(program.line() == "messaging: ws://127.0.0.1:" + std::to_string(port_of(url)));
    client c(port_of(url));
    signing how{.credentials = [] {
                    ivschat::credentials k;
                    k.access_key_id = "AKIDP";
                    k.secret_access_key = "secret-p";
                    return k;
                }(),
                .region = "eu-west-1"};
    auto room = call(c, "CreateRoom", empty, how);
    REQUIRE(room.status == 200);
    CHECK(std::string(room.json.at("arn").as_string()).starts_with("arn:aws:ivschat:eu-west-1:111122223333:room/"));
    CHECK(call(c, "ListRooms", empty).status == 403);  // the example key is not accepted here
    const int status = program.stop(SIGINT);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("ivschat-emulator: --tls prints the CA bundle, SIGTERM exits cleanly", "[emulator][program]") {
    child_process program({emulator_program().string(), "--tls", "--port", "0"});
    const auto url = program.line();
    const auto ca_line = program.line();
    REQUIRE(url.starts_with("https://127.0.0.1:"));
    REQUIRE(ca_line.starts_with("ca-bundle: "));
    CHECK(program.line() == "messaging: wss://127.0.0.1:" + std::to_string(port_of(url)));
    const fs::path ca = ca_line.substr(std::string_view("ca-bundle: ").size());
    REQUIRE(fs::exists(ca));
    {
        client c(port_of(url), ca);
        CHECK(call(c, "ListRooms", empty).status == 200);  // default: the AWS example key pair
        // An open keep-alive connection does not hold the exit back.
        const int status = program.stop(SIGTERM);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    CHECK(!fs::exists(ca));  // the generated bundle is removed on exit
}

TEST_CASE("ivschat-emulator: --version prints the project version and exits 0", "[emulator][program]") {
    child_process program({emulator_program().string(), "--version"});
    CHECK(program.line() == "ivschat-emulator " IVSCHAT_VERSION_STRING);
    CHECK(program.line().empty());  // nothing after it: the program ended
    const int status = program.wait();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("ivschat-emulator: bad command lines fail with usage", "[emulator][program]") {
    for (std::vector<std::string> args : {std::vector<std::string>{"--port", "x"}, {"--fault", "explode=0.5"},
                                          {"--fault", "500=2"}, {"--credentials", "nosecret"}, {"--bogus"}, {"--port"},
                                          {"--chat-minute-seconds", "0"}, {"--chat-minute-seconds", "61"},
                                          {"--max-queued-frames", "0"}}) {
        args.insert(args.begin(), emulator_program().string());
        child_process program(args);
        const int status = program.wait();
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 2);
    }
}
