#pragma once

#include "ivschat/model_describe.hpp"
#include "ivschat/model/shape_info.hpp"

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace ivschat::detail {

// Classification of the C++ types the generated model uses, for the generic
// serializer, parser and validator.

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

template <class T>
inline constexpr bool is_vector_v = false;
template <class T>
inline constexpr bool is_vector_v<std::vector<T>> = true;

template <class T>
inline constexpr bool is_string_map_v = false;
template <>
inline constexpr bool is_string_map_v<std::map<std::string, std::string>> = true;

template <class T>
concept wire_enum_type = std::is_base_of_v<wire_enum<T>, T>;

template <class T>
concept union_type = requires { union_info<T>::wire_names; };

template <class T>
concept structure_type = requires { shape_info<T>::members; };

using time_point = std::chrono::system_clock::time_point;

template <class T>
using described_members = boost::describe::describe_members<T, boost::describe::mod_public>;

/// Calls f(member_descriptor, const member_info&) for each member of the
/// structure T, in declaration order.
template <structure_type T, class F>
void for_each_member(F&& f) {
    using members = described_members<T>;
    static_assert(boost::mp11::mp_size<members>::value == shape_info<T>::members.size(),
                  "shape_info and BOOST_DESCRIBE_STRUCT disagree; regenerate the model");
    std::size_t index = 0;
    boost::mp11::mp_for_each<members>([&](auto descriptor) { f(descriptor, shape_info<T>::members[index++]); });
}

}  // namespace ivschat::detail
