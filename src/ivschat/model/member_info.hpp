#pragma once

#include <cstdint>
#include <string_view>

namespace ivschat::detail {

/// One of the model's distinct string patterns; the values are generated in
/// shape_info.hpp together with pattern_sources.
enum class pattern_id : std::uint8_t;

/// Where a request member travels (rest-json "location").
enum class member_location : std::uint8_t { body, uri, query };

/// An inclusive [min, max] bound; -1 means "no bound on that side". For a
/// string it bounds the length, for an integer the value, for a list or map
/// the number of entries.
struct bounds {
    std::int64_t min = -1;
    std::int64_t max = -1;
};

/// Constraints on one string: a length and a pattern (pattern_id{} = none).
struct string_rule {
    bounds length{};
    pattern_id pattern{};
};

/// What the model says about one member of a structure, in the order of the
/// structure's Boost.Describe member list.
struct member_info {
    std::string_view wire_name{};  // JSON key, or the URI label / query name
    member_location location = member_location::body;
    bool required = false;
    bool sensitive = false;  // never printed (data/model/README.md)
    bounds range{};          // integer value range, or list/map size
    string_rule value{};     // the string itself, a list's elements, a map's values
    string_rule key{};       // a map's keys
    std::int64_t max_total_bytes = -1;  // a map's keys and values together (documented "1 KB total")
};

/// Shape metadata, specialized for every model structure in shape_info.hpp:
///   static constexpr std::string_view name;          // the model's shape name
///   static constexpr member_info members[];          // one per described member
///   static constexpr unsigned http_status;           // error shapes only
template <class T>
struct shape_info;

/// Union metadata (DestinationConfiguration): the wire name of variant
/// alternative i + 1 (alternative 0 is "none / unknown member").
template <class T>
struct union_info;

}  // namespace ivschat::detail
