#include "ivschat/credentials/credentials_parsers.hpp"

#include "ivschat/time_format.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace ivschat::detail {

namespace json = boost::json;

namespace {

parsed_credentials json_error(std::string message) { return {.creds = std::nullopt, .error = std::move(message)}; }

// The string member `key`, nullopt when absent; sets `error` when present but not a string.
std::optional<std::string> string_member(const json::object& o, std::string_view key, std::string& error) {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) {
        error = "the member \"" + std::string(key) + "\" is not a string";
        return std::nullopt;
    }
    return std::string(v->get_string());
}

}  // namespace

parsed_credentials parse_credentials_json(std::string_view text, credentials_json_format format) {
    if (text.size() > max_credentials_answer_size)
        return json_error("the answer is larger than " + std::to_string(max_credentials_answer_size) + " bytes");
    json::parse_options limits;
    limits.max_depth = 16;
    boost::system::error_code ec;
    json::value doc = json::parse(json::string_view(text.data(), text.size()), ec, {}, limits);
    if (ec) return json_error("the answer is not valid JSON (" + ec.message() + ")");
    const json::object* o = doc.if_object();
    if (!o) return json_error("the answer is not a JSON object");

    std::string error;
    if (format == credentials_json_format::process) {
        const json::value* version = o->if_contains("Version");
        if (!version) return json_error("the member \"Version\" is missing (it must be 1)");
        if (!version->is_int64() || version->get_int64() != 1) return json_error("the member \"Version\" is not 1");
    } else if (auto code = string_member(*o, "Code", error); code && *code != "Success") {
        return json_error("the answer's Code is \"" + code->substr(0, 64) + "\", not \"Success\"");
    }
    auto id = string_member(*o, "AccessKeyId", error);
    auto secret = string_member(*o, "SecretAccessKey", error);
    auto token = string_member(*o, format == credentials_json_format::process ? "SessionToken" : "Token", error);
    auto expiration = string_member(*o, "Expiration", error);
    if (!error.empty()) return json_error(std::move(error));
    if (!id || id->empty()) return json_error("the member \"AccessKeyId\" is missing or empty");
    if (!secret || secret->empty()) return json_error("the member \"SecretAccessKey\" is missing or empty");
    credentials c{.access_key_id = std::move(*id),
                  .secret_access_key = std::move(*secret),
                  .session_token = token.value_or(""),
                  .expiration = std::nullopt};
    if (expiration) {
        c.expiration = parse_iso8601(*expiration);
        if (!c.expiration) return json_error("the member \"Expiration\" is not an ISO 8601 time");
    } else if (format == credentials_json_format::imds) {
        return json_error("the member \"Expiration\" is missing");
    }
    return {.creds = std::move(c), .error = {}};
}

namespace {

// A pull parser over the few XML constructs an STS answer uses. Calls
// `element_text(path, text)` for every element that holds only text.
class sts_xml_reader {
public:
    explicit sts_xml_reader(std::string_view xml) : in_(xml) {}

    // The error, empty on success.
    template <class OnText>
    std::string read(OnText&& on_text) {
        while (pos_ < in_.size()) {
            if (in_[pos_] != '<') {
                if (auto e = read_text(); !e.empty()) return e;
                continue;
            }
            if (starts_with("<?")) {
                if (!skip_past("?>")) return "an unterminated processing instruction";
            } else if (starts_with("<!--")) {
                if (!skip_past("-->")) return "an unterminated comment";
            } else if (starts_with("<![CDATA[")) {
                pos_ += 9;
                auto end = in_.find("]]>", pos_);
                if (end == std::string_view::npos) return "an unterminated CDATA section";
                text_.append(in_.substr(pos_, end - pos_));
                pos_ = end + 3;
            } else if (starts_with("<!")) {
                return "a DOCTYPE or other declaration, which STS never sends";
            } else if (starts_with("</")) {
                if (auto e = close_tag(on_text); !e.empty()) return e;
            } else if (auto e = open_tag(); !e.empty()) {
                return e;
            }
        }
        if (!stack_.empty()) return "the element <" + stack_.back() + "> is not closed";
        if (!seen_root_) return "no XML element";
        return {};
    }

private:
    static constexpr std::size_t max_depth = 16;

    bool starts_with(std::string_view s) const { return in_.substr(pos_, s.size()) == s; }
    bool skip_past(std::string_view s) {
        auto end = in_.find(s, pos_);
        if (end == std::string_view::npos) return false;
        pos_ = end + s.size();
        return true;
    }
    static bool name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.' || c == ':';
    }
    std::string_view read_name() {
        std::size_t start = pos_;
        while (pos_ < in_.size() && name_char(in_[pos_])) ++pos_;
        return in_.substr(start, pos_ - start);
    }

