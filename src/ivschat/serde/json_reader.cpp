#include "ivschat/serde/json_reader.hpp"

#include "ivschat/time_format.hpp"

#include <boost/json/parser.hpp>

#include <cmath>
#include <limits>
#include <utility>

namespace ivschat::detail {

namespace {

// Per thread: the node buffer of the document being read and the parser with
// its scratch space, so a typical response is read without heap allocation.
constexpr std::size_t document_buffer_size = 16 * 1024;
thread_local unsigned char document_buffer[document_buffer_size];
thread_local bool document_buffer_in_use = false;
thread_local unsigned char parser_scratch[4096];

boost::json::parser& thread_parser() {
    thread_local boost::json::parser parser{boost::json::storage_ptr{}, boost::json::parse_options{},
                                            parser_scratch, sizeof parser_scratch};
    return parser;
}

bool is_json_whitespace(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

boost::json::monotonic_resource& make_resource(std::optional<boost::json::monotonic_resource>& resource,
                                              bool use_thread_buffer) {
    if (use_thread_buffer) return resource.emplace(document_buffer, document_buffer_size);
    return resource.emplace();
}

}  // namespace

std::string error_info::message() const {
    if (path.empty()) return problem;
    return problem + " at '" + path + "'";
}

// root_ shares resource_: assigning the parser's result to it then moves, not copies.
json_document::json_document()
    : owns_thread_buffer_(!std::exchange(document_buffer_in_use, true)),
      root_(boost::json::storage_ptr(&make_resource(resource_, owns_thread_buffer_))) {}

json_document::~json_document() {
    if (owns_thread_buffer_) document_buffer_in_use = false;
}

bool json_document::parse(std::string_view text, error_info& error) {
    std::size_t first = 0;
    while (first < text.size() && is_json_whitespace(text[first])) ++first;
    if (first == text.size()) {
        root_.emplace_object();
        return true;
    }
    boost::json::parser& parser = thread_parser();
    parser.reset(boost::json::storage_ptr(&*resource_));
    boost::system::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (!ec) root_ = parser.release();
    // Leave the parser holding nothing from resource_.
    parser.reset();
    if (ec) {
        error.path.clear();
        error.problem = "malformed JSON: " + ec.message();
        return false;
    }
    return true;
}

bool read_failure(error_info& error, std::string_view problem) {
    error.path.clear();
    error.problem.assign(problem);
    return false;
}

void prepend_member(error_info& error, std::string_view name) {
    if (error.path.empty() || error.path.front() == '[')
        error.path.insert(0, name);
    else
        error.path.insert(0, std::string(name) + '.');
}

void prepend_index(error_info& error, std::size_t index) {
    std::string prefix = '[' + std::to_string(index) + ']';
    if (!error.path.empty() && error.path.front() != '[') prefix.push_back('.');
    error.path.insert(0, prefix);
}

bool read_json(const boost::json::value& json, std::string& out, error_info& error) {
    const boost::json::string* s = json.if_string();
    if (s == nullptr) return read_failure(error, "expected a string");
    out.assign(s->data(), s->size());
    return true;
}

bool read_json(const boost::json::value& json, std::int32_t& out, error_info& error) {
    constexpr auto lowest = std::numeric_limits<std::int32_t>::min();
    constexpr auto highest = std::numeric_limits<std::int32_t>::max();
    if (const std::int64_t* i = json.if_int64()) {
        if (*i < lowest || *i > highest) return read_failure(error, "integer out of range");
        out = static_cast<std::int32_t>(*i);
        return true;
    }
    if (const std::uint64_t* u = json.if_uint64()) {
        if (*u > static_cast<std::uint64_t>(highest)) return read_failure(error, "integer out of range");
        out = static_cast<std::int32_t>(*u);
        return true;
    }
    if (const double* d = json.if_double()) {
        // 1e2 and 100.0 are JSON spellings of an integer.
        if (*d != std::trunc(*d) || *d < lowest || *d > highest) return read_failure(error, "expected an integer");
        out = static_cast<std::int32_t>(*d);
        return true;
    }
    return read_failure(error, "expected an integer");
}

bool read_json(const boost::json::value& json, time_point& out, error_info& error) {
    if (const boost::json::string* s = json.if_string()) {
        auto parsed = parse_iso8601(std::string_view{*s});
        if (!parsed) return read_failure(error, "expected an ISO 8601 timestamp");
        out = *parsed;
        return true;
    }
    // Epoch seconds, the rest-json default, accepted too.
    if (json.is_number()) {
        double seconds = json.to_number<double>();
        if (!std::isfinite(seconds) || std::fabs(seconds) > static_cast<double>(max_timestamp_offset.count()))
            return read_failure(error, "timestamp out of range");
        out = time_point{std::chrono::duration_cast<time_point::duration>(std::chrono::duration<double>(seconds))};
        return true;
    }
    return read_failure(error, "expected an ISO 8601 timestamp");
}

bool read_json(const boost::json::value& json, std::map<std::string, std::string>& out, error_info& error) {
    const boost::json::object* object = json.if_object();
    if (object == nullptr) return read_failure(error, "expected an object");
    out.clear();
    for (const auto& entry : *object) {
        const boost::json::string* s = entry.value().if_string();
        // The key stays out of the message: the map may be sensitive.
        if (s == nullptr) return read_failure(error, "expected string values");
        out.insert_or_assign(std::string(entry.key()), std::string(s->data(), s->size()));
    }
    return true;
}

}  // namespace ivschat::detail
