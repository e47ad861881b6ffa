#include "ivschat/chat_room.hpp"

#include "ivschat/client.hpp"
#include "ivschat/messaging/chat_codec.hpp"
#include "ivschat/messaging/tls_stream.hpp"
#include "ivschat/observability/log_sink.hpp"

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <cctype>
#include <list>
#include <map>
#include <mutex>
#include <random>
#include <unordered_set>

namespace ivschat {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct endpoint_parts {
    bool tls = true;
    std::string host{};
    std::string port{};
    std::string target{};
};

std::optional<endpoint_parts> split_endpoint(std::string_view url) {
    endpoint_parts out;
    if (url.starts_with("wss://")) {
        url.remove_prefix(6);
    } else if (url.starts_with("ws://")) {
        out.tls = false;
        url.remove_prefix(5);
    } else {
        return std::nullopt;
    }
    const auto authority_end = url.find_first_of("/?#");
    auto authority = url.substr(0, authority_end);
    out.target = authority_end == std::string_view::npos ? "/" : std::string(url.substr(authority_end));
    if (out.target.front() != '/') out.target.insert(0, "/");
    if (const auto hash = out.target.find('#'); hash != std::string::npos) out.target.resize(hash);
    std::string_view port;
    if (authority.starts_with("[")) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = std::string(authority.substr(1, close - 1));
        auto rest = authority.substr(close + 1);
        if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) return std::nullopt;
        if (!rest.empty()) port = rest.substr(1);
    } else {
        const auto colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    }
    if (out.host.empty() || out.host.find('@') != std::string::npos) return std::nullopt;
    if (!port.empty() && (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })))
        return std::nullopt;
    out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
    return out;
}

}  // namespace

std::string messaging_endpoint(std::string_view region_or_url) {
    // A region is what the JS SDK accepts as one: [a-zA-Z0-9-._~]+; anything
    // else is taken as a URL (and refused later unless ws:// or wss://).
    const bool region = !region_or_url.empty() && std::all_of(region_or_url.begin(), region_or_url.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~';
    });
    if (!region) return std::string(region_or_url);
    return "wss://edge.ivschat." + std::string(region_or_url) + ".amazonaws.com";
}

chat_token_provider make_chat_token_provider(client& c, create_chat_token_request request) {
    return [&c, request = std::move(request)]() -> asio::awaitable<std::tuple<error_code, chat_token>> {
        diagnostics diag;
        auto [ec, response] = co_await c.create_chat_token(request, diag, use_tuple);
        chat_token out;
        if (!ec) {
            out.token = response.token.value_or("");
            out.session_expiration_time = response.session_expiration_time;
            out.token_expiration_time = response.token_expiration_time;
        }
        co_return std::tuple{ec, std::move(out)};
    };
}

namespace detail {

std::string chat_request_id() { return messaging::make_request_id(); }
std::string chat_encode_send_message(std::string_view request_id, std::string_view content,
                                     const chat_attributes& attributes) {
    return messaging::encode_send_message(request_id, content, attributes);
}
std::string chat_encode_delete_message(std::string_view request_id, std::string_view id, std::string_view reason) {
    return messaging::encode_delete_message(request_id, id, reason);
}
std::string chat_encode_disconnect_user(std::string_view request_id, std::string_view user_id,
                                        std::string_view reason) {
    return messaging::encode_disconnect_user(request_id, user_id, reason);
}

namespace {

class link;

/// Completes one read of a link: hands the frame to the room and reads the
/// next. A plain handler rather than a coroutine: this runs once per frame.
struct read_completion {
    std::shared_ptr<chat_room_core> core;
    std::shared_ptr<link> from;
    void operator()(error_code ec, std::size_t bytes);
};

/// One WebSocket connection: Beast's websocket stream over a tcp::socket,
/// or over messaging::tls_stream (the transport's tls_engine, with the same
/// OpenSSL, CA settings and host-name check as the client's connections).
class link : public std::enable_shared_from_this<link> {
public:
    explicit link(const asio::any_io_executor& ex) : timer(ex) {}
    virtual ~link() = default;
    virtual asio::awaitable<error_code> open(const endpoint_parts& endpoint, const std::string& token,
                                             const chat_room_options& options, unsigned& upgrade_status) = 0;
    /// Reads the next message into text(), which holds it until consume().
    virtual void async_read(read_completion done) = 0;
    virtual std::string_view text() const = 0;
    virtual void consume() = 0;
    virtual asio::awaitable<error_code> write(const std::string& text) = 0;
    /// Sends a WebSocket ping unless one is on its way; its pong counts as activity.
    virtual void ping() = 0;
    virtual asio::awaitable<error_code> close() = 0;
    /// Ends the connection at once (the room is being destroyed, a deadline passed).
    virtual void abort() = 0;
    virtual std::uint16_t close_code() const = 0;