    std::string open_tag() {
        ++pos_;
        auto name = read_name();
        if (name.empty()) return "a '<' not followed by an element name";
        if (stack_.empty() && seen_root_) return "more than one root element";
        // Attributes: skipped, quotes respected.
        while (pos_ < in_.size() && in_[pos_] != '>' && !starts_with("/>")) {
            char c = in_[pos_];
            if (c == '"' || c == '\'') {
                auto end = in_.find(c, pos_ + 1);
                if (end == std::string_view::npos) return "an unterminated attribute value";
                pos_ = end + 1;
            } else if (c == '<') {
                return "a '<' inside the tag <" + std::string(name) + ">";
            } else {
                ++pos_;
            }
        }
        if (pos_ >= in_.size()) return "the tag <" + std::string(name) + "> is not closed";
        seen_root_ = true;
        text_.clear();
        has_child_ = false;
        if (in_[pos_] == '/') {  // <empty/>
            pos_ += 2;
            if (!stack_.empty()) has_child_ = true;
            return {};
        }
        ++pos_;
        if (stack_.size() == max_depth) return "elements nested deeper than " + std::to_string(max_depth);
        stack_.emplace_back(name);
        return {};
    }

    template <class OnText>
    std::string close_tag(OnText& on_text) {
        pos_ += 2;
        auto name = read_name();
        while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\r' || in_[pos_] == '\n')) ++pos_;
        if (pos_ >= in_.size() || in_[pos_] != '>') return "a malformed closing tag";
        ++pos_;
        if (stack_.empty() || stack_.back() != name)
            return "the closing tag </" + std::string(name.substr(0, 64)) + "> does not match the open element";
        if (!has_child_) on_text(stack_, text_);
        stack_.pop_back();
        text_.clear();
        has_child_ = true;  // the parent holds an element
        return {};
    }

    std::string read_text() {
        std::size_t end = in_.find('<', pos_);
        if (end == std::string_view::npos) end = in_.size();
        auto raw = in_.substr(pos_, end - pos_);
        pos_ = end;
        if (stack_.empty()) {
            if (raw.find_first_not_of(" \t\r\n") != std::string_view::npos) return "text outside the root element";
            return {};
        }
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '&') {
                text_.push_back(raw[i]);
                continue;
            }
            auto semi = raw.find(';', i);
            if (semi == std::string_view::npos || semi - i > 10) return "an unterminated character reference";
            if (!append_reference(raw.substr(i + 1, semi - i - 1))) return "an unknown character reference";
            i = semi;
        }
        return {};
    }

    bool append_reference(std::string_view ref) {
        static constexpr std::array<std::pair<std::string_view, char>, 5> named{
            {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}}};
        for (auto [n, c] : named)
            if (ref == n) {
                text_.push_back(c);
                return true;
            }
        if (ref.size() < 2 || ref[0] != '#') return false;
        const bool hex = ref[1] == 'x';
        std::uint32_t code = 0;
        auto digits = ref.substr(hex ? 2 : 1);
        if (digits.empty()) return false;
        for (char c : digits) {
            int d = (c >= '0' && c <= '9') ? c - '0'
                    : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                    : -1;
            if (d < 0) return false;
            code = code * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
        }
        if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
        // UTF-8
        if (code < 0x80) {
            text_.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            text_.push_back(static_cast<char>(0xC0 | (code >> 6)));
            text_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else if (code < 0x10000) {
            text_.push_back(static_cast<char>(0xE0 | (code >> 12)));
            text_.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            text_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        } else {
            text_.push_back(static_cast<char>(0xF0 | (code >> 18)));
            text_.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
            text_.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
            text_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
        }
        return true;
    }

    std::string_view in_;
    std::size_t pos_ = 0;
    std::vector<std::string> stack_;
    std::string text_;
    bool has_child_ = false;
    bool seen_root_ = false;
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

sts_answer parse_sts_credentials_xml(std::string_view xml) {
    sts_answer out;
    if (xml.size() > max_credentials_answer_size) {
        out.parse_error = "the answer is larger than " + std::to_string(max_credentials_answer_size) + " bytes";
        return out;
    }
    credentials c;
    std::string expiration;
    bool in_result = false;
    auto on_text = [&](const std::vector<std::string>& path, const std::string& text) {
        const auto depth = path.size();
        // <XResponse><XResult><Credentials><Field>
        if (depth == 4 && path[2] == "Credentials" && ends_with(path[1], "Result") && ends_with(path[0], "Response")) {
            in_result = true;
            const auto& field = path[3];
            if (field == "AccessKeyId") c.access_key_id = text;
            else if (field == "SecretAccessKey") c.secret_access_key = text;
            else if (field == "SessionToken") c.session_token = text;
            else if (field == "Expiration") expiration = text;
        } else if (depth == 3 && path[0] == "ErrorResponse" && path[1] == "Error") {
            if (path[2] == "Code") out.error_code = text.substr(0, 256);
            else if (path[2] == "Message") out.error_message = text.substr(0, 1024);
        }
    };
    sts_xml_reader reader(xml);
    if (auto e = reader.read(on_text); !e.empty()) {
        out.parse_error = "the answer is not well-formed XML: " + e;
        return out;
    }
    if (!out.error_code.empty()) return out;
    if (!in_result || c.access_key_id.empty() || c.secret_access_key.empty()) {
        out.parse_error = "the answer has no Credentials with AccessKeyId and SecretAccessKey";
        return out;
    }
    if (c.session_token.empty()) {
        out.parse_error = "the answer's Credentials have no SessionToken";
        return out;
    }
    c.expiration = parse_iso8601(expiration);
    if (!c.expiration) {
        out.parse_error = "the answer's Credentials have no ISO 8601 Expiration";
        return out;
    }
    out.creds = std::move(c);
    return out;
}

}  // namespace ivschat::detail
