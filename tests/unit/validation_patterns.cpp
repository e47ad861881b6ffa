// The hand-rolled pattern matcher against std::regex (ECMAScript, search) on
// many strings, for every pattern of the model.
#include "ivschat/model/pattern.hpp"
#include "ivschat/model/shape_info.hpp"
#include "ivschat/serde/validation.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <regex>

namespace {

using ivschat::detail::pattern_id;

std::vector<std::string> interesting_strings() {
    std::vector<std::string> out = {
        "",
        "a",
        "A",
        "-",
        "_",
        ".",
        "/",
        "#",
        " ",
        "\n",
        "é",
        "abc",
        "ABC123",
        "abcdEFGH1234",
        "abc def",
        "!!!",
        "a!",
        "!a",
        "my-bucket.logs",
        "My_Bucket",
        "/aws/ivs/chat#1",
        "stream_name.v2-x",
        "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234",
        "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/ABCD1234efgh",
        "arn:aws:ivschat:us-west-2:123456789012:room/",
        "arn:aws:ivschat::123456789012:room/abc",
        "arn:aws:ivschat:us-west-2::room/abc",
        "arn:aws:ivschat:us-west-2:12a:room/abc",
        "xx arn:aws:ivschat:eu-central-1:1:room/a yy",
        "arn:aws:ivschat:us-west-2:123456789012:r/abc",
        "arn:aws:ivschat:us-west-2:123456789012:channel/abc",
        "arn:aws:ivschat:US-WEST-2:123456789012:room/abc",
        "arn:aws:ivs:us-west-2:123456789012:room/abc",
        "arn:aws:lambda:us-west-2:123456789012:function:review",
        "arn:aws:lambda:us-west-2:12345678901:function:review",
        "arn:aws:lambda:us-west-2:123456789012:function:",
        "arn:aws:lambda:us-west-2:123456789012:function:a\nb",
        "x arn:aws:lambda:us-west-2:123456789012:function:f",
        "arn:aws:lambda:us-west-2:1234567890123:function:f",
    };
    // Random strings over an alphabet that hits every class boundary.
    const std::string alphabet = "arnwsivchtlogf:-_./#09AZaz \n{}[]$^";
    std::mt19937 rng(20260726);
    for (int i = 0; i < 3000; ++i) {
        std::string s;
        std::size_t length = rng() % 24;
        for (std::size_t j = 0; j < length; ++j) s.push_back(alphabet[rng() % alphabet.size()]);
        out.push_back(std::move(s));
    }
    // Mutations of valid ARNs: one byte changed, dropped or inserted.
    const std::string seeds[] = {"arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234",
                                 "arn:aws:ivschat:ap-south-1:9:logging-configuration/x-Y",
                                 "arn:aws:lambda:us-west-2:123456789012:function:f"};
    for (const std::string& seed : seeds) {
        for (std::size_t i = 0; i < seed.size(); ++i) {
            std::string changed = seed;
            changed[i] = alphabet[rng() % alphabet.size()];
            out.push_back(changed);
            out.push_back(seed.substr(0, i) + seed.substr(i + 1));
            out.push_back(seed.substr(0, i) + alphabet[rng() % alphabet.size()] + seed.substr(i));
        }
    }
    return out;
}

}  // namespace

TEST_CASE("model patterns match exactly as std::regex search does", "[validation]") {
    const auto strings = interesting_strings();
    for (std::size_t id = 1; id < std::size(ivschat::detail::pattern_sources); ++id) {
        if (static_cast<pattern_id>(id) == pattern_id::resource_arn) continue;  // special, below
        const std::string_view source = ivschat::detail::pattern_sources[id];
        INFO("pattern " << source);
        const std::regex reference{std::string(source), std::regex::ECMAScript};
        std::size_t matched = 0;
        for (const std::string& s : strings) {
            INFO("text '" << s << "'");
            bool expected = std::regex_search(s, reference);
            matched += expected;
            CHECK(ivschat::detail::pattern_matches(static_cast<pattern_id>(id), s) == expected);
        }
        // The sample must exercise both outcomes (except the always-true ones).
        CHECK(matched > 0);
    }
}

TEST_CASE("a resource ARN is a room or a logging-configuration ARN", "[validation]") {
    const std::regex room{std::string(ivschat::detail::pattern_sources[static_cast<int>(pattern_id::room_arn)])};
    const std::regex logging{
        std::string(ivschat::detail::pattern_sources[static_cast<int>(pattern_id::logging_configuration_arn)])};
    for (const std::string& s : interesting_strings()) {
        INFO("text '" << s << "'");
        CHECK(ivschat::detail::pattern_matches(pattern_id::resource_arn, s) ==
              (std::regex_search(s, room) || std::regex_search(s, logging)));
    }
    // The model's literal ResourceArn pattern would reject this real ARN (data/model/README.md).
    CHECK(ivschat::detail::pattern_matches(pattern_id::resource_arn,
                                           "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234"));
}

TEST_CASE("the pattern compiler handles the subset and the matcher its semantics", "[validation]") {
    using ivschat::detail::compile_pattern;
    using ivschat::detail::pattern_search;
    constexpr auto digits = compile_pattern("^[0-9]{2,3}$");
    CHECK(pattern_search(digits, "12"));
    CHECK(pattern_search(digits, "123"));
    CHECK_FALSE(pattern_search(digits, "1234"));
    CHECK_FALSE(pattern_search(digits, "1"));
    constexpr auto optional_sign = compile_pattern("^-?[0-9]+$|^none$");
    CHECK(pattern_search(optional_sign, "-5"));
    CHECK(pattern_search(optional_sign, "none"));
    CHECK_FALSE(pattern_search(optional_sign, "--5"));
    constexpr auto backtrack = compile_pattern("^a.*b.+c$");
    CHECK(pattern_search(backtrack, "axxbyyc"));
    CHECK(pattern_search(backtrack, "abbc"));
    CHECK_FALSE(pattern_search(backtrack, "abc"));
    CHECK_THROWS(compile_pattern("(a)"));
    CHECK_THROWS(compile_pattern("[^a]"));
    CHECK_THROWS(compile_pattern("a+?"));
    CHECK_THROWS(compile_pattern("\\d"));
}

TEST_CASE("lengths count code points", "[validation]") {
    CHECK(ivschat::detail::code_point_count("") == 0);
    CHECK(ivschat::detail::code_point_count("abc") == 3);
    CHECK(ivschat::detail::code_point_count("é") == 1);
    CHECK(ivschat::detail::code_point_count("😀x") == 2);
    // Long and mixed strings (the eight-bytes-at-a-time path) against a byte loop.
    std::mt19937 rng(7);
    const std::string pieces[] = {"a", "é", "€", "😀", "\x80", "\xff", "z"};
    for (int round = 0; round < 500; ++round) {
        std::string s;
        std::size_t expected = 0;
        for (std::size_t n = rng() % 40; n-- > 0;) s += pieces[rng() % std::size(pieces)];
        for (char c : s) expected += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        INFO(s);
        CHECK(ivschat::detail::code_point_count(s) == expected);
    }
}
