#include "cli/arguments.hpp"

#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <sstream>

namespace ivschat::cli {
namespace {

unsigned parse_unsigned(std::string_view flag, const std::string& text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
        throw usage_error("argument --" + std::string(flag) + ": expected a non-negative integer, got '" + text + "'");
    return value;
}

}  // namespace

std::string kebab_case(std::string_view camel_case) {
    std::string out;
    for (std::size_t i = 0; i < camel_case.size(); ++i) {
        const char c = camel_case[i];
        const bool upper = std::isupper(static_cast<unsigned char>(c)) != 0;
        if (upper && i != 0) {
            const bool after_lower = std::islower(static_cast<unsigned char>(camel_case[i - 1])) != 0 ||
                                     std::isdigit(static_cast<unsigned char>(camel_case[i - 1])) != 0;
            const bool ends_acronym = i + 1 < camel_case.size() &&
                                      std::isupper(static_cast<unsigned char>(camel_case[i - 1])) != 0 &&
                                      std::islower(static_cast<unsigned char>(camel_case[i + 1])) != 0;
            if (after_lower || ends_acronym) out.push_back('-');
        }
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

std::string read_cli_input(const std::string& argument) {
    constexpr std::string_view file_prefix = "file://";
    if (!argument.starts_with(file_prefix)) return argument;
    const std::string path = argument.substr(file_prefix.size());
    std::ifstream file(path, std::ios::binary);
    if (!file) throw usage_error("--cli-input-json: cannot read file '" + path + "'");
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

command_line parse_command_line(int argc, const char* const* argv) {
    command_line result;
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty()) throw usage_error("usage: ivschat <operation> [options]; 'ivschat help' lists the operations");
    std::size_t i = 0;
    if (!words[0].starts_with("--")) result.operation = words[i++];
    if (result.operation == "help") {
        result.help = true;
        result.operation.clear();
    }

    // Takes the single value of a global option.
    const auto value_of = [&](const std::string& flag) -> std::string {
        if (i >= words.size() || words[i].starts_with("--")) throw usage_error("argument " + flag + ": expected one argument");
        return words[i++];
    };
    while (i < words.size()) {
        const std::string word = words[i++];
        if (word == "help" && !result.operation.empty()) {
            result.help = true;
            continue;
        }
        if (!word.starts_with("--") || word.size() == 2) throw usage_error("unexpected argument '" + word + "'");
        auto& g = result.globals;
        if (word == "--endpoint-url") g.endpoint_url = value_of(word);
        else if (word == "--region") g.region = value_of(word);
        else if (word == "--profile") g.profile = value_of(word);
        else if (word == "--ca-bundle") g.ca_bundle = value_of(word);
        else if (word == "--max-attempts") g.max_attempts = parse_unsigned("max-attempts", value_of(word));
        else if (word == "--retry-mode") g.retry_mode = value_of(word);
        else if (word == "--cli-read-timeout") g.read_timeout_seconds = parse_unsigned("cli-read-timeout", value_of(word));
        else if (word == "--cli-connect-timeout") g.connect_timeout_seconds = parse_unsigned("cli-connect-timeout", value_of(word));
        else if (word == "--output") g.output = value_of(word);
        else if (word == "--query") g.query = value_of(word);
        else if (word == "--no-paginate") g.paginate = false;
        else if (word == "--debug") g.debug = true;
        else if (word == "--cli-input-json") result.cli_input_json = value_of(word);
        else {
            std::vector<std::string> values;
            while (i < words.size() && !words[i].starts_with("--")) values.push_back(words[i++]);
            if (values.empty()) throw usage_error("argument " + word + ": expected at least one argument");
            if (!result.member_flags.emplace(word.substr(2), std::move(values)).second)
                throw usage_error("argument " + word + " given more than once");
        }
    }
    if (result.globals.output != "json" && result.globals.output != "text")
        throw usage_error("argument --output: invalid choice '" + result.globals.output + "' (choose from json, text)");
    if (result.globals.retry_mode && *result.globals.retry_mode != "standard" && *result.globals.retry_mode != "adaptive" &&
        *result.globals.retry_mode != "off")
        throw usage_error("argument --retry-mode: invalid choice '" + *result.globals.retry_mode +
                          "' (choose from standard, adaptive, off)");
    return result;
}

}  // namespace ivschat::cli
