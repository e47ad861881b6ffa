// ivschat: the command-line tool (docs/cli.md). One generic path serves all
// 17 operations: flags come from each request's described members, values
// are converted by member type, and responses are printed from the model's
// JSON writer. Exit codes follow the AWS CLI: 252 bad usage, 254 service
// error, 255 any other failure.
#include "cli/arguments.hpp"
#include "cli/chat_command.hpp"
#include "cli/jmespath.hpp"
#include "cli/json_output.hpp"
#include "cli/pagination.hpp"
#include "cli/terminal_text.hpp"

#include "ivschat/serde/json_reader.hpp"
#include "ivschat/serde/json_writer.hpp"

#include <ivschat/client.hpp>
#include <ivschat/operations.hpp>
#include <ivschat/version.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/mp11/algorithm.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <functional>
#include <iostream>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace ivschat;
using namespace ivschat::cli;

// Exit codes of the AWS CLI (aws-cli awscli/constants.py).
constexpr int exit_usage = 252;
constexpr int exit_service_error = 254;
constexpr int exit_other_failure = 255;

template <class T>
struct without_optional {
    using type = T;
};
template <class T>
struct without_optional<std::optional<T>> {
    using type = T;
};

template <class T>
constexpr bool is_text_v = std::is_same_v<T, std::string> || detail::wire_enum_type<T> ||
                           std::is_same_v<T, detail::time_point>;

template <class T>
constexpr bool is_text_list_v = false;
template <class T>
constexpr bool is_text_list_v<std::vector<T>> = is_text_v<T>;

// How a member's flag is written, for help.
template <class Member>
std::string_view value_syntax() {
    using T = typename without_optional<Member>::type;
    if constexpr (is_text_v<T>) return "<string>";
    else if constexpr (std::is_same_v<T, std::int32_t>) return "<integer>";
    else if constexpr (detail::is_string_map_v<T>) return "key=value,...";
    else if constexpr (is_text_list_v<T>) return "<string> <string> ...";
    else return "<JSON>";
}

std::string single_word(std::string_view flag, const std::vector<std::string>& words) {
    if (words.size() != 1) throw usage_error("argument --" + std::string(flag) + ": expected one argument");
    return words[0];
}

// The JSON value that the member's reader accepts, from the flag's words.
template <class Member>
json::value flag_value(std::string_view flag, const std::vector<std::string>& words) {
    using T = typename without_optional<Member>::type;
    if constexpr (is_text_v<T>) {
        return json::string(single_word(flag, words));
    } else if constexpr (std::is_same_v<T, std::int32_t>) {
        const std::string text = single_word(flag, words);
        std::int32_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
            throw usage_error("argument --" + std::string(flag) + ": invalid integer value: '" + text + "'");
        return value;
    } else if constexpr (detail::is_string_map_v<T>) {
        json::object map;
        for (const std::string& word : words) {
            std::string_view rest = word;
            while (!rest.empty()) {
                const std::string_view pair = rest.substr(0, rest.find(','));
                rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
                const auto equals = pair.find('=');
                if (equals == std::string_view::npos || equals == 0)
                    throw usage_error("argument --" + std::string(flag) + ": expected key=value, got '" +
                                      std::string(pair) + "'");
                map[pair.substr(0, equals)] = pair.substr(equals + 1);
            }
        }
        return map;
    } else if constexpr (is_text_list_v<T>) {
        json::array list;
        for (const std::string& word : words) list.emplace_back(word);
        return list;
    } else {
        boost::system::error_code ec;
        json::value value = json::parse(single_word(flag, words), ec);
        if (ec) throw usage_error("argument --" + std::string(flag) + ": invalid JSON: " + ec.message());
        return value;
    }
}

json::object parse_cli_input(const std::string& argument) {
    boost::system::error_code ec;
    json::value value = json::parse(read_cli_input(argument), ec);
    if (ec) throw usage_error("--cli-input-json: invalid JSON: " + ec.message());
    json::object* object = value.if_object();
    if (object == nullptr) throw usage_error("--cli-input-json: expected a JSON object");
    return std::move(*object);
}

