// The CLI's JMESPath (src/cli/jmespath.hpp): the lexer, the Pratt parser and
// the evaluator with its built-in functions, over a document the input
// chooses. jmespath::error is the only failure allowed; a syntax error names
// a column inside the expression (or just past its end); a result prints as
// JSON that reads back equal (doubles to within Boost.JSON's reading).
//
// Input: the expression, a newline, then the JSON document (a fixed rooms
// document when the rest is not JSON).
#include "fuzz_input.hpp"

#include "cli/jmespath.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>

#include <cmath>
#include <cstdlib>

namespace {

namespace json = boost::json;
namespace jp = ivschat::cli::jmespath;

const json::value& fallback_document() {
    static const json::value document = json::parse(R"({
        "rooms": [{"arn": "arn:aws:ivschat:us-west-2:123456789012:room/a", "name": "lobby",
                   "tags": {"team": "chat"}, "maximumMessageLength": 500, "ratio": 0.5},
                  {"arn": "arn:aws:ivschat:us-west-2:123456789012:room/b", "name": "",
                   "tags": {}, "maximumMessageLength": 10, "ratio": -1.25e3}],
        "nextToken": null, "flags": [true, false], "nested": [[1, [2]], [], "x"]})");
    return document;
}

// Finite numbers only: to_json prints infinities as Python does, which is
// not JSON (sum and avg can overflow to them).
bool finite(const json::value& v) {
    if (v.is_double()) return std::isfinite(v.get_double());
    if (const auto* a = v.if_array())
        for (const json::value& e : *a)
            if (!finite(e)) return false;
    if (const auto* o = v.if_object())
        for (const auto& m : *o)
            if (!finite(m.value())) return false;
    return true;
}

double number(const json::value& v) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    return v.get_double();
}

// `read` equals `original` as JMESPath compares, except that a double may
// differ in its last bits: Boost.JSON 1.81's reader does not always round
// to the nearest double (it reads "1.0000000000000003e+29", the shortest
// form of a double, as the next double up).
bool reads_back_as(const json::value& read, const json::value& original) {
    if (original.is_double() || read.is_double()) {
        if (!read.is_number() || !original.is_number()) return false;
        const double x = number(read), y = number(original);
        // A few dozen units in the last place, and anything among the
        // subnormals, where one unit is a large share of the value.
        return x == y || std::fabs(x - y) <= std::max(std::fabs(y) * 1e-14, 1e-300);
    }
    if (const auto* a = original.if_array()) {
        const auto* b = read.if_array();
        if (!b || a->size() != b->size()) return false;
        for (std::size_t i = 0; i < a->size(); ++i)
            if (!reads_back_as((*b)[i], (*a)[i])) return false;
        return true;
    }
    if (const auto* a = original.if_object()) {
        const auto* b = read.if_object();
        if (!b || a->size() != b->size()) return false;
        for (const auto& m : *a) {
            const json::value* found = b->if_contains(m.key());
            if (!found || !reads_back_as(*found, m.value())) return false;
        }
        return true;
    }
    return jp::equal(read, original);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest = ivschat::fuzz::as_text(data, size);
    const std::string_view text = ivschat::fuzz::take_line(rest);
    boost::system::error_code ec;
    json::value parsed = json::parse(rest, ec);
    const json::value& document = ec ? fallback_document() : parsed;
    try {
        const jp::expression expression = jp::expression::parse(text);
        const json::value result = expression.search(document);
        if (finite(result)) {
            // A string built from bytes that are not UTF-8 (join's separator,
            // a raw literal) prints as those bytes, which no JSON reader takes.
            const std::string printed = jp::to_json(result);
            boost::system::error_code read_ec;
            const json::value read_back = json::parse(printed, read_ec);
            const bool ascii = std::all_of(printed.begin(), printed.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
            if (read_ec ? ascii : !reads_back_as(read_back, result)) std::abort();
        }
    } catch (const jp::error& e) {
        if (e.kind() == jp::error_kind::syntax && (e.column() == 0 || e.column() > text.size() + 1)) std::abort();
    }
    return 0;
}
