#include "cli/json_output.hpp"

#include "cli/jmespath.hpp"
#include "cli/terminal_text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <deque>
#include <optional>
#include <regex>
#include <set>
#include <vector>

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
            out.append(escape_json_controls(boost::json::serialize(boost::json::string_view{key})));
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
        out.append(escape_json_controls(boost::json::serialize(value)));  // scalars, {} and []
    }
}

}  // namespace

std::string pretty_json(const boost::json::value& value) {
    std::string out;
    append_pretty(out, value, 0);
    out.push_back('\n');
    return out;
}

std::string chat_frame_line(std::string_view frame) {
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(frame, ec);
    if (ec) return escape_controls(frame);
    return escape_json_controls(boost::json::serialize(value));
}

// ---------------------------------------------------------------- text

namespace {

namespace json = boost::json;

bool is_scalar(const json::value& v) { return !v.is_object() && !v.is_array(); }

// Python's str() of a JSON scalar, which the AWS CLI's text and table use,
// with control characters escaped: a value from the wire must not forge
// columns or lines with a tab or newline, nor reach the terminal with ESC.
std::string python_str(const json::value& v) {
    switch (v.kind()) {
    case json::kind::null: return "None";
    case json::kind::bool_: return v.get_bool() ? "True" : "False";
    case json::kind::string: return escape_controls(v.get_string());
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return jmespath::format_number(v);
    default: return escape_controls(jmespath::to_json(v));  // a structure where a scalar was expected
    }
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// A member's name as the first column of its lines: in upper case, escaped
// as values are (names come from the wire too: tag keys).
std::string identifier_text(std::string_view name) { return escape_controls(upper(name)); }

std::vector<std::string> sorted_keys(const json::object& object) {
    std::vector<std::string> keys;
    for (const auto& member : object) keys.emplace_back(member.key());
    std::sort(keys.begin(), keys.end());
    return keys;
}

void text_value(std::string& out, const json::value& v, const std::string* identifier,
                const std::vector<std::string>* scalar_keys);

void text_scalar_list(std::string& out, const std::vector<const json::value*>& elements, const std::string* identifier) {
    if (identifier != nullptr) {
        for (const json::value* element : elements) out += identifier_text(*identifier) + "\t" + python_str(*element) + "\n";
        return;
    }
    for (std::size_t i = 0; i < elements.size(); ++i) out += (i ? "\t" : "") + python_str(*elements[i]);
    out += "\n";
}

void text_list(std::string& out, const json::array& list, const std::string* identifier) {
    if (list.empty()) return;
    if (std::any_of(list.begin(), list.end(), [](const json::value& e) { return e.is_object(); })) {
        // One line per object, with the columns of every scalar name any has.
        std::set<std::string> names;
        for (const json::value& element : list)
            if (const auto* object = element.if_object())
                for (const auto& member : *object)
                    if (is_scalar(member.value())) names.emplace(member.key());
        const std::vector<std::string> scalar_keys(names.begin(), names.end());
        for (const json::value& element : list) text_value(out, element, identifier, &scalar_keys);
        return;
    }
    std::vector<const json::value*> scalars, nested;
    for (const json::value& element : list) (is_scalar(element) ? scalars : nested).push_back(&element);
    if (!scalars.empty()) text_scalar_list(out, scalars, identifier);
    for (const json::value* element : nested) text_value(out, *element, identifier, nullptr);
}

void text_object(std::string& out, const json::object& object, const std::string* identifier,
                 const std::vector<std::string>* scalar_keys) {
    std::vector<std::string> scalars;
    std::vector<std::string> nested;
    if (scalar_keys == nullptr) {
        for (const std::string& key : sorted_keys(object))
            (is_scalar(object.at(key)) ? scalars.push_back(python_str(object.at(key))) : nested.push_back(key));
    } else {
        for (const std::string& key : *scalar_keys) {
            const json::value* member = object.if_contains(key);
            scalars.push_back(member ? python_str(*member) : "");
        }
        for (const std::string& key : sorted_keys(object))
            if (!std::binary_search(scalar_keys->begin(), scalar_keys->end(), key)) nested.push_back(key);
    }
    if (!scalars.empty()) {
        if (identifier != nullptr) scalars.insert(scalars.begin(), identifier_text(*identifier));
        for (std::size_t i = 0; i < scalars.size(); ++i) out += (i ? "\t" : "") + scalars[i];
        out += "\n";
    }
    for (const std::string& key : nested) text_value(out, object.at(key), &key, nullptr);
}

void text_value(std::string& out, const json::value& v, const std::string* identifier,
                const std::vector<std::string>* scalar_keys) {
    if (const auto* object = v.if_object()) text_object(out, *object, identifier, scalar_keys);
    else if (const auto* list = v.if_array()) text_list(out, *list, identifier);
    else out += python_str(v) + "\n";
}

}  // namespace

std::string aws_text(const json::value& value) {
    std::string out;
    text_value(out, value, nullptr, nullptr);
    return out;
}

// ---------------------------------------------------------------- table

namespace {

// Display width: East Asian wide and fullwidth characters take two columns.
std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<std::uint8_t>(text[i]);
        std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        length = std::min(length, text.size() - i);
        std::uint32_t cp = length == 1 ? lead : (lead & (0x7F >> length));
        for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<std::uint8_t>(text[i + k]) & 0x3F);
        const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                          (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                          (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                          (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
                          (cp >= 0x20000 && cp <= 0x3FFFD);
        width += wide ? 2 : 1;
        i += length;
    }
    return width;
}

std::string repeat(char c, long count) { return count > 0 ? std::string(static_cast<std::size_t>(count), c) : ""; }

struct section {
    std::string title{};
    std::vector<std::string> headers{};
    std::vector<std::vector<std::string>> rows{};
    std::size_t indent = 0;
    std::vector<std::size_t> max_widths{};

    void widen(const std::vector<std::string>& cells) {
        if (max_widths.size() < cells.size()) max_widths.resize(cells.size(), 0);
        for (std::size_t i = 0; i < cells.size(); ++i) max_widths[i] = std::max(max_widths[i], display_width(cells[i]));
    }
    void add_header(std::vector<std::string> names) {
        for (std::string& name : names) name = escape_controls(name);  // member names come from the wire
        widen(names);
        headers = std::move(names);
    }
    void add_row(const std::vector<const json::value*>& cells) {
        std::vector<std::string> row;
        for (const json::value* cell : cells) row.push_back(cell ? python_str(*cell) : "");
        widen(row);
        rows.push_back(std::move(row));
    }

    // table.py's Section.calculate_column_widths: padded, then scaled to
    // `max_width` with Python's rounding and the remainder spread.
    std::vector<long> column_widths(long max_width) const {
        std::vector<long> widths;
        long total = 0;
        for (std::size_t w : max_widths) total += static_cast<long>(w) + 4;
        if (max_widths.empty()) return widths;
        const double scale = static_cast<double>(max_width) / static_cast<double>(total);
        long sum = 0;
        for (std::size_t w : max_widths) {
            widths.push_back(static_cast<long>(std::nearbyint(scale * static_cast<double>(w + 4))));
            sum += widths.back();
        }
        long off_by = sum - max_width;
        while (off_by != 0) {
            for (std::size_t k = 0; k < widths.size() && off_by != 0; ++k) {
                const std::size_t i = off_by < 0 ? widths.size() - 1 - k : k;
                widths[i] += off_by > 0 ? -1 : 1;
                off_by += off_by > 0 ? -1 : 1;
            }
        }
        return widths;
    }

    long total_width() const {
        long total = 2 + 2 * static_cast<long>(indent);
        for (std::size_t w : max_widths) total += static_cast<long>(w) + 4;
        return std::max(static_cast<long>(display_width(title)) + 2 + 2 * static_cast<long>(indent), total);
    }
};

std::string center(std::string_view text, long length, std::string_view left, std::string_view right) {
    const long text_length = static_cast<long>(display_width(text));
    const long start = length / 2 - text_length / 2 - 1;
    const long so_far = static_cast<long>(left.size()) + start + text_length;
    return std::string(left) + repeat(' ', start) + std::string(text) +
           repeat(' ', length - static_cast<long>(right.size()) - so_far) + std::string(right);
}

std::string align_left(std::string_view text, long length, std::string_view left, std::string_view right) {
    const long text_length = static_cast<long>(display_width(text));
    const long needed = text_length + 2 + static_cast<long>(left.size() + right.size());
    const long padding = length - needed >= 0 ? 2 : 0;
    const long so_far = static_cast<long>(left.size()) + padding + text_length;
    return std::string(left) + repeat(' ', padding) + std::string(text) +
           repeat(' ', length - so_far - static_cast<long>(right.size())) + std::string(right);
}

// table.py's TableFormatter: the sections a response makes.
class table_builder {
public:
    bool build(std::optional<std::string> title, const json::value& current, std::size_t indent) {
        if (!jmespath_truthy(current)) return false;
        if (title) new_section(*title, indent);
        if (const auto* list = current.if_array()) {
            if (list->front().is_object()) {
                sub_table_from_list(*list, indent, title.value_or(""));
            } else {
                for (const json::value& item : *list) {
                    if (is_scalar(item)) {
                        row({&item});
                    } else if (all_scalar(item)) {
                        std::vector<const json::value*> cells;
                        keys_.clear();
                        if (const auto* inner = item.if_array())
                            for (const json::value& e : *inner) cells.push_back(&e);
                        else
                            for (const auto& member : item.get_object()) cells.push_back(&keys_.emplace_back(member.key()));
                        row(cells);
                    } else {
                        build(std::nullopt, item, indent);
                    }
                }
            }
        }
        if (const auto* object = current.if_object()) sub_table_from_object(*object, indent);
        return true;
    }

    std::vector<section> sections{};

private:
    static bool jmespath_truthy(const json::value& v) {
        if (v.is_null()) return false;
        if (const auto* b = v.if_bool()) return *b;
        if (const auto* s = v.if_string()) return !s->empty();
        if (const auto* a = v.if_array()) return !a->empty();
        if (const auto* o = v.if_object()) return !o->empty();
        return jmespath::format_number(v) != "0" && jmespath::format_number(v) != "0.0";  // Python: 0 is false
    }
    static bool all_scalar(const json::value& v) {
        if (const auto* a = v.if_array()) return std::all_of(a->begin(), a->end(), is_scalar);
        return true;  // iterating an object yields its keys, which are scalars
    }
    void new_section(std::string title, std::size_t indent) {
        sections.push_back({});
        sections.back().title = escape_controls(title);
        sections.back().indent = indent;
    }
    section& current() {
        if (sections.empty()) new_section("", 0);
        return sections.back();
    }
    void row(const std::vector<const json::value*>& cells) { current().add_row(cells); }

    static void group_scalar_keys(const json::object& object, std::set<std::string>& headers, std::set<std::string>& more) {
        for (const auto& member : object) (is_scalar(member.value()) ? headers : more).emplace(member.key());
    }

    void sub_table_from_object(const json::object& object, std::size_t indent) {
        std::set<std::string> header_set, more;
        group_scalar_keys(object, header_set, more);
        const std::vector<std::string> headers(header_set.begin(), header_set.end());
        if (headers.size() == 1) {
            keys_.clear();
            row({&keys_.emplace_back(headers[0]), &object.at(headers[0])});
        } else if (!headers.empty()) {
            current().add_header(headers);
            std::vector<const json::value*> cells;
            for (const std::string& key : headers) cells.push_back(&object.at(key));
            row(cells);
        }
        for (const std::string& key : more) build(key, object.at(key), indent + 1);
    }

    void sub_table_from_list(const json::array& list, std::size_t indent, const std::string& title) {
        std::set<std::string> header_set, more;
        for (const json::value& element : list)
            if (const auto* object = element.if_object()) group_scalar_keys(*object, header_set, more);
        const std::vector<std::string> headers(header_set.begin(), header_set.end());
        current().add_header(headers);
        bool first = true;
        for (const json::value& element : list) {
            const auto* object = element.if_object();
            if (object == nullptr) continue;
            if (!first && !more.empty()) {
                new_section(title, indent);
                current().add_header(headers);
            }
            first = false;
            std::vector<const json::value*> cells;
            for (const std::string& key : headers) cells.push_back(object->if_contains(key));
            row(cells);
            for (const std::string& key : more)
                if (const json::value* member = object->if_contains(key)) build(key, *member, indent + 1);
        }
    }

    std::deque<json::value> keys_{};  // object keys shown as cells
};

void render_line_break(std::string& line, const std::vector<long>& widths) {
    for (std::size_t i = 0; i < widths.size(); ++i)
        line += i == 0 ? "+" + repeat('-', widths[i] - 2) + "+" : repeat('-', widths[i] - 1) + "+";
}

void render_section(std::string& out, const section& s, long max_width) {
    const std::string bars(s.indent, '|');
    const auto write = [&](const std::string& line) { out += bars + line + bars + "\n"; };
    max_width -= 2 * static_cast<long>(s.indent);
    if (!s.title.empty()) {
        write(center(s.title, max_width, "|", "|"));
        if (s.headers.empty() && s.rows.empty()) write("+" + repeat('-', max_width - 2) + "+");
    }
    const std::vector<long> widths = s.column_widths(max_width);
    if (!s.headers.empty()) {
        std::string line;
        render_line_break(line, widths);
        write(line);
        line.clear();
        for (std::size_t i = 0; i < widths.size() && i < s.headers.size(); ++i)
            line += center(s.headers[i], widths[i], i == 0 ? "|" : "", "|");
        write(line);
    }
    if (s.rows.empty() || widths.empty()) return;
    std::string rule;
    render_line_break(rule, widths);
    write(rule);
    for (const auto& row : s.rows) {
        std::string line;
        for (std::size_t i = 0; i < widths.size() && i < row.size(); ++i)
            line += align_left(row[i], widths[i], i == 0 ? "|" : "", "|");
        write(line);
    }
    write(rule);
}

}  // namespace

std::string aws_table(const json::value& value, std::string_view title, std::size_t terminal_width) {
    table_builder builder;
    if (!builder.build(std::string(title), value, 0)) return "";
    std::vector<section>& sections = builder.sections;
    const auto widest = [&] {
        long width = 0;
        for (const section& s : sections) width = std::max(width, s.total_width());
        return width;
    };
    long max_width = widest();
    if (max_width > static_cast<long>(terminal_width)) {
        // Too wide: one-row sections become "name | value" rows.
        for (section& s : sections) {
            if (s.rows.size() != 1 || s.headers.empty()) continue;
            section vertical;
            vertical.title = s.title;
            vertical.indent = s.indent;
            for (std::size_t i = 0; i < s.headers.size() && i < s.rows[0].size(); ++i) {
                const json::value name(s.headers[i]), cell(s.rows[0][i]);
                vertical.add_row({&name, &cell});
            }
            s = std::move(vertical);
        }
        max_width = widest();
    }
    std::string out = repeat('-', max_width) + "\n";
    for (const section& s : sections) render_section(out, s, max_width);
    return out;
}

// ---------------------------------------------------------------- yaml

namespace {

constexpr std::size_t yaml_width = 80;  // ruamel.yaml's best_width

// Strings YAML 1.2 would read back as another type (ruamel.yaml's implicit
// resolvers): these are quoted.
bool resolves_to_other_type(const std::string& s) {
    static const std::regex other(
        "true|True|TRUE|false|False|FALSE|~|null|Null|NULL|<<|=|"
        "[-+]?(0b[0-1_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)|"
        "[-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?([0-9][0-9_]*)([eE][-+]?[0-9]+)|"
        "\\.[0-9_]+([eE][-+][0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|"
        "[0-9]{4}-[0-9]{2}-[0-9]{2}|"
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \\t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?"
        "([ \\t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?");
    return s.empty() || std::regex_match(s, other);
}

enum class yaml_style { plain, single_quoted, double_quoted };

yaml_style choose_style(const std::string& s) {
    bool special = false, line_break = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<std::uint8_t>(s[i]);
        if (c == '\n') line_break = true;
        else if (c < 0x20 || c == 0x7F) special = true;
        else if (c == 0xC2 && i + 1 < s.size() && static_cast<std::uint8_t>(s[i + 1]) < 0xA0) special = true;  // C1
        else if (c == 0xEF && s.compare(i, 3, "\xEF\xBB\xBF") == 0) special = true;                          // BOM
        else if (c == 0xE2 && (s.compare(i, 3, "\xE2\x80\xA8") == 0 || s.compare(i, 3, "\xE2\x80\xA9") == 0))
            line_break = true;
    }
    if (special || line_break) return yaml_style::double_quoted;
    if (resolves_to_other_type(s)) return yaml_style::single_quoted;
    const auto followed_by_space = [&](std::size_t i) { return i + 1 >= s.size() || s[i + 1] == ' '; };
    bool indicators = s.front() == ' ' || s.back() == ' ' || s.starts_with("---") || s.starts_with("...");
    if (std::string_view("#,[]{}&*!|>'\"%@`").find(s.front()) != std::string_view::npos) indicators = true;
    if ((s.front() == '-' || s.front() == '?' || s.front() == ':') && followed_by_space(0)) indicators = true;
    for (std::size_t i = 1; i < s.size(); ++i) {
        if (s[i] == ':' && followed_by_space(i)) indicators = true;
        if (s[i] == '#' && s[i - 1] == ' ') indicators = true;
    }
    return indicators ? yaml_style::single_quoted : yaml_style::plain;
}

// Plain and single-quoted text, folded at single spaces once the line is
// past column 80 (ruamel.yaml's write_plain and write_single_quoted).
void append_folded(std::string& out, std::string_view text, std::size_t column, std::size_t continuation_indent) {
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t space = text.find(' ', start);
        if (space == std::string_view::npos) space = text.size();
        out.append(text.substr(start, space - start));
        column += space - start;
        if (space == text.size()) break;
        const bool single_space = space + 1 < text.size() && text[space + 1] != ' ';
        if (single_space && column > yaml_width) {
            out += "\n" + std::string(continuation_indent, ' ');
            column = continuation_indent;
        } else {
            out.push_back(' ');
            ++column;
        }
        start = space + 1;
    }
}

