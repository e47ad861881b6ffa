// The ivschat command-line tool run as a subprocess against the in-process
// emulator (TLS, on its own thread): every operation, pagination, flags over
// --cli-input-json, the AWS CLI's exit codes and error line, and --debug
// output that never shows the secret key, the signature or a chat token.
#include "support/shell_command.hpp"

#include <ivschat/emulator/server.hpp>
#include <ivschat/version.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using ivschat::test::read_file;
using ivschat::test::shell_quote;

struct cli_result {
    int exit_code = -1;
    std::string out{};
    std::string err{};
    json::object json() const { return json::parse(out).as_object(); }
};

fs::path temp_path(const std::string& what) {
    static std::atomic<int> counter{0};
    return fs::temp_directory_path() /
           ("ivschat_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + what);
}

// The emulator on its own thread, so that it answers while a test waits for
// the CLI subprocess; the CLI finds it through AWS_ENDPOINT_URL_IVSCHAT and
// AWS_CA_BUNDLE, and signs with the example credentials from the environment.
class cli_against_emulator {
public:
    cli_against_emulator() : server_(ioc_, {.tls = true}) {
        server_.start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~cli_against_emulator() {
        asio::post(ioc_, [this] { server_.stop(); });
        thread_.join();
    }

    cli_result run(const std::vector<std::string>& args) const {
        const ivschat::credentials keys = ivschat::emulator::example_credentials();
        const fs::path out = temp_path("out"), err = temp_path("err");
        std::string command = "env -i PATH=/usr/bin:/bin HOME=/nonexistent AWS_CONFIG_FILE=/nonexistent "
                              "AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_REGION=us-west-2";
        command += " AWS_ACCESS_KEY_ID=" + shell_quote(keys.access_key_id);
        command += " AWS_SECRET_ACCESS_KEY=" + shell_quote(keys.secret_access_key);
        command += " AWS_ENDPOINT_URL_IVSCHAT=" + shell_quote(server_.endpoint());
        command += " AWS_CA_BUNDLE=" + shell_quote(server_.ca_bundle().string());
        command += " " + shell_quote(IVSCHAT_CLI_PATH);
        for (const auto& arg : args) command += " " + shell_quote(arg);
        command += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string());
        const int status = std::system(command.c_str());
        cli_result result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
        fs::remove(out);
        fs::remove(err);
        UNSCOPED_INFO("ivschat " << command << "\nstdout: " << result.out << "\nstderr: " << result.err);
        return result;
    }

    std::string create_room(const std::string& name) const {
        const cli_result created = run({"create-room", "--name", name});
        REQUIRE(created.exit_code == 0);
        return std::string(created.json().at("arn").as_string());
    }

private:
    asio::io_context ioc_;
    ivschat::emulator::server server_;
    std::thread thread_;
};

std::string str(const json::value& v) { return std::string(v.as_string()); }

// A plain-HTTP server on 127.0.0.1 that gives every request the same canned
// response, as a broken or hostile service would; it counts the requests.
class canned_server {
public:
    explicit canned_server(std::string response)
        : response_(std::move(response)), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    // The CLI has exited, so its connection is closed and the server waits
    // in accept: one more connection, with stopping_ set, ends its thread.
    ~canned_server() {
        stopping_ = true;
        asio::io_context ioc;
        asio::ip::tcp::socket wake(ioc);
        boost::system::error_code ignored;
        wake.connect(acceptor_.local_endpoint(), ignored);
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()); }
    int requests() const { return requests_; }

private:
    void serve() {
        boost::system::error_code ec;
        for (;;) {
            asio::ip::tcp::socket socket(ioc_);
            acceptor_.accept(socket, ec);
            if (ec || stopping_) return;
            boost::beast::flat_buffer buffer;
            for (;;) {
                boost::beast::http::request<boost::beast::http::string_body> request;
                boost::beast::http::read(socket, buffer, request, ec);
                if (ec) break;
                ++requests_;
                if (asio::write(socket, asio::buffer(response_), ec) == 0) break;
            }
        }
    }

    std::string response_;
    asio::io_context ioc_;
    asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> requests_{0};
    std::thread thread_;
};

