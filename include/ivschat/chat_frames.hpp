#pragma once

// The frames of the IVS Chat Messaging WebSocket API as typed values, and
// the errors a chat room reports (docs/messaging.md).

#include <ivschat/export.hpp>

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
IVSCHAT_API const boost::system::error_category& chat_category() noexcept;

/// Lets `boost::system::error_code ec = ivschat::chat_errc::closed;` work.
inline boost::system::error_code make_error_code(chat_errc e) noexcept { return {static_cast<int>(e), chat_category()}; }

/// SendTime: UTC, nanosecond precision.
using chat_time = std::chrono::sys_time<std::chrono::nanoseconds>;
/// Attributes: string keys to string values.
using chat_attributes = std::map<std::string, std::string>;

/// The sender of a MESSAGE: the token's user id and attributes.
struct chat_sender {
    std::string user_id{};          ///< Sender.UserId
    chat_attributes attributes{};   ///< Sender.Attributes; empty when null or missing
};

/// A MESSAGE frame.
struct chat_message {
    std::string id{};              ///< Id: the message's id (for async_delete_message)
    std::string request_id{};      ///< RequestId; empty when the sender gave none
    std::string content{};         ///< Content
    chat_attributes attributes{};  ///< Attributes; empty for "Attributes": null or missing
    chat_time send_time{};         ///< SendTime
    chat_sender sender{};          ///< Sender
    std::string json{};            ///< the frame as received
};

/// An EVENT frame other than the two system events below.
struct chat_event {
    std::string id{};              ///< Id
    std::string request_id{};      ///< RequestId; empty when none
    std::string event_name{};      ///< EventName
    chat_attributes attributes{};  ///< Attributes; empty when null or missing
    chat_time send_time{};         ///< SendTime
    std::string json{};            ///< the frame as received
};

/// The EVENT aws:DELETE_MESSAGE.
struct chat_deleted_message {
    std::string id{};              ///< Id: the event's own id
    std::string request_id{};      ///< RequestId; empty when none
    std::string message_id{};      ///< the deleted message's Id, from Attributes.MessageId or MessageID
    std::string reason{};          ///< Attributes.Reason; empty when none
    chat_attributes attributes{};  ///< Attributes, all of them
    chat_time send_time{};         ///< SendTime
    std::string json{};            ///< the frame as received
};

/// The EVENT aws:DISCONNECT_USER.
struct chat_user_disconnected {
    std::string id{};              ///< Id: the event's own id
    std::string request_id{};      ///< RequestId; empty when none
    std::string user_id{};         ///< the disconnected user, from Attributes.UserId
    std::string reason{};          ///< Attributes.Reason; empty when none
    chat_attributes attributes{};  ///< Attributes, all of them
    chat_time send_time{};         ///< SendTime
    std::string json{};            ///< the frame as received
};

/// An ERROR frame (sent to the requester only).
struct chat_error {
    std::string id{};             ///< Id
    std::string request_id{};     ///< RequestId of the failed request
    int error_code = 0;           ///< ErrorCode, an HTTP-like status (0 to 999); see to_error_code()
    std::string error_message{};  ///< ErrorMessage; empty when none
    std::string json{};           ///< the frame as received
};

/// A frame from the server.
using chat_frame = std::variant<chat_message, chat_event, chat_deleted_message, chat_user_disconnected, chat_error>;

/// The frame's Id (every frame has one).
IVSCHAT_API const std::string& frame_id(const chat_frame& frame) noexcept;
/// The frame's RequestId ("" when none).
IVSCHAT_API const std::string& frame_request_id(const chat_frame& frame) noexcept;
/// The frame as received (JSON text).
IVSCHAT_API const std::string& frame_json(const chat_frame& frame) noexcept;

/// The error code of an ERROR frame: the chat_errc of its ErrorCode, or
/// unknown_service_error.
IVSCHAT_API boost::system::error_code to_error_code(const chat_error& error) noexcept;

}  // namespace ivschat

//! @cond
template <>
struct boost::system::is_error_code_enum<ivschat::chat_errc> : std::true_type {};
//! @endcond
