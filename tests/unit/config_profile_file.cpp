// The shared config and credentials file format.
#include <ivschat/config.hpp>

#include "config_temp_files.hpp"

#include <catch2/catch.hpp>

namespace {

using ivschat::config_error;
using ivschat::profile_file_kind;
using ivschat::profile_set;

profile_set parse(std::string_view text, profile_file_kind kind = profile_file_kind::config) {
    profile_set set;
    set.merge_file(text, kind, "/home/u/.aws/config");
    return set;
}

std::string value(const profile_set& set, std::string_view profile, std::string_view key) {
    const auto* p = set.find(profile);
    REQUIRE(p != nullptr);
    auto v = p->get(key);
    REQUIRE(v.has_value());
    return std::string(*v);
}

std::string parse_error(std::string_view text, profile_file_kind kind = profile_file_kind::config) {
    try {
        parse(text, kind);
    } catch (const config_error& e) {
        return e.what();
    }
    FAIL("no error for: " << text);
    return {};
}

}  // namespace

TEST_CASE("config file: [default], [profile name], key = value, whitespace") {
    auto set = parse(
        "[default]\n"
        "region=us-west-2\n"
        "  \n"
        "[profile dev]\n"
        "region   =   eu-west-1   \n"
        "output\t=\tjson\n"
        "[  profile \t spaced  ]\n"
        "empty =\n"
        "equals = a=b==\n");
    CHECK(value(set, "default", "region") == "us-west-2");
    CHECK(value(set, "dev", "region") == "eu-west-1");
    CHECK(value(set, "dev", "output") == "json");
    CHECK(value(set, "spaced", "empty").empty());
    CHECK(value(set, "spaced", "equals") == "a=b==");
    CHECK(set.find("profile dev") == nullptr);
    CHECK(set.warnings().empty());
    CHECK(set.files() == std::vector<std::string>{"/home/u/.aws/config"});
}

TEST_CASE("comments: whole lines anywhere, trailing only after whitespace in values") {
    auto set = parse(
        "# leading comment\n"
        "; another\n"
        "[default] # comment on the header\n"
        "region = us-east-1 # trailing\n"
        "secret = abc#def;ghi\n"
        "semi = x ;trailing\n"
        "   # indented comment line\n"
        "[profile p];comment without space\n"
        "k = v\n");
    CHECK(value(set, "default", "region") == "us-east-1");
    CHECK(value(set, "default", "secret") == "abc#def;ghi");
    CHECK(value(set, "default", "semi") == "x");
    CHECK(value(set, "p", "k") == "v");
}

TEST_CASE("property names are case-insensitive, values and profile names keep case") {
    auto set = parse("[profile Dev]\nRegion = US-West-2\nAWS_Access_Key_ID = AKID\n");
    CHECK(value(set, "Dev", "region") == "US-West-2");
    CHECK(value(set, "Dev", "REGION") == "US-West-2");
    CHECK(value(set, "Dev", "aws_access_key_id") == "AKID");
    CHECK(set.find("dev") == nullptr);
}

TEST_CASE("sub-properties and continued values") {
    auto set = parse(
        "[default]\n"
        "s3 =\n"
        "  max_concurrent_requests = 10\n"
        "\tAddressing_Style=path  # comment\n"
        "\n"
        "  # a comment between sub-properties\n"
        "  max_concurrent_requests = 20\n"
        "region = us-west-2\n"
        "multi = first\n"
        "  second line\n"
        "\tthird # kept\n");
    const auto* p = set.find("default");
    REQUIRE(p);
    CHECK(p->get("s3") == "");
    CHECK(p->get("s3", "max_concurrent_requests") == "20");
    CHECK(p->get("s3", "addressing_style") == "path");
    CHECK_FALSE(p->get("s3", "missing"));
    CHECK_FALSE(p->get("nothing", "missing"));
    CHECK(p->properties().at("s3").sub_properties.size() == 3);
    CHECK(p->get("region") == "us-west-2");
    CHECK(p->get("multi") == "first\nsecond line\nthird # kept");
}

TEST_CASE("sections merge, the last value wins, [profile default] replaces [default]") {
    auto set = parse(
        "[default]\nregion = a\nonly_plain = 1\n"
        "[profile x]\nk = 1\n"
        "[profile x]\nk = 2\nk2 = 3\n"
        "[profile default]\nregion = b\n");
    CHECK(value(set, "x", "k") == "2");
    CHECK(value(set, "x", "k2") == "3");
    CHECK(value(set, "default", "region") == "b");
    CHECK_FALSE(set.find("default")->get("only_plain"));
    REQUIRE(set.warnings().size() == 1);
    CHECK(set.warnings()[0] == "/home/u/.aws/config:1: section [default] skipped: [profile default] replaces it");
}