    /// The connect deadline while opening, then the liveness check.
    asio::steady_timer timer;
    /// Messages and control frames received: the liveness check compares it.
    std::uint64_t activity = 0;
    /// Frames waiting to be written, in order; one writer at a time. (The
    /// room's queues are lists: an empty std::deque still holds about 600
    /// bytes, and most connections' queues are empty.)
    std::list<std::string> outbox{};
    bool writing = false;
    bool ended = false;
    bool closing = false;  ///< we close it (close() or switch-over)
    std::size_t pending_requests = 0;

protected:
    /// Closes the socket unless the step in progress ends within `timeout`
    /// (the next arm or timer.cancel() ends the watch).
    void arm_deadline(std::chrono::milliseconds timeout) {
        deadline_passed_ = false;
        timer.expires_after(timeout);
        timer.async_wait([weak = weak_from_this()](error_code ec) {
            if (ec) return;
            if (auto self = weak.lock()) {
                self->deadline_passed_ = true;
                self->abort();
            }
        });
    }

    /// `ec`, or timeout when the deadline closed the socket under it.
    error_code deadline_error(error_code ec) const { return deadline_passed_ ? error_code(beast::error::timeout) : ec; }

    bool deadline_passed_ = false;
};

template <class NextLayer>
class ws_link final : public link {
public:
    template <class... Args>
    explicit ws_link(const asio::any_io_executor& ex, Args&&... args) : link(ex), ws_(ex, std::forward<Args>(args)...) {}

    asio::awaitable<error_code> open(const endpoint_parts& endpoint, const std::string& token,
                                     const chat_room_options& options, unsigned& upgrade_status) override {
        auto& socket = beast::get_lowest_layer(ws_);
        tcp::resolver resolver(co_await asio::this_coro::executor);
        auto [resolve_ec, addresses] = co_await resolver.async_resolve(endpoint.host, endpoint.port, use_tuple);
        if (resolve_ec) co_return resolve_ec;
        arm_deadline(options.connect_timeout);
        // Once the deadline has closed the socket, no further address is tried.
        const auto in_time = [this](const error_code&, const tcp::endpoint&) { return !deadline_passed_; };
        auto [connect_ec, connected] = co_await asio::async_connect(socket, addresses, in_time, use_tuple);
        if (connect_ec) co_return deadline_error(connect_ec);
        // Frames are small and each is one write: Nagle would hold a request
        // back until the previous one is acknowledged (the ws package, under
        // the JavaScript SDK, turns it off too).
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        if constexpr (!std::is_same_v<NextLayer, tcp::socket>) {
            error_code address_ec;
            asio::ip::make_address(endpoint.host, address_ec);
            if (const error_code name_error = http::expect_peer_name(ws_.next_layer().native_handle(), endpoint.host,
                                                                     !address_ec, options.tls.verify_peer)) {
                co_return name_error;
            }
            arm_deadline(options.connect_timeout);
            const auto tls_ec = co_await ws_.next_layer().handshake();
            if (tls_ec) co_return deadline_error(tls_ec);
        }
        timer.cancel();
        // Beast times the handshake and the close; liveness is the room's
        // own check (a timer per connection that is not re-armed per frame,
        // as Beast's idle timeout is).
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = options.connect_timeout;
        timeouts.idle_timeout = websocket::stream_base::none();
        timeouts.keep_alive_pings = false;
        ws_.set_option(timeouts);
        ws_.read_message_max(options.max_frame_bytes);
        ws_.control_callback([this](websocket::frame_type, beast::string_view) { ++activity; });
        ws_.set_option(websocket::stream_base::decorator(
            [token](websocket::request_type& request) { request.set(beast::http::field::sec_websocket_protocol, token); }));
        websocket::response_type response;
        const auto host = endpoint.port == (endpoint.tls ? "443" : "80") ? endpoint.host : endpoint.host + ":" + endpoint.port;
        auto [ws_ec] = co_await ws_.async_handshake(response, host, endpoint.target, use_tuple);
        upgrade_status = response.result_int();
        // The decorator holds a copy of the token: used once, it is not kept
        // for the connection's life (a bearer secret, and most of a
        // kilobyte per connection).
        ws_.set_option(websocket::stream_base::decorator([](websocket::request_type&) {}));
        co_return ws_ec;
    }

