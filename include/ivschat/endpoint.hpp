#pragma once

#include <ivschat/export.hpp>

#include <optional>
#include <string>

namespace ivschat {

/// Inputs of the IVS Chat endpoint rule set (botocore's
/// data/ivschat/2020-07-14/endpoint-rule-set-1.json), one member per rule set
/// parameter.
struct IVSCHAT_API endpoint_params {
    /// `Region`: the AWS region, e.g. "us-west-2". Unset gives the error
    /// "Invalid Configuration: Missing Region" unless `endpoint` is set.
    std::optional<std::string> region{};
    /// `UseFIPS`: the FIPS 140 endpoint (`ivschat-fips.<region>...`).
    bool use_fips = false;
    /// `UseDualStack`: the IPv4+IPv6 endpoint (the partition's dual-stack DNS suffix).
    bool use_dual_stack = false;
    /// `Endpoint`: a custom endpoint URL, returned as given. It cannot be
    /// combined with `use_fips` or `use_dual_stack`.
    std::optional<std::string> endpoint{};
};

/// The outcome of the rule set: either a URL or the rule set's error message.
struct IVSCHAT_API endpoint_result {
    /// The endpoint URL, e.g. "https://ivschat.us-west-2.amazonaws.com"; empty on error.
    std::string url{};
    /// The rule set's error message, word for word (e.g. "Invalid Configuration:
    /// FIPS and custom endpoint are not supported"); empty on success.
    std::string error{};

    /// True when the rule set resolved an endpoint.
    explicit operator bool() const noexcept { return error.empty(); }
};

/// Resolves the endpoint of the IVS Chat service for `params` by the official
/// rule set, with the partition table (aws, aws-cn, aws-us-gov, aws-iso,
/// aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc) of botocore's partitions.json
/// embedded in the library. A region of no known partition resolves in the
/// aws partition, as the AWS SDKs do. Pure computation: no I/O, no global
/// state, safe to call from any thread.
IVSCHAT_API endpoint_result resolve_endpoint(const endpoint_params& params);

}  // namespace ivschat
