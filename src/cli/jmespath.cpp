#include "cli/jmespath.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace ivschat::cli::jmespath {

namespace json = boost::json;

std::string_view to_string(error_kind kind) {
    switch (kind) {
    case error_kind::syntax: return "syntax";
    case error_kind::invalid_type: return "invalid-type";
    case error_kind::invalid_value: return "invalid-value";
    case error_kind::invalid_arity: return "invalid-arity";
    case error_kind::unknown_function: return "unknown-function";
    }
    return "unknown";
}

error::error(error_kind kind, std::string message, std::size_t column)
    : std::runtime_error(column == 0 ? std::move(message) : "at column " + std::to_string(column) + ": " + message),
      kind_(kind),
      column_(column) {}

// ---------------------------------------------------------------- numbers

namespace {

bool is_number(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

double as_double(const json::value& v) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    return v.get_double();
}

// A double that holds an integer comes back as an integer when it fits, as
// Python's math.floor and math.ceil answer int.
json::value integral(double d) {
    if (d >= -9.2e18 && d <= 9.2e18) return static_cast<std::int64_t>(d);
    return d;
}

int compare_numbers(const json::value& a, const json::value& b) {
    if (a.is_int64() && b.is_int64()) return a.get_int64() < b.get_int64() ? -1 : a.get_int64() > b.get_int64();
    if (a.is_uint64() && b.is_uint64()) return a.get_uint64() < b.get_uint64() ? -1 : a.get_uint64() > b.get_uint64();
    const double x = as_double(a), y = as_double(b);
    return x < y ? -1 : (x > y ? 1 : 0);
}

}  // namespace

std::string format_number(const json::value& number) {
    if (number.is_int64()) return std::to_string(number.get_int64());
    if (number.is_uint64()) return std::to_string(number.get_uint64());
    const double d = number.get_double();
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d < 0 ? "-Infinity" : "Infinity";
    // Python's repr: the shortest digits that read back, in fixed notation
    // for exponents -4..15, otherwise d.ddde+XX.
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, d, std::chars_format::scientific);
    const std::string scientific(buffer, result.ptr);
    const auto e = scientific.find('e');
    std::string mantissa = scientific.substr(0, e);
    const int exponent = std::stoi(scientific.substr(e + 1));
    const bool negative = mantissa.front() == '-';
    if (negative) mantissa.erase(0, 1);
    std::string digits;
    for (char c : mantissa)
        if (c != '.') digits.push_back(c);
    std::string out = negative ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
        } else {
            const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
            if (digits.size() <= integer_digits) {
                out += digits + std::string(integer_digits - digits.size(), '0') + ".0";
            } else {
                out += digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
            }
        }
    } else {
        out += digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        out += exponent < 0 ? "e-" : "e+";
        const int magnitude = exponent < 0 ? -exponent : exponent;
        if (magnitude < 10) out.push_back('0');
        out += std::to_string(magnitude);
    }
    return out;
}

namespace {

void append_json(std::string& out, const json::value& value) {
    if (const auto* object = value.if_object()) {
        out.push_back('{');
        bool first = true;
        for (const auto& [key, member] : *object) {
            if (!first) out.push_back(',');
            first = false;
            out += json::serialize(json::string_view(key));
            out.push_back(':');
            append_json(out, member);
        }
        out.push_back('}');
    } else if (const auto* array = value.if_array()) {
        out.push_back('[');
        bool first = true;
        for (const auto& element : *array) {
            if (!first) out.push_back(',');
            first = false;
            append_json(out, element);
        }
        out.push_back(']');
    } else if (value.is_double()) {
        out += format_number(value);
    } else {
        out += json::serialize(value);
    }
}

}  // namespace

std::string to_json(const json::value& value) {
    std::string out;
    append_json(out, value);
    return out;
}

bool equal(const json::value& a, const json::value& b) {
    if (is_number(a) && is_number(b)) return compare_numbers(a, b) == 0;
    if (a.kind() != b.kind()) {
        return false;
    }
    if (const auto* x = a.if_array()) {
        const auto& y = b.get_array();
        if (x->size() != y.size()) return false;
        for (std::size_t i = 0; i < x->size(); ++i)
            if (!equal((*x)[i], y[i])) return false;
        return true;
    }
    if (const auto* x = a.if_object()) {
        const auto& y = b.get_object();
        if (x->size() != y.size()) return false;
        for (const auto& [key, member] : *x) {
            const json::value* other = y.if_contains(key);
            if (other == nullptr || !equal(member, *other)) return false;
        }
        return true;
    }
    return a == b;
}

// ---------------------------------------------------------------- lexer

namespace {

enum class token_kind {
    end, identifier, quoted_identifier, literal, number, dot, star, flatten, filter, lbracket, rbracket,
    lbrace, rbrace, lparen, rparen, comma, colon, pipe, or_, and_, not_, eq, ne, lt, le, gt, ge, current, expref,
};

struct token {
    token_kind kind = token_kind::end;
    std::size_t offset = 0;    // byte offset in the expression
    json::value value{};       // identifier name, literal, number
};

// Binding powers of the led tokens (those of jmespath.py); others bind 0.
int binding_power(token_kind kind) {
    switch (kind) {
    case token_kind::pipe: return 1;
    case token_kind::or_: return 2;
    case token_kind::and_: return 3;
    case token_kind::eq: case token_kind::ne: case token_kind::lt:
    case token_kind::le: case token_kind::gt: case token_kind::ge: return 5;
    case token_kind::flatten: return 9;
    case token_kind::star: return 20;
    case token_kind::filter: return 21;
    case token_kind::dot: return 40;
    case token_kind::not_: return 45;
    case token_kind::lbrace: return 50;
    case token_kind::lbracket: return 55;
    case token_kind::lparen: return 60;
    default: return 0;
    }
}

// A projection's right side takes tokens binding at least this much.
constexpr int projection_stop = 10;

class lexer {
public:
    explicit lexer(std::string_view text) : text_(text) {}