// The request from --cli-input-json with the member flags laid over it.
template <class Request>
Request build_request(const command_line& line) {
    json::object input = line.cli_input_json ? parse_cli_input(*line.cli_input_json) : json::object{};
    auto flags = line.member_flags;
    std::vector<std::string_view> wire_names;
    detail::for_each_member<Request>([&](auto descriptor, const detail::member_info& info) {
        using member_type = std::decay_t<decltype(std::declval<Request>().*descriptor.pointer)>;
        wire_names.push_back(info.wire_name);
        const std::string flag = kebab_case(info.wire_name);
        if (auto it = flags.find(flag); it != flags.end()) {
            // Any value may come from a file, as the AWS CLI reads file:// and fileb://.
            std::vector<std::string> words;
            for (const std::string& word : it->second) words.push_back(read_cli_input(word));
            input[info.wire_name] = flag_value<member_type>(flag, words);
            flags.erase(it);
        }
    });
    if (!flags.empty()) throw usage_error("Unknown options: --" + flags.begin()->first);
    for (const auto& entry : input) {
        if (std::find(wire_names.begin(), wire_names.end(), entry.key()) == wire_names.end())
            throw usage_error("--cli-input-json: unknown parameter '" + std::string(entry.key()) + "'");
    }

    Request request;
    detail::for_each_member<Request>([&](auto descriptor, const detail::member_info& info) {
        const json::value* value = input.if_contains(info.wire_name);
        if (value == nullptr || value->is_null()) {
            if (info.required)
                throw usage_error("the following arguments are required: --" + kebab_case(info.wire_name));
            return;
        }
        detail::error_info error;
        if (!detail::read_json(*value, request.*descriptor.pointer, error)) {
            detail::prepend_member(error, info.wire_name);
            throw usage_error("invalid parameter: " + error.message());
        }
    });
    return request;
}

// --debug also shows the client's own records: each attempt, each retry.
class debug_logger final : public logger {
public:
    log_level level() const noexcept override { return log_level::debug; }
    void write(log_level, std::string_view message, std::span<const log_field> fields) override {
        std::string line = "DEBUG ";
        line += message;
        for (const auto& field : fields) {
            line += ' ';
            line += field.name;
            line += '=';
            if (const auto* text = std::get_if<std::string_view>(&field.value)) line += escape_controls(*text);
            else line += std::to_string(std::get<std::int64_t>(field.value));
        }
        std::cerr << line << '\n';
    }
};

client_options make_client_options(const global_options& g) {
    client_options options;
    if (g.debug) options.logger = std::make_shared<debug_logger>();
    options.endpoint_url = g.endpoint_url;
    options.region = g.region;
    options.profile = g.profile;
    options.ca_bundle = g.ca_bundle;
    options.max_attempts = g.max_attempts;
    if (g.retry_mode == "standard") options.retry_mode = retry_mode::standard;
    else if (g.retry_mode == "adaptive") options.retry_mode = retry_mode::adaptive;
    else if (g.retry_mode == "off") options.retry_mode = retry_mode::off;
    // The AWS CLI reads 0 as "no timeout"; a day stands in for that.
    const auto timeout = [](unsigned seconds) {
        return seconds == 0 ? std::chrono::milliseconds(std::chrono::hours(24))
                            : std::chrono::milliseconds(std::chrono::seconds(seconds));
    };
    if (g.read_timeout_seconds) options.pool.exchange_timeout = timeout(*g.read_timeout_seconds);
    if (g.connect_timeout_seconds) options.pool.connect_timeout = timeout(*g.connect_timeout_seconds);
    if (g.max_response_size) options.pool.max_response_body = *g.max_response_size;
    return options;
}

template <class Request>
concept paginated_request = requires(Request r) {
    r.next_token;
    r.max_results;
};