    void async_read(read_completion done) override { ws_.async_read(buffer_, std::move(done)); }

    std::string_view text() const override {
        return {static_cast<const char*>(buffer_.data().data()), buffer_.size()};
    }

    void consume() override { buffer_.consume(buffer_.size()); }

    asio::awaitable<error_code> write(const std::string& text) override {
        ws_.text(true);
        auto [ec, n] = co_await ws_.async_write(asio::buffer(text), use_tuple);
        co_return ec;
    }

    void ping() override {
        if (pinging_) return;
        pinging_ = true;
        ws_.async_ping({}, [self = shared_from_this(), this](error_code) { pinging_ = false; });
    }

    asio::awaitable<error_code> close() override {
        auto [ec] = co_await ws_.async_close(websocket::close_code::normal, use_tuple);
        co_return ec;
    }

    void abort() override {
        error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
    }

    std::uint16_t close_code() const override { return ws_.reason().code; }

private:
    websocket::stream<NextLayer> ws_;
    beast::flat_buffer buffer_{};
    bool pinging_ = false;
};

/// A request waiting for its reply; lives in the requesting coroutine.
struct pending_request {
    explicit pending_request(const asio::any_io_executor& ex) : wake(ex) {}
    asio::steady_timer wake;
    link* sent_on = nullptr;
    std::optional<std::tuple<error_code, chat_frame>> result{};
};

asio::ssl::context make_tls_context(const chat_tls_options& tls) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (!tls.verify_peer) {
        ctx.set_verify_mode(asio::ssl::verify_none);
        return ctx;
    }
    ctx.set_verify_mode(asio::ssl::verify_peer);
    if (!tls.ca_file.empty()) ctx.load_verify_file(tls.ca_file);
    if (!tls.ca_pem.empty()) ctx.add_certificate_authority(asio::buffer(tls.ca_pem));
    if (tls.ca_file.empty() && tls.ca_pem.empty()) ctx.set_default_verify_paths();
    return ctx;
}

/// One OpenSSL context per distinct TLS settings, shared by the rooms that
/// use them while any of them lives: a context with its CA store is tens of
/// kilobytes, too much to repeat for every room of a process with
/// thousands. OpenSSL contexts may be shared by sessions on any thread.
std::shared_ptr<asio::ssl::context> shared_tls_context(const chat_tls_options& tls) {
    using key = std::tuple<bool, std::string, std::string>;
    static std::mutex mutex;
    static std::map<key, std::weak_ptr<asio::ssl::context>> contexts;
    const std::lock_guard lock(mutex);
    std::erase_if(contexts, [](const auto& entry) { return entry.second.expired(); });
    auto& slot = contexts[key{tls.verify_peer, tls.ca_file, tls.ca_pem}];
    auto ctx = slot.lock();
    if (!ctx) {
        ctx = std::make_shared<asio::ssl::context>(make_tls_context(tls));
        slot = ctx;
    }
    return ctx;
}

}  // namespace

/// The room's state; every member is used on the strand only, except the
/// atomics read by chat_room's accessors.
class chat_room_core : public std::enable_shared_from_this<chat_room_core> {
public:
    using receive_handler = chat_receive_handler;

    chat_room_core(asio::any_io_executor ex, chat_room_options options, chat_token_provider provider)
        : strand_(options.thread_safe ? asio::make_strand(ex) : ex),
          options_(std::move(options)),
          log_(options_.logger),
          provider_(std::move(provider)),
          endpoint_(split_endpoint(messaging_endpoint(options_.endpoint))),
          refresh_timer_(strand_),
          random_(std::random_device{}()) {
        if (endpoint_ && endpoint_->tls) tls_ = shared_tls_context(options_.tls);
    }

    const asio::any_io_executor& executor() const noexcept { return strand_; }

    asio::awaitable<error_code> connect() {
        if (state_ != chat_state::disconnected || connecting_) co_return asio::error::already_connected;
        if (!endpoint_) co_return chat_errc::bad_endpoint;
        connecting_ = true;
        closed_ = false;
        end_error_ = {};
        set_state(chat_state::connecting, chat_disconnect_reason::none, {});
        auto ec = co_await establish(0);
        connecting_ = false;
        if (!ec && !current_) ec = chat_errc::closed;  // close() came first
        co_return ec;
    }

