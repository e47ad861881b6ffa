#include <ivschat/emulator/chat_token.hpp>

#include "ivschat/crypto/sha256.hpp"

#include <boost/json.hpp>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>

namespace ivschat::emulator {

namespace {

namespace json = boost::json;
using time_point = std::chrono::system_clock::time_point;

constexpr std::string_view token_prefix = "ivschat-emulator.1.";
constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> decoding_table() {
    std::array<std::int8_t, 256> table{};
    table.fill(-1);
    for (std::size_t i = 0; i < alphabet.size(); ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}
constexpr auto decoding = decoding_table();

std::int64_t millis(time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string base64url(std::string_view data) {
    std::string out;
    out.reserve((data.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t(std::uint8_t(data[i])) << 16) |
                                (std::uint32_t(std::uint8_t(data[i + 1])) << 8) | std::uint8_t(data[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(v >> shift) & 63]);
    }
    const std::size_t rest = data.size() - i;
    if (rest > 0) {
        std::uint32_t v = std::uint32_t(std::uint8_t(data[i])) << 16;
        if (rest == 2) v |= std::uint32_t(std::uint8_t(data[i + 1])) << 8;
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        if (rest == 2) out.push_back(alphabet[(v >> 6) & 63]);
    }
    return out;
}

std::optional<std::string> unbase64url(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : text) {
        const auto value = decoding[static_cast<unsigned char>(c)];
        if (value < 0) return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xff));
        }
    }
    // The unused low bits of the last character must be zero (one encoding per value).
    if ((bits & ((1u << count) - 1)) != 0) return std::nullopt;
    return out;
}

std::string seal_chat_token(std::string_view key, const chat_token_claims& claims) {
    json::array capabilities;
    for (const auto& c : claims.capabilities) capabilities.emplace_back(c);
    json::object attributes;
    for (const auto& [name, value] : claims.attributes) attributes[name] = value;
    // Every token is distinct, even two issued in the same millisecond with
    // the same claims (each is single use).
    std::string nonce(12, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size()));
    const std::string body = json::serialize(json::object{{"room", claims.room_arn},
                                                          {"user", claims.user_id},
                                                          {"capabilities", std::move(capabilities)},
                                                          {"attributes", std::move(attributes)},
                                                          {"iat", millis(claims.issued_at)},
                                                          {"exp", millis(claims.token_expiration_time)},
                                                          {"sessionExp", millis(claims.session_expiration_time)},
                                                          {"nonce", base64url(nonce)}});
    const auto seal = detail::hmac_sha256(key, body);
    return std::string(token_prefix) + base64url(body) + "." + base64url(detail::as_string_view(seal));
}

std::string_view chat_token_seal(std::string_view token) {
    const auto dot = token.rfind('.');
    if (!token.starts_with(token_prefix) || dot < token_prefix.size()) return {};
    return token.substr(dot + 1);
}

std::optional<chat_token_claims> open_chat_token(std::string_view key, std::string_view token) {
    if (!token.starts_with(token_prefix)) return std::nullopt;
    token.remove_prefix(token_prefix.size());
    const auto dot = token.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto body = unbase64url(token.substr(0, dot));
    auto seal = unbase64url(token.substr(dot + 1));
    if (!body || !seal) return std::nullopt;
    const auto expected = detail::hmac_sha256(key, *body);
    if (seal->size() != expected.size() || CRYPTO_memcmp(seal->data(), expected.data(), expected.size()) != 0)
        return std::nullopt;
    json::error_code ec;
    auto doc = json::parse(*body, ec);
    if (ec || !doc.is_object()) return std::nullopt;
    try {
        const auto& o = doc.as_object();
        chat_token_claims out;
        out.room_arn = json::value_to<std::string>(o.at("room"));
        out.user_id = json::value_to<std::string>(o.at("user"));
        out.capabilities = json::value_to<std::vector<std::string>>(o.at("capabilities"));
        out.attributes = json::value_to<std::map<std::string, std::string>>(o.at("attributes"));
        auto at = [&](std::string_view name) {
            return time_point(std::chrono::milliseconds(o.at(name).to_number<std::int64_t>()));
        };
        out.issued_at = at("iat");
        out.token_expiration_time = at("exp");
        out.session_expiration_time = at("sessionExp");
        return out;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace ivschat::emulator
