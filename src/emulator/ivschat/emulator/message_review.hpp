#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ivschat::emulator {

/// Message review (a room's messageReviewHandler) without I/O: where a
/// handler's Lambda ARN is served locally, the request the handler gets and
/// how its reply is read.

/// `--review-handler LAMBDA_ARN=http://ADDRESS:PORT/PATH`: the local HTTP
/// handler that stands in for a Lambda function.
struct review_handler_route {
    std::string lambda_arn{};
    /// An IP address literal (localhost is taken as 127.0.0.1).
    std::string address{};
    std::uint16_t port = 0;
    /// Path and query, "/" when the URL has none.
    std::string target{};
};

/// Reads "LAMBDA_ARN=http://ADDRESS:PORT/PATH"; nullopt unless the ARN is a
/// Lambda function ARN and the URL is plain http to an IP address (or
/// localhost) with a port.
std::optional<review_handler_route> parse_review_handler_route(std::string_view text);

/// What the handler reviews: one SEND_MESSAGE.
struct review_subject {
    std::string_view message_id;
    std::string_view room_arn;
    std::string_view content;
    const std::map<std::string, std::string>& attributes;
    std::string_view sender_user_id;
    const std::map<std::string, std::string>& sender_attributes;
    std::string_view sender_ip;
};

/// The JSON the handler is invoked with: Content, MessageId, RoomArn,
/// Attributes, Sender {UserId, Attributes, Ip}.
std::string review_request_body(const review_subject& subject);

/// A handler's valid reply.
struct review_reply {
    bool allow = false;
    /// Replacements for the message's Content and Attributes, when given.
    std::optional<std::string> content{};
    std::optional<std::map<std::string, std::string>> attributes{};
};

/// Reads a handler's reply: {"ReviewResult": "ALLOW"|"DENY", "Content"?,
/// "Attributes"?}. nullopt when it is not such an object, or when a
/// replacement breaks the limits a sent message has (Content 1 to
/// `maximum_message_length` code points, Attributes strings of at most
/// 1 KB together); the room's fallbackResult then applies.
std::optional<review_reply> parse_review_reply(std::string_view body, std::size_t maximum_message_length);

}  // namespace ivschat::emulator
