#pragma once

// The Messaging API's frames as JSON text, both ways, without I/O: server
// frames (MESSAGE, EVENT, ERROR) decoded into ivschat::chat_frame, client
// actions (SEND_MESSAGE, DELETE_MESSAGE, DISCONNECT_USER) encoded.

#include <ivschat/chat_frames.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ivschat::messaging {

/// A decoded frame, or why the text is not one.
struct decoded_frame {
    std::optional<chat_frame> frame{};
    std::string problem{};  ///< set when frame is empty
};

/// Decodes one server frame. Tolerates "Attributes": null, missing or empty
/// RequestId, MessageId or MessageID, unknown fields; an EVENT with an
/// unknown name is a chat_event. Non-string attribute values, a missing Id
/// or Type, an unknown Type, a bad SendTime are problems.
decoded_frame decode_frame(std::string_view text);

std::string encode_send_message(std::string_view request_id, std::string_view content,
                                const chat_attributes& attributes);
/// Reason is omitted when empty.
std::string encode_delete_message(std::string_view request_id, std::string_view message_id, std::string_view reason);
std::string encode_disconnect_user(std::string_view request_id, std::string_view user_id, std::string_view reason);

/// A client action given as JSON text, made ready to send.
struct prepared_action {
    std::string text{};
    std::string request_id{};
};

/// `text` must be a JSON object with a string "Action"; a missing or empty
/// RequestId becomes `fresh_request_id`. nullopt otherwise.
std::optional<prepared_action> prepare_action(std::string_view text, std::string_view fresh_request_id);

/// A fresh RequestId: a random UUID v4.
std::string make_request_id();

}  // namespace ivschat::messaging