TEST_CASE("config file: [name] without profile is skipped, other prefixes are sections") {
    auto set = parse(
        "[dev]\nregion = x\n"
        "[services local]\nivschat =\n  endpoint_url = http://127.0.0.1:9000\n"
        "[sso-session corp]\nsso_region = us-east-1\n");
    CHECK(set.find("dev") == nullptr);
    REQUIRE(set.warnings().size() == 1);
    CHECK(set.warnings()[0] ==
          "/home/u/.aws/config:1: section [dev] skipped: profiles in the config file are written [profile dev]");
    const auto* services = set.find_section("services", "local");
    REQUIRE(services);
    CHECK(services->name() == "local");
    CHECK(services->get("ivschat", "endpoint_url") == "http://127.0.0.1:9000");
    REQUIRE(set.find_section("sso-session", "corp"));
    CHECK(set.find_section("services", "corp") == nullptr);
}

TEST_CASE("credentials file: [name] is the profile, [profile name] is skipped") {
    auto set = parse(
        "[default]\naws_access_key_id = A\n"
        "[dev]\naws_access_key_id = B\n"
        "[profile prod]\naws_access_key_id = C\n",
        profile_file_kind::credentials);
    CHECK(value(set, "default", "aws_access_key_id") == "A");
    CHECK(value(set, "dev", "aws_access_key_id") == "B");
    CHECK(set.find("prod") == nullptr);
    CHECK(set.find("profile prod") == nullptr);
    REQUIRE(set.warnings().size() == 1);
    CHECK(set.warnings()[0].find(":5: section [profile prod] skipped") != std::string::npos);
}

TEST_CASE("the credentials file overrides the config file key by key") {
    profile_set set;
    set.merge_file("[profile dev]\nregion = eu-west-1\naws_access_key_id = FROM_CONFIG\n", profile_file_kind::config,
                   "config");
    set.merge_file("[dev]\naws_access_key_id = FROM_CREDENTIALS\n", profile_file_kind::credentials, "credentials");
    CHECK(value(set, "dev", "region") == "eu-west-1");
    CHECK(value(set, "dev", "aws_access_key_id") == "FROM_CREDENTIALS");
    CHECK(set.files() == std::vector<std::string>{"config", "credentials"});
}

TEST_CASE("invalid names are skipped with a warning naming the line") {
    auto set = parse("[profile bad name!]\nk = v\n[profile ok]\nbad key = v\ngood-key/x.y@z:1+2% = v\n[]\nk = v\n");
    CHECK(set.find("bad name!") == nullptr);
    CHECK(value(set, "ok", "good-key/x.y@z:1+2%") == "v");
    CHECK_FALSE(set.find("ok")->get("bad key"));
    REQUIRE(set.warnings().size() == 3);
    CHECK(set.warnings()[0].starts_with("/home/u/.aws/config:1: section [profile bad name!] skipped"));
    CHECK(set.warnings()[1] == "/home/u/.aws/config:4: property \"bad key\" skipped: not a valid name");
    CHECK(set.warnings()[2].starts_with("/home/u/.aws/config:6: section [] skipped"));
}

TEST_CASE("CRLF line ends, a byte order mark, no final newline, empty input") {
    auto set = parse("\xEF\xBB\xBF[default]\r\nregion = us-west-2\r\n\r\n[profile x]\r\nk = v");
    CHECK(value(set, "default", "region") == "us-west-2");
    CHECK(value(set, "x", "k") == "v");
    CHECK(parse("").profiles().empty());
    CHECK(parse("\n\n# only comments\n").profiles().empty());
}

TEST_CASE("malformed input is an error naming file and line") {
    CHECK(parse_error("region = us-west-2\n") ==
          "/home/u/.aws/config:1: a property before any section header such as [default]");
    CHECK(parse_error("[default]\n\nregion us-west-2\n") ==
          "/home/u/.aws/config:3: expected '=' in the property \"region us-west-2\"");
    CHECK(parse_error("[default]\n= value\n") == "/home/u/.aws/config:2: the property \"= value\" has no name before '='");
    CHECK(parse_error("[default\nk = v\n") ==
          "/home/u/.aws/config:1: section header \"[default\" does not end with ']'");
    CHECK(parse_error("[default]x\n") == "/home/u/.aws/config:1: section header \"[default]x\" does not end with ']'");
    CHECK(parse_error("[default]\n  indented = first\n") ==
          "/home/u/.aws/config:2: an indented line with no property above it to continue");
    CHECK(parse_error("  k = v\n[default]\n") ==
          "/home/u/.aws/config:1: an indented line before any section header such as [default]");
    CHECK(parse_error("[default]\ns3 =\n  no equals here\n") ==
          "/home/u/.aws/config:3: expected '=' in the sub-property \"no equals here\"");
    CHECK(parse_error("[default]\ns3 =\n  = 10\n") == "/home/u/.aws/config:3: the sub-property \"= 10\" has no name before '='");
    CHECK(parse_error("[a]\nk=v\n[b]\n  continued\n", profile_file_kind::credentials) ==
          "/home/u/.aws/config:4: an indented line with no property above it to continue");
}

