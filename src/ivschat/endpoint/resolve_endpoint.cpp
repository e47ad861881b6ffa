// The ivschat endpoint rule set, transcribed from ruleset.json (botocore
// data/ivschat/2020-07-14/endpoint-rule-set-1.json). Each branch below is one
// rule of the tree, in the rule set's order; the messages are the rule set's.
#include <ivschat/endpoint.hpp>

#include "ivschat/endpoint/partitions.hpp"

namespace ivschat {
namespace {

endpoint_result error(const char* message) { return {.url = {}, .error = message}; }

// The template "https://<prefix>.{Region}.<suffix>".
endpoint_result endpoint(std::string_view prefix, std::string_view region, std::string_view suffix) {
    std::string url;
    url.reserve(8 + prefix.size() + region.size() + suffix.size() + 2);
    url.append("https://").append(prefix).append(".").append(region).append(".").append(suffix);
    return {.url = std::move(url), .error = {}};
}

}  // namespace

namespace detail {

endpoint_result resolve_endpoint(const endpoint_params& params, std::span<const partition> table) {
    // isSet(Endpoint)
    if (params.endpoint) {
        if (params.use_fips) return error("Invalid Configuration: FIPS and custom endpoint are not supported");
        if (params.use_dual_stack)
            return error("Invalid Configuration: Dualstack and custom endpoint are not supported");
        return {.url = *params.endpoint, .error = {}};
    }
    // isSet(Region), then aws.partition(Region) assigned to PartitionResult;
    // aws.partition always succeeds (unknown regions fall back to aws).
    if (!params.region) return error("Invalid Configuration: Missing Region");
    const std::string& region = *params.region;
    const partition& p = partition_for_region(region, table);
    if (params.use_fips && params.use_dual_stack) {
        if (p.supports_fips && p.supports_dual_stack) return endpoint("ivschat-fips", region, p.dual_stack_dns_suffix);
        return error("FIPS and DualStack are enabled, but this partition does not support one or both");
    }
    if (params.use_fips) {
        if (p.supports_fips) return endpoint("ivschat-fips", region, p.dns_suffix);
        return error("FIPS is enabled but this partition does not support FIPS");
    }
    if (params.use_dual_stack) {
        if (p.supports_dual_stack) return endpoint("ivschat", region, p.dual_stack_dns_suffix);
        return error("DualStack is enabled but this partition does not support DualStack");
    }
    return endpoint("ivschat", region, p.dns_suffix);
}

}  // namespace detail

endpoint_result resolve_endpoint(const endpoint_params& params) {
    return detail::resolve_endpoint(params, detail::partitions());
}

}  // namespace ivschat
