#include "cli/pagination.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace ivschat::cli {
namespace {

namespace json = boost::json;

constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view bytes) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        std::uint32_t group = static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i])) << 16;
        if (n > 1) group |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i + 1])) << 8;
        if (n > 2) group |= static_cast<std::uint8_t>(bytes[i + 2]);
        out.push_back(base64_alphabet[(group >> 18) & 63]);
        out.push_back(base64_alphabet[(group >> 12) & 63]);
        out.push_back(n > 1 ? base64_alphabet[(group >> 6) & 63] : '=');
        out.push_back(n > 2 ? base64_alphabet[group & 63] : '=');
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < text.size(); i += 4) {
        std::uint32_t group = 0;
        std::size_t padding = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = text[i + k];
            std::size_t value = 0;
            if (c == '=' && i + 4 == text.size() && k >= 2) {
                ++padding;
            } else {
                if (padding != 0) return std::nullopt;
                value = base64_alphabet.find(c);
                if (value == std::string_view::npos) return std::nullopt;
            }
            group = (group << 6) | static_cast<std::uint32_t>(value);
        }
        out.push_back(static_cast<char>(group >> 16));
        if (padding < 2) out.push_back(static_cast<char>((group >> 8) & 0xFF));
        if (padding < 1) out.push_back(static_cast<char>(group & 0xFF));
    }
    return out;
}

}  // namespace

std::string encode_resume_token(const resume_point& point) {
    json::object token;
    token["nextToken"] = point.next_token ? json::value(*point.next_token) : json::value(nullptr);
    if (point.skip_items != 0) token["boto_truncate_amount"] = point.skip_items;
    return base64_encode(json::serialize(token));
}

resume_point decode_resume_token(std::string_view token) {
    const std::optional<std::string> text = base64_decode(token);
    boost::system::error_code ec;
    const json::value value = text ? json::parse(*text, ec) : json::value{};
    const json::object* object = value.if_object();
    if (!text || ec || object == nullptr) throw std::invalid_argument("not a NextToken printed by --max-items");
    resume_point point;
    for (const auto& [key, member] : *object) {
        if (key == "nextToken" && member.is_string()) point.next_token = std::string(member.get_string());
        else if (key == "boto_truncate_amount" && member.is_int64() && member.get_int64() >= 0)
            point.skip_items = static_cast<std::uint64_t>(member.get_int64());
        else if (!(key == "nextToken" && member.is_null()))
            throw std::invalid_argument("not a NextToken printed by --max-items (member '" + std::string(key) + "')");
    }
    return point;
}

page_collector::page_collector(std::optional<std::uint64_t> max_items, resume_point start)
    : max_items_(max_items), start_(std::move(start)) {
    if (start_.next_token) seen_tokens_.insert(*start_.next_token);
}

std::optional<std::string> page_collector::add(json::object page, const std::optional<std::string>& request_token) {
    std::optional<std::string> next_token;
    if (const json::value* token = page.if_contains("nextToken"); token != nullptr && token->is_string())
        next_token = std::string(token->get_string());
    const std::uint64_t skip = first_page_ ? start_.skip_items : 0;
    first_page_ = false;
    for (auto& [key, member] : page) {
        json::array* items = member.if_array();
        if (items == nullptr) continue;  // only the items merge; nextToken is the loop's
        json::array& target = merged_[key].is_array() ? merged_[key].get_array() : merged_[key].emplace_array();
        for (std::uint64_t i = skip; i < items->size(); ++i) {
            if (max_items_ && items_ == *max_items_) {
                // Truncated inside this page: resume on it, past what was printed.
                resume_token_ = encode_resume_token({request_token, i});
                return std::nullopt;
            }
            target.push_back(std::move((*items)[i]));
            ++items_;
        }
    }
    if (!next_token) return std::nullopt;
    if (max_items_ && items_ == *max_items_) {
        resume_token_ = encode_resume_token({next_token, 0});
        return std::nullopt;
    }
    if (!seen_tokens_.insert(*next_token).second)
        throw pagination_error("the service sent the same nextToken twice, so the listing would never end: " +
                               *next_token);
    return next_token;
}

json::value page_collector::result() && {
    if (resume_token_) merged_["NextToken"] = *resume_token_;
    return std::move(merged_);
}

}  // namespace ivschat::cli
