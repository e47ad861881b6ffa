#include "cli/json_output.hpp"

#include "cli/jmespath.hpp"

#include <boost/json/serialize.hpp>

namespace ivschat::cli {
namespace {

void append_pretty(std::string& out, const boost::json::value& value, std::size_t depth) {
    const auto indent = [&](std::size_t level) { out.append(level * 4, ' '); };
    if (const auto* object = value.if_object(); object != nullptr && !object->empty()) {
        out.append("{\n");
        bool first = true;
        for (const auto& [key, member] : *object) {
            if (!first) out.append(",\n");
            first = false;
            indent(depth + 1);
            out.append(boost::json::serialize(boost::json::string_view{key}));
            out.append(": ");
            append_pretty(out, member, depth + 1);
        }
        out.push_back('\n');
        indent(depth);
        out.push_back('}');
    } else if (const auto* array = value.if_array(); array != nullptr && !array->empty()) {
        out.append("[\n");
        bool first = true;
        for (const auto& element : *array) {
            if (!first) out.append(",\n");
            first = false;
            indent(depth + 1);
            append_pretty(out, element, depth + 1);
        }
        out.push_back('\n');
        indent(depth);
        out.push_back(']');
    } else if (value.is_double()) {
        out.append(jmespath::format_number(value));  // 2.75, not 2.75E0
    } else {
        out.append(boost::json::serialize(value));  // scalars, {} and []
    }
}

void append_text(std::string& out, const boost::json::value& value, const std::string& path) {
    if (const auto* object = value.if_object()) {
        for (const auto& [key, member] : *object)
            append_text(out, member, path.empty() ? std::string(key) : path + "." + std::string(key));
    } else if (const auto* array = value.if_array()) {
        for (std::size_t i = 0; i < array->size(); ++i)
            append_text(out, (*array)[i], path + "[" + std::to_string(i) + "]");
    } else {
        out.append(path);
        out.push_back('\t');
        if (const auto* s = value.if_string()) out.append(s->data(), s->size());
        else out.append(boost::json::serialize(value));
        out.push_back('\n');
    }
}

}  // namespace

std::string pretty_json(const boost::json::value& value) {
    std::string out;
    append_pretty(out, value, 0);
    out.push_back('\n');
    return out;
}

std::string text_lines(const boost::json::value& value) {
    std::string out;
    append_text(out, value, "");
    return out;
}

}  // namespace ivschat::cli
