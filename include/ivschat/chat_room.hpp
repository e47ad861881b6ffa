#pragma once

// A connection to one IVS Chat room over the Messaging WebSocket API
// (docs/messaging.md).

#include <ivschat/chat_frames.hpp>
#include <ivschat/detail/async_spawn.hpp>
#include <ivschat/export.hpp>
#include <ivschat/model.hpp>
#include <ivschat/observability.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace ivschat {

class client;

/// What a token provider returns: CreateChatToken's answer.
struct chat_token {
    /// The token, sent to the messaging endpoint to open one connection.
    std::string token{};
    /// When the connection's session ends; the room switches to a new
    /// connection before then.
    std::optional<std::chrono::system_clock::time_point> session_expiration_time{};
    /// When the token stops being accepted for a connection (informative).
    std::optional<std::chrono::system_clock::time_point> token_expiration_time{};
};

/// Called for every connection the room opens (tokens are single use). It
/// runs on the room's executor; an error ends that connection attempt.
using chat_token_provider =
    std::function<boost::asio::awaitable<std::tuple<boost::system::error_code, chat_token>>()>;

/// A provider that calls CreateChatToken through `c` with `request` each
/// time. `c` must outlive the rooms using the provider.
IVSCHAT_API chat_token_provider make_chat_token_provider(client& c, create_chat_token_request request);

/// "wss://edge.ivschat.<region>.amazonaws.com" for a region; a ws:// or
/// wss:// URL is returned unchanged.
IVSCHAT_API std::string messaging_endpoint(std::string_view region_or_url);

/// A room's connection state (chat_room::state()).
enum class chat_state {
    disconnected,  ///< no connection, and none being opened
    connecting,    ///< opening a connection (first connect or reconnect)
    connected,     ///< a connection is open
};

/// Why the room is (or was last) disconnected.
enum class chat_disconnect_reason {
    none,               ///< never connected
    client,             ///< close() or the room's destruction
    server,             ///< the server closed the connection cleanly (1000): user disconnected, room deleted
    socket_error,       ///< the connection failed or dropped and reconnecting failed
    token_fetch_error,  ///< the token provider failed on the last attempt
};

/// "disconnected", "connecting" or "connected".
IVSCHAT_API std::string_view to_string(chat_state state) noexcept;
/// "none", "client", "server", "socket_error" or "token_fetch_error".
IVSCHAT_API std::string_view to_string(chat_disconnect_reason reason) noexcept;

/// TLS settings, the same as the client's transport (pool_options).
struct chat_tls_options {
    /// Verify the server's certificate and host name; false skips both (tests only).
    bool verify_peer = true;
    /// A PEM file of trusted CAs (AWS_CA_BUNDLE); empty: the system's store unless ca_pem is set.
    std::string ca_file{};
    /// Trusted CAs as PEM text, added to ca_file's; empty: none.
    std::string ca_pem{};
};

/// How a chat_room connects and reconnects. Durations are per attempt
/// unless said otherwise.
struct chat_room_options {
    /// A region ("us-west-2") or a ws:// / wss:// URL (messaging_endpoint()).
    std::string endpoint{};
    /// TLS settings for wss:// endpoints.
    chat_tls_options tls{};
    /// TCP connect, TLS and WebSocket handshakes, each.
    std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
    /// A request without its reply for this long completes with request_timeout.
    std::chrono::milliseconds request_timeout = std::chrono::seconds(10);
    /// Reconnection attempts after an unclean loss (and retries of the first
    /// connect) before the room gives up: 0 disables reconnecting.
    unsigned max_reconnect_attempts = 5;
    /// Backoff before attempt n: a random delay in [0, min(cap, base * 2^n)].
    std::chrono::milliseconds reconnect_base_delay = std::chrono::milliseconds(250);
    /// The cap of that backoff delay.
    std::chrono::milliseconds reconnect_max_delay = std::chrono::seconds(15);
    /// A connection silent this long gets a WebSocket ping; silent twice as
    /// long, it is dropped (then the room reconnects).
    std::chrono::milliseconds ping_interval = std::chrono::seconds(15);
    /// The replacement connection opens this long before the session ends
    /// (at the latest half-way through a shorter session).
    std::chrono::milliseconds switch_over_lead = std::chrono::seconds(60);
    /// The room works on a strand it makes from the executor it is given, so
    /// that it may be used from any thread. false: it works directly on the
    /// given executor, which must then run one handler at a time (an
    /// io_context run by one thread, or a strand of the caller's); this saves
    /// a strand dispatch on every completion (the client's transport has the
    /// same switch, pool_options::thread_safe).
    bool thread_safe = true;
    /// Frames held for receive(); when full the oldest is dropped (see receive).
    std::size_t receive_queue_capacity = 1024;
    /// A larger frame from the server fails the connection (the service's
    /// frames are a few kilobytes).
    std::size_t max_frame_bytes = 64 * 1024;
    /// Called on the room's executor at every state change, with the reason
    /// and error of a disconnection.
    std::function<void(chat_state, chat_disconnect_reason, boost::system::error_code)> on_state_change{};
    /// Called on the room's executor for a frame that cannot be decoded (it
    /// is counted and dropped).
    std::function<void(std::string_view problem)> on_bad_frame{};
    /// Log records of state changes, reconnects, switch-overs, undecodable
    /// frames and a full receive queue (observability.hpp); none by default.
    std::shared_ptr<ivschat::logger> logger{};
};

