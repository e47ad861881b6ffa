// ivschat: the command-line tool (docs/cli.md). One generic path serves all
// 17 operations: flags come from each request's described members, values
// are converted by member type, and responses are printed from the model's
// JSON writer. Exit codes follow the AWS CLI: 252 bad usage, 254 service
// error, 255 any other failure.
#include "cli/arguments.hpp"
#include "cli/jmespath.hpp"
#include "cli/json_output.hpp"

#include "ivschat/serde/json_reader.hpp"
#include "ivschat/serde/json_writer.hpp"

#include <ivschat/client.hpp>
#include <ivschat/operations.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/mp11/algorithm.hpp>

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
            input[info.wire_name] = flag_value<member_type>(flag, it->second);
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

client_options make_client_options(const global_options& g) {
    client_options options;
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
    return options;
}

// Appends the list members of `page` to those of `merged` (pagination);
// other members come from the last page.
void merge_page(json::value& merged, json::value page) {
    if (merged.is_null()) {
        merged = std::move(page);
        return;
    }
    json::object& target = merged.as_object();
    // Scalars (nextToken) are the last page's: drop those it does not have.
    std::vector<std::string> stale;
    for (const auto& [key, value] : target)
        if (!value.is_array() && !page.as_object().contains(key)) stale.emplace_back(key);
    for (const auto& key : stale) target.erase(key);
    for (auto& [key, value] : page.as_object()) {
        json::array* existing = target.contains(key) ? target[key].if_array() : nullptr;
        if (existing != nullptr && value.is_array()) {
            for (auto& element : value.as_array()) existing->push_back(std::move(element));
        } else {
            target[key] = std::move(value);
        }
    }
}

template <class Request>
concept paginated_request = requires(Request r) { r.next_token; };

// Prints the failure the way the AWS CLI does and returns the exit code.
int report_failure(std::string_view operation, boost::system::error_code ec, const diagnostics& diag) {
    if (ec.category() == error_category() && static_cast<error>(ec.value()) == error::request_validation_failed) {
        std::cerr << "Parameter validation failed:\n" << diag.error.message << '\n';
        return exit_usage;
    }
    if (ec.category() == error_category() && is_service_error(static_cast<error>(ec.value()))) {
        const std::string& type = diag.error.error_type.empty() ? std::string("Unknown") : diag.error.error_type;
        std::cerr << "An error occurred (" << type << ") when calling the " << operation
                  << " operation: " << diag.error.message << '\n';
        if (!diag.error.request_id.empty()) std::cerr << "Request ID: " << diag.error.request_id << '\n';
        return exit_service_error;
    }
    std::cerr << "An error occurred when calling the " << operation << " operation: "
              << (diag.client_message.empty() ? ec.message() : diag.client_message) << '\n';
    return exit_other_failure;
}

// --debug: what was sent and received, with the model's sensitive members
// (chat token, token attributes, user id) redacted. The signature and the
// credentials never reach this code.
template <class Message>
void debug_body(std::string_view what, const Message& message) {
    std::string body;
    detail::append_json_object(body, message, /*redact_sensitive=*/true);
    std::cerr << "DEBUG " << what << " body: " << body << '\n';
}

void debug_result(boost::system::error_code ec, const diagnostics& diag) {
    std::cerr << "DEBUG response: HTTP " << diag.http_status << ", request id "
              << (diag.request_id.empty() ? "-" : diag.request_id) << ", attempts " << diag.attempts.size()
              << ", result " << (ec ? ec.message() : "success") << '\n';
}

