#pragma once

#include "ivschat/serde/shape_traits.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ivschat::detail {

/// Why a JSON document could not be read into a model type.
struct error_info {
    std::string path{};     // member path, e.g. "rooms[0].createTime"; empty for the document
    std::string problem{};  // e.g. "expected a string"
    /// "expected a string at 'rooms[0].createTime'", or the problem alone.
    std::string message() const;
};

/// A parsed JSON document whose nodes live in a per-thread buffer (no heap
/// allocation for documents that fit, 16 KiB; larger ones spill to the heap
/// and are freed with this object). A second document alive on the same
/// thread at the same time uses the heap instead of the buffer.
class json_document {
public:
    json_document();
    json_document(const json_document&) = delete;
    json_document& operator=(const json_document&) = delete;
    ~json_document();

    /// Parses `text`; an empty or all-whitespace text is the empty object
    /// (204 responses, bodiless requests). False with `error` on bad JSON.
    bool parse(std::string_view text, error_info& error);
    const boost::json::value& root() const noexcept { return root_; }

private:
    bool owns_thread_buffer_;
    std::optional<boost::json::monotonic_resource> resource_;
    boost::json::value root_;  // declared after resource_: destroyed before it
};

/// Records `problem` as the reason of a failed read (the callers add the path).
bool read_failure(error_info& error, std::string_view problem);
/// Prefixes the path of a failure with a member name or a list index.
void prepend_member(error_info& error, std::string_view name);
void prepend_index(error_info& error, std::size_t index);

bool read_json(const boost::json::value& json, std::string& out, error_info& error);
bool read_json(const boost::json::value& json, std::int32_t& out, error_info& error);
bool read_json(const boost::json::value& json, time_point& out, error_info& error);
bool read_json(const boost::json::value& json, std::map<std::string, std::string>& out, error_info& error);

template <class T>
bool read_json(const boost::json::value& json, T& out, error_info& error);

template <structure_type T>
bool read_json_object(const boost::json::object& object, T& out, error_info& error) {
    bool ok = true;
    for_each_member<T>([&](auto descriptor, const member_info& info) {
        if (!ok || info.location != member_location::body) return;
        const boost::json::value* json = object.if_contains(info.wire_name);
        if (json == nullptr || json->is_null()) return;  // absent: stays default / nullopt
        auto& member = out.*descriptor.pointer;
        if (!read_json(*json, member, error)) {
            prepend_member(error, info.wire_name);
            ok = false;
        }
    });
    return ok;
}

template <class T>
bool read_json(const boost::json::value& json, T& out, error_info& error) {
    if constexpr (is_optional_v<T>) {
        return read_json(json, out.emplace(), error);
    } else if constexpr (wire_enum_type<T>) {
        const boost::json::string* s = json.if_string();
        if (s == nullptr) return read_failure(error, "expected a string");
        out = T{std::string_view{*s}};
        return true;
    } else if constexpr (is_vector_v<T>) {
        const boost::json::array* array = json.if_array();
        if (array == nullptr) return read_failure(error, "expected an array");
        out.clear();
        out.reserve(array->size());
        for (std::size_t i = 0; i < array->size(); ++i) {
            if (!read_json((*array)[i], out.emplace_back(), error)) {
                prepend_index(error, i);
                return false;
            }
        }
        return true;
    } else if constexpr (union_type<T>) {
        const boost::json::object* object = json.if_object();
        if (object == nullptr) return read_failure(error, "expected an object");
        out = T{};
        bool ok = true;
        boost::mp11::mp_for_each<boost::mp11::mp_iota_c<union_info<T>::wire_names.size()>>([&](auto index) {
            const std::string_view name = union_info<T>::wire_names[index];
            const boost::json::value* member = object->if_contains(name);
            if (!ok || member == nullptr || member->is_null()) return;
            if (out.has_value()) {
                ok = read_failure(error, "more than one member of a union is set");
                return;
            }
            const boost::json::object* inner = member->if_object();
            auto& alternative = out.value().template emplace<index + 1>();
            if (inner == nullptr) ok = read_failure(error, "expected an object");
            else ok = read_json_object(*inner, alternative, error);
            if (!ok) prepend_member(error, name);
        });
        return ok;
    } else {
        static_assert(structure_type<T>, "no JSON form for this member type");
        const boost::json::object* object = json.if_object();
        if (object == nullptr) return read_failure(error, "expected an object");
        return read_json_object(*object, out, error);
    }
}

/// Reads the JSON document `body` into `out` (a response, a request's body
/// members, or an error shape). Unknown members are ignored, null or absent
/// members leave the default (nullopt), enum values unknown to the model are
/// kept, timestamps are parsed from ISO 8601 (or epoch seconds). An empty
/// body reads as {}. Returns false with `error` naming the member path on
/// malformed JSON, a JSON type that does not fit, or a bad timestamp; `out` is
/// then partly filled. Never throws for any input.
template <structure_type T>
bool parse_json(std::string_view body, T& out, error_info& error) {
    json_document document;
    if (!document.parse(body, error)) return false;
    const boost::json::object* object = document.root().if_object();
    if (object == nullptr) return read_failure(error, "expected a JSON object");
    return read_json_object(*object, out, error);
}

// Compiled once, in serde/instantiations.cpp.
#define IVSCHAT_EXTERN_PARSE_JSON(type) extern template bool parse_json<type>(std::string_view, type&, error_info&);
IVSCHAT_FOR_EACH_MODEL_STRUCTURE(IVSCHAT_EXTERN_PARSE_JSON)
#undef IVSCHAT_EXTERN_PARSE_JSON

}  // namespace ivschat::detail