    std::vector<token> tokens() {
        std::vector<token> out;
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            const std::size_t start = pos_;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                ++pos_;
            } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                while (pos_ < text_.size() &&
                       (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
                    ++pos_;
                out.push_back({token_kind::identifier, start, json::string(text_.substr(start, pos_ - start))});
            } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
                out.push_back(number(start));
            } else if (c == '"') {
                out.push_back(quoted_identifier(start));
            } else if (c == '\'') {
                out.push_back(raw_string(start));
            } else if (c == '`') {
                out.push_back(json_literal(start));
            } else if (c == '[') {
                ++pos_;
                if (peek(']')) out.push_back({token_kind::flatten, start, {}}), ++pos_;
                else if (peek('?')) out.push_back({token_kind::filter, start, {}}), ++pos_;
                else out.push_back({token_kind::lbracket, start, {}});
            } else if (c == '|' || c == '&') {
                ++pos_;
                const bool doubled = peek(c);
                if (doubled) ++pos_;
                out.push_back({c == '|' ? (doubled ? token_kind::or_ : token_kind::pipe)
                                        : (doubled ? token_kind::and_ : token_kind::expref),
                               start, {}});
            } else if (c == '<' || c == '>' || c == '!' || c == '=') {
                ++pos_;
                const bool with_equals = peek('=');
                if (with_equals) ++pos_;
                if (c == '=' && !with_equals) throw error(error_kind::syntax, "'=' is not an operator; use '=='", column(start));
                token_kind kind = token_kind::not_;
                if (c == '<') kind = with_equals ? token_kind::le : token_kind::lt;
                else if (c == '>') kind = with_equals ? token_kind::ge : token_kind::gt;
                else if (c == '!') kind = with_equals ? token_kind::ne : token_kind::not_;
                else kind = token_kind::eq;
                out.push_back({kind, start, {}});
            } else {
                token_kind kind{};
                switch (c) {
                case '.': kind = token_kind::dot; break;
                case '*': kind = token_kind::star; break;
                case ']': kind = token_kind::rbracket; break;
                case '{': kind = token_kind::lbrace; break;
                case '}': kind = token_kind::rbrace; break;
                case '(': kind = token_kind::lparen; break;
                case ')': kind = token_kind::rparen; break;
                case ',': kind = token_kind::comma; break;
                case ':': kind = token_kind::colon; break;
                case '@': kind = token_kind::current; break;
                default: throw error(error_kind::syntax, "unexpected character '" + std::string(1, c) + "'", column(start));
                }
                ++pos_;
                out.push_back({kind, start, {}});
            }
        }
        out.push_back({token_kind::end, text_.size(), {}});
        return out;
    }

    // 1-based column in characters (UTF-8 continuation bytes not counted).
    std::size_t column(std::size_t offset) const {
        std::size_t characters = 0;
        for (std::size_t i = 0; i < offset && i < text_.size(); ++i)
            if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++characters;
        return characters + 1;
    }

private:
    bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

    token number(std::size_t start) {
        if (text_[pos_] == '-') ++pos_;
        const std::size_t digits = pos_;
        while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        if (pos_ == digits) throw error(error_kind::syntax, "'-' must be followed by digits", column(start));
        std::int64_t value = 0;
        const auto [end, ec] = std::from_chars(text_.data() + start, text_.data() + pos_, value);
        if (ec != std::errc{}) throw error(error_kind::syntax, "number out of range", column(start));
        return {token_kind::number, start, value};
    }

    // The text up to the closing `delimiter`; a backslash keeps the next
    // character with it (so an escaped delimiter does not close).
    std::string_view delimited(std::size_t start, char delimiter) {
        ++pos_;
        const std::size_t body = pos_;
        while (pos_ < text_.size() && text_[pos_] != delimiter) {
            if (text_[pos_] == '\\') ++pos_;
            ++pos_;
        }
        if (pos_ >= text_.size())
            throw error(error_kind::syntax, std::string("unterminated ") + delimiter + "...", column(start));
        return text_.substr(body, pos_++ - body);
    }

    token quoted_identifier(std::size_t start) {
        const std::string_view body = delimited(start, '"');
        boost::system::error_code ec;
        json::value name = json::parse("\"" + std::string(body) + "\"", ec);
        if (ec || !name.is_string()) throw error(error_kind::syntax, "invalid quoted identifier", column(start));
        return {token_kind::quoted_identifier, start, std::move(name)};
    }

    token raw_string(std::size_t start) {
        const std::string_view body = delimited(start, '\'');
        std::string text;
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body[i] == '\\' && i + 1 < body.size() && body[i + 1] == '\'') ++i;  // only \' is an escape
            text.push_back(body[i]);
        }
        return {token_kind::literal, start, json::string(text)};
    }

    token json_literal(std::size_t start) {
        const std::string_view body = delimited(start, '`');
        std::string text;
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body[i] == '\\' && i + 1 < body.size() && body[i + 1] == '`') ++i;
            text.push_back(body[i]);
        }
        boost::system::error_code ec;
        json::value value = json::parse(text, ec);
        if (ec) throw error(error_kind::syntax, "invalid JSON literal: " + ec.message(), column(start));
        return {token_kind::literal, start, std::move(value)};
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

