#include "ivschat/serde/validation.hpp"

#include "ivschat/model/pattern.hpp"

#include <array>
#include <cstring>
#include <string>
#include <utility>

namespace ivschat::detail {

namespace {

template <std::size_t... I>
constexpr auto compile_model_patterns(std::index_sequence<I...>) {
    return std::array<compiled_pattern, sizeof...(I)>{compile_pattern(pattern_sources[I])...};
}
constexpr auto model_patterns = compile_model_patterns(std::make_index_sequence<std::size(pattern_sources)>{});

void render_path(const value_path& at, std::string& out) {
    if (at.parent != nullptr) {
        render_path(*at.parent, out);
        out.push_back('.');
    }
    if (at.name.empty())
        out.append(std::to_string(at.list_index + 1)).append(".member");  // the service's (1-based) form
    else
        out.append(at.name);
}

std::string length_message(const char* relation, std::int64_t limit) {
    return std::string("Member must have length ") + relation + " " + std::to_string(limit);
}

// The first failed rule of a string, as a constraint message; empty if none.
// An over-long value is not searched: its length already failed, and it may
// be arbitrarily long input.
std::string string_rule_failure(std::string_view value, const string_rule& rule) {
    const bool has_length = rule.length.min >= 0 || rule.length.max >= 0;
    const std::size_t length = has_length ? code_point_count(value) : 0;
    if (rule.length.min >= 0 && length < static_cast<std::size_t>(rule.length.min))
        return length_message("greater than or equal to", rule.length.min);
    if (rule.length.max >= 0 && length > static_cast<std::size_t>(rule.length.max))
        return length_message("less than or equal to", rule.length.max);
    if (rule.pattern != pattern_id{} && !pattern_matches(rule.pattern, value))
        return "Member must satisfy regular expression pattern: " +
               std::string(pattern_sources[static_cast<std::size_t>(rule.pattern)]);
    return {};
}

}  // namespace

bool pattern_matches(pattern_id id, std::string_view text) noexcept {
    if (id == pattern_id::resource_arn)
        return pattern_search(model_patterns[static_cast<std::size_t>(pattern_id::room_arn)], text) ||
               pattern_search(model_patterns[static_cast<std::size_t>(pattern_id::logging_configuration_arn)], text);
    return pattern_search(model_patterns[static_cast<std::size_t>(id)], text);
}

std::size_t code_point_count(std::string_view text) noexcept {
    // Eight bytes at a time: a continuation byte (10xxxxxx) has bit 7 set and
    // bit 6 clear; the multiply sums the per-byte flags into the top byte.
    constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
    std::size_t continuation = 0;
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, 8);
        std::uint64_t flags = (word & ~(word << 1) & high_bits) >> 7;
        continuation += static_cast<std::size_t>((flags * 0x0101010101010101ULL) >> 56);
    }
    for (; i < text.size(); ++i) continuation += (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    return text.size() - continuation;
}

void validation_report::fail(const value_path& at, std::string_view constraint) {
    if (!result_) result_.emplace().reason = validation_exception_reason::field_validation_failed;
    std::string name;
    render_path(at, name);
    result_->field_list.emplace_back(validation_exception_field{std::move(name), std::string(constraint)});
}

void validation_report::fail_map_entries(const value_path& at, std::string_view which, std::string_view constraint) {
    fail(at, std::string(which) + " must satisfy constraint: [" + std::string(constraint) + "]");
}

void validation_report::check_string(const value_path& at, std::string_view value, const string_rule& rule) {
    if (std::string failure = string_rule_failure(value, rule); !failure.empty()) fail(at, failure);
}

void validation_report::check_count(const value_path& at, std::size_t count, const bounds& range) {
    if (range.min >= 0 && count < static_cast<std::size_t>(range.min))
        fail(at, length_message("greater than or equal to", range.min));
    if (range.max >= 0 && count > static_cast<std::size_t>(range.max))
        fail(at, length_message("less than or equal to", range.max));
}

void validation_report::check_integer(const value_path& at, std::int64_t value, const bounds& range) {
    if (range.min >= 0 && value < range.min)
        fail(at, "Member must have value greater than or equal to " + std::to_string(range.min));
    if (range.max >= 0 && value > range.max)
        fail(at, "Member must have value less than or equal to " + std::to_string(range.max));
}

void validation_report::check_enum(const value_path& at, bool known, const std::string_view* values,
                                   std::size_t count) {
    if (known) return;
    std::string message = "Member must satisfy enum value set: [";
    for (std::size_t i = 0; i < count; ++i) {
        if (i != 0) message.append(", ");
        message.append(values[i]);
    }
    message.push_back(']');
    fail(at, message);
}

void validation_report::check_map(const value_path& at, const std::map<std::string, std::string>& map,
                                  const member_info& info) {
    check_count(at, map.size(), info.range);
    std::size_t total_bytes = 0;
    bool keys_failed = false;
    bool values_failed = false;
    for (const auto& [key, value] : map) {
        total_bytes += key.size() + value.size();
        // One report per kind, as the service gives: the first failure.
        if (!keys_failed) {
            if (std::string failure = string_rule_failure(key, info.key); !failure.empty()) {
                fail_map_entries(at, "Map keys", failure);
                keys_failed = true;
            }
        }
        if (!values_failed) {
            if (std::string failure = string_rule_failure(value, info.value); !failure.empty()) {
                fail_map_entries(at, "Map values", failure);
                values_failed = true;
            }
        }
    }
    if (info.max_total_bytes >= 0 && total_bytes > static_cast<std::size_t>(info.max_total_bytes))
        fail(at, "Member must have a total length of keys and values less than or equal to " +
                     std::to_string(info.max_total_bytes) + " bytes");
}

std::optional<validation_exception> validation_report::finish() && {
    if (!result_) return std::nullopt;
    const auto& fields = result_->field_list;
    std::string message = std::to_string(fields.size()) +
                          (fields.size() == 1 ? " validation error detected: " : " validation errors detected: ");
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i != 0) message.append("; ");
        message.append("Value at '").append(fields[i].name).append("' failed to satisfy constraint: ");
        message.append(fields[i].message);
    }
    result_->message = std::move(message);
    return std::move(result_);
}

}  // namespace ivschat::detail
