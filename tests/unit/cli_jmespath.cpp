// The CLI's JMESPath (src/cli/jmespath.hpp) against every case of the
// official compliance suite in tests/data/jmespath, plus what the suite
// does not pin down: error columns, number formatting, depth limits.
#include "cli/jmespath.hpp"

#include "support/test_data.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>

namespace {

namespace json = boost::json;
namespace jp = ivschat::cli::jmespath;

json::value read_json(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    REQUIRE(file);
    return json::parse(std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()));
}

// The result of `expression` on `data`, or the error kind's name.
struct outcome {
    std::optional<json::value> result{};
    std::string error{};
};

outcome run(const std::string& expression, const json::value& data) {
    try {
        return {jp::expression::parse(expression).search(data), {}};
    } catch (const jp::error& e) {
        return {std::nullopt, std::string(jp::to_string(e.kind()))};
    }
}

json::value search(std::string_view expression, std::string_view data) {
    return jp::expression::parse(expression).search(json::parse(data));
}

}  // namespace

TEST_CASE("jmespath: every case of the compliance suite", "[cli][jmespath]") {
    const auto folder = ivschat::test::test_data_dir() / "jmespath";
    std::set<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
        if (entry.path().extension() == ".json") files.insert(entry.path());
    REQUIRE(files.size() == 15);

    std::size_t cases = 0, passed = 0;
    for (const auto& file : files) {
        const json::value groups = read_json(file);
        for (const json::value& group : groups.as_array()) {
            const json::value& given = group.at("given");
            for (const json::value& test : group.at("cases").as_array()) {
                ++cases;
                const std::string expression(test.at("expression").as_string());
                const outcome got = run(expression, given);
                INFO(file.filename().string() << ": " << expression << " -> "
                                              << (got.result ? json::serialize(*got.result) : "error " + got.error));
                if (const json::value* expected_error = test.as_object().if_contains("error")) {
                    CHECK(got.error == expected_error->as_string());
                    if (got.error == expected_error->as_string()) ++passed;
                } else {
                    const json::value& expected = test.at("result");
                    REQUIRE(got.result.has_value());
                    CHECK(jp::equal(*got.result, expected));
                    if (jp::equal(*got.result, expected)) ++passed;
                }
            }
        }
    }
    CHECK(cases == 892);
    CHECK(passed == cases);
}

TEST_CASE("jmespath: syntax errors name the column", "[cli][jmespath]") {
    const auto column_of = [](std::string_view expression) -> std::size_t {
        try {
            jp::expression::parse(expression);
        } catch (const jp::error& e) {
            CHECK(e.kind() == jp::error_kind::syntax);
            CHECK_THAT(e.what(), Catch::StartsWith("at column " + std::to_string(e.column()) + ": "));
            return e.column();
        }
        FAIL("no error for " << expression);
        return 0;
    };
    CHECK(column_of("foo.") == 5);           // end of input
    CHECK(column_of("foo[?a = 1]") == 8);    // single '='
    CHECK(column_of("rooms[0") == 8);
    CHECK(column_of("a.b ~") == 5);
    CHECK(column_of("\"é\".x.") == 7);      // columns count characters, not bytes
    CHECK(column_of("`{bad`") == 1);
}

TEST_CASE("jmespath: numbers print as the AWS CLI prints them", "[cli][jmespath]") {
    CHECK(jp::format_number(json::value(2.75)) == "2.75");
    CHECK(jp::format_number(json::value(100.0)) == "100.0");
    CHECK(jp::format_number(json::value(-0.0001)) == "-0.0001");
    CHECK(jp::format_number(json::value(0.00001)) == "1e-05");
    CHECK(jp::format_number(json::value(1e16)) == "1e+16");
    CHECK(jp::format_number(json::value(1234567890123456.0)) == "1234567890123456.0");
    CHECK(jp::format_number(json::value(std::int64_t{-42})) == "-42");
    CHECK(jp::to_json(search("avg(@)", "[1, 2, 3.5]")) == "2.1666666666666665");
    CHECK(jp::to_json(search("{a: `1.0`, b: [`2.5`]}", "{}")) == R"({"a":1.0,"b":[2.5]})");
}

TEST_CASE("jmespath: deep nesting is refused, not a stack overflow", "[cli][jmespath]") {
    const json::value data = json::parse(R"({"a": [0]})");
    CHECK(run(std::string(100000, '(') + "a" + std::string(100000, ')'), data).error == "syntax");
    std::string pipes = "a";
    for (int i = 0; i < 100000; ++i) pipes += "|a";
    CHECK(run(pipes, data).error == "syntax");
    std::string indexes = "a";
    for (int i = 0; i < 100000; ++i) indexes += "[0]";
    CHECK(run(indexes, data).error == "syntax");
    CHECK(run(std::string(200, '!') + "a", data).result == json::value(true));
}

TEST_CASE("jmespath: a query that doubles its data per step stops with an error", "[cli][jmespath]") {
    const json::value data = json::parse(R"({"a": "0123456789"})");
    std::string doubling = "@";
    for (int i = 0; i < 60; ++i) doubling += " | [@, @]";
    CHECK(run(doubling, data).error == "invalid-value");
    std::string joined = "a";
    for (int i = 0; i < 60; ++i) joined += " | join('', [@, @])";
    CHECK(run(joined, data).error == "invalid-value");
    std::string quoted = "a";
    for (int i = 0; i < 60; ++i) quoted += " | to_string([@])";
    CHECK(run(quoted, data).error == "invalid-value");
    CHECK(run("@ | [@, @] | [@, @]", data).result.has_value());
}

TEST_CASE("jmespath: queries the CLI answers", "[cli][jmespath]") {
    const std::string rooms = R"({"rooms": [{"name": "a", "tags": {"t": "1"}, "maximumMessageLength": 10},
                                             {"name": "b", "tags": {}, "maximumMessageLength": 500}]})";
    CHECK(search("rooms[].name", rooms) == json::parse(R"(["a", "b"])"));
    CHECK(search("rooms[?maximumMessageLength > `100`].name | [0]", rooms) == "b");
    CHECK(search("length(rooms)", rooms) == 2);
    CHECK(search("sort_by(rooms, &maximumMessageLength)[-1].name", rooms) == "b");
    CHECK(search("rooms[?tags.t == '1'].{n: name}", rooms) == json::parse(R"([{"n": "a"}])"));
    CHECK_THROWS_AS(search("length(&name)", rooms), jp::error);
    CHECK_THROWS_AS(search("&name", rooms), jp::error);
}
