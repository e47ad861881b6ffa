// `ivschat chat` run as a subprocess against the in-process emulator (TLS,
// on its own thread): stdin lines sent as SEND_MESSAGE or as given actions,
// every frame one JSON line on stdout, exit 0 after stdin's end or the
// server's clean close, 255 with a message when the upgrade is refused.
#include <ivschat/emulator/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

struct chat_result {
    int exit_code = -1;
    std::vector<json::object> frames{};  // stdout's lines, for `chat`
    std::string out{};
    std::string err{};
};

std::string quote(const std::string& word) {
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string slurp(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

class chat_cli_fixture {
public:
    chat_cli_fixture() : server_(ioc_, {.tls = true}) {
        server_.start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~chat_cli_fixture() {
        asio::post(ioc_, [this] { server_.stop(); });
        thread_.join();
    }

    // Runs the CLI with `input` on stdin; for `chat`, every stdout line must be a JSON object.
    chat_result run(const std::vector<std::string>& args, const std::string& input) const {
        const auto keys = ivschat::emulator::example_credentials();
        const auto base = fs::temp_directory_path() / ("ivschat_cli_chat_" + std::to_string(::getpid()));
        const fs::path in = base.string() + ".in", out = base.string() + ".out", err = base.string() + ".err";
        std::ofstream(in, std::ios::binary) << input;
        std::string command = "env -i PATH=/usr/bin:/bin HOME=/nonexistent AWS_CONFIG_FILE=/nonexistent "
                              "AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_REGION=us-west-2";
        command += " AWS_ACCESS_KEY_ID=" + quote(keys.access_key_id);
        command += " AWS_SECRET_ACCESS_KEY=" + quote(keys.secret_access_key);
        command += " AWS_ENDPOINT_URL_IVSCHAT=" + quote(server_.endpoint());
        command += " AWS_CA_BUNDLE=" + quote(server_.ca_bundle().string());
        command += " " + quote(IVSCHAT_CLI_PATH);
        for (const auto& arg : args) command += " " + quote(arg);
        command += " <" + quote(in.string()) + " >" + quote(out.string()) + " 2>" + quote(err.string());
        const int status = std::system(command.c_str());
        chat_result result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, {}, slurp(out), slurp(err)};
        UNSCOPED_INFO(command << "\nstdout: " << result.out << "\nstderr: " << result.err);
        std::istringstream lines(result.out);
        if (args.at(0) == "chat")
            for (std::string line; std::getline(lines, line);) result.frames.push_back(json::parse(line).as_object());
        for (const auto& p : {in, out, err}) fs::remove(p);
        return result;
    }

    std::string create_room() const {
        const auto created = run({"create-room", "--query", "arn", "--output", "text"}, "");
        REQUIRE(created.exit_code == 0);
        return created.out.substr(0, created.out.find('\n'));
    }

    std::string messaging_endpoint() const { return server_.messaging_endpoint(); }

private:
    asio::io_context ioc_;
    ivschat::emulator::server server_;
    std::thread thread_;
};

std::string str(const json::object& o, std::string_view key) { return std::string(o.at(key).as_string()); }

}  // namespace

TEST_CASE("ivschat chat: stdin lines are sent, every frame is a JSON line, stdin's end closes and exits 0") {
    chat_cli_fixture f;
    const auto arn = f.create_room();
    const auto result = f.run({"chat", "--room-identifier", arn, "--user-id", "u1", "--capabilities", "SEND_MESSAGE",
                               "--attributes", "role=viewer", "--messaging-endpoint", f.messaging_endpoint()},
                              "hello\n"
                              "{\"Action\":\"DELETE_MESSAGE\",\"Id\":\"abcdefghijkl\"}\n"
                              "{\"Action\":\"SEND_MESSAGE\",\"Content\":\"mine\",\"RequestId\":\"r-1\"}\n");
    CHECK(result.exit_code == 0);
    REQUIRE(result.frames.size() == 3);
    const auto& hello = result.frames[0];
    CHECK(str(hello, "Type") == "MESSAGE");
    CHECK(str(hello, "Content") == "hello");
    CHECK(str(hello.at("Sender").as_object(), "UserId") == "u1");
    CHECK(hello.at("Sender").at("Attributes").at("role") == "viewer");
    CHECK_FALSE(str(hello, "RequestId").empty());
    const auto& refused = result.frames[1];
    CHECK(str(refused, "Type") == "ERROR");
    CHECK(refused.at("ErrorCode") == 403);
    CHECK_FALSE(str(refused, "RequestId").empty());
    CHECK(str(result.frames[2], "RequestId") == "r-1");
    CHECK(str(result.frames[2], "Content") == "mine");
    CHECK(result.err.find("connected") != std::string::npos);
}

TEST_CASE("ivschat chat: control characters in a frame are printed as JSON escapes") {
    chat_cli_fixture f;
    const auto arn = f.create_room();
    // ESC[2J clears a terminal, C1 CSI (U+009B) starts a sequence in a
    // UTF-8 xterm, DEL is a control too; the frame's JSON may carry the last
    // two raw.
    const std::string content = "hi \x1b[2J \xc2\x9b" "31m \x7f";
    const auto result = f.run({"chat", "--room-identifier", arn, "--user-id", "u1", "--capabilities", "SEND_MESSAGE",
                               "--messaging-endpoint", f.messaging_endpoint()},
                              content + "\n");
    CHECK(result.exit_code == 0);
    REQUIRE(result.frames.size() == 1);
    CHECK(str(result.frames[0], "Content") == content);
    CHECK(result.out.find_first_of("\x1b\x7f") == std::string::npos);
    CHECK(result.out.find("\xc2\x9b") == std::string::npos);
    CHECK(result.out.find(R"(\u001b[2J \u009b31m \u007f)") != std::string::npos);
}

TEST_CASE("ivschat chat: the server's clean close (the user disconnected) exits 0") {
    chat_cli_fixture f;
    const auto arn = f.create_room();
    const auto result = f.run({"chat", "--room-identifier", arn, "--user-id", "me", "--capabilities",
                               "DISCONNECT_USER", "--messaging-endpoint", f.messaging_endpoint()},
                              "{\"Action\":\"DISCONNECT_USER\",\"UserId\":\"me\",\"Reason\":\"bye\"}\n");
    CHECK(result.exit_code == 0);
    REQUIRE_FALSE(result.frames.empty());
    CHECK(str(result.frames[0], "EventName") == "aws:DISCONNECT_USER");
    CHECK(str(result.frames[0].at("Attributes").as_object(), "UserId") == "me");
}

TEST_CASE("ivschat chat: a refused upgrade or a refused connection exits 255 with a message and no stdout") {
    chat_cli_fixture f;
    const auto arn = f.create_room();
    const auto bad_token = f.run({"chat", "--room-identifier", arn, "--user-id", "u", "--token", "not-a-token",
                                  "--messaging-endpoint", f.messaging_endpoint()},
                                 "hello\n");
    CHECK(bad_token.exit_code == 255);
    CHECK(bad_token.frames.empty());
    CHECK(bad_token.err.find("cannot connect") != std::string::npos);

    const auto refused = f.run({"chat", "--room-identifier", arn, "--user-id", "u", "--messaging-endpoint",
                                "ws://127.0.0.1:1"},
                               "");
    CHECK(refused.exit_code == 255);
    CHECK(refused.frames.empty());

    const auto usage = f.run({"chat", "--user-id", "u"}, "");
    CHECK(usage.exit_code == 252);
}