template <class Request>
int run_operation(const command_line& line) {
    using traits = operation_traits<Request>;
    Request request = build_request<Request>(line);
    std::optional<jmespath::expression> query;
    if (line.globals.query) {
        try {
            query = jmespath::expression::parse(*line.globals.query);
        } catch (const jmespath::error& e) {
            throw usage_error("argument --query: Bad value for --query: " + *line.globals.query + ": " + e.what());
        }
    }
    const client_options options = make_client_options(line.globals);
    const bool debug = line.globals.debug;

    asio::io_context ioc;
    int exit_code = 0;
    json::value merged;
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
                merge_page(merged, json::parse(body));
                if constexpr (paginated_request<Request>) {
                    if (line.globals.paginate && response.next_token) {
                        request.next_token = std::move(response.next_token);
                        continue;
                    }
                }
                co_return;
            }
        },
        [&](std::exception_ptr failure) {
            if (!failure) return;
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                std::cerr << "An error occurred when calling the " << traits::name << " operation: " << e.what()
                          << '\n';
                exit_code = exit_other_failure;
            }
        });
    ioc.run();
    if (exit_code != 0 || traits::success_status == 204) return exit_code;
    if (query) {
        try {
            merged = query->search(merged);
        } catch (const jmespath::error& e) {
            std::cerr << "ivschat: error: --query: " << e.what() << '\n';
            return exit_other_failure;
        }
    }
    std::cout << (line.globals.output == "text" ? text_lines(merged) : pretty_json(merged)) << std::flush;
    return 0;
}

constexpr std::string_view global_help =
    "Global options:\n"
    "  --endpoint-url <url>        send requests to this URL instead of the region's endpoint\n"
    "  --region <region>           the AWS region (default: the configuration chain)\n"
    "  --profile <name>            the shared config/credentials profile\n"
    "  --ca-bundle <path>          PEM CA bundle to verify TLS certificates with\n"
    "  --max-attempts <n>          attempts per call, the first included\n"
    "  --retry-mode <mode>         standard | adaptive | off\n"
    "  --cli-read-timeout <s>      seconds to wait for a response (0: no limit)\n"
    "  --cli-connect-timeout <s>   seconds to wait for a connection (0: no limit)\n"
    "  --output json|text          response format (default json)\n"
    "  --no-paginate               list operations: print the first page only\n"
    "  --debug                     request and response details on stderr (secrets redacted)\n"
    "  --cli-input-json <json>     request members as JSON (or file://path); flags override it\n";

template <class Request>
void print_operation_help() {
    std::cout << "ivschat " << kebab_case(operation_traits<Request>::name) << "  ("
              << operation_traits<Request>::name << ")\n\nOptions:\n";
    detail::for_each_member<Request>([&](auto descriptor, const detail::member_info& info) {
        using member_type = std::decay_t<decltype(std::declval<Request>().*descriptor.pointer)>;
        std::cout << "  --" << kebab_case(info.wire_name) << ' ' << value_syntax<member_type>()
                  << (info.required ? "  (required)" : "") << '\n';
    });
    std::cout << '\n' << global_help;
}

struct operation_entry {
    std::string cli_name;
    std::function<int(const command_line&)> run;
    std::function<void()> help;
};

std::vector<operation_entry> operation_table() {
    std::vector<operation_entry> table;
    boost::mp11::mp_for_each<boost::mp11::mp_transform<std::type_identity, all_operation_requests>>(
        [&](auto identity) {
            using request = typename decltype(identity)::type;
            table.push_back({kebab_case(operation_traits<request>::name), &run_operation<request>,
                             &print_operation_help<request>});
        });
    return table;
}

void print_help(const std::vector<operation_entry>& table) {
    std::cout << "usage: ivschat <operation> [options]\n       ivschat <operation> help\n\nOperations:\n";
    for (const auto& entry : table) std::cout << "  " << entry.cli_name << '\n';
    std::cout << '\n' << global_help;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto table = operation_table();
        const command_line line = parse_command_line(argc, argv);
        if (line.operation.empty()) {
            print_help(table);
            return line.help ? 0 : exit_usage;
        }
        const auto entry = std::find_if(table.begin(), table.end(),
                                        [&](const operation_entry& e) { return e.cli_name == line.operation; });
        if (entry == table.end())
            throw usage_error("Invalid choice: '" + line.operation + "'; 'ivschat help' lists the operations");
        if (line.help) {
            entry->help();
            return 0;
        }
        return entry->run(line);
    } catch (const usage_error& e) {
        std::cerr << "ivschat: error: " << e.what() << '\n';
        return exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "ivschat: " << e.what() << '\n';
        return exit_other_failure;
    }
}
