#include <ivschat/config.hpp>

#include <cstdlib>

namespace ivschat {

environment environment::process() {
    return environment([](std::string_view name) -> std::optional<std::string> {
        if (const char* value = std::getenv(std::string(name).c_str())) return std::string(value);
        return std::nullopt;
    });
}

environment environment::from_map(std::map<std::string, std::string, std::less<>> variables) {
    return environment([vars = std::move(variables)](std::string_view name) -> std::optional<std::string> {
        if (auto it = vars.find(name); it != vars.end()) return it->second;
        return std::nullopt;
    });
}

std::optional<std::string> environment::get(std::string_view name) const {
    auto value = lookup_ ? lookup_(name) : std::nullopt;
    if (value && value->empty()) return std::nullopt;
    return value;
}

}  // namespace ivschat