    asio::awaitable<std::tuple<error_code, chat_frame>> request(std::string text, std::string request_id,
                                                                chat_error* error_out) {
        if (request_id.empty()) {
            auto prepared = messaging::prepare_action(text, messaging::make_request_id());
            if (!prepared) co_return std::tuple{error_code(chat_errc::invalid_request), chat_frame{}};
            text = std::move(prepared->text);
            request_id = std::move(prepared->request_id);
        }
        if (state_ != chat_state::connected || !current_) {
            co_return std::tuple{error_code(chat_errc::not_connected), chat_frame{}};
        }
        if (pending_.contains(request_id)) {
            co_return std::tuple{error_code(chat_errc::duplicate_request_id), chat_frame{}};
        }
        pending_request pending(strand_);
        pending.sent_on = current_.get();
        ++current_->pending_requests;
        pending.wake.expires_after(options_.request_timeout);
        pending_.emplace(request_id, &pending);
        send(current_, std::move(text));
        co_await asio::this_coro::throw_if_cancelled(false);
        co_await pending.wake.async_wait(use_tuple);
        pending_.erase(request_id);
        if (pending.sent_on) --pending.sent_on->pending_requests;
        if (pending.result) {
            auto& [ec, frame] = *pending.result;
            if (error_out && std::holds_alternative<chat_error>(frame)) *error_out = std::get<chat_error>(frame);
            co_return std::move(*pending.result);
        }
        const auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled();
        const error_code ec = cancelled != asio::cancellation_type::none
                                  ? error_code(asio::error::operation_aborted)
                                  : error_code(chat_errc::request_timeout);
        co_return std::tuple{ec, chat_frame{}};
    }

    void start_receive(receive_handler handler) {
        error_code ec;
        chat_frame frame;
        if (dropped_since_receive_) {
            dropped_since_receive_ = false;
            ec = chat_errc::frames_dropped;
        } else if (!received_.empty()) {
            frame = std::move(received_.front());
            received_.pop_front();
        } else if (receive_handler_) {
            ec = chat_errc::receive_pending;
        } else if (state_ == chat_state::disconnected && !connecting_) {
            ec = end_error_ ? end_error_ : error_code(chat_errc::not_connected);
        } else {
            wait_for_frame(std::move(handler));
            return;
        }
        // Never inside the initiating function: through the room's
        // executor to the handler's.
        asio::post(strand_, asio::append(std::move(handler), ec, std::move(frame)));
    }

    asio::awaitable<error_code> close() {
        if (closed_) co_return error_code{};
        closed_ = true;
        refresh_timer_.cancel();
        auto links = links_;
        for (auto& l : links) l->closing = true;
        fail_pending(nullptr);
        finish(chat_disconnect_reason::client, chat_errc::closed);
        error_code result;
        for (auto& l : links) {
            if (l->ended) continue;
            if (auto ec = co_await l->close(); ec && !result) result = ec;
        }
        co_return result;
    }

    /// From the room's destructor: no more reconnects, sockets closed now.
    void shutdown() {
        closed_ = true;
        refresh_timer_.cancel();
        fail_pending(nullptr);
        finish(chat_disconnect_reason::client, chat_errc::closed);
        for (auto& l : links_) {
            l->closing = true;
            l->abort();
        }
    }

    std::atomic<chat_state> public_state{chat_state::disconnected};
    std::atomic<chat_disconnect_reason> public_reason{chat_disconnect_reason::none};
    std::atomic<std::size_t> dropped{0};
    std::atomic<std::size_t> bad{0};
    std::atomic<std::size_t> opened{0};

private:
    /// Opens connections until one works or the attempts are used up,
    /// waiting a jittered, capped exponential backoff between attempts.
    /// On success the new link is current and being read.
    asio::awaitable<error_code> establish(unsigned first_attempt) {
        error_code last;
        bool token_failed = false;
        for (unsigned attempt = first_attempt; attempt <= options_.max_reconnect_attempts; ++attempt) {
            if (attempt > 0) {
                co_await backoff(attempt - 1);
            }
            if (closed_) co_return chat_errc::closed;
            auto [ec, opened_link] = co_await open_link();
            if (closed_) {
                if (opened_link) {
                    opened_link->closing = true;
                    co_await opened_link->close();
                }
                co_return chat_errc::closed;
            }
            if (!ec) {
                adopt(std::move(opened_link));
                co_return error_code{};
            }
            last = ec;
            token_failed = ec == chat_errc::token_fetch_failed;
            // A refused upgrade for a deleted room does not heal by retrying.
            if (ec == chat_errc::not_found) break;
        }
        finish(token_failed ? chat_disconnect_reason::token_fetch_error : chat_disconnect_reason::socket_error,
               last);
        co_return last;
    }

