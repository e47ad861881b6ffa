#pragma once

#include <ivschat/emulator/request_authenticator.hpp>

#include <optional>
#include <string_view>

namespace ivschat::emulator {

/// ASCII case-insensitive equality (header names, media types, host names).
bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept;

/// "application/json", optionally with parameters ("; charset=utf-8"),
/// case-insensitive.
bool is_json_content_type(std::string_view value) noexcept;

/// The value of the first header named `lower_name` (given in lower case;
/// matched case-insensitively), nullopt when absent.
std::optional<std::string_view> find_header(const received_request& request, std::string_view lower_name);

}  // namespace ivschat::emulator
