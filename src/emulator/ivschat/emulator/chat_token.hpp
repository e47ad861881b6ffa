#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ivschat::emulator {

/// What a chat token issued by CreateChatToken says.
struct chat_token_claims {
    std::string room_arn{};
    std::string user_id{};
    std::vector<std::string> capabilities{};
    std::map<std::string, std::string> attributes{};
    std::chrono::system_clock::time_point issued_at{};
    std::chrono::system_clock::time_point token_expiration_time{};
    std::chrono::system_clock::time_point session_expiration_time{};
};

/// The emulator's chat tokens: "ivschat-emulator.1.<claims>.<seal>", the
/// claims as JSON (with a random nonce: no two tokens are equal) and the
/// seal an HMAC-SHA256 of them, both base64url without
/// padding, so that a token is made only of RFC 7230 token characters and can
/// travel as a WebSocket subprotocol. Times are kept to the millisecond.
std::string seal_chat_token(std::string_view key, const chat_token_claims& claims);

/// Reads back a token sealed with `key`; nullopt when it is malformed or the
/// seal does not verify (compared in constant time).
std::optional<chat_token_claims> open_chat_token(std::string_view key, std::string_view token);

/// The seal part of a token, which identifies it (single use); empty when the
/// token has no seal.
std::string_view chat_token_seal(std::string_view token);

/// base64url (RFC 4648 section 5) without padding.
std::string base64url(std::string_view data);
/// Decodes unpadded base64url; nullopt on any other character or a bad length.
std::optional<std::string> unbase64url(std::string_view text);

}  // namespace ivschat::emulator