// Prints the failure the way the AWS CLI does and returns the exit code.
int report_failure(std::string_view operation, boost::system::error_code ec, const diagnostics& diag) {
    if (ec == error::request_validation_failed) {
        std::cerr << "Parameter validation failed:\n" << escape_controls(diag.client_message) << '\n';
        return exit_usage;
    }
    if (is_service_error(ec)) {
        const std::string& type = diag.error.error_type.empty() ? std::string("Unknown") : diag.error.error_type;
        std::cerr << "An error occurred (" << escape_controls(type) << ") when calling the " << operation
                  << " operation: " << escape_controls(diag.error.message) << '\n';
        if (!diag.error.request_id.empty()) std::cerr << "Request ID: " << escape_controls(diag.error.request_id) << '\n';
        return exit_service_error;
    }
    std::cerr << "An error occurred when calling the " << operation << " operation: "
              << escape_controls(diag.client_message.empty() ? ec.message() : diag.client_message) << '\n';
    return exit_other_failure;
}

// --debug: what was sent and received, with the model's sensitive members
// (chat token, token attributes, user id) redacted. The signature and the
// credentials never reach this code.
template <class Message>
void debug_body(std::string_view what, const Message& message) {
    std::string body;
    detail::append_json_object(body, message, /*redact_sensitive=*/true);
    std::cerr << "DEBUG " << what << " body: " << escape_controls(body) << '\n';
}

void debug_result(boost::system::error_code ec, const diagnostics& diag) {
    std::cerr << "DEBUG response: HTTP " << diag.http_status << ", request id "
              << (diag.request_id.empty() ? "-" : escape_controls(diag.request_id)) << ", attempts " << diag.attempts.size()
              << ", result " << (ec ? ec.message() : "success") << '\n';
}

std::optional<jmespath::expression> parse_query(const global_options& g) {
    if (!g.query) return std::nullopt;
    try {
        return jmespath::expression::parse(*g.query);
    } catch (const jmespath::error& e) {
        throw usage_error("argument --query: Bad value for --query: " + *g.query + ": " + e.what());
    }
}

// The terminal's width for --output table, 80 when stdout is not a terminal
// (table.py's determine_terminal_width).
std::size_t terminal_columns() {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col != 0) return size.ws_col;
    return 80;
}

// The response (or merged pages) with --query applied, in the --output format.
int print_result(const global_options& g, const std::optional<jmespath::expression>& query, std::string_view title,
                 json::value result) {
    // The text format prints --max-items' NextToken on a line of its own
    // after the items, outside the query, as the AWS CLI does.
    std::optional<json::value> text_next_token;
    if (g.output == "text" && result.is_object() && result.as_object().contains("NextToken")) {
        text_next_token = result.as_object()["NextToken"];
        result.as_object().erase("NextToken");
    }
    if (query) {
        try {
            result = query->search(result);
        } catch (const jmespath::error& e) {
            std::cerr << "ivschat: error: --query: " << e.what() << '\n';
            return exit_other_failure;
        }
    }
    if (g.output == "text") {
        std::cout << aws_text(result);
        if (text_next_token)
            std::cout << aws_text(json::object{{"NextToken", json::object{{"NextToken", *text_next_token}}}});
    }
    else if (g.output == "table") std::cout << aws_table(result, title, terminal_columns());
    else if (g.output == "yaml") std::cout << aws_yaml(result);
    else std::cout << pretty_json(result);
    std::cout << std::flush;
    return 0;
}

