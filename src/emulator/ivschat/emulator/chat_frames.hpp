#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

namespace ivschat::emulator {

/// The Messaging API's client actions (the JSON frames a chat client sends)
/// and server frames (MESSAGE, EVENT, ERROR), without I/O.

enum class chat_action : std::uint8_t { send_message, delete_message, disconnect_user };

/// One client frame, checked for shape and size (not against a room).
struct chat_request {
    chat_action action = chat_action::send_message;
    std::string request_id{};
    /// SEND_MESSAGE.
    std::string content{};
    std::map<std::string, std::string> attributes{};
    /// DELETE_MESSAGE: the Id of the message.
    std::string id{};
    /// DISCONNECT_USER.
    std::string user_id{};
    /// DELETE_MESSAGE and DISCONNECT_USER; empty when absent.
    std::string reason{};
};

/// Why a client frame is refused: the ERROR frame's code and message, with
/// the frame's RequestId when it had a readable one.
struct chat_frame_error {
    int code = 400;
    std::string request_id{};
    std::string message{};
};

/// Largest total size of a message's attributes (keys and values, bytes),
/// as the 1 KB of token and event attributes.
inline constexpr std::size_t max_message_attributes_bytes = 1024;
/// Longest Reason, in code points, as DeleteMessage and DisconnectUser.
inline constexpr std::size_t max_reason_length = 256;
/// Longest UserId, in code points, as CreateChatToken.
inline constexpr std::size_t max_user_id_length = 128;

/// Reads a client frame: a JSON object with Action SEND_MESSAGE (Content,
/// Attributes?), DELETE_MESSAGE (Id, Reason?) or DISCONNECT_USER (UserId,
/// Reason?), each with an optional RequestId. Malformed JSON (invalid UTF-8
/// included), a missing or mistyped field, an unknown action: 400. Attributes
/// over max_message_attributes_bytes or a Reason over max_reason_length: 413.
std::variant<chat_request, chat_frame_error> parse_chat_request(std::string_view frame);

/// Unicode code points in valid UTF-8 text.
std::size_t code_points(std::string_view utf8) noexcept;

/// RFC 3339 UTC with nanoseconds: "2022-12-02T08:21:20.754555595Z".
std::string format_send_time(std::chrono::system_clock::time_point t);

/// Attributes as the JSON object frames carry.
boost::json::object attributes_object(const std::map<std::string, std::string>& attributes);

/// The sender of a MESSAGE: the token's user id and attributes.
struct chat_sender {
    std::string_view user_id;
    const std::map<std::string, std::string>& attributes;
};

std::string message_frame(std::string_view id, std::string_view request_id, std::string_view content,
                          const std::map<std::string, std::string>& attributes,
                          std::chrono::system_clock::time_point send_time, const chat_sender& sender);
std::string event_frame(std::string_view id, std::string_view request_id, std::string_view event_name,
                        const std::map<std::string, std::string>& attributes,
                        std::chrono::system_clock::time_point send_time);
std::string error_frame(std::string_view id, std::string_view request_id, int code, std::string_view message);

}  // namespace ivschat::emulator