std::size_t column_of(const std::string& out) {
    const auto newline = out.rfind('\n');
    return newline == std::string::npos ? out.size() : out.size() - newline - 1;
}

void append_yaml_string(std::string& out, const std::string& s, std::size_t continuation_indent) {
    switch (choose_style(s)) {
    case yaml_style::plain: append_folded(out, s, column_of(out), continuation_indent); return;
    case yaml_style::single_quoted: {
        std::string quoted = "'";
        for (char c : s) quoted += c == '\'' ? std::string("''") : std::string(1, c);
        append_folded(out, quoted + "'", column_of(out), continuation_indent);
        return;
    }
    case yaml_style::double_quoted: break;
    }
    out.push_back('"');
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<std::uint8_t>(s[i]);
        static constexpr std::string_view hex = "0123456789ABCDEF";
        switch (c) {
        case 0: out += "\\0"; break;
        case 0x07: out += "\\a"; break;
        case 0x08: out += "\\b"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case 0x0B: out += "\\v"; break;
        case 0x0C: out += "\\f"; break;
        case '\r': out += "\\r"; break;
        case 0x1B: out += "\\e"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        default:
            if (c < 0x20 || c == 0x7F) {
                out += "\\x";
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xF]);
            } else if (c == 0xC2 && i + 1 < s.size() && static_cast<std::uint8_t>(s[i + 1]) < 0xA0) {
                const auto code = static_cast<std::uint8_t>(s[++i]);
                out += code == 0x85 ? std::string("\\N") : "\\x" + std::string(1, hex[code >> 4]) + hex[code & 0xF];
            } else if (c == 0xE2 && s.compare(i, 3, "\xE2\x80\xA8") == 0) {
                out += "\\L", i += 2;
            } else if (c == 0xE2 && s.compare(i, 3, "\xE2\x80\xA9") == 0) {
                out += "\\P", i += 2;
            } else if (c == 0xEF && s.compare(i, 3, "\xEF\xBB\xBF") == 0) {
                out += "\\uFEFF", i += 2;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

void append_yaml_scalar(std::string& out, const json::value& v, std::size_t continuation_indent) {
    switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::string: append_yaml_string(out, std::string(v.get_string()), continuation_indent); break;
    case json::kind::double_: {
        const double d = v.get_double();
        if (std::isnan(d)) out += ".nan";
        else if (std::isinf(d)) out += d < 0 ? "-.inf" : ".inf";
        else {
            std::string text = jmespath::format_number(v);
            if (text.find('.') == std::string::npos && text.find('e') != std::string::npos)
                text.insert(text.find('e'), ".0");
            out += text;
        }
        break;
    }
    default: out += jmespath::format_number(v);
    }
}