template <class Request>
int run_operation(const command_line& line) {
    using traits = operation_traits<Request>;
    const global_options& g = line.globals;
    Request request = build_request<Request>(line);
    const std::optional<jmespath::expression> query = parse_query(g);
    const bool paginating = paginated_request<Request> && g.paginate;
    if ((g.max_items || g.page_size || g.starting_token) && !paginating)
        throw usage_error(paginated_request<Request> ? "--max-items, --page-size and --starting-token do not go with --no-paginate"
                                                     : "--max-items, --page-size and --starting-token are for list operations");
    resume_point start;
    if (g.starting_token) {
        try {
            start = decode_resume_token(*g.starting_token);
        } catch (const std::invalid_argument& e) {
            throw usage_error("argument --starting-token: " + std::string(e.what()));
        }
    }
    page_collector pages(g.max_items, start);
    if constexpr (paginated_request<Request>) {
        if (paginating) {
            if (pages.first_token()) request.next_token = pages.first_token();
            if (g.page_size) request.max_results = g.page_size;
        }
    }
    const client_options options = make_client_options(g);
    const bool debug = g.debug;

    asio::io_context ioc;
    int exit_code = 0;
    json::value result;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            client chat{ioc.get_executor(), options};
            if (debug) {
                const resolved_config& config = chat.config();
                std::cerr << "DEBUG config: region " << config.region << ", endpoint " << config.endpoint.url
                          << ", max attempts " << config.max_attempts << '\n';
            }
            for (;;) {
                if (debug) {
                    std::cerr << "DEBUG request: " << boost::beast::http::to_string(traits::method) << ' '
                              << traits::uri_template << " (" << traits::name << ")\n";
                    debug_body("request", request);
                }
                diagnostics diag;
                const auto token = asio::as_tuple(asio::use_awaitable);
                auto [ec, response] = co_await chat.call(request, diag, token);
                if (debug) debug_result(ec, diag);
                if (ec) {
                    exit_code = report_failure(traits::name, ec, diag);
                    co_return;
                }
                if (debug) debug_body("response", response);
                std::string body;
                detail::write_json(response, body);
                json::value page = json::parse(body);
                if constexpr (paginated_request<Request>) {
                    if (paginating) {
                        std::optional<std::string> next = pages.add(std::move(page.as_object()), request.next_token);
                        if (!next) {
                            result = std::move(pages).result();
                            co_return;
                        }
                        request.next_token = std::move(next);
                        continue;
                    }
                }
                result = std::move(page);
                co_return;
            }
        },
        [&](std::exception_ptr failure) {
            if (!failure) return;
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                std::cerr << "An error occurred when calling the " << traits::name
                          << " operation: " << escape_controls(e.what()) << '\n';
                exit_code = exit_other_failure;
            }
        });
    ioc.run();
    if (exit_code != 0 || traits::success_status == 204) return exit_code;
    return print_result(g, query, traits::name, std::move(result));
}

constexpr std::string_view global_help =
    "Global options (before or after the operation; --name value or --name=value):\n"
    "  --endpoint-url <url>        send requests to this URL instead of the region's endpoint\n"
    "  --region <region>           the AWS region (default: the configuration chain)\n"
    "  --profile <name>            the shared config/credentials profile\n"
    "  --ca-bundle <path>          PEM CA bundle to verify TLS certificates with\n"
    "  --max-attempts <n>          attempts per call, the first included\n"
    "  --retry-mode <mode>         standard | adaptive | off\n"
    "  --cli-read-timeout <s>      seconds to wait for a response (0: no limit)\n"
    "  --cli-connect-timeout <s>   seconds to wait for a connection (0: no limit)\n"
    "  --max-response-size <bytes> largest response body accepted (default 1 MiB)\n"
    "  --output <format>           json (default) | text | table | yaml\n"
    "  --query <jmespath>          JMESPath applied to the response before printing\n"
    "  --no-paginate               list operations: print the first page only\n"
    "  --max-items <n>             list operations: print at most n items, then a NextToken\n"
    "  --page-size <n>             list operations: items per request (maxResults)\n"
    "  --starting-token <token>    list operations: resume from a NextToken printed before\n"
    "  --cli-input-json <json>     request members as JSON (or file://path); flags override it\n"
    "  --generate-cli-skeleton [input|output]  print the request (or response) members as a JSON template\n"
    "  --debug                     request and response details on stderr (secrets redacted)\n"
    "  --version                   print the version\n"
    "  -h, --help                  print usage\n"
    "Any value may be given as file://path (the file's text) or fileb://path (its bytes).\n";

// --generate-cli-skeleton: a placeholder for a member of type T, as the AWS
// CLI writes one (strings "", integers 0, one list element, a map with
// "KeyName", every member of structures and unions). The output skeleton
// names each string by its member, as `aws ... --generate-cli-skeleton output`.
template <class T>
json::value skeleton_of(std::string_view member, bool output);

