#pragma once

#include <ivschat/endpoint.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace ivschat::detail {

// One AWS partition as botocore's partitions.json describes it: the outputs
// the endpoint rule set reads through `aws.partition`, plus the data that
// decides which regions belong to it.
struct partition {
    std::string_view id{};
    std::string_view dns_suffix{};
    std::string_view dual_stack_dns_suffix{};
    std::string_view implicit_global_region{};
    bool supports_fips = false;
    bool supports_dual_stack = false;
    // An ECMAScript-style pattern; see region_pattern_matches for the subset used.
    std::string_view region_regex{};
    std::span<const std::string_view> regions{};
};

// The embedded table, in partitions.json's order (generated, see tools/gen_partitions.py).
std::span<const partition> partitions() noexcept;

// The rule set library function `aws.partition` over `table` as botocore's
// RuleSetStandardLibrary computes it: the first partition, in table order,
// that lists the region or whose regex matches it; else the first partition
// (aws). `table` must not be empty.
const partition& partition_for_region(std::string_view region, std::span<const partition> table);

// Whether `text` matches `pattern` from its start (Python's re.match, where
// `$` also matches before a final '\n'), for the
// subset of regular expressions partitions.json uses: literals, the escapes
// \- \. \w \d, groups with alternation (a|b), the `+` quantifier, and the
// anchors ^ and $. Returns nullopt when the pattern uses anything else.
// Texts longer than max_region_match_length never match: no region is that
// long, and the bound keeps the backtracking's recursion shallow.
inline constexpr std::size_t max_region_match_length = 255;
std::optional<bool> region_pattern_matches(std::string_view pattern, std::string_view text);

// resolve_endpoint over another partition table, so that tests reach the
// rule set's branches for partitions without FIPS or dual-stack support.
endpoint_result resolve_endpoint(const endpoint_params& params, std::span<const partition> table);

}  // namespace ivschat::detail