    asio::awaitable<void> backoff(unsigned exponent) {
        const auto cap = options_.reconnect_max_delay.count();
        const auto base = options_.reconnect_base_delay.count();
        const auto ceiling = exponent >= 30 ? cap : std::min<std::int64_t>(cap, base << exponent);
        std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(ceiling, 0));
        const std::chrono::milliseconds delay(pick(random_));
        if (log_.enabled(log_level::info))
            log_.write(log_level::info, "chat reconnecting",
                       {{"attempt", std::int64_t{exponent} + 1}, {"delay_us", detail::micros(delay)}});
        asio::steady_timer timer(strand_, delay);
        backoff_timer_ = &timer;
        co_await timer.async_wait(use_tuple);
        backoff_timer_ = nullptr;
    }

    /// Fetches a token and opens a connection with it.
    asio::awaitable<std::tuple<error_code, std::shared_ptr<link>>> open_link() {
        auto [token_ec, token] = co_await provider_();
        if (token_ec) co_return std::tuple{error_code(chat_errc::token_fetch_failed), nullptr};
        std::shared_ptr<link> l;
        if (tls_) {
            l = std::make_shared<ws_link<messaging::tls_stream>>(strand_, tls_->native_handle());
        } else {
            l = std::make_shared<ws_link<tcp::socket>>(strand_);
        }
        links_.push_back(l);
        unsigned status = 0;
        auto ec = co_await l->open(*endpoint_, token.token, options_, status);
        if (ec) {
            forget(l);
            if (ec == websocket::error::upgrade_declined) {
                ec = status == 404 ? error_code(chat_errc::not_found) : error_code(chat_errc::upgrade_refused);
            }
            co_return std::tuple{ec, nullptr};
        }
        ++opened;
        session_end_ = token.session_expiration_time;
        co_return std::tuple{error_code{}, std::move(l)};
    }

    /// Makes `l` the link requests go out on, reads it, and schedules the
    /// switch-over before its session ends.
    void adopt(std::shared_ptr<link> l) {
        current_ = l;
        watch(l, l->activity, false);
        l->async_read(read_completion{shared_from_this(), std::move(l)});
        if (session_end_) {
            const auto remaining = *session_end_ - std::chrono::system_clock::now();
            auto delay = remaining - std::chrono::duration_cast<std::chrono::system_clock::duration>(options_.switch_over_lead);
            if (delay < remaining / 2) delay = remaining / 2;
            refresh_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(delay));
            if (!refresh_running_) {
                refresh_running_ = true;
                asio::co_spawn(strand_, refresh_loop(shared_from_this()), asio::detached);
            }
        }
        set_state(chat_state::connected, chat_disconnect_reason::none, {});
    }

    static asio::awaitable<void> refresh_loop(std::shared_ptr<chat_room_core> self) {
        while (!self->closed_) {
            auto [ec] = co_await self->refresh_timer_.async_wait(use_tuple);
            if (self->closed_) break;
            if (ec) {
                // Rescheduled (adopt) or stopped; when nothing is scheduled, stop.
                if (self->refresh_timer_.expiry() <= asio::steady_timer::clock_type::now()) break;
                continue;
            }
            self->refresh_timer_.expires_at(asio::steady_timer::time_point::max());
            co_await self->switch_over();
        }
        self->refresh_running_ = false;
    }

    /// Opens a replacement connection while the current one still works,
    /// then makes it current and closes the old one once its requests are
    /// answered. Frames arriving on both are de-duplicated by Id.
    asio::awaitable<void> switch_over() {
        if (switching_ || closed_ || !current_) co_return;
        switching_ = true;
        if (log_.enabled(log_level::info)) log_.write(log_level::info, "chat switching over", {});
        // The previous switch-over's frames were all read long ago.
        recent_ids_ = decltype(recent_ids_){};
        recent_order_ = decltype(recent_order_){};
        auto old = current_;
        auto [ec, replacement] = co_await open_link();
        switching_ = false;
        if (closed_) {
            if (replacement) co_await replacement->close();
            co_return;
        }
        if (ec) {
            // The old connection keeps working until the session ends; its
            // loss is then handled like any other.
            if (old->ended) co_await lost(old);
            co_return;
        }
        old->closing = true;
        adopt(std::move(replacement));
        asio::co_spawn(strand_, retire(shared_from_this(), old), asio::detached);
        if (old->ended) fail_pending(old.get());
    }

    /// Closes a replaced link after its requests got their replies (at most request_timeout).
    static asio::awaitable<void> retire(std::shared_ptr<chat_room_core> self, std::shared_ptr<link> old) {
        const auto deadline = asio::steady_timer::clock_type::now() + self->options_.request_timeout;
        asio::steady_timer poll(self->strand_);
        while (old->pending_requests > 0 && !old->ended && asio::steady_timer::clock_type::now() < deadline) {
            poll.expires_after(std::chrono::milliseconds(20));
            co_await poll.async_wait(use_tuple);
        }
        if (!old->ended) co_await old->close();
    }