namespace detail {
class chat_room_core;
IVSCHAT_API boost::asio::awaitable<boost::system::error_code> chat_connect(std::shared_ptr<chat_room_core> core);
IVSCHAT_API boost::asio::awaitable<std::tuple<boost::system::error_code, chat_frame>> chat_request(
    std::shared_ptr<chat_room_core> core, std::string text, std::string request_id, chat_error* error_out);
/// A receive waiting for its frame.
using chat_receive_handler = boost::asio::any_completion_handler<void(boost::system::error_code, chat_frame)>;
/// Completes `handler` with the next frame; runs on the room's executor.
IVSCHAT_API void chat_start_receive(const std::shared_ptr<chat_room_core>& core, chat_receive_handler handler);
IVSCHAT_API boost::asio::awaitable<boost::system::error_code> chat_close(std::shared_ptr<chat_room_core> core);

template <class Frame>
boost::asio::awaitable<std::tuple<boost::system::error_code, Frame>> chat_typed_request(
    std::shared_ptr<chat_room_core> core, std::string text, std::string request_id, chat_error* error_out) {
    auto [ec, frame] = co_await chat_request(std::move(core), std::move(text), std::move(request_id), error_out);
    if (!ec && !std::holds_alternative<Frame>(frame)) ec = make_error_code(chat_errc::unknown_service_error);
    if (ec) co_return std::tuple{ec, Frame{}};
    co_return std::tuple{ec, std::get<Frame>(std::move(frame))};
}

IVSCHAT_API std::string chat_request_id();
IVSCHAT_API std::string chat_encode_send_message(std::string_view request_id, std::string_view content,
                                                 const chat_attributes& attributes);
IVSCHAT_API std::string chat_encode_delete_message(std::string_view request_id, std::string_view id, std::string_view reason);
IVSCHAT_API std::string chat_encode_disconnect_user(std::string_view request_id, std::string_view user_id,
                                                    std::string_view reason);
}  // namespace detail

/// One user's connection to a room, kept up across connection losses and
/// session ends.
///
/// Operations are Asio asynchronous operations for any completion token
/// (default use_awaitable); they run on a strand of the executor given at
/// construction and complete on the handler's associated executor. Every
/// operation supports per-operation cancellation (terminal, partial and
/// total): a cancelled request completes with operation_aborted (its frame
/// may still have been sent).
///
/// Thread safety: a chat_room may be used from any number of threads and
/// coroutines at once; the state callbacks run on its strand. With
/// chat_room_options::thread_safe false, from the executor's one thread only.
///
/// Lifetime: destroying the room closes its connections without waiting;
/// pending operations complete with an error.
class IVSCHAT_API chat_room {
public:
    /// The type of the executor given at construction.
    using executor_type = boost::asio::any_io_executor;

    /// A disconnected room; nothing happens until async_connect().
    /// `token_provider` is called for every connection the room opens.
    chat_room(executor_type executor, chat_room_options options, chat_token_provider token_provider);
    /// Closes the room's connections without waiting; pending operations
    /// complete with an error.
    ~chat_room();
    /// Not copyable.
    chat_room(const chat_room&) = delete;
    /// Not copyable.
    chat_room& operator=(const chat_room&) = delete;

    /// The room's strand.
    const executor_type& get_executor() const noexcept;

    /// Connects (retrying like a reconnect). Signature void(error_code):
    /// upgrade_refused, token_fetch_failed, a socket error, or
    /// boost::asio::error::already_connected when not disconnected.
    template <class Token = boost::asio::use_awaitable_t<>>
    auto async_connect(Token&& token = {}) {
        return detail::async_spawn<void(boost::system::error_code)>(get_executor(), detail::chat_connect(core_),
                                                                   std::forward<Token>(token));
    }

