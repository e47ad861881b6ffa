#pragma once

#include "ivschat/operations.hpp"
#include "ivschat/serde/shape_traits.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

namespace ivschat::detail {

/// True when `text` satisfies the model pattern `id`. The patterns are the
/// Smithy model's, anchored, so the whole value must match;
/// pattern_id::resource_arn accepts a room or a logging-configuration ARN
/// (data/model/README.md). Allocation-free.
bool pattern_matches(pattern_id id, std::string_view text) noexcept;

/// The length of `text` as the model's length constraints count it: Unicode
/// code points (Smithy's definition), i.e. UTF-8 bytes that do not continue
/// a sequence. Invalid UTF-8 counts one per non-continuation byte.
std::size_t code_point_count(std::string_view text) noexcept;

/// Where a value sits in the request, as a chain on the stack; rendered
/// ("destinationConfiguration.s3.bucketName", "tagKeys.1.member") only when
/// a constraint fails.
struct value_path {
    const value_path* parent = nullptr;
    std::string_view name{};
    std::size_t list_index = 0;  // list element (name empty): 0-based index
};

/// Collects constraint failures into a ValidationException (allocates only
/// once something fails).
class validation_report {
public:
    /// `constraint` as the service words it ("Member must not be null").
    void fail(const value_path& at, std::string_view constraint);
    /// The failed string rule as a map key/value constraint ("Map keys must
    /// satisfy constraint: [...]").
    void fail_map_entries(const value_path& at, std::string_view which, std::string_view constraint);
    void check_string(const value_path& at, std::string_view value, const string_rule& rule);
    void check_count(const value_path& at, std::size_t count, const bounds& range);
    void check_integer(const value_path& at, std::int64_t value, const bounds& range);
    void check_enum(const value_path& at, bool known, const std::string_view* values, std::size_t count);
    void check_map(const value_path& at, const std::map<std::string, std::string>& map, const member_info& info);

    /// The ValidationException, with the service's message ("1 validation
    /// error detected: Value at 'name' failed to satisfy constraint: ...")
    /// and one fieldList entry per failure; nullopt when nothing failed.
    std::optional<validation_exception> finish() &&;

private:
    std::optional<validation_exception> result_{};
};

template <class T>
void validate_value(const T& value, const member_info& info, const value_path& at, validation_report& report);

template <structure_type T>
void validate_structure(const T& value, const value_path* parent, validation_report& report) {
    for_each_member<T>([&](auto descriptor, const member_info& info) {
        const value_path at{parent, info.wire_name};
        validate_value(value.*descriptor.pointer, info, at, report);
    });
}

template <class T>
void validate_value(const T& value, const member_info& info, const value_path& at, validation_report& report) {
    if constexpr (std::is_same_v<T, std::string>) {
        if (info.required && value.empty())
            report.fail(at, "Member must not be null");
        else
            report.check_string(at, value, info.value);
    } else if constexpr (std::is_same_v<T, std::int32_t>) {
        report.check_integer(at, value, info.range);
    } else if constexpr (std::is_same_v<T, time_point>) {
        // No constraints on timestamps in the model.
    } else if constexpr (is_optional_v<T>) {
        if (value) validate_value(*value, info, at, report);
    } else if constexpr (wire_enum_type<T>) {
        report.check_enum(at, value.is_known(), T::wire_values, std::size(T::wire_values));
    } else if constexpr (is_vector_v<T>) {
        // A required list in the URI or query is missing when empty.
        if (info.required && info.location != member_location::body && value.empty()) {
            report.fail(at, "Member must not be null");
            return;
        }
        report.check_count(at, value.size(), info.range);
        for (std::size_t i = 0; i < value.size(); ++i) {
            const value_path element{&at, {}, i};
            using element_type = typename T::value_type;
            if constexpr (std::is_same_v<element_type, std::string>)
                report.check_string(element, value[i], info.value);
            else if constexpr (structure_type<element_type>)
                validate_structure(value[i], &element, report);
            else
                validate_value(value[i], info, element, report);
        }
    } else if constexpr (is_string_map_v<T>) {
        report.check_map(at, value, info);
    } else if constexpr (union_type<T>) {
        if (!value.has_value()) {
            report.fail(at, "Member must not be null");
            return;
        }
        std::visit(
            [&](const auto& alternative) {
                using A = std::decay_t<decltype(alternative)>;
                if constexpr (!std::is_same_v<A, std::monostate>) {
                    constexpr std::size_t index = boost::mp11::mp_find<typename T::variant_type, A>::value - 1;
                    const value_path inner{&at, union_info<T>::wire_names[index]};
                    validate_structure(alternative, &inner, report);
                }
            },
            value.value());
    } else {
        static_assert(structure_type<T>, "no validation for this member type");
        validate_structure(value, &at, report);
    }
}

/// Checks every model constraint of `request` (or of any model structure):
/// required members present (a required string or URI/query list must not
/// be empty), string lengths in code points, patterns, integer ranges, enum
/// values known, list and map sizes, map key/value rules and the "1 KB total"
/// of chat-token and event attributes (keys + values, in bytes). Returns the
/// failures as the service would report them, or nullopt when valid. Values
/// never appear in the messages (some are sensitive). Allocation-free when
/// the request is valid.
template <structure_type T>
std::optional<validation_exception> validate(const T& request) {
    validation_report report;
    validate_structure(request, nullptr, report);
    return std::move(report).finish();
}

// Compiled once, in serde/instantiations.cpp.
#define IVSCHAT_EXTERN_VALIDATE(type) extern template std::optional<validation_exception> validate<type>(const type&);
IVSCHAT_FOR_EACH_OPERATION_REQUEST(IVSCHAT_EXTERN_VALIDATE)
#undef IVSCHAT_EXTERN_VALIDATE

}  // namespace ivschat::detail
