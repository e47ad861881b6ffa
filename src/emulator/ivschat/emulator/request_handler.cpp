#include <ivschat/emulator/request_handler.hpp>

#include <ivschat/emulator/error_body.hpp>
#include <ivschat/emulator/request_fields.hpp>

#include "ivschat/time_format.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <random>

namespace ivschat::emulator {

namespace {

namespace json = boost::json;

constexpr std::string_view control_prefix = "/_emulator/";

std::string_view reason_phrase(unsigned status) noexcept {
    switch (status) {
        case 200: return "OK";
        case 204: return "No Content";
        case 400: return "Bad Request";
        case 402: return "Payment Required";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 413: return "Payload Too Large";
        case 415: return "Unsupported Media Type";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Unknown";
    }
}

void append_number(std::string& out, std::uint64_t n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

void append_hex(std::string& out, std::uint64_t n, int digits) {
    static constexpr char hex[] = "0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out.push_back(hex[(n >> shift) & 0xf]);
}

}  // namespace

void server_counters::count_user_agent(std::optional<std::string_view> user_agent) {
    const std::string_view key = user_agent ? *user_agent : no_user_agent;
    if (auto it = requests_per_user_agent.find(key); it != requests_per_user_agent.end()) {
        ++it->second;
    } else if (requests_per_user_agent.size() < max_user_agents) {
        requests_per_user_agent.emplace(key, 1);
    } else {
        ++requests_per_user_agent[std::string(other_user_agent)];
    }
}

request_handler::request_handler(service_api& api, authenticator_options auth, std::uint64_t seed)
    : api_(api), authenticator_(std::move(auth)), faults_(seed), request_id_prefix_(std::mt19937_64(seed ^ 0x9e3779b97f4a7c15ULL)()) {
    counters_.requests_per_operation.assign(api_.operation_count(), 0);
}

void request_handler::write_head(unsigned status, std::string_view error_type, bool close, std::size_t body_size,
                                 std::chrono::system_clock::time_point now, std::string& out) {
    auto second = std::chrono::floor<std::chrono::seconds>(now);
    if (second != date_second_ || date_text_.empty()) {
        date_second_ = second;
        date_text_ = detail::format_http_date(second);
    }
    out.clear();
    out.append("HTTP/1.1 ");
    append_number(out, status);
    out.push_back(' ');
    out.append(reason_phrase(status));
    out.append("\r\nDate: ");
    out.append(date_text_);
    // A UUID-shaped request id: a random per-server prefix and a counter.
    const std::uint64_t n = ++request_id_counter_;
    out.append("\r\nx-amzn-RequestId: ");
    append_hex(out, request_id_prefix_ >> 32, 8);
    out.push_back('-');
    append_hex(out, request_id_prefix_ >> 16, 4);
    out.append("-4");
    append_hex(out, request_id_prefix_, 3);
    out.append("-8");
    append_hex(out, n >> 48, 3);
    out.push_back('-');
    append_hex(out, n, 12);
    if (!error_type.empty()) {
        out.append("\r\nx-amzn-ErrorType: ");
        out.append(error_type);
    }
    if (status != 204) {
        out.append("\r\nContent-Type: application/json\r\nContent-Length: ");
        append_number(out, body_size);
    }
    if (close) out.append("\r\nConnection: close");
    out.append("\r\n\r\n");
}

response_plan request_handler::reject(unsigned status, std::string_view type, std::string_view message,
                                      std::chrono::system_clock::time_point now, std::string& out) {
    write_message_body(message, body_);
    write_head(status, type, true, body_.size(), now, out);
    out.append(body_);
    return {status, connection_action::close, {}, out.size()};
}

response_plan request_handler::control(const received_request& request, std::string& body, unsigned& status,
                                       std::string_view& error_type) {
    response_plan plan;
    const auto command = request.path.substr(control_prefix.size());
    body = "{}";
    auto bad = [&](std::string_view message) {
        status = 400;
        error_type = "ValidationException";
        write_message_body(message, body);
    };
    if (command == "stats" && request.method == "GET") {
        json::object requests;
        for (std::size_t i = 0; i < api_.operation_count(); ++i)
            requests[api_.operation_name(i)] = counters_.requests_per_operation[i];
        json::object faults;
        for (std::size_t k = 1; k < fault_kind_count; ++k)
            faults[fault_name(static_cast<fault_kind>(k))] = faults_.applied(static_cast<fault_kind>(k));
        json::object user_agents;
        for (const auto& [user_agent, count] : counters_.requests_per_user_agent) user_agents[user_agent] = count;
        json::object stats{{"requests", counters_.requests},
                           {"requestsPerOperation", std::move(requests)},
                           {"requestsPerUserAgent", std::move(user_agents)},
                           {"connectionsAccepted", counters_.connections_accepted},
                           {"authFailures", counters_.auth_failures},
                           {"faultsApplied", std::move(faults)},
                           {"faultsQueued", faults_.queued()}};
        if (messaging_report_) stats["messaging"] = messaging_report_();
        body = json::serialize(stats);
    } else if (command == "faults" && request.method == "POST") {
        json::error_code ec;
        auto doc = json::parse(json::string_view(request.payload.data(), request.payload.size()), ec);
        if (ec || !doc.is_object()) {
            bad("The body must be a JSON object {\"actions\": [...], \"probabilities\": {...}}.");
            return plan;
        }
        const auto& object = doc.as_object();
        std::vector<fault_action> actions;
        std::vector<std::pair<fault_action, double>> probabilities;
        if (auto* list = object.if_contains("actions")) {
            if (!list->is_array()) return bad("\"actions\" must be an array of strings."), plan;
            for (const auto& v : list->as_array()) {
                auto action = v.is_string() ? parse_fault_action(v.as_string()) : std::nullopt;
                if (!action) return bad("Unknown fault action " + json::serialize(v) + "."), plan;
                actions.push_back(*action);
            }
        }
        if (auto* map = object.if_contains("probabilities")) {
            if (!map->is_object()) return bad("\"probabilities\" must be an object."), plan;
            for (const auto& [key, v] : map->as_object()) {
                auto action = parse_fault_action(key);
                if (!action) return bad("Unknown fault action \"" + std::string(key) + "\"."), plan;
                if (!v.is_number() || v.to_number<double>() < 0 || v.to_number<double>() > 1)
                    return bad("A probability must be a number from 0 to 1."), plan;
                probabilities.emplace_back(*action, v.to_number<double>());
            }
        }
        for (const auto& a : actions) faults_.enqueue(a);
        for (const auto& [a, p] : probabilities) faults_.set_probability(a, p);
        body = json::serialize(json::object{{"faultsQueued", faults_.queued()}});
    } else if (command == "faults" && request.method == "DELETE") {
        faults_.reset();
    } else if (command == "reset" && request.method == "POST") {
        faults_.reset();
        api_.reset();
        const auto connections = counters_.connections_accepted;
        counters_ = {};
        counters_.connections_accepted = connections;
        counters_.requests_per_operation.assign(api_.operation_count(), 0);
        if (messaging_reset_) messaging_reset_();
    } else if (command == "close-idle-connections" && request.method == "POST") {
        plan.after = connection_action::close_idle;
    } else {
        status = 404;
        error_type = "ValidationException";
        write_message_body("Unknown control request " + std::string(request.method) + " " +
                               std::string(request.path) + ".",
                           body);
    }
    return plan;
}

response_plan request_handler::handle(const received_request& request, bool keep_alive,
                                      std::chrono::system_clock::time_point now, std::string& out) {
    unsigned status = 200;
    std::string_view error_type;
    response_plan plan;

    if (request.path.starts_with(control_prefix)) {
        if (auto refusal = refuse_control_request(request, control_address_)) {
            status = refusal->status;
            error_type = refusal->error_type;
            write_message_body(refusal->message, body_);
        } else {
            plan = control(request, body_, status, error_type);
        }
    } else {
        ++counters_.requests;
        counters_.count_user_agent(find_header(request, "user-agent"));
        const auto route = api_.route(request.method, request.path);
        if (route.operation) ++counters_.requests_per_operation[*route.operation];
        const fault_action fault = faults_.next();
        plan.delay = fault.delay;
        switch (fault.kind) {
            case fault_kind::internal_error: {
                auto r = write_error(
                    internal_server_exception{.message = "Internal server error (fault injected by the emulator)."}, body_);
                status = r.status;
                error_type = r.error_type;
                break;
            }
            case fault_kind::service_unavailable:
                status = 503;
                error_type = "ServiceUnavailableException";
                write_message_body("Service unavailable (fault injected by the emulator).", body_);
                break;
            case fault_kind::throttle: {
                auto r = write_error(throttling_exception{.message = "Rate exceeded (fault injected by the emulator).",
                                                          .resource_id = "emulator",
                                                          .resource_type = resource_type::room,
                                                          .limit = 0},
                                     body_);
                status = r.status;
                error_type = r.error_type;
                break;
            }
            case fault_kind::reset:
                out.clear();
                return {0, connection_action::reset, {}, 0};
            case fault_kind::close_after_response: plan.after = connection_action::close; break;
            case fault_kind::truncate_body: plan.after = connection_action::truncate_body; break;
            case fault_kind::close_idle: plan.after = connection_action::close_idle; break;
            case fault_kind::none:
            case fault_kind::delay: break;
        }
        if (status == 200) {
            if (auto failure = authenticator_.verify(request, now)) {
                ++counters_.auth_failures;
                status = failure->status;
                error_type = failure->type;
                write_message_body(failure->message, body_);
            } else if (!route.operation) {
                status = route.path_known ? 405 : 404;
                error_type = "UnknownOperationException";
                write_message_body(route.path_known ? "The method " + std::string(request.method) +
                                                          " is not allowed on " + std::string(request.path) + "."
                                                    : "No operation is bound to " + std::string(request.path) + ".",
                                   body_);
            } else if (auto type = find_header(request, "content-type");
                       !request.payload.empty() && type && !is_json_content_type(*type)) {
                status = 415;
                error_type = "UnsupportedMediaTypeException";
                write_message_body("Unsupported Media Type: the body must be application/json, not " +
                                       std::string(*type) + ".",
                                   body_);
            } else if (quotas_ && !quotas_->admit(api_.operation_name(*route.operation), rate_quotas::clock::now())) {
                const auto operation = api_.operation_name(*route.operation);
                const auto limit = static_cast<std::int32_t>(std::ceil(*quotas_->rate(operation)));
                auto r = write_error(throttling_exception{.message = "Rate exceeded: " + std::string(operation) +
                                                                     " is limited to " + std::to_string(limit) +
                                                                     " requests per second.",
                                                          .resource_id = std::string(operation),
                                                          .resource_type = resource_type::room,
                                                          .limit = limit},
                                     body_);
                status = r.status;
                error_type = r.error_type;
            } else {
                body_.clear();
                auto result = api_.invoke(*route.operation, request, now, body_);
                status = result.status;
                error_type = result.error_type;
            }
        }
    }

    if (!keep_alive && plan.after == connection_action::keep_alive) plan.after = connection_action::close;
    const bool close = plan.after == connection_action::close;
    if (status == 204) body_.clear();
    write_head(status, error_type, close, body_.size(), now, out);
    const std::size_t head_size = out.size();
    out.append(body_);
    plan.status = status;
    plan.bytes_to_send = plan.after == connection_action::truncate_body ? head_size + body_.size() / 2 : out.size();
    return plan;
}

}  // namespace ivschat::emulator