public:
    /// A read of `l` completed (read_completion).
    void on_read(const std::shared_ptr<link>& l, error_code ec) {
        if (ec) {
            on_read_end(l, ec);
            return;
        }
        ++l->activity;
        // Decoded in place from the stream's buffer, then the next read is
        // started before the frame is delivered: delivery may run the
        // application's code, which may close the room.
        auto decoded = messaging::decode_frame(l->text());
        l->consume();
        l->async_read(read_completion{shared_from_this(), l});
        deliver(std::move(decoded));
    }

private:
    void on_read_end(const std::shared_ptr<link>& l, error_code ec) {
        l->ended = true;
        l->timer.cancel();
        forget(l);
        if (l->closing || closed_) {
            fail_pending(l.get());
            return;
        }
        if (ec == websocket::error::closed && l->close_code() == websocket::close_code::normal) {
            if (switching_) return;  // switch_over handles it
            fail_pending(nullptr);
            finish(chat_disconnect_reason::server, chat_errc::closed);
            return;
        }
        last_error_ = ec;
        if (switching_) return;
        asio::co_spawn(strand_, [self = shared_from_this(), l]() -> asio::awaitable<void> { co_await self->lost(l); },
                       asio::detached);
    }

    /// Every ping_interval: a connection that received nothing since the
    /// last look gets a ping; one that stays silent until the next look
    /// (its pong included) is dropped, and the room reconnects.
    void watch(const std::shared_ptr<link>& l, std::uint64_t seen, bool pinged) {
        if (options_.ping_interval.count() <= 0) return;
        l->timer.expires_after(options_.ping_interval);
        l->timer.async_wait([self = shared_from_this(), l, seen, pinged](error_code ec) {
            if (ec || l->ended) return;
            if (l->activity != seen) return self->watch(l, l->activity, false);
            if (!pinged) {
                l->ping();
                return self->watch(l, seen, true);
            }
            if (self->log_.enabled(log_level::warn)) self->log_.write(log_level::warn, "chat connection silent, dropped", {});
            l->abort();
        });
    }

    void forget(const std::shared_ptr<link>& l) { std::erase(links_, l); }

    /// The current link dropped: reconnect.
    asio::awaitable<void> lost(std::shared_ptr<link> l) {
        fail_pending(l.get());
        if (current_ != l) co_return;
        current_.reset();
        set_state(chat_state::connecting, chat_disconnect_reason::none, last_error_);
        connecting_ = true;
        co_await establish(1);
        connecting_ = false;
    }

    void deliver(messaging::decoded_frame decoded) {
        if (!decoded.frame) {
            ++bad;
            if (options_.on_bad_frame) options_.on_bad_frame(decoded.problem);
            if (log_.enabled(log_level::warn))
                log_.write(log_level::warn, "chat frame undecodable", {{"problem", decoded.problem}});
            return;
        }
        auto& frame = *decoded.frame;
        if (!remember(frame_id(frame))) return;
        const auto* error = std::get_if<chat_error>(&frame);
        if (const auto& request_id = frame_request_id(frame); !request_id.empty()) {
            if (auto it = pending_.find(request_id); it != pending_.end() && !it->second->result) {
                const error_code ec = error ? to_error_code(*error) : error_code{};
                it->second->result.emplace(ec, frame);
                it->second->wake.cancel();
            }
        }
        if (error && error->error_code == 401 && !closed_) {
            asio::co_spawn(strand_, [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->switch_over(); },
                           asio::detached);
        }
        push_received(std::move(frame));
    }

    /// False when the Id came during the last switch-over already (the same
    /// frame on two connections). Only while two connections are open can a
    /// frame arrive twice, so only then are Ids remembered: a room that is
    /// not switching holds none (4096 Ids of every frame cost about 0.4 MB
    /// per room, measured with ivschat-bench --operation chat-fanout).
    bool remember(const std::string& id) {
        if (id.empty()) return true;
        if (recent_ids_.contains(id)) return false;
        if (links_.size() < 2) return true;
        recent_ids_.insert(id);
        recent_order_.push_back(id);
        if (recent_order_.size() > recent_id_capacity) {
            recent_ids_.erase(recent_order_.front());
            recent_order_.pop_front();
        }
        return true;
    }

    void push_received(chat_frame frame) {
        if (received_.size() >= std::max<std::size_t>(options_.receive_queue_capacity, 1)) {
            received_.pop_front();
            ++dropped;
            // Once per overflow, not once per frame dropped.
            if (!dropped_since_receive_ && log_.enabled(log_level::warn))
                log_.write(log_level::warn, "chat receive queue full, oldest frames dropped",
                           {{"capacity", static_cast<std::int64_t>(received_.size() + 1)}});
            dropped_since_receive_ = true;
        }
        if (receive_handler_) {
            // Waiting means the queue is empty: the frame goes straight to it.
            complete_receive(error_code{}, std::move(frame));
            return;
        }
        received_.push_back(std::move(frame));
    }

    /// Keeps `handler` until a frame arrives, the room ends or the receive is cancelled.
    void wait_for_frame(receive_handler handler) {
        receive_handler_.swap(handler);
        receive_work_ = asio::prefer(asio::get_associated_executor(receive_handler_, strand_),
                                     asio::execution::outstanding_work.tracked);
        auto slot = asio::get_associated_cancellation_slot(receive_handler_);
        if (!slot.is_connected()) return;
        // Posted: a cancellation must not complete the receive inside the
        // emit() call. The generation tells a late cancellation from one
        // meant for the receive that is waiting now.
        slot.assign([weak = weak_from_this(), ex = strand_, generation = receive_generation_](asio::cancellation_type) {
            asio::post(ex, [weak, generation] {
                if (auto self = weak.lock(); self && self->receive_handler_ && self->receive_generation_ == generation)
                    self->complete_receive(asio::error::operation_aborted, chat_frame{});
            });
        });
    }

    enum class delivery {
        inline_allowed,  ///< a frame from a read completion: no extra hop
        deferred,        ///< the room's end, from close() or the destructor
    };

    /// Completes the waiting receive on the handler's executor. Inline when
    /// allowed and that is where this runs; deferred, the application's code
    /// does not run inside close() or the room's destructor.
    void complete_receive(error_code ec, chat_frame frame, delivery how = delivery::inline_allowed) {
        receive_handler handler(std::move(receive_handler_));
        auto work = std::move(receive_work_);
        receive_work_ = nullptr;
        ++receive_generation_;
        if (auto slot = asio::get_associated_cancellation_slot(handler); slot.is_connected()) slot.clear();
        if (how == delivery::deferred) {
            asio::post(strand_, asio::append(std::move(handler), ec, std::move(frame)));
            return;
        }
        const auto ex = asio::get_associated_executor(handler, strand_);
        asio::dispatch(ex, [handler = std::move(handler), ec, frame = std::move(frame)]() mutable {
            std::move(handler)(ec, std::move(frame));
        });
    }

    /// Completes the requests sent on `l` (every request when null) with connection_lost.
    void fail_pending(link* l) {
        for (auto& [id, pending] : pending_) {
            if (pending->result || (l && pending->sent_on != l)) continue;
            pending->result.emplace(error_code(chat_errc::connection_lost), chat_frame{});
            pending->wake.cancel();
        }
    }

    /// The room is disconnected for good (until connect() again).
    void finish(chat_disconnect_reason reason, error_code ec) {
        current_.reset();
        // Nothing to switch over any more: refresh_loop ends.
        refresh_timer_.expires_at(asio::steady_timer::time_point::min());
        if (backoff_timer_) backoff_timer_->cancel();
        end_error_ = reason == chat_disconnect_reason::server || reason == chat_disconnect_reason::client
                         ? error_code(chat_errc::closed)
                     : reason == chat_disconnect_reason::token_fetch_error ? error_code(chat_errc::token_fetch_failed)
                                                                           : error_code(chat_errc::connection_lost);
        if (state_ != chat_state::disconnected || public_reason == chat_disconnect_reason::none)
            set_state(chat_state::disconnected, reason, ec);
        // After the state change, so that the receive sees the room ended.
        if (receive_handler_) complete_receive(end_error_, chat_frame{}, delivery::deferred);
    }

    void write_next(std::shared_ptr<link> l) {
        if (l->writing || l->outbox.empty()) return;
        l->writing = true;
        asio::co_spawn(strand_, write_loop(std::move(l)), asio::detached);
    }

    void send(const std::shared_ptr<link>& l, std::string text) {
        l->outbox.push_back(std::move(text));
        write_next(l);
    }

    static asio::awaitable<void> write_loop(std::shared_ptr<link> l) {
        while (!l->outbox.empty() && !l->ended) {
            const auto text = std::move(l->outbox.front());
            l->outbox.pop_front();
            if (co_await l->write(text)) break;  // the read loop sees the failure too
        }
        l->outbox.clear();
        l->writing = false;
    }

    void set_state(chat_state state, chat_disconnect_reason reason, error_code ec) {
        state_ = state;
        public_state = state;
        if (state == chat_state::disconnected) public_reason = reason;
        if (log_.enabled(log_level::info)) {
            const std::string error = ec ? ec.message() : std::string();
            log_.write(log_level::info, "chat state",
                       {{"state", to_string(state)}, {"reason", to_string(reason)}, {"error", error}});
        }
        if (options_.on_state_change) options_.on_state_change(state, reason, ec);
    }

    static constexpr std::size_t recent_id_capacity = 4096;

    asio::any_io_executor strand_;
    chat_room_options options_;
    detail::log_sink log_;
    chat_token_provider provider_;
    std::optional<endpoint_parts> endpoint_;
    std::shared_ptr<asio::ssl::context> tls_{};
    asio::steady_timer refresh_timer_;
    // Backoff jitter only: a small engine (mt19937 would add 2.5 KB to every room).
    std::minstd_rand random_;
    chat_state state_ = chat_state::disconnected;
    bool connecting_ = false;
    bool closed_ = false;
    bool switching_ = false;
    bool refresh_running_ = false;
    std::optional<std::chrono::system_clock::time_point> session_end_{};
    std::shared_ptr<link> current_{};
    std::vector<std::shared_ptr<link>> links_{};
    std::map<std::string, pending_request*, std::less<>> pending_{};
    std::list<chat_frame> received_{};
    bool dropped_since_receive_ = false;
    receive_handler receive_handler_{};
    /// Keeps the waiting receive's executor from running out of work.
    asio::any_completion_executor receive_work_{};
    std::uint64_t receive_generation_ = 0;
    asio::steady_timer* backoff_timer_ = nullptr;
    error_code end_error_{};
    error_code last_error_{};
    std::unordered_set<std::string> recent_ids_{};
    std::list<std::string> recent_order_{};
};

