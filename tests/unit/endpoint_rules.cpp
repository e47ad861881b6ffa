// The endpoint rule set: every official case of tests.json, and our own cases
// that run without ../shared.
#include <ivschat/endpoint.hpp>

#include "ivschat/endpoint/partitions.hpp"
#include "support/shared_data.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

namespace {

namespace json = boost::json;

json::value read_json(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
}

ivschat::endpoint_params params(const char* region, bool fips = false, bool dual_stack = false) {
    return {.region = region, .use_fips = fips, .use_dual_stack = dual_stack, .endpoint = {}};
}

}  // namespace

TEST_CASE("every official ivschat endpoint test case") {
    if (ivschat::test::skip_without_shared("the official endpoint tests")) return;
    auto tests = read_json(*ivschat::test::shared_dir() / "testdata/endpoints/tests.json");
    const auto& cases = tests.at("testCases").as_array();
    REQUIRE(cases.size() == 23);
    int passed = 0;
    for (const auto& c : cases) {
        const auto& tc = c.as_object();
        INFO(json::value_to<std::string>(tc.at("documentation")));
        ivschat::endpoint_params p;
        if (auto* given = tc.if_contains("params")) {
            const auto& o = given->as_object();
            if (auto* v = o.if_contains("Region")) p.region = json::value_to<std::string>(*v);
            if (auto* v = o.if_contains("UseFIPS")) p.use_fips = v->as_bool();
            if (auto* v = o.if_contains("UseDualStack")) p.use_dual_stack = v->as_bool();
            if (auto* v = o.if_contains("Endpoint")) p.endpoint = json::value_to<std::string>(*v);
        }
        auto result = ivschat::resolve_endpoint(p);
        const auto& expect = tc.at("expect").as_object();
        if (auto* e = expect.if_contains("error")) {
            CHECK_FALSE(result);
            CHECK(result.url.empty());
            CHECK(result.error == json::value_to<std::string>(*e));
        } else {
            CHECK(result);
            CHECK(result.url == json::value_to<std::string>(expect.at("endpoint").at("url")));
        }
        ++passed;
    }
    CHECK(passed == 23);
}

TEST_CASE("every error message of the rule set is ours, word for word") {
    if (ivschat::test::skip_without_shared("the endpoint rule set")) return;
    auto ruleset = read_json(*ivschat::test::shared_dir() / "testdata/endpoints/ruleset.json");
    // Walk the tree and collect each error rule's message.
    std::vector<std::string> messages;
    std::function<void(const json::value&)> walk = [&](const json::value& v) {
        for (const auto& rule : v.as_array()) {
            const auto& r = rule.as_object();
            if (auto* e = r.if_contains("error")) messages.push_back(json::value_to<std::string>(*e));
            if (auto* sub = r.if_contains("rules")) walk(*sub);
        }
    };
    walk(ruleset.at("rules"));
    REQUIRE(messages.size() == 6);

    // Partitions without FIPS or dual-stack reach the remaining branches.
    const ivschat::detail::partition plain[] = {{.id = "plain",
                                                 .dns_suffix = "example.net",
                                                 .dual_stack_dns_suffix = "dual.example.net",
                                                 .implicit_global_region = "xx-east-1",
                                                 .supports_fips = false,
                                                 .supports_dual_stack = false,
                                                 .region_regex = "^xx\\-\\w+\\-\\d+$",
                                                 .regions = {}}};
    std::vector<std::string> ours;
    auto custom = ivschat::endpoint_params{.region = "us-east-1", .use_fips = true, .use_dual_stack = false,
                                           .endpoint = "https://example.com"};
    ours.push_back(ivschat::resolve_endpoint(custom).error);
    custom.use_fips = false;
    custom.use_dual_stack = true;
    ours.push_back(ivschat::resolve_endpoint(custom).error);
    ours.push_back(ivschat::detail::resolve_endpoint(params("xx-east-1", true, true), plain).error);
    ours.push_back(ivschat::detail::resolve_endpoint(params("xx-east-1", true, false), plain).error);
    ours.push_back(ivschat::detail::resolve_endpoint(params("xx-east-1", false, true), plain).error);
    ours.push_back(ivschat::resolve_endpoint({}).error);
    std::sort(messages.begin(), messages.end());
    std::sort(ours.begin(), ours.end());
    CHECK(ours == messages);
}