template <class T>
json::object skeleton_object(bool output) {
    json::object object;
    detail::for_each_member<T>([&](auto descriptor, const detail::member_info& info) {
        using member_type = std::decay_t<decltype(std::declval<T>().*descriptor.pointer)>;
        object[info.wire_name] = skeleton_of<member_type>(info.wire_name, output);
    });
    return object;
}

template <class T>
json::value skeleton_of(std::string_view member, bool output) {
    using U = typename without_optional<T>::type;
    if constexpr (std::is_same_v<U, std::string>) {
        return json::string(output ? member : "");
    } else if constexpr (detail::wire_enum_type<U>) {
        return json::string(U::wire_values[0]);
    } else if constexpr (std::is_same_v<U, std::int32_t>) {
        return 0;
    } else if constexpr (std::is_same_v<U, detail::time_point>) {
        return "1970-01-01T00:00:00";
    } else if constexpr (detail::is_vector_v<U>) {
        return json::array{skeleton_of<typename U::value_type>(member, output)};
    } else if constexpr (detail::is_string_map_v<U>) {
        return json::object{{"KeyName", output ? member : ""}};
    } else if constexpr (detail::union_type<U>) {
        json::object object;
        boost::mp11::mp_for_each<boost::mp11::mp_transform<std::type_identity, typename U::variant_type>>(
            [&](auto identity) {
                using alternative = typename decltype(identity)::type;
                if constexpr (!std::is_same_v<alternative, std::monostate>) {
                    constexpr std::size_t index = boost::mp11::mp_find<typename U::variant_type, alternative>::value - 1;
                    object[detail::union_info<U>::wire_names[index]] = skeleton_object<alternative>(output);
                }
            });
        return object;
    } else {
        return skeleton_object<U>(output);
    }
}

// Shell completion: a member flag and the enum values it takes, if any.
struct completion_option {
    std::string flag;
    std::vector<std::string_view> values;
};

template <class T>
std::vector<std::string_view> enum_values() {
    using U = typename without_optional<T>::type;
    if constexpr (detail::wire_enum_type<U>) return {std::begin(U::wire_values), std::end(U::wire_values)};
    else if constexpr (detail::is_vector_v<U>) return enum_values<typename U::value_type>();
    else return {};
}

template <class Request>
std::vector<completion_option> completion_options() {
    std::vector<completion_option> options;
    detail::for_each_member<Request>([&](auto descriptor, const detail::member_info& info) {
        using member_type = std::decay_t<decltype(std::declval<Request>().*descriptor.pointer)>;
        options.push_back({"--" + kebab_case(info.wire_name), enum_values<member_type>()});
    });
    return options;
}

template <class Request>
void print_operation_help() {
    std::cout << "usage: ivschat " << kebab_case(operation_traits<Request>::name) << " [options]  ("
              << operation_traits<Request>::name << ")\n\nOptions:\n";
    detail::for_each_member<Request>([&](auto descriptor, const detail::member_info& info) {
        using member_type = std::decay_t<decltype(std::declval<Request>().*descriptor.pointer)>;
        std::cout << "  --" << kebab_case(info.wire_name) << ' ' << value_syntax<member_type>()
                  << (info.required ? "  (required)" : "") << '\n';
    });
    std::cout << '\n' << global_help;
}

template <class Request>
json::value skeleton(bool output) {
    return output ? skeleton_object<typename operation_traits<Request>::response>(true)
                  : skeleton_object<Request>(false);
}

struct operation_entry {
    std::string cli_name;
    int (*run)(const command_line&);
    void (*help)();
    json::value (*skeleton)(bool output);
    std::vector<completion_option> (*options)();
};

std::vector<operation_entry> operation_table() {
    std::vector<operation_entry> table;
    boost::mp11::mp_for_each<boost::mp11::mp_transform<std::type_identity, all_operation_requests>>(
        [&](auto identity) {
            using request = typename decltype(identity)::type;
            table.push_back({kebab_case(operation_traits<request>::name), &run_operation<request>,
                             &print_operation_help<request>, &skeleton<request>, &completion_options<request>});
        });
    return table;
}