// ---------------------------------------------------------------- AST

enum class node_kind {
    identity, current, field, literal, subexpression, index, slice, projection, value_projection,
    filter_projection, flatten, pipe, or_, and_, not_, comparator, multi_select_list, multi_select_hash,
    function, expref,
};

struct builtin;

struct node {
    node_kind kind = node_kind::identity;
    json::value value{};                      // field name, literal, index
    std::vector<node> children{};
    std::vector<std::string> keys{};          // multi_select_hash: one per child
    std::optional<std::int64_t> slice[3]{};   // start, stop, step
    token_kind comparator = token_kind::eq;
    const builtin* function = nullptr;
    std::size_t depth = 1;
};

namespace {

// Evaluation recurses along the tree: deeper trees are refused when parsed.
constexpr std::size_t max_depth = 256;

using argument_list = std::vector<const node*>;

// What an evaluation may build. A query can double its data per level
// ("[@, @] | [@, @] | ..." or join() of itself), so results made by
// multi-selects, join and to_string are charged (values plus string bytes)
// against a fixed allowance instead of growing until memory runs out.
class budget {
public:
    void charge(std::size_t units) {
        if (units > left_) throw error(error_kind::invalid_value, "the query builds too large a result");
        left_ -= units;
    }

private:
    std::size_t left_ = std::size_t{1} << 25;
};

}  // namespace

struct builtin {
    std::string_view name;
    std::size_t min_arguments;
    std::size_t max_arguments;
    json::value (*call)(const argument_list&, const json::value&, budget&);
};

namespace {

// ---------------------------------------------------------------- parser

node make(node_kind kind, std::vector<node> children = {}) {
    node n;
    n.kind = kind;
    n.children = std::move(children);
    for (const node& child : n.children) n.depth = std::max(n.depth, child.depth + 1);
    return n;
}

const builtin* find_builtin(std::string_view name);

class parser {
public:
    explicit parser(std::string_view text) : lexer_(text), tokens_(lexer_.tokens()) {}

    node parse() {
        node root = expression(0);
        if (current() != token_kind::end) fail("unexpected token after the end of the expression");
        return root;
    }

private:
    token_kind current() const { return tokens_[pos_].kind; }
    token_kind lookahead(std::size_t n) const { return tokens_[std::min(pos_ + n, tokens_.size() - 1)].kind; }

    [[noreturn]] void fail(const std::string& message, error_kind kind = error_kind::syntax) const {
        throw error(kind, message, lexer_.column(tokens_[pos_].offset));
    }

    void match(token_kind kind, std::string_view what) {
        if (current() != kind) fail("expected " + std::string(what));
        ++pos_;
    }

    node checked(node n) const {
        if (n.depth > max_depth) fail("expression nested too deeply");
        return n;
    }

    node expression(int rbp) {
        if (++nesting_ > max_depth) fail("expression nested too deeply");
        node left = nud();
        while (rbp < binding_power(current())) left = checked(led(std::move(left)));
        --nesting_;
        return left;
    }

    node nud() {
        const token& t = tokens_[pos_++];
        switch (t.kind) {
        case token_kind::literal: {
            node n = make(node_kind::literal);
            n.value = t.value;
            return n;
        }
        case token_kind::identifier: {
            node n = make(node_kind::field);
            n.value = t.value;
            return n;
        }
        case token_kind::quoted_identifier: {
            if (current() == token_kind::lparen) fail("a function name cannot be quoted");
            node n = make(node_kind::field);
            n.value = t.value;
            return n;
        }
        case token_kind::star: {
            node right = current() == token_kind::rbracket ? make(node_kind::identity)
                                                           : projection_rhs(binding_power(token_kind::star));
            return make(node_kind::value_projection, {make(node_kind::identity), std::move(right)});
        }
        case token_kind::filter: return filter(make(node_kind::identity));
        case token_kind::lbrace: return multi_select_hash();
        case token_kind::lparen: {
            node inner = expression(0);
            match(token_kind::rparen, "')'");
            return inner;
        }
        case token_kind::flatten: {
            node left = make(node_kind::flatten, {make(node_kind::identity)});
            node right = projection_rhs(binding_power(token_kind::flatten));
            return make(node_kind::projection, {std::move(left), std::move(right)});
        }
        case token_kind::not_: return make(node_kind::not_, {expression(binding_power(token_kind::not_))});
        case token_kind::lbracket: {
            if (current() == token_kind::number || current() == token_kind::colon)
                return project_if_slice(make(node_kind::identity), index_expression());
            if (current() == token_kind::star && lookahead(1) == token_kind::rbracket) {
                pos_ += 2;
                node right = projection_rhs(binding_power(token_kind::star));
                return make(node_kind::projection, {make(node_kind::identity), std::move(right)});
            }
            return multi_select_list();
        }
        case token_kind::current: return make(node_kind::current);
        case token_kind::expref: return make(node_kind::expref, {expression(binding_power(token_kind::expref))});
        default:
            --pos_;
            fail(t.kind == token_kind::end ? "unexpected end of expression" : "unexpected token");
        }
    }

