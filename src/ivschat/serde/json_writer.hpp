#pragma once

#include "ivschat/operations.hpp"
#include "ivschat/serde/shape_traits.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace ivschat::detail {

/// Appends `s` as a JSON string (quoted; '"', '\\' and control characters
/// escaped; every other byte, UTF-8 included, copied as it is).
void append_json_string(std::string& out, std::string_view s);
void append_json_integer(std::string& out, std::int64_t value);
/// Appends an ISO 8601 UTC timestamp string ("2024-01-02T03:04:05.678Z").
void append_json_timestamp(std::string& out, time_point t);

/// Appends `value` as JSON. With `redact_sensitive`, members the model marks
/// sensitive are written as "<redacted>" (debug output only).
template <class T>
void append_json_value(std::string& out, const T& value, bool redact_sensitive = false);

/// True when the serializer leaves the member out: an unset optional, or an
/// empty list or map that the model does not require.
template <class T>
bool omitted(const T& value, const member_info& info) noexcept {
    if constexpr (is_optional_v<T>)
        return !value.has_value();
    else if constexpr (is_vector_v<T> || is_string_map_v<T>)
        return !info.required && value.empty();
    else
        return false;
}

template <structure_type T>
void append_json_object(std::string& out, const T& value, bool redact_sensitive = false) {
    out.push_back('{');
    bool first = true;
    for_each_member<T>([&](auto descriptor, const member_info& info) {
        const auto& member = value.*descriptor.pointer;
        if (info.location != member_location::body || omitted(member, info)) return;
        if (!first) out.push_back(',');
        first = false;
        out.push_back('"');
        out.append(info.wire_name);  // wire names are plain ASCII identifiers
        out.append("\":", 2);
        if (redact_sensitive && info.sensitive)
            out.append("\"<redacted>\"");
        else
            append_json_value(out, member, redact_sensitive);
    });
    out.push_back('}');
}

template <class T>
void append_json_value(std::string& out, const T& value, bool redact_sensitive) {
    if constexpr (std::is_same_v<T, std::string>) {
        append_json_string(out, value);
    } else if constexpr (std::is_same_v<T, std::int32_t>) {
        append_json_integer(out, value);
    } else if constexpr (std::is_same_v<T, time_point>) {
        append_json_timestamp(out, value);
    } else if constexpr (is_optional_v<T>) {
        append_json_value(out, *value, redact_sensitive);
    } else if constexpr (wire_enum_type<T>) {
        append_json_string(out, value.value());
    } else if constexpr (is_vector_v<T>) {
        out.push_back('[');
        for (std::size_t i = 0; i < value.size(); ++i) {
            if (i != 0) out.push_back(',');
            append_json_value(out, value[i], redact_sensitive);
        }
        out.push_back(']');
    } else if constexpr (is_string_map_v<T>) {
        out.push_back('{');
        bool first = true;
        for (const auto& [key, mapped] : value) {
            if (!first) out.push_back(',');
            first = false;
            append_json_string(out, key);
            out.push_back(':');
            append_json_string(out, mapped);
        }
        out.push_back('}');
    } else if constexpr (union_type<T>) {
        out.push_back('{');
        std::visit(
            [&](const auto& alternative) {
                using A = std::decay_t<decltype(alternative)>;
                if constexpr (!std::is_same_v<A, std::monostate>) {
                    constexpr std::size_t index =
                        boost::mp11::mp_find<typename T::variant_type, A>::value - 1;
                    out.push_back('"');
                    out.append(union_info<T>::wire_names[index]);
                    out.append("\":", 2);
                    append_json_object(out, alternative, redact_sensitive);
                }
            },
            value.value());
        out.push_back('}');
    } else {
        static_assert(structure_type<T>, "no JSON form for this member type");
        append_json_object(out, value, redact_sensitive);
    }
}

/// Replaces `out` with the JSON document of `value` (a response, an error
/// shape, or any model structure): every member but unset optionals and
/// empty optional lists/maps. The emulator writes responses with it.
template <structure_type T>
void write_json(const T& value, std::string& out) {
    out.clear();
    append_json_object(out, value);
}

/// Replaces `out` with the JSON body of `request`, leaving out members bound
/// to the URI or query string. An operation with no body member (GET/DELETE
/// on /tags) gets an empty body. Reuses `out`'s capacity: no allocation once
/// it has grown to the body's size.
template <class Request>
void write_json_body(const Request& request, std::string& out) {
    out.clear();
    if constexpr (operation_traits<Request>::has_body) append_json_object(out, request);
}

// Compiled once, in serde/instantiations.cpp.
#define IVSCHAT_EXTERN_WRITE_JSON(type) extern template void write_json<type>(const type&, std::string&);
IVSCHAT_FOR_EACH_MODEL_STRUCTURE(IVSCHAT_EXTERN_WRITE_JSON)
#undef IVSCHAT_EXTERN_WRITE_JSON
#define IVSCHAT_EXTERN_WRITE_JSON_BODY(type) extern template void write_json_body<type>(const type&, std::string&);
IVSCHAT_FOR_EACH_OPERATION_REQUEST(IVSCHAT_EXTERN_WRITE_JSON_BODY)
#undef IVSCHAT_EXTERN_WRITE_JSON_BODY

}  // namespace ivschat::detail