constexpr const char* chat_usage =
    "usage: ivschat chat --room-identifier ARN --user-id ID [--capabilities CAP...] [--attributes k=v,...]\n"
    "                    [--session-duration-in-minutes N] [--messaging-endpoint URL] [--token TOKEN]\n"
    "Joins a chat room over the Messaging WebSocket API: every frame received is printed as one JSON\n"
    "line; each stdin line is sent (a JSON object with \"Action\" as is, any other line as SEND_MESSAGE).\n";

// `ivschat chat`: the CreateChatToken flags plus the chat's own two.
int run_chat_command(command_line line) {
    const auto take = [&line](const std::string& flag) -> std::optional<std::string> {
        const auto it = line.member_flags.find(flag);
        if (it == line.member_flags.end()) return std::nullopt;
        auto value = single_word(flag, it->second);
        line.member_flags.erase(it);
        return value;
    };
    const auto endpoint = take("messaging-endpoint");
    const auto token = take("token");
    const auto request = build_request<create_chat_token_request>(line);
    if (request.room_identifier.empty() || request.user_id.empty())
        throw usage_error("the following arguments are required: --room-identifier, --user-id");
    if (endpoint && !endpoint->starts_with("ws://") && !endpoint->starts_with("wss://"))
        throw usage_error("argument --messaging-endpoint: expected a ws:// or wss:// URL");
    return cli::run_chat(request, endpoint, token, make_client_options(line.globals));
}

void print_help(std::ostream& out, const std::vector<operation_entry>& table) {
    out << "usage: ivschat [global options] <operation> [options]\n"
           "       ivschat <operation> help      that operation's options\n"
           "       ivschat completion bash       a bash completion script\n\nOperations:\n";
    for (const auto& entry : table) out << "  " << entry.cli_name << '\n';
    out << "  chat (a chat room over the Messaging WebSocket API)\n";
    out << '\n' << global_help;
}