bool is_empty_collection(const json::value& v) {
    return (v.is_object() && v.get_object().empty()) || (v.is_array() && v.get_array().empty());
}

// One block node at `indent`; with `inline_first`, the first line's
// indentation is already written (after "- ").
void append_yaml_block(std::string& out, const json::value& v, std::size_t indent, bool inline_first) {
    const auto start_line = [&](bool first) {
        if (!(first && inline_first)) out.append(indent, ' ');
    };
    if (const auto* object = v.if_object()) {
        bool first = true;
        for (const std::string& key : sorted_keys(*object)) {
            start_line(first);
            first = false;
            append_yaml_string(out, key, indent + 2);
            out += ":";
            const json::value& member = object->at(key);
            if (is_scalar(member) || is_empty_collection(member)) {
                out += " ";
                if (is_scalar(member)) append_yaml_scalar(out, member, indent + 2);
                else out += member.is_object() ? "{}" : "[]";
                out += "\n";
            } else {
                out += "\n";
                // Sequences sit at their key's indentation, mappings two further.
                append_yaml_block(out, member, member.is_array() ? indent : indent + 2, false);
            }
        }
        return;
    }
    bool first = true;
    for (const json::value& element : v.get_array()) {
        start_line(first);
        first = false;
        out += "- ";
        if (is_scalar(element) || is_empty_collection(element)) {
            if (is_scalar(element)) append_yaml_scalar(out, element, indent + 2);
            else out += element.is_object() ? "{}" : "[]";
            out += "\n";
        } else {
            append_yaml_block(out, element, indent + 2, true);
        }
    }
}

}  // namespace

std::string aws_yaml(const json::value& value) {
    if (value.is_object() && value.get_object().empty()) return "";
    if (is_scalar(value)) return jmespath::to_json(value) + "\n";
    if (value.is_array() && value.get_array().empty()) return "[]\n";
    std::string out;
    append_yaml_block(out, value, 0, false);
    return out;
}

}  // namespace ivschat::cli