std::string json_response(const std::string& status_line, const std::string& headers, const std::string& body) {
    return "HTTP/1.1 " + status_line + "\r\nContent-Type: application/json\r\n" + headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("cli: room operations, tags, chat tokens, events", "[cli][emulator]") {
    cli_against_emulator cli;
    const cli_result created = cli.run({"create-room", "--name", "lobby", "--tags", "team=chat,tier=gold",
                                        "--maximum-message-rate-per-second", "10"});
    REQUIRE(created.exit_code == 0);
    CHECK(created.err.empty());
    const auto room = created.json();
    const std::string arn = str(room.at("arn"));
    CHECK(arn.starts_with("arn:aws:ivschat:us-west-2:123456789012:room/"));
    CHECK(room.at("maximumMessageRatePerSecond").as_int64() == 10);
    CHECK(room.at("tags").at("tier") == "gold");
    CHECK(created.out.starts_with("{\n    \""));  // pretty, 4-space indent

    const cli_result got = cli.run({"get-room", "--identifier", arn});
    REQUIRE(got.exit_code == 0);
    CHECK(got.json().at("name") == "lobby");

    // Flags override the JSON input.
    const std::string input = R"({"identifier": ")" + arn + R"(", "name": "from-json", "maximumMessageLength": 200})";
    const cli_result updated = cli.run({"update-room", "--cli-input-json", input, "--name", "lounge"});
    REQUIRE(updated.exit_code == 0);
    CHECK(updated.json().at("name") == "lounge");
    CHECK(updated.json().at("maximumMessageLength").as_int64() == 200);

    const cli_result listed = cli.run({"list-rooms", "--name", "lounge"});
    REQUIRE(listed.exit_code == 0);
    REQUIRE(listed.json().at("rooms").as_array().size() == 1);
    CHECK(str(listed.json().at("rooms").as_array()[0].at("arn")) == arn);

    REQUIRE(cli.run({"tag-resource", "--resource-arn", arn, "--tags", "stage=beta"}).exit_code == 0);
    REQUIRE(cli.run({"untag-resource", "--resource-arn", arn, "--tag-keys", "team", "tier"}).exit_code == 0);
    const cli_result tags = cli.run({"list-tags-for-resource", "--resource-arn", arn});
    REQUIRE(tags.exit_code == 0);
    CHECK(tags.json().at("tags").as_object() == json::object{{"stage", "beta"}});

    const cli_result token = cli.run({"create-chat-token", "--room-identifier", arn, "--user-id", "alice",
                                      "--capabilities", "SEND_MESSAGE", "DELETE_MESSAGE", "--attributes", "seat=1",
                                      "--session-duration-in-minutes", "30"});
    REQUIRE(token.exit_code == 0);
    CHECK_FALSE(str(token.json().at("token")).empty());
    CHECK(token.json().contains("sessionExpirationTime"));

    const cli_result event = cli.run({"send-event", "--room-identifier", arn, "--event-name", "app:poll",
                                      "--attributes", "question=why"});
    REQUIRE(event.exit_code == 0);
    CHECK_FALSE(str(event.json().at("id")).empty());

    const cli_result deleted_message =
        cli.run({"delete-message", "--room-identifier", arn, "--id", "ABCDEFGHIJKL", "--reason", "spam"});
    REQUIRE(deleted_message.exit_code == 0);
    CHECK(deleted_message.json().contains("id"));
    REQUIRE(cli.run({"disconnect-user", "--room-identifier", arn, "--user-id", "alice", "--reason", "bye"})
                .exit_code == 0);

    const cli_result deleted = cli.run({"delete-room", "--identifier", arn});
    CHECK(deleted.exit_code == 0);
    CHECK(deleted.out.empty());  // 204: nothing printed

    const cli_result missing = cli.run({"get-room", "--identifier", arn});
    CHECK(missing.exit_code == 254);
    CHECK(missing.out.empty());
    CHECK_THAT(missing.err, Catch::StartsWith("An error occurred (ResourceNotFoundException) when calling the "
                                              "GetRoom operation: "));
    CHECK_THAT(missing.err, Catch::Contains("\nRequest ID: "));
}

TEST_CASE("cli: logging configuration operations", "[cli][emulator]") {
    cli_against_emulator cli;
    const cli_result created =
        cli.run({"create-logging-configuration", "--name", "logs", "--destination-configuration",
                 R"({"s3": {"bucketName": "chat-logs"}})", "--tags", "team=chat"});
    REQUIRE(created.exit_code == 0);
    const std::string arn = str(created.json().at("arn"));
    CHECK(created.json().at("destinationConfiguration").at("s3").at("bucketName") == "chat-logs");

    const cli_result got = cli.run({"get-logging-configuration", "--identifier", arn});
    REQUIRE(got.exit_code == 0);
    CHECK(got.json().at("name") == "logs");

    const cli_result updated =
        cli.run({"update-logging-configuration", "--identifier", arn, "--destination-configuration",
                 R"({"cloudWatchLogs": {"logGroupName": "chat-group"}})"});
    REQUIRE(updated.exit_code == 0);
    CHECK(updated.json().at("destinationConfiguration").at("cloudWatchLogs").at("logGroupName") == "chat-group");

    const cli_result listed = cli.run({"list-logging-configurations"});
    REQUIRE(listed.exit_code == 0);
    CHECK(listed.json().at("loggingConfigurations").as_array().size() == 1);

    const cli_result deleted = cli.run({"delete-logging-configuration", "--identifier", arn});
    CHECK(deleted.exit_code == 0);
    CHECK(deleted.out.empty());
    CHECK(cli.run({"get-logging-configuration", "--identifier", arn}).exit_code == 254);
}

TEST_CASE("cli: list operations follow nextToken unless --no-paginate", "[cli][emulator]") {
    cli_against_emulator cli;
    for (const char* name : {"a", "b", "c"}) cli.create_room(name);

    const cli_result all = cli.run({"list-rooms", "--max-results", "1"});
    REQUIRE(all.exit_code == 0);
    CHECK(all.json().at("rooms").as_array().size() == 3);
    CHECK_FALSE(all.json().contains("nextToken"));

    const cli_result first = cli.run({"list-rooms", "--max-results", "1", "--no-paginate"});
    REQUIRE(first.exit_code == 0);
    CHECK(first.json().at("rooms").as_array().size() == 1);
    CHECK(first.json().contains("nextToken"));

    // The AWS CLI's text format: one ROOMS line per room, columns by name.
    const cli_result text = cli.run({"list-rooms", "--output", "text"});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::StartsWith("ROOMS\tarn:aws:ivschat:"));
    CHECK_THAT(text.out, Catch::Contains("\tb\t"));
}

