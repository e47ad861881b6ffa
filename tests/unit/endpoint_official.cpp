// The endpoint resolver against the official data in tests/data/endpoints:
// every case of tests.json, every error and URL template of ruleset.json, and
// the embedded partition table against partitions.json. endpoint_rules.cpp and
// endpoint_partitions.cpp hold our own cases.
#include <ivschat/endpoint.hpp>

#include "ivschat/endpoint/partitions.hpp"
#include "support/test_data.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace {

namespace json = boost::json;
using ivschat::detail::partitions;

json::value read_json(const char* name) {
    std::ifstream in(ivschat::test::test_data_dir() / "endpoints" / name, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
}

std::string text(const json::value& v) { return json::value_to<std::string>(v); }

// The error messages (kind "error") or endpoint URL templates (kind
// "endpoint") of every rule in the tree, depth first; an endpoint whose URL is
// a reference ({"ref": "Endpoint"}) has no template and is left out.
std::vector<std::string> rule_strings(const json::value& rules, std::string_view kind) {
    std::vector<std::string> out;
    for (const auto& rule : rules.as_array()) {
        const auto& r = rule.as_object();
        if (auto* e = r.if_contains(kind)) {
            const json::value& value = kind == "error" ? *e : e->at("url");
            if (value.is_string()) out.push_back(text(value));
        }
        if (auto* sub = r.if_contains("rules"))
            for (auto& s : rule_strings(*sub, kind)) out.push_back(std::move(s));
    }
    return out;
}

ivschat::endpoint_params params(const char* region, bool fips = false, bool dual_stack = false) {
    return {.region = region, .use_fips = fips, .use_dual_stack = dual_stack, .endpoint = {}};
}

// A partition for region zz-east-1 whose outputs all differ, so that each
// placeholder is told apart; with or without FIPS and dual-stack support.
ivschat::detail::partition test_partition(bool supports_both) {
    return {.id = "test",
            .dns_suffix = "dns.example",
            .dual_stack_dns_suffix = "dual.example",
            .implicit_global_region = "zz-east-1",
            .supports_fips = supports_both,
            .supports_dual_stack = supports_both,
            .region_regex = "^zz\\-\\w+\\-\\d+$",
            .regions = {}};
}

}  // namespace

TEST_CASE("every official ivschat endpoint test case") {
    auto tests = read_json("tests.json");
    const auto& cases = tests.at("testCases").as_array();
    REQUIRE(cases.size() == 23);
    int checked = 0;
    for (const auto& c : cases) {
        const auto& tc = c.as_object();
        INFO(text(tc.at("documentation")));
        ivschat::endpoint_params p;
        if (auto* given = tc.if_contains("params")) {
            const auto& o = given->as_object();
            if (auto* v = o.if_contains("Region")) p.region = text(*v);
            if (auto* v = o.if_contains("UseFIPS")) p.use_fips = v->as_bool();
            if (auto* v = o.if_contains("UseDualStack")) p.use_dual_stack = v->as_bool();
            if (auto* v = o.if_contains("Endpoint")) p.endpoint = text(*v);
        }
        auto result = ivschat::resolve_endpoint(p);
        const auto& expect = tc.at("expect").as_object();
        if (auto* e = expect.if_contains("error")) {
            CHECK_FALSE(result);
            CHECK(result.url.empty());
            CHECK(result.error == text(*e));
        } else {
            CHECK(result);
            CHECK(result.url == text(expect.at("endpoint").at("url")));
        }
        ++checked;
    }
    CHECK(checked == 23);
}

TEST_CASE("every error message of the rule set is ours, word for word") {
    auto ruleset = read_json("ruleset.json");
    auto messages = rule_strings(ruleset.at("rules"), "error");
    REQUIRE(messages.size() == 6);

    // Partitions without FIPS or dual-stack reach the remaining branches.
    const ivschat::detail::partition plain[] = {test_partition(false)};
    std::vector<std::string> ours;
    auto custom = ivschat::endpoint_params{.region = "us-east-1", .use_fips = true, .use_dual_stack = false,
                                           .endpoint = "https://example.com"};
    ours.push_back(ivschat::resolve_endpoint(custom).error);
    custom.use_fips = false;
    custom.use_dual_stack = true;
    ours.push_back(ivschat::resolve_endpoint(custom).error);
    ours.push_back(ivschat::detail::resolve_endpoint(params("zz-east-1", true, true), plain).error);
    ours.push_back(ivschat::detail::resolve_endpoint(params("zz-east-1", true, false), plain).error);
    ours.push_back(ivschat::detail::resolve_endpoint(params("zz-east-1", false, true), plain).error);
    ours.push_back(ivschat::resolve_endpoint({}).error);
    std::sort(messages.begin(), messages.end());
    std::sort(ours.begin(), ours.end());
    CHECK(ours == messages);
}

TEST_CASE("every endpoint template of the rule set is ours, filled in the same way") {
    auto ruleset = read_json("ruleset.json");
    const ivschat::detail::partition odd[] = {test_partition(true)};
    auto fill = [](std::string t) {
        auto put = [&](const std::string& placeholder, const std::string& value) {
            for (auto at = t.find(placeholder); at != std::string::npos; at = t.find(placeholder))
                t.replace(at, placeholder.size(), value);
        };
        put("{Region}", "zz-east-1");
        put("{PartitionResult#dnsSuffix}", "dns.example");
        put("{PartitionResult#dualStackDnsSuffix}", "dual.example");
        return t;
    };
    std::vector<std::string> expected;
    for (const auto& t : rule_strings(ruleset.at("rules"), "endpoint")) expected.push_back(fill(t));
    REQUIRE(expected.size() == 4);
    std::vector<std::string> ours;
    for (bool fips : {false, true})
        for (bool dual : {false, true}) ours.push_back(ivschat::detail::resolve_endpoint(params("zz-east-1", fips, dual), odd).url);
    std::sort(expected.begin(), expected.end());
    std::sort(ours.begin(), ours.end());
    CHECK(ours == expected);
}
TEST_CASE("the embedded partition table equals partitions.json") {
    auto file = read_json("partitions.json");
    const auto& expected = file.at("partitions").as_array();
    REQUIRE(partitions().size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& e = expected[i].as_object();
        const auto& outputs = e.at("outputs").as_object();
        const auto& p = partitions()[i];
        INFO(p.id);
        CHECK(p.id == text(e.at("id")));
        CHECK(p.id == text(outputs.at("name")));
        CHECK(p.dns_suffix == text(outputs.at("dnsSuffix")));
        CHECK(p.dual_stack_dns_suffix == text(outputs.at("dualStackDnsSuffix")));
        CHECK(p.implicit_global_region == text(outputs.at("implicitGlobalRegion")));
        CHECK(p.supports_fips == outputs.at("supportsFIPS").as_bool());
        CHECK(p.supports_dual_stack == outputs.at("supportsDualStack").as_bool());
        CHECK(p.region_regex == text(e.at("regionRegex")));
        const auto& regions = e.at("regions").as_object();
        REQUIRE(p.regions.size() == regions.size());
        std::size_t j = 0;
        for (const auto& r : regions) CHECK(p.regions[j++] == std::string_view(r.key()));
    }
}