    node led(node left) {
        const token_kind kind = current();
        ++pos_;
        switch (kind) {
        case token_kind::dot: {
            if (current() == token_kind::star) {
                ++pos_;
                node right = projection_rhs(binding_power(token_kind::dot));
                return make(node_kind::value_projection, {std::move(left), std::move(right)});
            }
            node right = dot_rhs(binding_power(token_kind::dot));
            return make(node_kind::subexpression, {std::move(left), std::move(right)});
        }
        case token_kind::pipe:
            return make(node_kind::pipe, {std::move(left), expression(binding_power(kind))});
        case token_kind::or_:
            return make(node_kind::or_, {std::move(left), expression(binding_power(kind))});
        case token_kind::and_:
            return make(node_kind::and_, {std::move(left), expression(binding_power(kind))});
        case token_kind::lparen: return function_call(std::move(left));
        case token_kind::filter: return filter(std::move(left));
        case token_kind::eq: case token_kind::ne: case token_kind::lt:
        case token_kind::le: case token_kind::gt: case token_kind::ge: {
            node n = make(node_kind::comparator, {std::move(left), expression(binding_power(kind))});
            n.comparator = kind;
            return n;
        }
        case token_kind::flatten: {
            node flattened = make(node_kind::flatten, {std::move(left)});
            node right = projection_rhs(binding_power(token_kind::flatten));
            return make(node_kind::projection, {std::move(flattened), std::move(right)});
        }
        case token_kind::lbracket: {
            if (current() == token_kind::number || current() == token_kind::colon)
                return project_if_slice(std::move(left), index_expression());
            match(token_kind::star, "a number, ':' or '*'");
            match(token_kind::rbracket, "']'");
            node right = projection_rhs(binding_power(token_kind::star));
            return make(node_kind::projection, {std::move(left), std::move(right)});
        }
        default:
            --pos_;
            fail("unexpected token");
        }
    }

    node function_call(node name) {
        if (name.kind != node_kind::field) {
            --pos_;
            fail("only a plain name can be called as a function");
        }
        const std::size_t name_token = pos_ - 2;
        std::vector<node> arguments;
        if (current() != token_kind::rparen) {
            for (;;) {
                arguments.push_back(expression(0));
                if (current() != token_kind::comma) break;
                ++pos_;
            }
        }
        match(token_kind::rparen, "',' or ')'");
        const std::string_view function_name = name.value.get_string();
        const builtin* function = find_builtin(function_name);
        const std::size_t column = lexer_.column(tokens_[name_token].offset);
        if (function == nullptr)
            throw error(error_kind::unknown_function, "unknown function " + std::string(function_name) + "()", column);
        if (arguments.size() < function->min_arguments || arguments.size() > function->max_arguments)
            throw error(error_kind::invalid_arity,
                        std::string(function_name) + "() does not take " + std::to_string(arguments.size()) +
                            " arguments",
                        column);
        node n = make(node_kind::function, std::move(arguments));
        n.function = function;
        return n;
    }

    node filter(node left) {
        node condition = expression(0);
        match(token_kind::rbracket, "']'");
        node right = current() == token_kind::flatten ? make(node_kind::identity)
                                                      : projection_rhs(binding_power(token_kind::filter));
        return make(node_kind::filter_projection, {std::move(left), std::move(right), std::move(condition)});
    }

    node index_expression() {
        if (current() == token_kind::colon || lookahead(1) == token_kind::colon) return slice();
        if (current() != token_kind::number) fail("expected a number");
        node n = make(node_kind::index);
        n.value = tokens_[pos_++].value;
        match(token_kind::rbracket, "']'");
        return n;
    }

    node slice() {
        node n = make(node_kind::slice);
        std::size_t part = 0;
        while (current() != token_kind::rbracket) {
            if (current() == token_kind::colon) {
                if (++part == 3) fail("a slice has at most three parts");
                ++pos_;
            } else if (current() == token_kind::number) {
                n.slice[part] = tokens_[pos_++].value.get_int64();
            } else {
                fail("expected a number, ':' or ']' in a slice");
            }
        }
        if (n.slice[2] == 0) fail("a slice step cannot be 0", error_kind::invalid_value);
        ++pos_;
        return n;
    }

    node project_if_slice(node left, node right) {
        const bool is_slice = right.kind == node_kind::slice;
        node indexed = make(node_kind::subexpression, {std::move(left), std::move(right)});
        if (!is_slice) return indexed;
        return make(node_kind::projection, {std::move(indexed), projection_rhs(binding_power(token_kind::star))});
    }

    node projection_rhs(int rbp) {
        if (binding_power(current()) < projection_stop) return make(node_kind::identity);
        if (current() == token_kind::lbracket || current() == token_kind::filter) return expression(rbp);
        if (current() == token_kind::dot) {
            ++pos_;
            return dot_rhs(rbp);
        }
        fail("unexpected token after a projection");
    }

