#include "ivschat/config/config_text.hpp"

namespace ivschat::detail {

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string expand_home(std::string path, const environment& env) {
    if (path == "~" || path.starts_with("~/"))
        if (auto home = env.get("HOME")) path.replace(0, 1, *home);
    return path;
}

std::string file_list(const profile_set& profiles) {
    std::string out;
    for (const auto& f : profiles.files()) out += (out.empty() ? "" : " or ") + f;
    return out;
}

}  // namespace ivschat::detail
