#include "ivschat/http/message.hpp"

#include <ivschat/transport.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include <array>
#include <charconv>

namespace ivschat::http {
namespace {

namespace beast_http = boost::beast::http;

// Character classes of the request head, one table lookup per byte: every
// request's target and header values (the signature among them) go through
// these checks.
enum char_class : unsigned char {
    // RFC 9110 tchar: the characters of a method or a field name.
    token_char = 1,
    // Allowed in a request target: no space, no control character.
    target_char = 2,
    // Allowed in a field value: also space and tab. Neither admits CR or
    // LF, which is what keeps a caller's data from ending the line.
    value_char = 4,
};

constexpr std::array<unsigned char, 256> char_classes = [] {
    std::array<unsigned char, 256> table{};
    for (int c = 0x21; c < 0x7f; ++c) table[c] = target_char | value_char;
    for (int c = 0x80; c < 0x100; ++c) table[c] = target_char | value_char;
    table[' '] = table['\t'] = value_char;
    for (int c = '0'; c <= '9'; ++c) table[c] |= token_char;
    for (int c = 'a'; c <= 'z'; ++c) table[c] |= token_char;
    for (int c = 'A'; c <= 'Z'; ++c) table[c] |= token_char;
    for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] |= token_char;
    return table;
}();

// Every byte of `s` is of class `wanted`; no early exit, so the loop stays
// branch-free.
bool all_of_class(std::string_view s, char_class wanted) noexcept {
    unsigned char all = wanted;
    for (unsigned char c : s) all &= char_classes[c];
    return all == wanted;
}

bool is_token(std::string_view s) noexcept {
    return !s.empty() && all_of_class(s, token_char);
}

boost::beast::string_view trimmed(boost::beast::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

void assign(std::string& to, boost::beast::string_view from) {
    to.assign(from.data(), from.size());
}

}  // namespace

void response::clear() noexcept {
    status = 0;
    request_id.clear();
    error_type.clear();
    cf_id.clear();
    amz_id_2.clear();
    retry_after.clear();
    date.clear();
    content_type.clear();
    reason.clear();
    body.clear();
}

boost::system::error_code write_request_head(const request& req, std::string& out) {
    if (!is_token(req.method) || req.target.empty() || !all_of_class(req.target, target_char)) {
        return transport_errc::invalid_request;
    }
    out.clear();
    out.append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\n");
    for (const auto& h : req.headers) {
        if (!is_token(h.name) || !all_of_class(h.value, value_char) ||
            boost::beast::iequals(h.name, "content-length") ||
            boost::beast::iequals(h.name, "transfer-encoding")) {
            return transport_errc::invalid_request;
        }
        out.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    char length[24];
    const auto end = std::to_chars(length, length + sizeof length, req.body.size()).ptr;
    out.append("Content-Length: ").append(length, end).append("\r\n\r\n");
    return {};
}

response_parser::response_parser(response& out, std::uint64_t max_body) : out_(out) {
    out_.clear();
    body_limit(max_body);
    eager(true);
}

void response_parser::on_request_impl(beast_http::verb, string_view, string_view, int,
                                      error_code& ec) {
    ec = beast_http::error::bad_method;
}

void response_parser::on_response_impl(int code, string_view reason, int, error_code&) {
    out_.status = static_cast<unsigned>(code);
    assign(out_.reason, reason.substr(0, max_reason_size));
}

void response_parser::on_field_impl(beast_http::field name, string_view name_string,
                                    string_view value, error_code& ec) {
    using boost::beast::iequals;
    switch (name) {
    case beast_http::field::date:
        assign(out_.date, value);
        return;
    case beast_http::field::content_type:
        assign(out_.content_type, value);
        return;
    case beast_http::field::transfer_encoding:
        if (transfer_encoding_seen_ || !iequals(trimmed(value), "chunked")) {
            ec = beast_http::error::bad_transfer_encoding;
        }
        transfer_encoding_seen_ = true;
        return;
    default:
        break;
    }
    if (iequals(name_string, "x-amzn-requestid")) {
        assign(out_.request_id, value);
    } else if (iequals(name_string, "x-amzn-errortype")) {
        assign(out_.error_type, value);
    } else if (iequals(name_string, "x-amz-cf-id")) {
        assign(out_.cf_id, value);
    } else if (iequals(name_string, "x-amz-id-2")) {
        assign(out_.amz_id_2, value);
    } else if (iequals(name_string, "x-amz-retry-after")) {
        assign(out_.retry_after, value);
    }
}

void response_parser::on_header_impl(error_code&) {}

void response_parser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                        error_code&) {
    // Beast has already refused a Content-Length above the body limit.
    if (content_length) out_.body.reserve(static_cast<std::size_t>(*content_length));
}

std::size_t response_parser::on_body_impl(string_view body, error_code&) {
    out_.body.append(body.data(), body.size());
    return body.size();
}

void response_parser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t response_parser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
    out_.body.append(body.data(), body.size());
    return body.size();
}

void response_parser::on_finish_impl(error_code&) {}

response_reader::response_reader(response& out, std::uint64_t max_body) : out_(out), max_body_(max_body) {
    parser_.emplace(out_, max_body_);
}

bool response_reader::skip_interim(boost::system::error_code& ec) {
    if (out_.status < 100 || out_.status >= 200) return false;
    if (out_.status == 101 || ++interim_responses_ > max_interim_responses) {
        ec = transport_errc::malformed_response;
        return false;
    }
    parser_.emplace(out_, max_body_);
    return true;
}

boost::system::error_code parse_buffered(response_reader& reader, boost::beast::flat_buffer& buffer) {
    while (buffer.size() > 0) {
        boost::system::error_code ec;
        const std::size_t used = reader.parser().put(buffer.data(), ec);
        buffer.consume(used);
        if (ec) return ec;
        if (reader.parser().is_done()) {
            if (reader.skip_interim(ec)) continue;
            return ec;
        }
        if (used == 0) break;
    }
    return beast_http::error::need_more;
}

boost::system::error_code parse_end_of_stream(response_reader& reader) {
    if (!reader.got_some()) return beast_http::error::end_of_stream;
    if (!reader.parser().got_some()) return beast_http::error::partial_message;
    boost::system::error_code ec;
    reader.parser().put_eof(ec);
    return ec;
}

boost::system::error_code classify_read_error(boost::system::error_code ec,
                                              bool got_response_bytes) {
    namespace asio_error = boost::asio::error;
    if (ec == beast_http::error::body_limit || ec == beast_http::error::header_limit ||
        ec == beast_http::error::buffer_overflow) {
        return transport_errc::response_too_large;
    }
    const bool closed = ec == beast_http::error::end_of_stream ||
                        ec == beast_http::error::partial_message || ec == asio_error::eof ||
                        ec == boost::asio::ssl::error::stream_truncated;
    if (closed) {
        return got_response_bytes ? transport_errc::truncated_response
                                  : transport_errc::closed_before_response;
    }
    if (ec.category() == make_error_code(beast_http::error::bad_version).category()) {
        return transport_errc::malformed_response;
    }
    return ec;
}

}  // namespace ivschat::http
