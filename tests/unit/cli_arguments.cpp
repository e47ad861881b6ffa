// The CLI's command line (src/cli/arguments.hpp) read as `aws` reads one,
// and control characters escaped before text from the wire is printed
// (src/cli/terminal_text.hpp).
#include "cli/arguments.hpp"
#include "cli/terminal_text.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>

namespace {

using namespace ivschat::cli;

command_line parse(std::initializer_list<const char*> words) {
    std::vector<const char*> argv{"ivschat"};
    argv.insert(argv.end(), words.begin(), words.end());
    return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("cli arguments: global options before or after the operation, with or without '='", "[cli][arguments]") {
    const command_line before = parse({"--endpoint-url", "https://e", "--output=table", "list-rooms", "--name", "x"});
    CHECK(before.operation == "list-rooms");
    CHECK(before.globals.endpoint_url == std::optional<std::string>("https://e"));
    CHECK(before.globals.output == "table");
    CHECK(before.member_flags.at("name") == std::vector<std::string>{"x"});

    const command_line after = parse({"create-room", "--tags=a=1,b=2", "--region=eu-west-1", "--max-items", "5",
                                      "--capabilities", "A", "B", "--debug"});
    CHECK(after.globals.region == std::optional<std::string>("eu-west-1"));
    CHECK(after.member_flags.at("tags") == std::vector<std::string>{"a=1,b=2"});
    CHECK(after.member_flags.at("capabilities") == std::vector<std::string>{"A", "B"});
    CHECK(after.globals.max_items == std::optional<std::uint64_t>(5));
    CHECK(after.globals.debug);

    CHECK(parse({"list-rooms", "--query", "rooms[].name"}).globals.query == std::optional<std::string>("rooms[].name"));
    CHECK(parse({"list-rooms", "--max-response-size=3000000"}).globals.max_response_size == std::optional<std::size_t>(3000000));
    CHECK(parse({"list-rooms", "--page-size", "2", "--starting-token", "abc"}).globals.page_size == std::optional<std::int32_t>(2));
}

TEST_CASE("cli arguments: help, version, skeletons", "[cli][arguments]") {
    CHECK(parse({"--help"}).help);
    CHECK(parse({"-h"}).help);
    CHECK(parse({"help"}).help);
    CHECK(parse({"get-room", "help"}).help);
    CHECK(parse({"get-room", "--help"}).operation == "get-room");
    CHECK(parse({"--version"}).version);
    CHECK(parse({"get-room", "--name", "help"}).member_flags.at("name") == std::vector<std::string>{"help"});
    CHECK(parse({"get-room", "--generate-cli-skeleton"}).generate_cli_skeleton == std::optional<std::string>("input"));
    CHECK(parse({"get-room", "--generate-cli-skeleton", "output"}).generate_cli_skeleton ==
          std::optional<std::string>("output"));
    CHECK(parse({"completion", "bash"}).arguments == std::vector<std::string>{"bash"});
}

TEST_CASE("cli arguments: malformed lines are usage errors", "[cli][arguments]") {
    CHECK_THROWS_AS(parse({"--name", "x", "create-room"}), usage_error);  // an operation's flag before it
    CHECK_THROWS_AS(parse({"list-rooms", "--output", "xml"}), usage_error);
    CHECK_THROWS_AS(parse({"list-rooms", "--output"}), usage_error);
    CHECK_THROWS_AS(parse({"list-rooms", "--max-items", "0"}), usage_error);
    CHECK_THROWS_AS(parse({"list-rooms", "--page-size", "-3"}), usage_error);
    CHECK_THROWS_AS(parse({"list-rooms", "--debug=yes"}), usage_error);
    CHECK_THROWS_AS(parse({"list-rooms", "--generate-cli-skeleton=everything"}), usage_error);
    CHECK_THROWS_AS(parse({"create-room", "--name", "a", "--name", "b"}), usage_error);
    CHECK_THROWS_WITH(parse({"list-rooms", "--retry-mode=sometimes"}),
                      Catch::Contains("choose from standard, adaptive, off"));
}

TEST_CASE("cli: control characters from the wire are escaped before printing", "[cli][terminal]") {
    CHECK(escape_controls("\x1b[2Jcleared") == "\\x1b[2Jcleared");
    CHECK(escape_controls("forged\r\nRequest ID: x") == "forged\\r\\nRequest ID: x");
    CHECK(escape_controls(std::string("nul\0del\x7f", 8)) == "nul\\x00del\\x7f");
    CHECK(escape_controls("\xc2\x9b" "31m") == "\\u009b31m");  // C1 CSI as UTF-8
    CHECK(escape_controls("\x9b" "31m") == "\\x9b31m");        // and as a lone byte
    CHECK(escape_controls("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80") ==
          "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80");  // text stays text
    CHECK(escape_controls("\xed\xa0\x80") == "\\xed\\xa0\\x80");   // a UTF-16 surrogate is not UTF-8
    CHECK(escape_controls("tab\there") == "tab\\there");
}

TEST_CASE("cli: file:// and fileb:// read a value from a file", "[cli][arguments]") {
    CHECK(read_cli_input("plain") == "plain");
    CHECK_THROWS_WITH(read_cli_input("file:///nonexistent/x"), Catch::Contains("cannot read file '/nonexistent/x'"));
    CHECK_THROWS_AS(read_cli_input("fileb:///nonexistent/x"), usage_error);
}
