#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ivschat::cli {

/// Bad usage (unknown operation or flag, malformed value): exit code 252.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The global options shared by every operation.
struct global_options {
    std::optional<std::string> endpoint_url{};
    std::optional<std::string> region{};
    std::optional<std::string> profile{};
    std::optional<std::string> ca_bundle{};
    std::optional<unsigned> max_attempts{};
    std::optional<std::string> retry_mode{};
    std::optional<unsigned> read_timeout_seconds{};
    std::optional<unsigned> connect_timeout_seconds{};
    std::string output = "json";         // json | text | table | yaml
    std::optional<std::string> query{};  // JMESPath applied to the response before printing
    bool paginate = true;
    std::optional<std::uint64_t> max_items{};       // --max-items: items printed in all, then NextToken
    std::optional<std::int32_t> page_size{};        // --page-size: maxResults of each request
    std::optional<std::string> starting_token{};    // --starting-token: a NextToken printed earlier
    std::optional<std::size_t> max_response_size{}; // --max-response-size: bytes of one response body
    bool debug = false;
};

/// A command line split into its parts, as `aws` reads one: global options
/// anywhere, before or after the operation, as "--name value" or
/// "--name=value"; the first other word is the operation; after it,
/// "--member-flag value..." groups (a member flag takes every following word
/// up to the next "--flag", or the one value after '=').
struct command_line {
    std::string operation{};
    std::vector<std::string> arguments{};  // words after the operation that belong to no flag
    bool help = false;     // help, -h, --help: before or after the operation
    bool version = false;  // --version
    global_options globals{};
    std::optional<std::string> cli_input_json{};
    std::optional<std::string> generate_cli_skeleton{};  // "input" or "output"
    std::map<std::string, std::vector<std::string>, std::less<>> member_flags{};
};

/// Throws usage_error for malformed global options or flags before the
/// operation.
command_line parse_command_line(int argc, const char* const* argv);

/// The global options' names without "--", and whether each takes a value
/// (for help and shell completion).
struct global_option_name {
    std::string_view name;
    bool takes_value;
};
const std::vector<global_option_name>& global_option_names();

/// "CreateChatToken" -> "create-chat-token", "roomIdentifier" -> "room-identifier".
std::string kebab_case(std::string_view camel_case);

/// The text of --cli-input-json: the argument itself, or the contents of
/// the file for "file://path". Throws usage_error if the file cannot be read.
std::string read_cli_input(const std::string& argument);

}  // namespace ivschat::cli
