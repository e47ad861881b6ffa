#pragma once

#include "ivschat/operations.hpp"
#include "ivschat/percent_encoding.hpp"
#include "ivschat/serde/shape_traits.hpp"

#include <string>
#include <string_view>

namespace ivschat::detail {

// rest-json URI bindings: members with location "uri" fill the {labels} of
// the operation's URI template, percent-encoded ('/' too, so an ARN stays one
// path segment); members with location "querystring" become query parameters,
// a list as one repeated parameter per element.

// The member types the model binds to the URI or query: only strings and lists of them.
template <class T>
inline constexpr bool is_uri_bindable_v = std::is_same_v<T, std::string> || std::is_same_v<T, std::optional<std::string>> ||
                                         std::is_same_v<T, std::vector<std::string>>;

/// Appends `value` for a {label} or query parameter of `request` named `wire_name`.
template <class Request>
bool append_bound_member(const Request& request, std::string_view wire_name, member_location location,
                         std::string& out) {
    bool found = false;
    for_each_member<Request>([&](auto descriptor, const member_info& info) {
        if (found || info.location != location || info.wire_name != wire_name) return;
        using member_type = std::decay_t<decltype(request.*descriptor.pointer)>;
        if constexpr (std::is_same_v<member_type, std::string>) {
            percent_encode(request.*descriptor.pointer, out);
            found = true;
        }
    });
    return found;
}

/// Replaces `out` with the request target of `request`: the URI template
/// with its labels filled, then "?name=value&..." for query members (in
/// member order; an empty list adds nothing). "/CreateChatToken" for most
/// operations; "/tags/arn%3Aaws%3Aivschat%3A...%2Fid?tagKeys=a&tagKeys=b"
/// for UntagResource.
template <class Request>
void write_request_target(const Request& request, std::string& out) {
    constexpr std::string_view uri = operation_traits<Request>::uri_template;
    out.clear();
    std::size_t pos = 0;
    while (pos < uri.size()) {
        std::size_t open = uri.find('{', pos);
        if (open == std::string_view::npos) {
            out.append(uri.substr(pos));
            break;
        }
        std::size_t close = uri.find('}', open);
        out.append(uri.substr(pos, open - pos));
        append_bound_member(request, uri.substr(open + 1, close - open - 1), member_location::uri, out);
        pos = close + 1;
    }
    char separator = '?';
    auto append_parameter = [&](std::string_view name, std::string_view value) {
        out.push_back(separator);
        separator = '&';
        percent_encode(name, out);
        out.push_back('=');
        percent_encode(value, out);
    };
    for_each_member<Request>([&](auto descriptor, const member_info& info) {
        if (info.location != member_location::query) return;
        const auto& member = request.*descriptor.pointer;
        using member_type = std::decay_t<decltype(member)>;
        if constexpr (is_vector_v<member_type> && is_uri_bindable_v<member_type>) {
            for (const auto& element : member) append_parameter(info.wire_name, element);
        } else if constexpr (is_optional_v<member_type> && is_uri_bindable_v<member_type>) {
            if (member) append_parameter(info.wire_name, *member);
        } else if constexpr (is_uri_bindable_v<member_type>) {
            append_parameter(info.wire_name, member);
        }
    });
}

/// Sets the member of `request` bound to URI label or query name `wire_name`
/// (a list gets `value` appended). False when no such member.
template <class Request>
bool assign_bound_member(Request& request, std::string_view wire_name, member_location location,
                         std::string&& value) {
    bool found = false;
    for_each_member<Request>([&](auto descriptor, const member_info& info) {
        if (found || info.location != location || info.wire_name != wire_name) return;
        auto& member = request.*descriptor.pointer;
        using member_type = std::decay_t<decltype(member)>;
        if constexpr (is_uri_bindable_v<member_type>) {
            if constexpr (is_vector_v<member_type>)
                member.push_back(std::move(value));
            else
                member = std::move(value);
            found = true;
        }
    });
    return found;
}

/// The reverse of write_request_target, for the emulator: when `target`'s
/// path (before '?') matches the operation's URI template, fills the URI and
/// query members of `request` (percent-decoded) and returns true. Query
/// parameters that are not model members are ignored. A label that ends the
/// template takes the rest of the path, so an ARN whose '/' was not encoded
/// still reads whole. False (request untouched) when the path does not match.
template <class Request>
bool read_request_target(std::string_view target, Request& request) {
    constexpr std::string_view uri = operation_traits<Request>::uri_template;
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    std::string_view query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

    // Match first, assign after, so a mismatch leaves the request untouched.
    struct label_value {
        std::string_view label, raw;
    };
    label_value labels[4];
    std::size_t label_count = 0;
    std::size_t u = 0, p = 0;
    while (u < uri.size()) {
        if (uri[u] != '{') {
            if (p >= path.size() || path[p] != uri[u]) return false;
            ++u, ++p;
            continue;
        }
        std::size_t close = uri.find('}', u);
        std::size_t end = close + 1 == uri.size() ? path.size() : path.find('/', p);
        if (end == std::string_view::npos) end = path.size();
        if (end == p || label_count == std::size(labels)) return false;  // labels are never empty
        labels[label_count++] = {uri.substr(u + 1, close - u - 1), path.substr(p, end - p)};
        u = close + 1;
        p = end;
    }
    if (p != path.size()) return false;

    for (std::size_t i = 0; i < label_count; ++i) {
        std::string decoded;
        percent_decode(labels[i].raw, decoded);
        assign_bound_member(request, labels[i].label, member_location::uri, std::move(decoded));
    }
    while (!query.empty()) {
        std::size_t amp = query.find('&');
        std::string_view parameter = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        std::size_t equals = parameter.find('=');
        std::string name, value;
        percent_decode(parameter.substr(0, equals), name);
        if (equals != std::string_view::npos) percent_decode(parameter.substr(equals + 1), value);
        assign_bound_member(request, name, member_location::query, std::move(value));
    }
    return true;
}

// Compiled once, in serde/instantiations.cpp.
#define IVSCHAT_EXTERN_REQUEST_TARGET(type)                                     \
    extern template void write_request_target<type>(const type&, std::string&); \
    extern template bool read_request_target<type>(std::string_view, type&);
IVSCHAT_FOR_EACH_OPERATION_REQUEST(IVSCHAT_EXTERN_REQUEST_TARGET)
#undef IVSCHAT_EXTERN_REQUEST_TARGET

}  // namespace ivschat::detail