    /// SEND_MESSAGE. Signature void(error_code, chat_message): the MESSAGE
    /// with this request's RequestId, or a chat_errc: the service's ERROR
    /// code (its frame in `*error_out` when given), not_connected,
    /// request_timeout, connection_lost.
    template <class Token = boost::asio::use_awaitable_t<>>
    auto async_send_message(std::string content, chat_attributes attributes = {}, chat_error* error_out = nullptr,
                            Token&& token = {}) {
        auto id = detail::chat_request_id();
        auto text = detail::chat_encode_send_message(id, content, attributes);
        return detail::async_spawn<void(boost::system::error_code, chat_message)>(
            get_executor(), detail::chat_typed_request<chat_message>(core_, std::move(text), std::move(id), error_out),
            std::forward<Token>(token));
    }

    /// DELETE_MESSAGE. Signature void(error_code, chat_deleted_message): the aws:DELETE_MESSAGE event.
    template <class Token = boost::asio::use_awaitable_t<>>
    auto async_delete_message(std::string message_id, std::string reason = {}, chat_error* error_out = nullptr,
                              Token&& token = {}) {
        auto id = detail::chat_request_id();
        auto text = detail::chat_encode_delete_message(id, message_id, reason);
        return detail::async_spawn<void(boost::system::error_code, chat_deleted_message)>(
            get_executor(),
            detail::chat_typed_request<chat_deleted_message>(core_, std::move(text), std::move(id), error_out),
            std::forward<Token>(token));
    }

    /// DISCONNECT_USER. Signature void(error_code, chat_user_disconnected): the aws:DISCONNECT_USER event.
    template <class Token = boost::asio::use_awaitable_t<>>
    auto async_disconnect_user(std::string user_id, std::string reason = {}, chat_error* error_out = nullptr,
                               Token&& token = {}) {
        auto id = detail::chat_request_id();
        auto text = detail::chat_encode_disconnect_user(id, user_id, reason);
        return detail::async_spawn<void(boost::system::error_code, chat_user_disconnected)>(
            get_executor(),
            detail::chat_typed_request<chat_user_disconnected>(core_, std::move(text), std::move(id), error_out),
            std::forward<Token>(token));
    }

    /// Sends an action given as JSON text (an object with "Action"; a
    /// RequestId is added when missing). Signature void(error_code,
    /// chat_frame): the reply with its RequestId; for an ERROR reply the
    /// error is its chat_errc and the frame is the chat_error.
    template <class Token = boost::asio::use_awaitable_t<>>
    auto async_send_action(std::string json_text, Token&& token = {}) {
        return detail::async_spawn<void(boost::system::error_code, chat_frame)>(
            get_executor(), detail::chat_request(core_, std::move(json_text), {}, nullptr),
            std::forward<Token>(token));
    }

    /// The next frame received (replies to this room's requests included;
    /// de-duplicated by Id). Signature void(error_code, chat_frame). Queued
    /// frames are delivered before an end is reported; then: closed after
    /// close() or a clean server close, connection_lost or
    /// token_fetch_failed when reconnecting failed, not_connected before
    /// connect. When the queue overflowed, the oldest frames were dropped
    /// and the next receive completes once with frames_dropped. One receive
    /// at a time (else receive_pending).
    template <class Token = boost::asio::use_awaitable_t<>>
    auto async_receive(Token&& token = {}) {
        // No coroutine of its own: the hot path of a receiving service is
        // one stored handler per frame.
        return boost::asio::async_initiate<Token, void(boost::system::error_code, chat_frame)>(
            [](auto handler, const std::shared_ptr<detail::chat_room_core>& core) {
                detail::chat_start_receive(core, std::move(handler));
            },
            token, core_);
    }

    /// Closes with 1000 and stops reconnecting; pending requests complete
    /// with connection_lost. Signature void(error_code).
    template <class Token = boost::asio::use_awaitable_t<>>
    auto async_close(Token&& token = {}) {
        return detail::async_spawn<void(boost::system::error_code)>(get_executor(), detail::chat_close(core_),
                                                                   std::forward<Token>(token));
    }

    /// The connection state now.
    chat_state state() const noexcept;
    /// Why the room is (or was last) disconnected; none before the first connect.
    chat_disconnect_reason disconnect_reason() const noexcept;
    /// Frames dropped because the receive queue was full, since construction.
    std::size_t dropped_frames() const noexcept;
    /// Undecodable frames from the server, since construction.
    std::size_t bad_frames() const noexcept;
    /// Connections opened, the first included (reconnects and switch-overs add one each).
    std::size_t connections_opened() const noexcept;

private:
    std::shared_ptr<detail::chat_room_core> core_;
};

}  // namespace ivschat
