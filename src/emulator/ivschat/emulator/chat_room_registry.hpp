#pragma once

#include <ivschat/emulator/chat_token.hpp>
#include <ivschat/emulator/service.hpp>

#include <chrono>
#include <cstdint>
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
};

/// One chat connection as the registry sees it. The I/O side implements
/// deliver() and end(); neither may call back into the registry before
/// returning (broadcasts iterate over the room's connections).
class chat_connection {
public:
    explicit chat_connection(chat_token_claims claims) : claims_(std::move(claims)) {}
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
    std::uint64_t messages_sent = 0;
    std::uint64_t frames_delivered = 0;
    std::uint64_t slow_clients_disconnected = 0;
};

/// The rooms' chat connections and the Messaging API's semantics, without
/// I/O: admits tokens at the upgrade (valid seal, not expired, not used
/// before, room exists), runs client actions (capabilities, the room's length
/// and rate limits), broadcasts MESSAGE and EVENT frames to every connection
/// of a room, delivers the control plane's events (room_listener), ends
/// sessions at their expiry with ERROR 401.
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

    void on_event(std::string_view room_arn, const room_event& event) override;
    void on_disconnect_user(std::string_view room_arn, std::string_view user_id) override;
    void on_room_deleted(std::string_view room_arn) override;

    const messaging_options& options() const noexcept { return options_; }
    messaging_counters& counters() noexcept { return counters_; }
    std::size_t connection_count() const noexcept { return connection_count_; }

private:
    struct room {
        std::vector<chat_connection*> connections;
        /// When the room's recent messages were accepted (the last second's).
        std::vector<std::chrono::system_clock::time_point> recent_messages;
    };

    std::chrono::system_clock::time_point now() const;
    void refuse(chat_connection& to, std::string_view request_id, int code, std::string_view message);
    void broadcast(std::string_view room_arn, std::string frame);
    void broadcast_event(std::string_view room_arn, std::string_view request_id, const room_event& event);
    void end_user(std::string_view room_arn, std::string_view user_id);
    bool accept_message(room& r, std::int32_t rate, std::chrono::system_clock::time_point at);

    service& service_;
    messaging_options options_;
    std::chrono::seconds clock_offset_;
    std::unordered_map<std::string, room> rooms_;  // by ARN
    /// Seals of used tokens and when each expires (then it is refused anyway).
    std::unordered_map<std::string, std::chrono::system_clock::time_point> used_tokens_;
    messaging_counters counters_;
    std::size_t connection_count_ = 0;
};

}  // namespace ivschat::emulator
