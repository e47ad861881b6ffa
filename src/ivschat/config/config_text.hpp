#pragma once
// Small text helpers shared by the configuration and credentials code.

#include <ivschat/config.hpp>

#include <string>
#include <string_view>

namespace ivschat::detail {

// ASCII lower case; the AWS setting names and values compared here are ASCII.
std::string ascii_lower(std::string_view s);

// `path` with a leading "~" (alone or before '/') replaced by HOME, when HOME is set.
std::string expand_home(std::string path, const environment& env);

// "a or b" for the files a profile_set was read from; "" when none.
std::string file_list(const profile_set& profiles);

}  // namespace ivschat::detail