asio::awaitable<error_code> chat_connect(std::shared_ptr<chat_room_core> core) { co_return co_await core->connect(); }

asio::awaitable<std::tuple<error_code, chat_frame>> chat_request(std::shared_ptr<chat_room_core> core, std::string text,
                                                                 std::string request_id, chat_error* error_out) {
    co_return co_await core->request(std::move(text), std::move(request_id), error_out);
}

void chat_start_receive(const std::shared_ptr<chat_room_core>& core, chat_receive_handler handler) {
    asio::dispatch(core->executor(),
                   [core, handler = std::move(handler)]() mutable { core->start_receive(std::move(handler)); });
}

void read_completion::operator()(error_code ec, std::size_t) { core->on_read(from, ec); }

asio::awaitable<error_code> chat_close(std::shared_ptr<chat_room_core> core) { co_return co_await core->close(); }

}  // namespace detail

chat_room::chat_room(executor_type executor, chat_room_options options, chat_token_provider token_provider)
    : core_(std::make_shared<detail::chat_room_core>(std::move(executor), std::move(options),
                                                     std::move(token_provider))) {}

chat_room::~chat_room() {
    if (core_) asio::dispatch(core_->executor(), [core = core_] { core->shutdown(); });
}

const chat_room::executor_type& chat_room::get_executor() const noexcept { return core_->executor(); }
chat_state chat_room::state() const noexcept { return core_->public_state; }
chat_disconnect_reason chat_room::disconnect_reason() const noexcept { return core_->public_reason; }
std::size_t chat_room::dropped_frames() const noexcept { return core_->dropped; }

std::string_view to_string(chat_state state) noexcept {
    switch (state) {
        case chat_state::disconnected: return "disconnected";
        case chat_state::connecting: return "connecting";
        case chat_state::connected: return "connected";
    }
    return "unknown";
}

std::string_view to_string(chat_disconnect_reason reason) noexcept {
    switch (reason) {
        case chat_disconnect_reason::none: return "none";
        case chat_disconnect_reason::client: return "client";
        case chat_disconnect_reason::server: return "server";
        case chat_disconnect_reason::socket_error: return "socket_error";
        case chat_disconnect_reason::token_fetch_error: return "token_fetch_error";
    }
    return "unknown";
}
std::size_t chat_room::bad_frames() const noexcept { return core_->bad; }
std::size_t chat_room::connections_opened() const noexcept { return core_->opened; }

}  // namespace ivschat