TEST_CASE("endpoints of every partition, FIPS and dual-stack") {
    using ivschat::resolve_endpoint;
    CHECK(resolve_endpoint(params("us-west-2")).url == "https://ivschat.us-west-2.amazonaws.com");
    CHECK(resolve_endpoint(params("eu-central-1", true)).url == "https://ivschat-fips.eu-central-1.amazonaws.com");
    CHECK(resolve_endpoint(params("ap-south-1", false, true)).url == "https://ivschat.ap-south-1.api.aws");
    CHECK(resolve_endpoint(params("cn-northwest-1")).url == "https://ivschat.cn-northwest-1.amazonaws.com.cn");
    CHECK(resolve_endpoint(params("us-gov-west-1", true, true)).url == "https://ivschat-fips.us-gov-west-1.api.aws");
    CHECK(resolve_endpoint(params("us-iso-west-1", false, true)).url == "https://ivschat.us-iso-west-1.api.aws.ic.gov");
    CHECK(resolve_endpoint(params("us-isob-east-1", true, true)).url ==
          "https://ivschat-fips.us-isob-east-1.api.aws.scloud");
    CHECK(resolve_endpoint(params("eu-isoe-west-1")).url == "https://ivschat.eu-isoe-west-1.cloud.adc-e.uk");
    CHECK(resolve_endpoint(params("us-isof-south-1", true)).url == "https://ivschat-fips.us-isof-south-1.csp.hci.ic.gov");
    CHECK(resolve_endpoint(params("eusc-de-east-1")).url == "https://ivschat.eusc-de-east-1.amazonaws.eu");
}

TEST_CASE("regions not yet listed resolve through their partition's pattern") {
    using ivschat::resolve_endpoint;
    CHECK(resolve_endpoint(params("eu-west-9")).url == "https://ivschat.eu-west-9.amazonaws.com");
    CHECK(resolve_endpoint(params("cn-south-7")).url == "https://ivschat.cn-south-7.amazonaws.com.cn");
    CHECK(resolve_endpoint(params("us-gov-north-2", true)).url == "https://ivschat-fips.us-gov-north-2.amazonaws.com");
    CHECK(resolve_endpoint(params("us-isof-north-3")).url == "https://ivschat.us-isof-north-3.csp.hci.ic.gov");
    CHECK(resolve_endpoint(params("eusc-de-west-2")).url == "https://ivschat.eusc-de-west-2.amazonaws.eu");
    // A region of no partition falls back to aws, as the SDKs do.
    CHECK(resolve_endpoint(params("mars-central-1")).url == "https://ivschat.mars-central-1.amazonaws.com");
    CHECK(resolve_endpoint(params("eusc-fr-east-1")).url == "https://ivschat.eusc-fr-east-1.amazonaws.com");
}

TEST_CASE("a custom endpoint is returned as given, with or without a region") {
    ivschat::endpoint_params p{.region = {}, .use_fips = false, .use_dual_stack = false,
                               .endpoint = "http://127.0.0.1:8443/base"};
    CHECK(ivschat::resolve_endpoint(p).url == "http://127.0.0.1:8443/base");
    p.region = "cn-north-1";
    CHECK(ivschat::resolve_endpoint(p).url == "http://127.0.0.1:8443/base");
    CHECK(ivschat::resolve_endpoint(p).error.empty());
}

TEST_CASE("a missing region is the rule set's error") {
    auto r = ivschat::resolve_endpoint({});
    CHECK_FALSE(r);
    CHECK(r.error == "Invalid Configuration: Missing Region");
    r = ivschat::resolve_endpoint({.region = {}, .use_fips = true, .use_dual_stack = true, .endpoint = {}});
    CHECK(r.error == "Invalid Configuration: Missing Region");
}

TEST_CASE("every endpoint template of the rule set is ours, filled in the same way") {
    if (ivschat::test::skip_without_shared("the endpoint rule set")) return;
    auto ruleset = read_json(*ivschat::test::shared_dir() / "testdata/endpoints/ruleset.json");
    // A partition whose outputs are all different, so each placeholder is told apart.
    const ivschat::detail::partition odd[] = {{.id = "odd",
                                               .dns_suffix = "dns.example",
                                               .dual_stack_dns_suffix = "dual.example",
                                               .implicit_global_region = "zz-east-1",
                                               .supports_fips = true,
                                               .supports_dual_stack = true,
                                               .region_regex = "^zz\\-\\w+\\-\\d+$",
                                               .regions = {}}};
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
    std::function<void(const json::value&)> walk = [&](const json::value& v) {
        for (const auto& rule : v.as_array()) {
            const auto& r = rule.as_object();
            if (auto* e = r.if_contains("endpoint"); e && e->at("url").is_string())
                expected.push_back(fill(json::value_to<std::string>(e->at("url"))));
            if (auto* sub = r.if_contains("rules")) walk(*sub);
        }
    };
    walk(ruleset.at("rules"));
    REQUIRE(expected.size() == 4);
    std::vector<std::string> ours;
    for (bool fips : {false, true})
        for (bool dual : {false, true}) ours.push_back(ivschat::detail::resolve_endpoint(params("zz-east-1", fips, dual), odd).url);
    std::sort(expected.begin(), expected.end());
    std::sort(ours.begin(), ours.end());
    CHECK(ours == expected);
}