    node dot_rhs(int rbp) {
        switch (current()) {
        case token_kind::identifier:
        case token_kind::quoted_identifier:
        case token_kind::star: return expression(rbp);
        case token_kind::lbracket: ++pos_; return multi_select_list();
        case token_kind::lbrace: ++pos_; return multi_select_hash();
        default: fail("expected a name, '*', '[' or '{' after '.'");
        }
    }

    node multi_select_list() {
        std::vector<node> elements;
        for (;;) {
            elements.push_back(expression(0));
            if (current() == token_kind::rbracket) break;
            match(token_kind::comma, "',' or ']'");
        }
        ++pos_;
        return make(node_kind::multi_select_list, std::move(elements));
    }

    node multi_select_hash() {
        std::vector<node> values;
        std::vector<std::string> keys;
        for (;;) {
            if (current() != token_kind::identifier && current() != token_kind::quoted_identifier)
                fail("expected a key name");
            keys.emplace_back(tokens_[pos_++].value.get_string());
            match(token_kind::colon, "':'");
            values.push_back(expression(0));
            if (current() == token_kind::rbrace) break;
            match(token_kind::comma, "',' or '}'");
        }
        ++pos_;
        node n = make(node_kind::multi_select_hash, std::move(values));
        n.keys = std::move(keys);
        return n;
    }

    lexer lexer_;
    std::vector<token> tokens_;
    std::size_t pos_ = 0;
    std::size_t nesting_ = 0;
};

// ---------------------------------------------------------------- evaluator

// What a value costs against the budget: one per value plus its strings' bytes.
std::size_t weight(const json::value& v) {
    std::size_t total = 1;
    if (const auto* s = v.if_string()) total += s->size();
    if (const auto* a = v.if_array())
        for (const json::value& element : *a) total += weight(element);
    if (const auto* o = v.if_object())
        for (const auto& member : *o) total += member.key().size() + weight(member.value());
    return total;
}

bool truthy(const json::value& v) {
    switch (v.kind()) {
    case json::kind::null: return false;
    case json::kind::bool_: return v.get_bool();
    case json::kind::string: return !v.get_string().empty();
    case json::kind::array: return !v.get_array().empty();
    case json::kind::object: return !v.get_object().empty();
    default: return true;
    }
}

json::value evaluate(const node& n, const json::value& data, budget& spent);

json::value project(const node& right, const json::value& base, budget& spent) {
    json::array collected;
    for (const json::value& element : base.get_array()) {
        json::value result = evaluate(right, element, spent);
        if (!result.is_null()) collected.push_back(std::move(result));
    }
    return collected;
}

json::value slice_of(const node& n, const json::array& array) {
    const auto length = static_cast<std::int64_t>(array.size());
    const std::int64_t step = n.slice[2].value_or(1);
    const auto capped = [&](std::int64_t actual) {
        if (actual < 0) {
            actual += length;
            if (actual < 0) actual = step < 0 ? -1 : 0;
        } else if (actual >= length) {
            actual = step < 0 ? length - 1 : length;
        }
        return actual;
    };
    const std::int64_t start = n.slice[0] ? capped(*n.slice[0]) : (step < 0 ? length - 1 : 0);
    const std::int64_t stop = n.slice[1] ? capped(*n.slice[1]) : (step < 0 ? -1 : length);
    json::array out;
    for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(array[static_cast<std::size_t>(i)]);
    return out;
}

json::value evaluate(const node& n, const json::value& data, budget& spent) {
    switch (n.kind) {
    case node_kind::identity:
    case node_kind::current: return data;
    case node_kind::literal: return n.value;
    case node_kind::field: {
        const auto* object = data.if_object();
        const json::value* member = object ? object->if_contains(n.value.get_string()) : nullptr;
        return member ? *member : json::value{};
    }
    case node_kind::subexpression:
    case node_kind::pipe: return evaluate(n.children[1], evaluate(n.children[0], data, spent), spent);
    case node_kind::index: {
        const auto* array = data.if_array();
        if (array == nullptr) return nullptr;
        std::int64_t i = n.value.get_int64();
        if (i < 0) i += static_cast<std::int64_t>(array->size());
        if (i < 0 || i >= static_cast<std::int64_t>(array->size())) return nullptr;
        return (*array)[static_cast<std::size_t>(i)];
    }
    case node_kind::slice: {
        const auto* array = data.if_array();
        return array ? slice_of(n, *array) : json::value{};
    }
    case node_kind::projection: {
        const json::value base = evaluate(n.children[0], data, spent);
        return base.is_array() ? project(n.children[1], base, spent) : json::value{};
    }
    case node_kind::value_projection: {
        const json::value base = evaluate(n.children[0], data, spent);
        const auto* object = base.if_object();
        if (object == nullptr) return nullptr;
        json::array values;
        for (const auto& member : *object) values.push_back(member.value());
        return project(n.children[1], values, spent);
    }
    case node_kind::filter_projection: {
        const json::value base = evaluate(n.children[0], data, spent);
        const auto* array = base.if_array();
        if (array == nullptr) return nullptr;
        json::array collected;
        for (const json::value& element : *array) {
            if (!truthy(evaluate(n.children[2], element, spent))) continue;
            json::value result = evaluate(n.children[1], element, spent);
            if (!result.is_null()) collected.push_back(std::move(result));
        }
        return collected;
    }
    case node_kind::flatten: {
        const json::value base = evaluate(n.children[0], data, spent);
        const auto* array = base.if_array();
        if (array == nullptr) return nullptr;
        json::array merged;
        for (const json::value& element : *array) {
            if (const auto* inner = element.if_array()) merged.insert(merged.end(), inner->begin(), inner->end());
            else merged.push_back(element);
        }
        return merged;
    }
    case node_kind::or_: {
        json::value left = evaluate(n.children[0], data, spent);
        return truthy(left) ? left : evaluate(n.children[1], data, spent);
    }
    case node_kind::and_: {
        json::value left = evaluate(n.children[0], data, spent);
        return truthy(left) ? evaluate(n.children[1], data, spent) : left;
    }
    case node_kind::not_: return !truthy(evaluate(n.children[0], data, spent));
    case node_kind::comparator: {
        const json::value left = evaluate(n.children[0], data, spent);
        const json::value right = evaluate(n.children[1], data, spent);
        if (n.comparator == token_kind::eq) return equal(left, right);
        if (n.comparator == token_kind::ne) return !equal(left, right);
        if (!is_number(left) || !is_number(right)) return nullptr;  // ordering is for numbers only
        const int order = compare_numbers(left, right);
        switch (n.comparator) {
        case token_kind::lt: return order < 0;
        case token_kind::le: return order <= 0;
        case token_kind::gt: return order > 0;
        default: return order >= 0;
        }
    }
    case node_kind::multi_select_list: {
        if (data.is_null()) return nullptr;
        json::array out;
        for (const node& child : n.children) out.push_back(evaluate(child, data, spent));
        spent.charge(weight(out));
        return out;
    }
    case node_kind::multi_select_hash: {
        if (data.is_null()) return nullptr;
        json::object out;
        for (std::size_t i = 0; i < n.children.size(); ++i) out[n.keys[i]] = evaluate(n.children[i], data, spent);
        spent.charge(weight(out));
        return out;
    }
    case node_kind::function: {
        argument_list arguments;
        for (const node& child : n.children) arguments.push_back(&child);
        return n.function->call(arguments, data, spent);
    }
    case node_kind::expref:
        throw error(error_kind::invalid_type, "an expression reference (&...) is only valid as a function argument");
    }
    return nullptr;
}

// ---------------------------------------------------------------- functions

std::string_view type_name(const json::value& v) {
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    default: return "number";
    }
}