// `ivschat completion bash`: the script, made from the same tables as the
// parser, so it cannot drift from the options the tool accepts.
void print_bash_completion(const std::vector<operation_entry>& table) {
    std::string globals, value_globals, operations;
    for (const auto& option : global_option_names()) {
        globals += " --" + std::string(option.name);
        if (option.takes_value) value_globals += " --" + std::string(option.name);
    }
    // `chat` takes CreateChatToken's flags and its own two.
    auto chat_options = completion_options<create_chat_token_request>();
    chat_options.push_back({"--messaging-endpoint", {}});
    chat_options.push_back({"--token", {}});
    std::vector<std::pair<std::string, std::vector<completion_option>>> completed;
    for (const auto& entry : table) completed.emplace_back(entry.cli_name, entry.options());
    completed.emplace_back("chat", std::move(chat_options));
    for (const auto& [name, options] : completed) operations += " " + name;
    std::cout << "# bash completion for ivschat (from `ivschat completion bash`, version " IVSCHAT_VERSION_STRING ")\n"
                 "_ivschat() {\n"
                 "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                 "    local globals=\"" << globals.substr(1) << " -h\"\n"
                 "    local value_globals=\" " << value_globals.substr(1) << " \"\n"
                 "    local operations=\"" << operations.substr(1) << " help completion\"\n"
                 "    local op=\"\" last_option=\"\" i word\n"
                 "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
                 "        word=\"${COMP_WORDS[i]}\"\n"
                 "        if [[ \"$word\" == -* ]]; then last_option=\"$word\"; continue; fi\n"
                 "        [[ -z \"$op\" && \"$value_globals\" != *\" ${COMP_WORDS[i-1]} \"* ]] && op=\"$word\"\n"
                 "    done\n"
                 "    case \"$prev\" in\n"
                 "        --output) COMPREPLY=($(compgen -W \"json text table yaml\" -- \"$cur\")); return ;;\n"
                 "        --retry-mode) COMPREPLY=($(compgen -W \"standard adaptive off\" -- \"$cur\")); return ;;\n"
                 "        --generate-cli-skeleton) COMPREPLY=($(compgen -W \"input output\" -- \"$cur\")); return ;;\n"
                 "        --ca-bundle|--cli-input-json) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
                 "    esac\n"
                 "    [[ \"$value_globals\" == *\" $prev \"* ]] && return\n"
                 "    if [[ -z \"$op\" ]]; then\n"
                 "        if [[ \"$cur\" == -* ]]; then COMPREPLY=($(compgen -W \"$globals\" -- \"$cur\"));\n"
                 "        else COMPREPLY=($(compgen -W \"$operations\" -- \"$cur\")); fi\n"
                 "        return\n"
                 "    fi\n"
                 "    local options=\"\" values=\"\"\n"
                 "    case \"$op\" in\n"
                 "        completion) COMPREPLY=($(compgen -W \"bash\" -- \"$cur\")); return ;;\n";
    for (const auto& [name, options] : completed) {
        std::cout << "        " << name << ")\n            options=\"";
        std::string cases;
        bool first = true;
        for (const auto& option : options) {
            std::cout << (first ? "" : " ") << option.flag;
            first = false;
            if (option.values.empty()) continue;
            cases += "                " + option.flag + ") values=\"";
            for (std::size_t i = 0; i < option.values.size(); ++i) cases += (i ? " " : "") + std::string(option.values[i]);
            cases += "\" ;;\n";
        }
        std::cout << "\"\n";
        if (!cases.empty()) std::cout << "            case \"$last_option\" in\n" << cases << "            esac\n";
        std::cout << "            ;;\n";
    }
    std::cout << "    esac\n"
                 "    if [[ -n \"$values\" && \"$cur\" != -* ]]; then\n"
                 "        COMPREPLY=($(compgen -W \"$values\" -- \"$cur\"))\n"
                 "    else\n"
                 "        COMPREPLY=($(compgen -W \"$options $globals help\" -- \"$cur\"))\n"
                 "    fi\n"
                 "}\n"
                 "complete -F _ivschat ivschat\n";
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto table = operation_table();
        const command_line line = parse_command_line(argc, argv);
        if (line.version) {
            std::cout << "ivschat " IVSCHAT_VERSION_STRING "\n";
            return 0;
        }
        if (line.operation.empty() || (line.operation == "help" && line.arguments.empty())) {
            print_help(line.help ? std::cout : std::cerr, table);
            return line.help || line.operation == "help" ? 0 : exit_usage;
        }
        if (line.operation == "completion") {
            if (line.help) {
                std::cout << "usage: ivschat completion bash\n"
                             "Prints a bash completion script; load it with: source <(ivschat completion bash)\n";
                return 0;
            }
            if (line.arguments != std::vector<std::string>{"bash"})
                throw usage_error("usage: ivschat completion bash (bash is the shell supported)");
            print_bash_completion(table);
            return 0;
        }
        if (line.operation == "chat") {
            if (line.help) {
                std::cout << chat_usage;
                return 0;
            }
            if (!line.arguments.empty()) throw usage_error("unexpected argument '" + line.arguments.front() + "'");
            return run_chat_command(line);
        }
        const auto entry = std::find_if(table.begin(), table.end(),
                                        [&](const operation_entry& e) { return e.cli_name == line.operation; });
        if (entry == table.end())
            throw usage_error("Invalid choice: '" + line.operation + "'; 'ivschat help' lists the operations");
        if (line.help) {
            entry->help();
            return 0;
        }
        if (!line.arguments.empty()) throw usage_error("unexpected argument '" + line.arguments.front() + "'");
        if (line.generate_cli_skeleton) {
            std::cout << pretty_json(entry->skeleton(*line.generate_cli_skeleton == "output"));
            return 0;
        }
        return entry->run(line);
    } catch (const usage_error& e) {
        std::cerr << "ivschat: error: " << escape_controls(e.what()) << '\n';
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "ivschat: " << escape_controls(e.what()) << '\n';
        return exit_other_failure;
    }
}