TEST_CASE("cli: --cli-input-json from a file, and its parse errors", "[cli][emulator]") {
    cli_against_emulator cli;
    const fs::path input = temp_path("input.json");
    std::ofstream(input) << R"({"name": "from-file", "maximumMessageLength": 42})";
    const cli_result created = cli.run({"create-room", "--cli-input-json", "file://" + input.string()});
    fs::remove(input);
    REQUIRE(created.exit_code == 0);
    CHECK(created.json().at("name") == "from-file");
    CHECK(created.json().at("maximumMessageLength").as_int64() == 42);

    const cli_result bad_json = cli.run({"create-room", "--cli-input-json", R"({"name": )"});
    CHECK(bad_json.exit_code == 252);
    CHECK_THAT(bad_json.err, Catch::Contains("--cli-input-json: invalid JSON"));

    const cli_result not_object = cli.run({"create-room", "--cli-input-json", "[1]"});
    CHECK(not_object.exit_code == 252);
    CHECK_THAT(not_object.err, Catch::Contains("expected a JSON object"));

    const cli_result wrong_type = cli.run({"create-room", "--cli-input-json", R"({"maximumMessageLength": "x"})"});
    CHECK(wrong_type.exit_code == 252);
    CHECK_THAT(wrong_type.err, Catch::Contains("maximumMessageLength"));

    const cli_result unknown_key = cli.run({"create-room", "--cli-input-json", R"({"colour": "red"})"});
    CHECK(unknown_key.exit_code == 252);
    CHECK_THAT(unknown_key.err, Catch::Contains("colour"));

    const cli_result no_file = cli.run({"create-room", "--cli-input-json", "file:///nonexistent/input.json"});
    CHECK(no_file.exit_code == 252);
    CHECK_THAT(no_file.err, Catch::Contains("cannot read file"));

    const cli_result bad_nested =
        cli.run({"create-logging-configuration", "--destination-configuration", "{not json"});
    CHECK(bad_nested.exit_code == 252);
    CHECK_THAT(bad_nested.err, Catch::Contains("--destination-configuration: invalid JSON"));
}

