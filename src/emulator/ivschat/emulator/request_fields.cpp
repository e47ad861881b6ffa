#include <ivschat/emulator/request_fields.hpp>

namespace ivschat::emulator {

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool is_json_content_type(std::string_view value) noexcept {
    auto media = value.substr(0, value.find(';'));
    while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
    return equals_ignoring_case(media, "application/json");
}

std::optional<std::string_view> find_header(const received_request& request, std::string_view lower_name) {
    for (const auto& h : request.headers)
        if (equals_ignoring_case(h.name, lower_name)) return h.value;
    return std::nullopt;
}

}  // namespace ivschat::emulator