TEST_CASE("arbitrary bytes never crash the parser") {
    // Every byte value, NULs and lone '[' included, in a few arrangements.
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (const std::string& text : {all, "[default]\n" + all, "[default]\nk =\n " + all, std::string(1000, '[')}) {
        try {
            auto set = parse(text);
            CHECK(set.profiles().size() <= 1);
        } catch (const config_error& e) {
            CHECK(std::string(e.what()).starts_with("/home/u/.aws/config:"));
        }
    }
}

TEST_CASE("shared file paths: variables, ~ expansion, HOME") {
    using ivschat::environment;
    auto paths = ivschat::shared_file_paths(environment::from_map({{"HOME", "/home/u"}}));
    CHECK(paths.config == "/home/u/.aws/config");
    CHECK(paths.credentials == "/home/u/.aws/credentials");
    paths = ivschat::shared_file_paths(environment::from_map(
        {{"HOME", "/home/u"}, {"AWS_CONFIG_FILE", "~/cfg/aws"}, {"AWS_SHARED_CREDENTIALS_FILE", "/etc/creds"}}));
    CHECK(paths.config == "/home/u/cfg/aws");
    CHECK(paths.credentials == "/etc/creds");
    paths = ivschat::shared_file_paths(environment::from_map({}));
    CHECK(paths.config.empty());
    CHECK(paths.credentials.empty());
    // An empty variable counts as unset.
    paths = ivschat::shared_file_paths(environment::from_map({{"HOME", "/h"}, {"AWS_CONFIG_FILE", ""}}));
    CHECK(paths.config == "/h/.aws/config");
}

TEST_CASE("loading files: both files, missing files, directories, oversized files") {
    ivschat::test::temp_dir dir;
    auto config = dir.write(".aws/config", "[profile dev]\nregion = eu-west-1\n");
    auto credentials = dir.write(".aws/credentials", "[dev]\naws_access_key_id = AKID\n");
    auto set = ivschat::load_profile_files({.config = config, .credentials = credentials});
    CHECK(value(set, "dev", "region") == "eu-west-1");
    CHECK(value(set, "dev", "aws_access_key_id") == "AKID");

    // Missing files count as empty.
    set = ivschat::load_profile_files({.config = (dir.path() / "nope").string(), .credentials = {}});
    CHECK(set.profiles().empty());
    CHECK(set.files().empty());

    // A directory in place of a file, and a file past the size limit, are errors naming the path.
    auto folder = (dir.path() / ".aws").string();
    CHECK_THROWS_WITH(ivschat::load_profile_files({.config = folder, .credentials = {}}),
                      folder + ": is a directory, not a file");
    std::string big = "[default]\n" + std::string(ivschat::max_profile_file_size, '#');
    auto huge = dir.write("huge", big);
    CHECK_THROWS_WITH(ivschat::load_profile_files({.config = {}, .credentials = huge}),
                      huge + ": the file is larger than 1048576 bytes");
    // Exactly at the limit is fine.
    auto at_limit = dir.write("limit", big.substr(0, ivschat::max_profile_file_size));
    CHECK(ivschat::load_profile_files({.config = at_limit, .credentials = {}}).find("default"));

    // A malformed file names itself and the line.
    auto broken = dir.write("broken", "[default]\nregion\n");
    CHECK_THROWS_WITH(ivschat::load_profile_files({.config = broken, .credentials = {}}),
                      broken + ":2: expected '=' in the property \"region\"");
}

TEST_CASE("random files of the format's own characters: a result or a located error") {
    // Deterministic pseudo-random texts over the characters that matter to the format.
    const std::string_view alphabet = "[]=#; \t\r\nab_profiledefault";
    std::uint32_t state = 12345;
    auto next = [&] { return state = state * 1664525u + 1013904223u; };
    int parsed = 0, rejected = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        for (std::size_t n = next() % 200; n > 0; --n) text.push_back(alphabet[(next() >> 8) % alphabet.size()]);
        for (auto kind : {profile_file_kind::config, profile_file_kind::credentials}) {
            try {
                auto set = parse(text, kind);
                for (const auto& [name, p] : set.profiles()) CHECK(name == p.name());
                ++parsed;
            } catch (const config_error& e) {
                CHECK(std::string(e.what()).starts_with("/home/u/.aws/config:"));
                ++rejected;
            }
        }
    }
    CHECK(parsed > 20);
    CHECK(rejected > 100);
}
