#include "cli/arguments.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>

namespace ivschat::cli {

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
    // The AWS CLI's prefixes: file:// for text, fileb:// for bytes. The
    // model has no blob members, so both read the file as it is.
    std::string_view path = argument;
    if (path.starts_with("file://")) path.remove_prefix(7);
    else if (path.starts_with("fileb://")) path.remove_prefix(8);
    else return argument;
    // Requests are small (the largest member limits are a few KiB): a bound
    // keeps a wrong path (a device, a huge log) from filling memory.
    constexpr std::size_t max_file_size = 16 * 1024 * 1024;
    std::ifstream file{std::string(path), std::ios::binary};
    if (!file) throw usage_error("cannot read file '" + std::string(path) + "' (from '" + argument + "')");
    std::string contents;
    char buffer[65536];
    while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
        contents.append(buffer, static_cast<std::size_t>(file.gcount()));
        if (contents.size() > max_file_size)
            throw usage_error("file '" + std::string(path) + "' is larger than 16 MiB");
    }
    if (file.bad()) throw usage_error("cannot read file '" + std::string(path) + "'");
    return contents;
}

const std::vector<global_option_name>& global_option_names() {
    static const std::vector<global_option_name> names{
        {"endpoint-url", true},     {"region", true},           {"profile", true},
        {"ca-bundle", true},        {"max-attempts", true},     {"retry-mode", true},
        {"cli-read-timeout", true}, {"cli-connect-timeout", true}, {"max-response-size", true},
        {"output", true},           {"query", true},            {"no-paginate", false},
        {"max-items", true},        {"page-size", true},        {"starting-token", true},
        {"cli-input-json", true},   {"generate-cli-skeleton", false}, {"debug", false},
        {"version", false},         {"help", false},
    };
    return names;
}

namespace {

template <class Number>
Number parse_number(std::string_view option, const std::string& text, Number minimum) {
    Number value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || value < minimum)
        throw usage_error("argument --" + std::string(option) + ": expected an integer of at least " +
                          std::to_string(minimum) + ", got '" + text + "'");
    return value;
}

void check_choice(std::string_view option, const std::string& value, std::initializer_list<std::string_view> choices) {
    std::string list;
    for (std::string_view choice : choices) {
        if (choice == value) return;
        list += (list.empty() ? "" : ", ") + std::string(choice);
    }
    throw usage_error("argument --" + std::string(option) + ": invalid choice '" + value + "' (choose from " + list + ")");
}

// Sets the global option `name` (without "--") from `value`; false when
// `name` is not a global option.
bool set_global(command_line& line, std::string_view name, const std::string& value) {
    auto& g = line.globals;
    if (name == "endpoint-url") g.endpoint_url = value;
    else if (name == "region") g.region = value;
    else if (name == "profile") g.profile = value;
    else if (name == "ca-bundle") g.ca_bundle = value;
    else if (name == "max-attempts") g.max_attempts = parse_number<unsigned>(name, value, 0);
    else if (name == "retry-mode") check_choice(name, value, {"standard", "adaptive", "off"}), g.retry_mode = value;
    else if (name == "cli-read-timeout") g.read_timeout_seconds = parse_number<unsigned>(name, value, 0);
    else if (name == "cli-connect-timeout") g.connect_timeout_seconds = parse_number<unsigned>(name, value, 0);
    else if (name == "max-response-size") g.max_response_size = parse_number<std::size_t>(name, value, 1);
    else if (name == "output") check_choice(name, value, {"json", "text", "table", "yaml"}), g.output = value;
    else if (name == "query") g.query = value;
    else if (name == "max-items") g.max_items = parse_number<std::uint64_t>(name, value, 1);
    else if (name == "page-size") g.page_size = parse_number<std::int32_t>(name, value, 1);
    else if (name == "starting-token") g.starting_token = value;
    else if (name == "cli-input-json") line.cli_input_json = value;
    else return false;
    return true;
}

}  // namespace

command_line parse_command_line(int argc, const char* const* argv) {
    command_line line;
    const std::vector<std::string> words(argv + 1, argv + argc);
    std::size_t i = 0;
    while (i < words.size()) {
        const std::string& word = words[i++];
        if (word == "-h" || word == "--help" || (word == "help" && line.arguments.empty())) {
            line.help = true;
            continue;
        }
        if (!word.starts_with("--") || word.size() == 2) {
            if (line.operation.empty()) line.operation = word;
            else line.arguments.push_back(word);
            continue;
        }
        const auto equals = word.find('=');
        const std::string name = word.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
        std::optional<std::string> inline_value;
        if (equals != std::string::npos) inline_value = word.substr(equals + 1);

        const auto known = std::find_if(global_option_names().begin(), global_option_names().end(),
                                        [&](const global_option_name& g) { return g.name == name; });
        if (known != global_option_names().end() && !known->takes_value) {
            if (name == "generate-cli-skeleton") {
                // An optional value: input (the default) or output.
                std::string kind = inline_value.value_or("input");
                if (!inline_value && i < words.size() && (words[i] == "input" || words[i] == "output")) kind = words[i++];
                check_choice(name, kind, {"input", "output"});
                line.generate_cli_skeleton = kind;
                continue;
            }
            if (inline_value) throw usage_error("argument --" + name + ": takes no value");
            if (name == "no-paginate") line.globals.paginate = false;
            else if (name == "debug") line.globals.debug = true;
            else if (name == "version") line.version = true;
            else line.help = true;  // --help
            continue;
        }
        if (known != global_option_names().end()) {
            if (!inline_value) {
                if (i >= words.size() || words[i].starts_with("--"))
                    throw usage_error("argument " + word + ": expected one argument");
                inline_value = words[i++];
            }
            set_global(line, name, *inline_value);
            continue;
        }
        // A member flag: the operation's, so it comes after the operation.
        if (line.operation.empty())
            throw usage_error("Unknown options: " + word + " (an operation's flags follow the operation)");
        std::vector<std::string> values;
        if (inline_value) values.push_back(*inline_value);
        else
            while (i < words.size() && !words[i].starts_with("--")) values.push_back(words[i++]);
        if (values.empty()) throw usage_error("argument " + word + ": expected at least one argument");
        if (!line.member_flags.emplace(name, std::move(values)).second)
            throw usage_error("argument --" + name + " given more than once");
    }
    return line;
}

}  // namespace ivschat::cli
