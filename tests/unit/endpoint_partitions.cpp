// The region matching of aws.partition over the embedded table (the table
// itself is checked against partitions.json in endpoint_official.cpp).
#include <ivschat/endpoint.hpp>

#include "ivschat/endpoint/partitions.hpp"

#include <catch2/catch.hpp>

namespace {

using ivschat::detail::partition_for_region;
using ivschat::detail::partitions;
using ivschat::detail::region_pattern_matches;

}  // namespace

TEST_CASE("every embedded pattern is in the supported subset and matches its own regions") {
    REQUIRE(partitions().size() >= 8);
    for (const auto& p : partitions()) {
        INFO(p.id);
        REQUIRE(region_pattern_matches(p.region_regex, "x").has_value());
        CHECK(region_pattern_matches(p.region_regex, p.implicit_global_region) == true);
        for (auto region : p.regions) {
            CHECK(&partition_for_region(region, partitions()) == &p);
            // Listed regions that look like regions also match their partition's pattern.
            if (!region.ends_with("-global")) CHECK(region_pattern_matches(p.region_regex, region) == true);
        }
    }
}

TEST_CASE("region patterns: anchors, classes, groups, repetition") {
    const char* aws = R"(^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$)";
    CHECK(region_pattern_matches(aws, "us-east-1") == true);
    CHECK(region_pattern_matches(aws, "mx-central-12") == true);
    CHECK(region_pattern_matches(aws, "us-gov-west-1") == false);  // \w does not match '-'
    CHECK(region_pattern_matches(aws, "us-east-1x") == false);
    CHECK(region_pattern_matches(aws, "us-east-") == false);
    CHECK(region_pattern_matches(aws, "xus-east-1") == false);
    CHECK(region_pattern_matches(aws, "") == false);
    CHECK(region_pattern_matches(aws, "us-east-1\n") == true);  // Python's $ before a final newline
    CHECK(region_pattern_matches(aws, "us-east-1\n\n") == false);
    CHECK(region_pattern_matches(R"(^eusc\-(de)\-\w+\-\d+$)", "eusc-de-east-1") == true);
    CHECK(region_pattern_matches(R"(^eusc\-(de)\-\w+\-\d+$)", "eusc-fr-east-1") == false);
    // Without $ the match is a prefix match, like Python's re.match.
    CHECK(region_pattern_matches(R"(^ab\d+)", "ab12zz") == true);
    // Backtracking: \w+ must give back characters for the literal that follows.
    CHECK(region_pattern_matches(R"(^\w+1$)", "abc1") == true);
    CHECK(region_pattern_matches(R"(^(a|ab)+c$)", "abac") == true);
    // Unsupported syntax is reported, not guessed.
    CHECK_FALSE(region_pattern_matches("^[a-z]+$", "abc").has_value());
    CHECK_FALSE(region_pattern_matches("^a*$", "aaa").has_value());
    CHECK_FALSE(region_pattern_matches("^(ab$", "ab").has_value());
    CHECK_FALSE(region_pattern_matches("^ab\\", "ab").has_value());
}

TEST_CASE("the first partition that lists or matches a region, else aws") {
    CHECK(partition_for_region("aws-us-gov-global", partitions()).id == "aws-us-gov");
    CHECK(partition_for_region("us-gov-west-1", partitions()).id == "aws-us-gov");
    CHECK(partition_for_region("us-isob-west-1", partitions()).id == "aws-iso-b");
    CHECK(partition_for_region("eu-isoe-west-1", partitions()).id == "aws-iso-e");
    CHECK(partition_for_region("eu-west-1", partitions()).id == "aws");
    CHECK(partition_for_region("", partitions()).id == "aws");
    CHECK(partition_for_region("local", partitions()).id == "aws");
    // In table order, a pattern of an earlier partition beats a list of a later one.
    constexpr std::string_view listed[] = {"aa-1"};
    const ivschat::detail::partition table[] = {
        {.id = "first", .region_regex = "^a", .regions = {}},
        {.id = "second", .region_regex = "^z", .regions = listed},
    };
    CHECK(partition_for_region("aa-1", table).id == "first");
    CHECK(partition_for_region("zz", table).id == "second");
    CHECK(partition_for_region("qq", table).id == "first");
}

TEST_CASE("long and odd regions neither crash nor match") {
    std::string long_region = "us-" + std::string(100000, 'a') + "-1";
    CHECK(region_pattern_matches(partitions()[0].region_regex, long_region) == false);
    CHECK(partition_for_region(long_region, partitions()).id == "aws");
    std::string at_limit = "us-" + std::string(ivschat::detail::max_region_match_length - 5, 'a') + "-1";
    CHECK(region_pattern_matches(partitions()[0].region_regex, at_limit) == true);
    CHECK(partition_for_region(std::string("us-east-1\0x", 11), partitions()).id == "aws");
    auto r = ivschat::resolve_endpoint({.region = long_region, .use_fips = false, .use_dual_stack = false, .endpoint = {}});
    CHECK(r.url == "https://ivschat." + long_region + ".amazonaws.com");
}
