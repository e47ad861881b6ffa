#pragma once

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
    std::string output = "json";
    std::optional<std::string> query{};  // JMESPath applied to the response before printing
    bool paginate = true;
    bool debug = false;
};

/// A command line split into its parts: argv[1] is the operation (or
/// "help"), then global options and "--member-flag value..." groups in any
/// order. A member flag takes every following word up to the next "--flag".
struct command_line {
    std::string operation{};
    bool help = false;  // "ivschat help" or "ivschat <operation> help"
    global_options globals{};
    std::optional<std::string> cli_input_json{};
    std::map<std::string, std::vector<std::string>, std::less<>> member_flags{};
};

/// Throws usage_error for malformed global options or stray words.
command_line parse_command_line(int argc, const char* const* argv);

/// "CreateChatToken" -> "create-chat-token", "roomIdentifier" -> "room-identifier".
std::string kebab_case(std::string_view camel_case);

/// The text of --cli-input-json: the argument itself, or the contents of
/// the file for "file://path". Throws usage_error if the file cannot be read.
std::string read_cli_input(const std::string& argument);

}  // namespace ivschat::cli
