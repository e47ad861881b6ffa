#pragma once

#include <ivschat/emulator/chat_frames.hpp>
#include <ivschat/emulator/chat_token.hpp>
#include <ivschat/emulator/service.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace ivschat::emulator {

/// Limits of the Messaging endpoint.
struct messaging_options {
    /// Frames waiting to be sent to one connection; a connection that falls
    /// further behind is closed (1008) as too slow.
    std::size_t max_queued_frames = 256;
    /// Largest client message (bytes); a larger one ends the connection (1009).
    std::size_t max_client_message_bytes = 16 * 1024;
    /// How long a connection that is being closed may take to drain its queue
    /// and finish the close handshake before its socket is closed.
    std::chrono::seconds close_timeout{5};
    /// Concurrent chat connections; an upgrade beyond them is refused with
    /// 429 (0: no limit). The service's quota is 50,000 per account.
    std::size_t max_connections = 0;
    /// Messages of one room waiting for their review (or for an earlier
    /// message's); a SEND_MESSAGE beyond them gets ERROR 429.
    std::size_t max_pending_reviews = 64;
};

/// One chat connection as the registry sees it. The I/O side implements
/// deliver() and end(); neither may call back into the registry before
/// returning (broadcasts iterate over the room's connections).
class chat_connection {
public:
    /// `remote_ip`: the client's address, as message review reports it.
    explicit chat_connection(chat_token_claims claims, std::string remote_ip = {})
        : claims_(std::move(claims)), remote_ip_(std::move(remote_ip)) {}
    virtual ~chat_connection() = default;
    chat_connection(const chat_connection&) = delete;
    chat_connection& operator=(const chat_connection&) = delete;

    /// Queues a frame. Over messaging_options::max_queued_frames the
    /// connection drops its queue and ends as too slow.
    virtual void deliver(std::shared_ptr<const std::string> frame) = 0;
    /// Sends what is queued, then closes with `code` and `reason`; nothing
    /// when the connection is already ending.
    virtual void end(std::uint16_t code, std::string_view reason) = 0;
    /// Closes the socket now.
    virtual void abort() = 0;

    const chat_token_claims& claims() const noexcept { return claims_; }
    const std::string& remote_ip() const noexcept { return remote_ip_; }
    bool has_capability(std::string_view capability) const;
    /// Whether end() has begun, and since when.
    bool ending() const noexcept { return ending_since_.has_value(); }
    std::optional<std::chrono::steady_clock::time_point> ending_since() const noexcept { return ending_since_; }

protected:
    /// Marks the connection as ending; false when it already was.
    bool begin_ending() {
        if (ending_since_) return false;
        ending_since_ = std::chrono::steady_clock::now();
        return true;
    }

private:
    chat_token_claims claims_;
    std::string remote_ip_;
    std::optional<std::chrono::steady_clock::time_point> ending_since_;
};

/// Why an upgrade is refused: the HTTP status and a short reason.
struct upgrade_refusal {
    unsigned status = 401;
    std::string reason{};
};

/// Counters of the Messaging endpoint.
struct messaging_counters {
    std::uint64_t connections_accepted = 0;
    std::uint64_t upgrades_refused = 0;
    /// SEND_MESSAGE actions accepted (before their review).
    std::uint64_t messages_sent = 0;
    /// EVENT frames broadcast (from either API).
    std::uint64_t events_sent = 0;
    std::uint64_t frames_delivered = 0;
    std::uint64_t slow_clients_disconnected = 0;
    /// ERROR frames sent, by ErrorCode.
    std::map<int, std::uint64_t> errors{};
    /// Review verdicts: the handler's ALLOW and DENY, and the messages
    /// decided by the room's fallbackResult instead.
    std::uint64_t reviews_allowed = 0;
    std::uint64_t reviews_denied = 0;
    std::uint64_t reviews_fallback = 0;
    /// Records the logging destinations have written.
    std::uint64_t log_records_written = 0;
};

/// Invokes message review handlers: the I/O side of message review.
class message_reviewer {
public:
    virtual ~message_reviewer() = default;
    /// Sends `body` to the handler that stands for `lambda_arn` and calls
    /// `done` once, later (never from inside review()), with the handler's
    /// reply, or nullopt when no handler is configured for the ARN, none
    /// replied in time, or the reply was an HTTP error.
    virtual void review(std::string_view lambda_arn, std::string body,
                        std::function<void(std::optional<std::string>)> done) = 0;
};

/// Receives every MESSAGE and EVENT frame a room delivers (the logging
/// destinations), with the time it was sent; `type` is "MESSAGE" or "EVENT".
class chat_log_sink {
public:
    virtual ~chat_log_sink() = default;
    virtual void record(std::string_view room_arn, std::string_view type, std::string_view frame,
                        std::chrono::system_clock::time_point at) = 0;
};

