// The endpoint rule set on our own cases
// (endpoint_official.cpp runs the official ones).
#include <ivschat/endpoint.hpp>

#include <catch2/catch.hpp>

namespace {

ivschat::endpoint_params params(const char* region, bool fips = false, bool dual_stack = false) {
    return {.region = region, .use_fips = fips, .use_dual_stack = dual_stack, .endpoint = {}};
}

}  // namespace

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