[[noreturn]] void wrong_type(std::string_view function, std::string_view expected, const json::value& got) {
    throw error(error_kind::invalid_type, std::string(function) + "() expected " + std::string(expected) + ", got " +
                                              std::string(type_name(got)));
}

// The argument's value; an expression reference where a value belongs is
// a type error.
json::value value_argument(std::string_view function, const node* argument, const json::value& data, budget& spent) {
    if (argument->kind == node_kind::expref) throw error(error_kind::invalid_type, std::string(function) + "() does not take an expression reference");
    return evaluate(*argument, data, spent);
}

const node& expref_argument(std::string_view function, const node* argument) {
    if (argument->kind != node_kind::expref)
        throw error(error_kind::invalid_type, std::string(function) + "() expected an expression reference (&...)");
    return argument->children[0];
}

double number_argument(std::string_view function, const json::value& v) {
    if (!is_number(v)) wrong_type(function, "a number", v);
    return as_double(v);
}

const json::string& string_argument(std::string_view function, const json::value& v) {
    if (!v.is_string()) wrong_type(function, "a string", v);
    return v.get_string();
}

const json::array& array_argument(std::string_view function, const json::value& v) {
    if (!v.is_array()) wrong_type(function, "an array", v);
    return v.get_array();
}

const json::object& object_argument(std::string_view function, const json::value& v) {
    if (!v.is_object()) wrong_type(function, "an object", v);
    return v.get_object();
}

// An array of numbers only or of strings only (sort, max, min); `strings`
// says which. An empty array is either.
void check_sortable(std::string_view function, const json::array& array, bool& strings) {
    strings = !array.empty() && array.front().is_string();
    for (const json::value& element : array) {
        if (strings ? !element.is_string() : !is_number(element))
            wrong_type(function, "an array of numbers or of strings", element);
    }
}

bool less_than(const json::value& a, const json::value& b) {
    if (a.is_string()) return a.get_string() < b.get_string();  // UTF-8 bytes order as code points
    return compare_numbers(a, b) < 0;
}

std::vector<std::size_t> utf8_starts(std::string_view s) {
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts.push_back(i);
    return starts;
}

json::value fn_abs(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("abs", args[0], data, spent);
    number_argument("abs", v);
    if (v.is_int64() && v.get_int64() != std::numeric_limits<std::int64_t>::min())
        return v.get_int64() < 0 ? -v.get_int64() : v.get_int64();
    if (v.is_uint64()) return v;
    return std::fabs(as_double(v));
}

json::value fn_avg(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("avg", args[0], data, spent);
    const json::array& array = array_argument("avg", v);
    if (array.empty()) return nullptr;
    double sum = 0;
    for (const json::value& element : array) sum += number_argument("avg", element);
    return sum / static_cast<double>(array.size());
}

json::value fn_ceil(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("ceil", args[0], data, spent);
    number_argument("ceil", v);
    return v.is_double() ? integral(std::ceil(v.get_double())) : v;
}