TEST_CASE("cli: bad usage exits 252 with a message", "[cli]") {
    cli_against_emulator cli;
    const std::vector<std::vector<std::string>> usages{
        {},
        {"no-such-operation"},
        {"get-room"},                                             // required member missing
        {"get-room", "--identifier"},                            // flag without a value
        {"get-room", "--identifier", "x", "--colour", "red"},    // unknown flag
        {"create-room", "--maximum-message-length", "many"},     // not an integer
        {"create-room", "--tags", "novalue"},                    // not key=value
        {"list-rooms", "--output", "xml"},
        {"list-rooms", "--retry-mode", "sometimes"},
        {"list-rooms", "--max-attempts", "-1"},
        {"create-room", "--maximum-message-length", "0"},        // model constraint: nothing sent
    };
    for (const auto& args : usages) {
        const cli_result result = cli.run(args);
        INFO("args[0]: " << (args.empty() ? "" : args[0]) << " stderr: " << result.err);
        CHECK(result.exit_code == 252);
        CHECK_FALSE(result.err.empty());
        CHECK(result.out.empty());
    }
    const cli_result help = cli.run({"help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("list-tags-for-resource"));
    const cli_result op_help = cli.run({"create-chat-token", "help"});
    CHECK(op_help.exit_code == 0);
    CHECK_THAT(op_help.out, Catch::Contains("--session-duration-in-minutes <integer>"));
    CHECK_THAT(op_help.out, Catch::Contains("--room-identifier <string>  (required)"));
}

TEST_CASE("cli: connection refused exits 255", "[cli]") {
    cli_against_emulator cli;
    asio::io_context ioc;
    asio::ip::tcp::acceptor probe(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = probe.local_endpoint().port();
    probe.close();  // nothing listens on the port now
    const cli_result refused = cli.run({"list-rooms", "--endpoint-url", "http://127.0.0.1:" + std::to_string(port),
                                        "--max-attempts", "1"});
    CHECK(refused.exit_code == 255);
    CHECK(refused.out.empty());
    CHECK_THAT(refused.err, Catch::Contains("when calling the ListRooms operation"));

    // Configuration failures are not usage errors either: 255, before any I/O.
    const cli_result no_profile = cli.run({"list-rooms", "--profile", "nope"});
    CHECK(no_profile.exit_code == 255);
    CHECK_THAT(no_profile.err, Catch::Contains("nope"));
    const cli_result bad_endpoint = cli.run({"list-rooms", "--endpoint-url", "not-a-url"});
    CHECK(bad_endpoint.exit_code == 255);
    CHECK_THAT(bad_endpoint.err, Catch::Contains("not-a-url"));
}

TEST_CASE("cli: members bound to the URI come from JSON input too", "[cli][emulator]") {
    cli_against_emulator cli;
    const std::string arn = cli.create_room("uri");
    REQUIRE(cli.run({"tag-resource", "--cli-input-json", R"({"resourceArn": ")" + arn + R"(", "tags": {"k": "v"}})"})
                .exit_code == 0);
    const cli_result tags = cli.run({"list-tags-for-resource", "--cli-input-json", R"({"resourceArn": ")" + arn + R"("})"});
    REQUIRE(tags.exit_code == 0);
    CHECK(tags.json().at("tags").as_object() == json::object{{"k", "v"}});
    CHECK(tags.out == "{\n    \"tags\": {\n        \"k\": \"v\"\n    }\n}\n");
}

TEST_CASE("cli: --debug shows the exchange but no secret, signature or chat token", "[cli][emulator]") {
    cli_against_emulator cli;
    const std::string arn = cli.create_room("debug");
    const cli_result token = cli.run({"create-chat-token", "--debug", "--room-identifier", arn, "--user-id",
                                      "secret-user", "--attributes", "role=moderator"});
    REQUIRE(token.exit_code == 0);
    const std::string chat_token = str(token.json().at("token"));
    REQUIRE_FALSE(chat_token.empty());
    CHECK_THAT(token.err, Catch::Contains("DEBUG request: POST /CreateChatToken"));
    CHECK_THAT(token.err, Catch::Contains("DEBUG response: HTTP 200"));
    CHECK_THAT(token.err, Catch::Contains("DEBUG attempt ended operation=CreateChatToken attempt=1 status=200"));
    CHECK_THAT(token.err, Catch::Contains(arn));
    CHECK(token.err.find(chat_token) == std::string::npos);
    CHECK(token.err.find(ivschat::emulator::example_credentials().secret_access_key) == std::string::npos);
    CHECK(token.err.find("Signature=") == std::string::npos);
    CHECK(token.err.find("moderator") == std::string::npos);  // token attributes
    CHECK(token.err.find("secret-user") == std::string::npos);  // the model marks UserID sensitive
}

TEST_CASE("cli: global options before the operation, --name=value, help and version", "[cli][emulator]") {
    cli_against_emulator cli;
    cli.create_room("first");
    const cli_result before = cli.run({"--output=text", "--region", "us-west-2", "list-rooms", "--name=first"});
    REQUIRE(before.exit_code == 0);
    CHECK_THAT(before.out, Catch::StartsWith("ROOMS\tarn:aws:ivschat:us-west-2:"));

    for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"-h"}, {"help"}}) {
        const cli_result help = cli.run(args);
        CHECK(help.exit_code == 0);
        CHECK_THAT(help.out, Catch::Contains("list-logging-configurations"));
        CHECK(help.err.empty());
    }
    for (const auto& args : std::vector<std::vector<std::string>>{{"get-room", "--help"}, {"get-room", "-h"},
                                                                  {"--debug", "get-room", "help"}}) {
        const cli_result help = cli.run(args);
        CHECK(help.exit_code == 0);
        CHECK_THAT(help.out, Catch::Contains("--identifier <string>  (required)"));
    }
    const cli_result version = cli.run({"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.out == "ivschat " IVSCHAT_VERSION_STRING "\n");
    CHECK(cli.run({"list-rooms", "stray"}).exit_code == 252);
}

TEST_CASE("cli: --query on the merged pages, and its errors", "[cli][emulator]") {
    cli_against_emulator cli;
    for (const char* name : {"q1", "q2", "q3"}) cli.create_room(name);
    const cli_result names = cli.run({"list-rooms", "--max-results", "1", "--query", "sort(rooms[].name)"});
    REQUIRE(names.exit_code == 0);
    CHECK(json::parse(names.out) == json::parse(R"(["q1", "q2", "q3"])"));
    const cli_result count = cli.run({"list-rooms", "--query=length(rooms)", "--output", "text"});
    REQUIRE(count.exit_code == 0);
    CHECK(count.out == "3\n");

    const cli_result bad = cli.run({"list-rooms", "--query", "rooms[?name == 'q1'"});
    CHECK(bad.exit_code == 252);
    CHECK_THAT(bad.err, Catch::Contains("Bad value for --query") && Catch::Contains("at column 20"));
    const cli_result wrong_type = cli.run({"list-rooms", "--query", "abs(rooms)"});
    CHECK(wrong_type.exit_code == 255);
    CHECK_THAT(wrong_type.err, Catch::Contains("abs() expected a number"));
}

TEST_CASE("cli: --output table and yaml", "[cli][emulator]") {
    cli_against_emulator cli;
    const std::string arn = cli.create_room("tabled");
    const cli_result table = cli.run({"get-room", "--identifier", arn, "--output", "table"});
    REQUIRE(table.exit_code == 0);
    CHECK_THAT(table.out, Catch::StartsWith("----"));
    CHECK_THAT(table.out, Catch::Contains("GetRoom") && Catch::Contains("|  tabled"));
    const cli_result yaml = cli.run({"get-room", "--identifier", arn, "--output", "yaml"});
    REQUIRE(yaml.exit_code == 0);
    CHECK_THAT(yaml.out, Catch::StartsWith("arn: " + arn + "\n") && Catch::Contains("\nname: tabled\n"));
    CHECK_THAT(yaml.out, Catch::Contains("\ncreateTime: '20"));  // a timestamp string is quoted
}

TEST_CASE("cli: file:// values and --generate-cli-skeleton", "[cli][emulator]") {
    cli_against_emulator cli;
    const fs::path name = temp_path("name.txt");
    std::ofstream(name) << "from-a-file";
    const cli_result created = cli.run({"create-room", "--name", "file://" + name.string(), "--tags",
                                        "fileb://" + name.string() + "=x"});
    fs::remove(name);
    CHECK(created.exit_code == 252);  // fileb:///...=x names no file
    CHECK_THAT(created.err, Catch::Contains("cannot read file"));
    std::ofstream(name) << "from-a-file";
    const cli_result from_file = cli.run({"create-room", "--name", "file://" + name.string()});
    fs::remove(name);
    REQUIRE(from_file.exit_code == 0);
    CHECK(from_file.json().at("name") == "from-a-file");

    const cli_result input = cli.run({"create-chat-token", "--generate-cli-skeleton"});
    REQUIRE(input.exit_code == 0);
    const json::object skeleton = input.json();
    CHECK(skeleton.at("roomIdentifier") == "");
    CHECK(skeleton.at("capabilities") == json::array{"SEND_MESSAGE"});
    CHECK(skeleton.at("sessionDurationInMinutes") == 0);
    CHECK(skeleton.at("attributes") == json::object{{"KeyName", ""}});
    const cli_result output = cli.run({"create-logging-configuration", "--generate-cli-skeleton", "output"});
    REQUIRE(output.exit_code == 0);
    CHECK(output.json().at("destinationConfiguration").at("s3").at("bucketName") == "bucketName");
    // The skeleton is valid --cli-input-json once filled in.
    const fs::path filled = temp_path("skeleton.json");
    std::ofstream(filled) << R"({"name": "skeletal", "maximumMessageLength": 7})";
    const cli_result skeletal = cli.run({"create-room", "--cli-input-json", "file://" + filled.string()});
    fs::remove(filled);
    REQUIRE(skeletal.exit_code == 0);
    CHECK(skeletal.json().at("maximumMessageLength") == 7);
}

TEST_CASE("cli: --max-items, --page-size and --starting-token", "[cli][emulator]") {
    cli_against_emulator cli;
    for (const char* name : {"p1", "p2", "p3"}) cli.create_room(name);
    const cli_result first = cli.run({"list-rooms", "--max-items", "2", "--page-size", "1"});
    REQUIRE(first.exit_code == 0);
    REQUIRE(first.json().at("rooms").as_array().size() == 2);
    const std::string token = str(first.json().at("NextToken"));
    CHECK_FALSE(first.json().contains("nextToken"));

    const cli_result rest = cli.run({"list-rooms", "--starting-token", token, "--page-size", "2"});
    REQUIRE(rest.exit_code == 0);
    REQUIRE(rest.json().at("rooms").as_array().size() == 1);
    CHECK_FALSE(rest.json().contains("NextToken"));
    std::set<std::string> names;
    for (const auto& page : {first.json(), rest.json()})
        for (const auto& room : page.at("rooms").as_array()) names.insert(str(room.at("name")));
    CHECK(names == std::set<std::string>{"p1", "p2", "p3"});

    // Truncated inside a page: the token resumes on that page.
    const cli_result partial = cli.run({"list-rooms", "--max-items", "1", "--page-size", "2"});
    REQUIRE(partial.exit_code == 0);
    const cli_result after = cli.run({"list-rooms", "--starting-token", str(partial.json().at("NextToken"))});
    REQUIRE(after.exit_code == 0);
    CHECK(after.json().at("rooms").as_array().size() == 2);

    const cli_result text = cli.run({"list-rooms", "--max-items", "1", "--output", "text", "--query", "rooms[].name"});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Matches("p[123]\nNEXTTOKEN\t[A-Za-z0-9+/=]+\n"));

    CHECK(cli.run({"list-rooms", "--max-items", "1", "--no-paginate"}).exit_code == 252);
    CHECK(cli.run({"get-room", "--identifier", "x", "--page-size", "1"}).exit_code == 252);
    CHECK(cli.run({"list-rooms", "--starting-token", "garbage"}).exit_code == 252);
}

TEST_CASE("cli: --max-response-size sets the response cap", "[cli][emulator]") {
    cli_against_emulator cli;
    for (const char* name : {"big1", "big2"}) cli.create_room(name);
    const cli_result small = cli.run({"list-rooms", "--max-response-size", "64"});
    CHECK(small.exit_code == 255);
    CHECK_THAT(small.err, Catch::Contains("when calling the ListRooms operation"));
    CHECK(cli.run({"list-rooms", "--max-response-size=3000000"}).exit_code == 0);
}

TEST_CASE("cli: a service that repeats its nextToken is stopped", "[cli]") {
    cli_against_emulator cli;
    canned_server server(json_response("200 OK", "", R"({"rooms": [], "nextToken": "same"})"));
    const cli_result looped = cli.run({"list-rooms", "--endpoint-url", server.url(), "--max-attempts", "1"});
    CHECK(looped.exit_code == 255);
    CHECK_THAT(looped.err, Catch::Contains("the service sent the same nextToken twice") && Catch::Contains("same"));
    CHECK(server.requests() == 2);
    CHECK(looped.out.empty());
}

TEST_CASE("cli: control characters from the service are escaped in error lines", "[cli]") {
    cli_against_emulator cli;
    canned_server server(json_response("404 Not Found",
                                       "x-amzn-ErrorType: ResourceNotFoundException\r\nx-amzn-RequestId: id-1\r\n",
                                       R"({"message": "\u001b[2Jgone\r\nRequest ID: forged\u009b1m\u007f"})"));
    const cli_result failed = cli.run({"get-room", "--identifier", "arn:aws:ivschat:us-west-2:123456789012:room/abc",
                                       "--endpoint-url", server.url(), "--max-attempts", "1"});
    CHECK(failed.exit_code == 254);
    // The library escapes what the service said; the CLI prints it as it is.
    CHECK_THAT(failed.err, Catch::Contains("operation: \\u001b[2Jgone\\r\\nRequest ID: forged\\u009b1m\\u007f\n"));
    CHECK(failed.err.find('\x1b') == std::string::npos);
    CHECK(failed.err.find('\r') == std::string::npos);
    CHECK(failed.err.find("\xc2\x9b") == std::string::npos);
}

TEST_CASE("cli: bash completion", "[cli]") {
    cli_against_emulator cli;
    const cli_result script = cli.run({"completion", "bash"});
    REQUIRE(script.exit_code == 0);
    const fs::path file = temp_path("completion.bash");
    std::ofstream(file) << script.out;
    // Completes the words in `line` (the last one being completed) in bash.
    const auto complete = [&](const std::string& line) {
        const fs::path out = temp_path("completion.out");
        const std::string command = "bash -c " +
                                    shell_quote("source " + shell_quote(file.string()) + " && COMP_WORDS=(" + line +
                                                ") && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && { _ivschat; "
                                                "printf '%s\\n' \"${COMPREPLY[@]}\"; }") +
                                    " > " + shell_quote(out.string());
        const int status = std::system(command.c_str());
        std::string words = read_file(out);
        fs::remove(out);
        INFO(command);
        CHECK(status == 0);
        return words;
    };
    CHECK(complete("ivschat list-r") == "list-rooms\n");
    CHECK(complete("ivschat --region us-west-2 get-r") == "get-room\n");
    CHECK(complete("ivschat --out") == "--output\n");
    CHECK(complete("ivschat list-rooms --output t") == "text\ntable\n");
    CHECK(complete("ivschat create-chat-token --room-identifier x --capabilities SEND_MESSAGE D") ==
          "DISCONNECT_USER\nDELETE_MESSAGE\n");  // the model's order
    CHECK(complete("ivschat create-room --message-review") == "--message-review-handler\n");
    CHECK(complete("ivschat get-room --max-a") == "--max-attempts\n");
    CHECK(complete("ivschat completion b") == "bash\n");
    CHECK(complete("ivschat ch") == "chat\n");
    CHECK(complete("ivschat chat --messaging") == "--messaging-endpoint\n");
    CHECK(complete("ivschat chat --room-identifier x --capabilities DE") == "DELETE_MESSAGE\n");
    CHECK(complete("ivschat nothing-matches-this-") == "\n");
    fs::remove(file);
}
