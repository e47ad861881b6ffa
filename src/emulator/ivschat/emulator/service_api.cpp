#include <ivschat/emulator/service_api.hpp>

#include <ivschat/emulator/error_body.hpp>

#include <ivschat/emulator/service.hpp>
#include <ivschat/operations.hpp>

#include "ivschat/serde/json_reader.hpp"
#include "ivschat/serde/json_writer.hpp"
#include "ivschat/serde/request_target.hpp"
#include "ivschat/serde/validation.hpp"

#include <boost/beast/http/verb.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>

namespace ivschat::emulator {

namespace {

namespace json = boost::json;
namespace mp11 = boost::mp11;
using operations = all_operation_requests;
constexpr std::size_t operations_count = mp11::mp_size<operations>::value;

struct operation_entry {
    std::string_view name;
    std::string_view method;
    // The URI template up to its label ("/tags/") or the whole path ("/CreateRoom").
    std::string_view path_prefix;
    bool has_label;
};

const std::array<operation_entry, operations_count>& operation_table() {
    static const auto table = [] {
        std::array<operation_entry, operations_count> t{};
        mp11::mp_for_each<mp11::mp_iota_c<operations_count>>([&](auto index) {
            using traits = operation_traits<mp11::mp_at_c<operations, index>>;
            const auto brace = traits::uri_template.find('{');
            t[index] = {traits::name, boost::beast::http::to_string(traits::method),
                        traits::uri_template.substr(0, brace), brace != std::string_view::npos};
        });
        return t;
    }();
    return table;
}

bool path_matches(const operation_entry& op, std::string_view path) {
    if (!op.has_label) return path == op.path_prefix;
    // One label, the rest of the path; its '/' travel percent-encoded.
    return path.size() > op.path_prefix.size() && path.starts_with(op.path_prefix) &&
           path.find('/', op.path_prefix.size()) == std::string_view::npos;
}

template <class Request>
api_response invoke_operation(service& svc, const received_request& received, std::chrono::system_clock::time_point now,
                              std::string& body) {
    using traits = operation_traits<Request>;
    Request request;
    if constexpr (traits::has_body) {
        detail::error_info error;
        if (!detail::parse_json(received.payload, request, error)) {
            write_message_body("Invalid request body: " + error.message(), body);
            return {400, "SerializationException"};
        }
    }
    // route() matched the path already; this binds the ARN label and tagKeys.
    detail::read_request_target(received.target, request);
    if (auto invalid = detail::validate(request)) return write_error(*invalid, body);
    auto result = svc.handle(request, now);
    if (auto* response = std::get_if<0>(&result)) {
        if constexpr (traits::success_status == 204)
            body.clear();
        else
            detail::write_json(*response, body);
        return {traits::success_status, {}};
    }
    return std::visit([&](const auto& error) { return write_error(error, body); }, std::get<1>(result));
}

}  // namespace

void write_message_body(std::string_view message, std::string& body) {
    body.assign("{\"message\":");
    body.append(json::serialize(json::string_view(message.data(), message.size())));
    body.push_back('}');
}

service_api::service_api(service& svc) : service_(svc) {}

service_api::route_result service_api::route(std::string_view method, std::string_view path) const {
    route_result result;
    const auto& table = operation_table();
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (!path_matches(table[i], path)) continue;
        result.path_known = true;
        if (table[i].method == method) {
            result.operation = i;
            break;
        }
    }
    return result;
}

std::size_t service_api::operation_count() const noexcept { return operations_count; }

std::string_view service_api::operation_name(std::size_t operation) const noexcept {
    return operation_table()[operation].name;
}

api_response service_api::invoke(std::size_t operation, const received_request& request,
                                 std::chrono::system_clock::time_point now, std::string& body) {
    return mp11::mp_with_index<operations_count>(operation, [&](auto index) {
        return invoke_operation<mp11::mp_at_c<operations, index>>(service_, request, now, body);
    });
}

void service_api::reset() { service_.reset(); }

}  // namespace ivschat::emulator
