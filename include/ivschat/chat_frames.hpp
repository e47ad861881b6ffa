#pragma once

// The frames of the IVS Chat Messaging WebSocket API as typed values, and
// the errors a chat room reports (docs/messaging.md).

#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/is_error_code_enum.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace ivschat {

/// Errors of chat-room operations. The first eight are the service's ERROR
/// frame codes (the enum's value is the ErrorCode); the rest are the
/// client's own.
enum class chat_errc {
    bad_request = 400,        ///< malformed or invalid request
    unauthorized = 401,       ///< the connection expired or the token is missing
    forbidden = 403,          ///< the token lacks the capability
    not_found = 404,          ///< the room does not exist
    not_acceptable = 406,     ///< rejected by the room's message review handler
    payload_too_large = 413,  ///< a field is too large
    rate_exceeded = 429,      ///< the room's message rate is used up
    server_error = 500,       ///< the service's general error
    unknown_service_error = 1,  ///< an ERROR frame with another ErrorCode
    not_connected,            ///< no connection to send on
    connection_lost,          ///< the connection ended before the reply came
    request_timeout,          ///< no reply within chat_room_options::request_timeout
    closed,                   ///< the room was closed (close() or the server's clean close)
    token_fetch_failed,       ///< the token provider failed
    upgrade_refused,          ///< the server refused the WebSocket upgrade (bad token, no room)
    bad_endpoint,             ///< the messaging endpoint is not a ws:// or wss:// URL
    frames_dropped,           ///< receive(): the queue overflowed and frames were dropped since
    receive_pending,          ///< receive() while another receive() waits
    duplicate_request_id,     ///< a pending request already has this RequestId
    invalid_request,          ///< the action to send is not a JSON object with an Action
};

/// The category of chat_errc, name "ivschat.chat". A thread-safe singleton.
const boost::system::error_category& chat_category() noexcept;

inline boost::system::error_code make_error_code(chat_errc e) noexcept { return {static_cast<int>(e), chat_category()}; }

/// SendTime: UTC, nanosecond precision.
using chat_time = std::chrono::sys_time<std::chrono::nanoseconds>;
using chat_attributes = std::map<std::string, std::string>;

/// The sender of a MESSAGE: the token's user id and attributes.
struct chat_sender {
    std::string user_id{};
    chat_attributes attributes{};
};

/// A MESSAGE frame.
struct chat_message {
    std::string id{};
    std::string request_id{};  ///< empty when the sender gave none
    std::string content{};
    chat_attributes attributes{};  ///< empty for "Attributes": null or missing
    chat_time send_time{};
    chat_sender sender{};
    std::string json{};  ///< the frame as received
};

/// An EVENT frame other than the two system events below.
struct chat_event {
    std::string id{};
    std::string request_id{};
    std::string event_name{};
    chat_attributes attributes{};
    chat_time send_time{};
    std::string json{};
};

/// The EVENT aws:DELETE_MESSAGE.
struct chat_deleted_message {
    std::string id{};
    std::string request_id{};
    std::string message_id{};  ///< from MessageId or MessageID
    std::string reason{};
    chat_attributes attributes{};
    chat_time send_time{};
    std::string json{};
};

/// The EVENT aws:DISCONNECT_USER.
struct chat_user_disconnected {
    std::string id{};
    std::string request_id{};
    std::string user_id{};
    std::string reason{};
    chat_attributes attributes{};
    chat_time send_time{};
    std::string json{};
};

/// An ERROR frame (sent to the requester only).
struct chat_error {
    std::string id{};
    std::string request_id{};
    int error_code = 0;
    std::string error_message{};
    std::string json{};
};

/// A frame from the server.
using chat_frame = std::variant<chat_message, chat_event, chat_deleted_message, chat_user_disconnected, chat_error>;

/// The frame's Id (every frame has one).
const std::string& frame_id(const chat_frame& frame) noexcept;
/// The frame's RequestId ("" when none).
const std::string& frame_request_id(const chat_frame& frame) noexcept;
/// The frame as received (JSON text).
const std::string& frame_json(const chat_frame& frame) noexcept;

/// The error code of an ERROR frame: the chat_errc of its ErrorCode, or
/// unknown_service_error.
boost::system::error_code to_error_code(const chat_error& error) noexcept;

}  // namespace ivschat

template <>
struct boost::system::is_error_code_enum<ivschat::chat_errc> : std::true_type {};