json::value fn_floor(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("floor", args[0], data, spent);
    number_argument("floor", v);
    return v.is_double() ? integral(std::floor(v.get_double())) : v;
}

json::value fn_contains(const argument_list& args, const json::value& data, budget& spent) {
    const json::value subject = value_argument("contains", args[0], data, spent);
    const json::value search = value_argument("contains", args[1], data, spent);
    if (const auto* s = subject.if_string()) {
        return search.is_string() && std::string_view(*s).find(std::string_view(search.get_string())) != std::string_view::npos;
    }
    if (!subject.is_array()) wrong_type("contains", "an array or a string", subject);
    const json::array& array = subject.get_array();
    return std::any_of(array.begin(), array.end(), [&](const json::value& e) { return equal(e, search); });
}

json::value fn_ends_with(const argument_list& args, const json::value& data, budget& spent) {
    const json::value subject = value_argument("ends_with", args[0], data, spent);
    const json::value suffix = value_argument("ends_with", args[1], data, spent);
    return std::string_view(string_argument("ends_with", subject)).ends_with(std::string_view(string_argument("ends_with", suffix)));
}

json::value fn_starts_with(const argument_list& args, const json::value& data, budget& spent) {
    const json::value subject = value_argument("starts_with", args[0], data, spent);
    const json::value prefix = value_argument("starts_with", args[1], data, spent);
    return std::string_view(string_argument("starts_with", subject)).starts_with(std::string_view(string_argument("starts_with", prefix)));
}

json::value fn_join(const argument_list& args, const json::value& data, budget& spent) {
    const json::value glue = value_argument("join", args[0], data, spent);
    const json::value list = value_argument("join", args[1], data, spent);
    const std::string_view separator = string_argument("join", glue);
    std::string out;
    bool first = true;
    for (const json::value& element : array_argument("join", list)) {
        if (!first) out += separator;
        first = false;
        out += std::string_view(string_argument("join", element));
    }
    spent.charge(out.size());
    return json::string(out);
}

json::value fn_keys(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("keys", args[0], data, spent);
    json::array out;
    for (const auto& member : object_argument("keys", v)) out.emplace_back(member.key());
    return out;
}

json::value fn_values(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("values", args[0], data, spent);
    json::array out;
    for (const auto& member : object_argument("values", v)) out.push_back(member.value());
    return out;
}

json::value fn_length(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("length", args[0], data, spent);
    if (const auto* s = v.if_string()) return static_cast<std::int64_t>(utf8_starts(*s).size());
    if (const auto* a = v.if_array()) return static_cast<std::int64_t>(a->size());
    if (const auto* o = v.if_object()) return static_cast<std::int64_t>(o->size());
    wrong_type("length", "a string, an array or an object", v);
}

json::value fn_map(const argument_list& args, const json::value& data, budget& spent) {
    const node& mapped = expref_argument("map", args[0]);
    const json::value list = value_argument("map", args[1], data, spent);
    json::array out;
    for (const json::value& element : array_argument("map", list)) out.push_back(evaluate(mapped, element, spent));
    return out;
}

json::value extreme(std::string_view function, const argument_list& args, const json::value& data, bool want_max, budget& spent) {
    const json::value v = value_argument(function, args[0], data, spent);
    const json::array& array = array_argument(function, v);
    bool strings = false;
    check_sortable(function, array, strings);
    if (array.empty()) return nullptr;
    const json::value* best = &array.front();
    for (const json::value& element : array)
        if (want_max ? less_than(*best, element) : less_than(element, *best)) best = &element;
    return *best;
}

json::value fn_max(const argument_list& args, const json::value& data, budget& spent) { return extreme("max", args, data, true, spent); }
json::value fn_min(const argument_list& args, const json::value& data, budget& spent) { return extreme("min", args, data, false, spent); }

// The keys `&expr` gives the elements (sort_by, max_by, min_by): all numbers
// or all strings.
std::vector<json::value> keys_by(std::string_view function, const json::array& array, const node& key, budget& spent) {
    std::vector<json::value> keys;
    for (const json::value& element : array) {
        json::value k = evaluate(key, element, spent);
        const bool ok = keys.empty() ? (k.is_string() || is_number(k))
                                     : (keys.front().is_string() ? k.is_string() : is_number(k));
        if (!ok) wrong_type(function, "the expression to give numbers or strings", k);
        keys.push_back(std::move(k));
    }
    return keys;
}

json::value extreme_by(std::string_view function, const argument_list& args, const json::value& data, bool want_max, budget& spent) {
    const json::value v = value_argument(function, args[0], data, spent);
    const json::array& array = array_argument(function, v);
    const std::vector<json::value> keys = keys_by(function, array, expref_argument(function, args[1]), spent);
    if (array.empty()) return nullptr;
    std::size_t best = 0;
    for (std::size_t i = 1; i < keys.size(); ++i)
        if (want_max ? less_than(keys[best], keys[i]) : less_than(keys[i], keys[best])) best = i;
    return array[best];
}

json::value fn_max_by(const argument_list& args, const json::value& data, budget& spent) { return extreme_by("max_by", args, data, true, spent); }
json::value fn_min_by(const argument_list& args, const json::value& data, budget& spent) { return extreme_by("min_by", args, data, false, spent); }