/// The rooms' chat connections and the Messaging API's semantics, without
/// I/O: admits tokens at the upgrade (valid seal, not expired, not used
/// before, room exists), runs client actions (capabilities, the room's length
/// and rate limits), broadcasts MESSAGE and EVENT frames to every connection
/// of a room, delivers the control plane's events (room_listener), ends
/// sessions at their expiry with ERROR 401.
///
/// Message review: in a room with a messageReviewHandler, an accepted
/// SEND_MESSAGE waits for the handler's verdict (message_reviewer) or the
/// room's fallbackResult; DENY is an ERROR 406 to the sender alone. A room's
/// messages are delivered in the order the room accepted them: a message
/// whose review ends first waits for the earlier ones (at most
/// messaging_options::max_pending_reviews per room).
///
/// Not safe for concurrent use: the server calls it from its strand.
class chat_room_registry final : public room_listener {
public:
    /// Registers itself as `svc`'s room listener; `clock_offset` as the server's.
    chat_room_registry(service& svc, messaging_options options, std::chrono::seconds clock_offset = {});
    ~chat_room_registry() override;
    chat_room_registry(const chat_room_registry&) = delete;
    chat_room_registry& operator=(const chat_room_registry&) = delete;

    /// Checks the token of an upgrade request and marks it used.
    std::variant<chat_token_claims, upgrade_refusal> admit(std::string_view token);
    /// A connection whose handshake completed joins its room; it must leave()
    /// before it is destroyed.
    void join(chat_connection& connection);
    void leave(chat_connection& connection);
    /// One client frame (text or binary): its action, or an ERROR to the sender.
    void handle_frame(chat_connection& from, std::string_view frame);
    /// Once a second: ends expired sessions (ERROR 401, then close 1000),
    /// forgets used tokens past their expiry, aborts overdue closes.
    void sweep(std::chrono::steady_clock::time_point now);
    /// Closes every connection's socket (server stop).
    void close_all();

    /// Where reviews go (nullptr: every review gets the room's fallbackResult
    /// at once). Must outlive the registry or be removed first.
    void set_reviewer(message_reviewer* reviewer) noexcept { reviewer_ = reviewer; }
    /// Where delivered frames are recorded (nullptr: nowhere).
    void set_log_sink(chat_log_sink* sink) noexcept { log_sink_ = sink; }
    /// Messages of a room waiting for a review, the room's earlier ones included.
    std::size_t pending_reviews(std::string_view room_arn) const;

    void on_event(std::string_view room_arn, const room_event& event) override;
    void on_disconnect_user(std::string_view room_arn, std::string_view user_id) override;
    void on_room_deleted(std::string_view room_arn) override;

    const messaging_options& options() const noexcept { return options_; }
    messaging_counters& counters() noexcept { return counters_; }
    /// The counters as GET /_emulator/stats reports them, with the
    /// connections open now.
    boost::json::object stats() const;
    /// Zeroes the counters except connections accepted (POST /_emulator/reset).
    void reset_counters();
    std::size_t connection_count() const noexcept { return connection_count_; }

private:
    struct room {
        std::vector<chat_connection*> connections;
        /// When the room's recent messages were accepted (the last second's).
        std::vector<std::chrono::system_clock::time_point> recent_messages;
    };

    /// An accepted SEND_MESSAGE on its way to the room.
    struct pending_message {
        std::uint64_t ticket = 0;
        /// nullptr once the sender has left.
        chat_connection* sender = nullptr;
        std::string id{};
        std::string request_id{};
        std::string content{};
        std::map<std::string, std::string> attributes{};
        std::string sender_user_id{};
        std::map<std::string, std::string> sender_attributes{};
        bool decided = false;
        bool allowed = true;
        /// The room's fallbackResult, should the review fail.
        bool fallback_allows = true;
        std::size_t maximum_message_length = 0;
    };

    std::chrono::system_clock::time_point now() const;
    void refuse(chat_connection& to, std::string_view request_id, int code, std::string_view message);
    void broadcast(std::string_view room_arn, std::string_view type, std::string frame);
    void send_message(chat_connection& from, const chat_request& request, std::string_view room_arn,
                      const room_message_limits& limits);
    void on_review(const std::string& room_arn, std::uint64_t ticket, const std::optional<std::string>& reply);
    /// Delivers the room's decided messages from the front of its queue.
    void deliver_reviewed(const std::string& room_arn);
    void deliver_message(std::string_view room_arn, const pending_message& message);
    void broadcast_event(std::string_view room_arn, std::string_view request_id, const room_event& event);
    void end_user(std::string_view room_arn, std::string_view user_id);
    bool accept_message(room& r, std::int32_t rate, std::chrono::system_clock::time_point at);

    service& service_;
    messaging_options options_;
    std::chrono::seconds clock_offset_;
    std::unordered_map<std::string, room> rooms_;  // by ARN
    /// Seals of used tokens and when each expires (then it is refused anyway).
    std::unordered_map<std::string, std::chrono::system_clock::time_point> used_tokens_;
    /// Messages waiting for a review, by room ARN, in the room's order.
    std::unordered_map<std::string, std::deque<pending_message>> pending_;
    std::uint64_t next_ticket_ = 0;
    message_reviewer* reviewer_ = nullptr;
    chat_log_sink* log_sink_ = nullptr;
    messaging_counters counters_;
    std::size_t connection_count_ = 0;
};

}  // namespace ivschat::emulator
