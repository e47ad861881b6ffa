#include "ivschat/serde/service_error.hpp"

#include "ivschat/model/shape_info.hpp"
#include "ivschat/serde/json_reader.hpp"
#include "ivschat/serde/printable_text.hpp"

#include <boost/beast/http/status.hpp>

#include <array>
#include <utility>

namespace ivschat::detail {

namespace {

constexpr std::array<std::pair<std::string_view, error>, 8> modelled_errors{{
    {shape_info<validation_exception>::name, error::validation_exception},
    {shape_info<access_denied_exception>::name, error::access_denied},
    {shape_info<resource_not_found_exception>::name, error::resource_not_found},
    {shape_info<conflict_exception>::name, error::conflict},
    {shape_info<service_quota_exceeded_exception>::name, error::service_quota_exceeded},
    {shape_info<throttling_exception>::name, error::throttling},
    {shape_info<pending_verification>::name, error::pending_verification},
    {shape_info<internal_server_exception>::name, error::internal_server},
}};

const boost::json::string* string_member(const boost::json::object& object, std::string_view name) {
    const boost::json::value* value = object.if_contains(name);
    return value != nullptr ? value->if_string() : nullptr;
}

void copy_string_member(const boost::json::object& object, std::string_view name, std::string& out) {
    if (const boost::json::string* s = string_member(object, name)) out.assign(s->data(), s->size());
}

void read_error_body(const boost::json::object& body, service_error_info& info, bool type_from_header) {
    if (!type_from_header) {
        for (std::string_view name : {"__type", "code", "type"}) {
            if (const boost::json::string* s = string_member(body, name); s != nullptr && !s->empty()) {
                info.error_type.assign(sanitize_error_type(std::string_view{*s}));
                break;
            }
        }
    }
    copy_string_member(body, "message", info.message);
    if (info.message.empty()) copy_string_member(body, "Message", info.message);
    copy_string_member(body, "reason", info.reason);
    copy_string_member(body, "resourceId", info.resource_id);
    copy_string_member(body, "resourceType", info.resource_type);
    if (const boost::json::value* limit = body.if_contains("limit")) {
        std::int32_t value = 0;
        error_info ignored;
        if (read_json(*limit, value, ignored)) info.limit = value;
    }
    if (const boost::json::value* fields = body.if_contains("fieldList")) {
        std::vector<validation_exception_field> list;
        error_info ignored;
        if (read_json(*fields, list, ignored)) info.field_list = std::move(list);
    }
}

// "HTTP 502 Bad Gateway": the standard reason for a status Beast knows,
// else what the server sent.
std::string status_line(unsigned http_status, std::string_view reason_phrase) {
    namespace beast_http = boost::beast::http;
    std::string line = "HTTP " + std::to_string(http_status);
    const auto known = beast_http::int_to_status(http_status);
    const std::string_view reason =
        known != beast_http::status::unknown ? std::string_view(beast_http::obsolete_reason(known)) : reason_phrase;
    if (!reason.empty()) line.append(" ").append(escape_control_characters(reason));
    return line;
}

}  // namespace

std::string_view sanitize_error_type(std::string_view type) noexcept {
    if (std::size_t colon = type.find(':'); colon != std::string_view::npos) type = type.substr(0, colon);
    if (std::size_t hash = type.find('#'); hash != std::string_view::npos) type = type.substr(hash + 1);
    return type;
}

error error_from_type(std::string_view type) noexcept {
    for (const auto& [name, value] : modelled_errors)
        if (name == type) return value;
    return error::unknown_service_error;
}

service_error_info parse_service_error(unsigned http_status, std::string_view error_type_header,
                                       std::string_view request_id, std::string_view body,
                                       std::string_view reason_phrase) {
    service_error_info info;
    info.http_status = http_status;
    info.request_id.assign(request_id);
    info.error_type.assign(sanitize_error_type(error_type_header));
    json_document document;
    error_info ignored;
    if (document.parse(body, ignored)) {
        if (const boost::json::object* object = document.root().if_object())
            read_error_body(*object, info, !info.error_type.empty());
    }
    info.code = error_from_type(info.error_type);
    // Printed text from the wire must not reach a terminal raw.
    info.message = escape_control_characters(info.message);
    info.error_type = escape_control_characters(info.error_type);
    // No type anywhere: the status stands for it, as in botocore
    // (parsers.py, "Error"/"Code" = str(status_code)) and the other SDKs.
    if (info.error_type.empty()) info.error_type = std::to_string(http_status);
    // No message (an HTML page from a proxy, XML, an empty body): say what
    // arrived.
    if (info.message.empty()) {
        info.message = status_line(http_status, reason_phrase);
        info.message += body.empty() ? std::string(" (empty body)") : "; body: " + body_excerpt(body);
    }
    return info;
}

}  // namespace ivschat::detail