json::value fn_sort(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("sort", args[0], data, spent);
    json::array array = array_argument("sort", v);
    bool strings = false;
    check_sortable("sort", array, strings);
    std::stable_sort(array.begin(), array.end(), less_than);
    return array;
}

json::value fn_sort_by(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("sort_by", args[0], data, spent);
    const json::array& array = array_argument("sort_by", v);
    const std::vector<json::value> keys = keys_by("sort_by", array, expref_argument("sort_by", args[1]), spent);
    std::vector<std::size_t> order(array.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return less_than(keys[a], keys[b]); });
    json::array out;
    for (std::size_t i : order) out.push_back(array[i]);
    return out;
}

json::value fn_merge(const argument_list& args, const json::value& data, budget& spent) {
    json::object out;
    for (const node* argument : args) {
        const json::value v = value_argument("merge", argument, data, spent);
        for (const auto& member : object_argument("merge", v)) out[member.key()] = member.value();
    }
    return out;
}

json::value fn_not_null(const argument_list& args, const json::value& data, budget& spent) {
    for (const node* argument : args) {
        json::value v = value_argument("not_null", argument, data, spent);
        if (!v.is_null()) return v;
    }
    return nullptr;
}

json::value fn_reverse(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("reverse", args[0], data, spent);
    if (const auto* s = v.if_string()) {
        const std::vector<std::size_t> starts = utf8_starts(*s);
        std::string out;
        for (std::size_t i = starts.size(); i-- > 0;) {
            const std::size_t end = i + 1 < starts.size() ? starts[i + 1] : s->size();
            out.append(s->data() + starts[i], end - starts[i]);
        }
        return json::string(out);
    }
    json::array array = array_argument("reverse", v);
    std::reverse(array.begin(), array.end());
    return array;
}

json::value fn_sum(const argument_list& args, const json::value& data, budget& spent) {
    const json::value v = value_argument("sum", args[0], data, spent);
    const json::array& array = array_argument("sum", v);
    bool all_integers = true;
    for (const json::value& element : array) {
        number_argument("sum", element);
        all_integers = all_integers && element.is_int64();
    }
    if (all_integers) {
        std::int64_t total = 0;
        bool overflow = false;
        for (const json::value& element : array) overflow = overflow || __builtin_add_overflow(total, element.get_int64(), &total);
        if (!overflow) return total;
    }
    double total = 0;
    for (const json::value& element : array) total += as_double(element);
    return total;
}

json::value fn_to_array(const argument_list& args, const json::value& data, budget& spent) {
    json::value v = value_argument("to_array", args[0], data, spent);
    if (v.is_array()) return v;
    return json::array{std::move(v)};
}

json::value fn_to_string(const argument_list& args, const json::value& data, budget& spent) {
    json::value v = value_argument("to_string", args[0], data, spent);
    if (v.is_string()) return v;
    std::string text = to_json(v);
    spent.charge(text.size());
    return json::string(text);
}

json::value fn_to_number(const argument_list& args, const json::value& data, budget& spent) {
    json::value v = value_argument("to_number", args[0], data, spent);
    if (is_number(v)) return v;
    const auto* s = v.if_string();
    if (s == nullptr) return nullptr;
    // A JSON number, whole or not; anything else is not a number.
    boost::system::error_code ec;
    json::value parsed = json::parse(*s, ec);
    if (ec || !is_number(parsed)) return nullptr;
    return parsed;
}

json::value fn_type(const argument_list& args, const json::value& data, budget& spent) {
    return json::string(type_name(value_argument("type", args[0], data, spent)));
}

constexpr std::size_t variadic = std::numeric_limits<std::size_t>::max();

constexpr builtin builtins[] = {
    {"abs", 1, 1, fn_abs},         {"avg", 1, 1, fn_avg},
    {"ceil", 1, 1, fn_ceil},       {"contains", 2, 2, fn_contains},
    {"ends_with", 2, 2, fn_ends_with}, {"floor", 1, 1, fn_floor},
    {"join", 2, 2, fn_join},       {"keys", 1, 1, fn_keys},
    {"length", 1, 1, fn_length},   {"map", 2, 2, fn_map},
    {"max", 1, 1, fn_max},         {"max_by", 2, 2, fn_max_by},
    {"merge", 1, variadic, fn_merge}, {"min", 1, 1, fn_min},
    {"min_by", 2, 2, fn_min_by},   {"not_null", 1, variadic, fn_not_null},
    {"reverse", 1, 1, fn_reverse}, {"sort", 1, 1, fn_sort},
    {"sort_by", 2, 2, fn_sort_by}, {"starts_with", 2, 2, fn_starts_with},
    {"sum", 1, 1, fn_sum},         {"to_array", 1, 1, fn_to_array},
    {"to_number", 1, 1, fn_to_number}, {"to_string", 1, 1, fn_to_string},
    {"type", 1, 1, fn_type},       {"values", 1, 1, fn_values},
};

const builtin* find_builtin(std::string_view name) {
    for (const builtin& b : builtins)
        if (b.name == name) return &b;
    return nullptr;
}

}  // namespace

expression expression::parse(std::string_view text) {
    return expression(std::make_shared<const node>(parser(text).parse()));
}

json::value expression::search(const json::value& data) const {
    budget spent;
    return evaluate(*root_, data, spent);
}

}  // namespace ivschat::cli::jmespath
