#include <ivschat/emulator/chat_session.hpp>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <vector>

namespace ivschat::emulator {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// Handshakes and closes that take longer fail; a silent peer is pinged after
// half the idle timeout and dropped after all of it.
constexpr std::chrono::seconds handshake_timeout{30};
constexpr std::chrono::seconds idle_timeout{60};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

template <class Stream>
class chat_session final : public chat_connection, public std::enable_shared_from_this<chat_session<Stream>> {
public:
    chat_session(std::shared_ptr<chat_room_registry> registry, chat_token_claims claims, std::string remote_ip,
                 Stream stream)
        : chat_connection(std::move(claims), std::move(remote_ip)), registry_(std::move(registry)), ws_(std::move(stream)) {}

    void accept(http::request<http::string_body> upgrade, std::string token) {
        ws_.set_option(websocket::stream_base::timeout{
            .handshake_timeout = handshake_timeout, .idle_timeout = idle_timeout, .keep_alive_pings = true});
        ws_.set_option(websocket::stream_base::decorator(
            [token = std::move(token)](websocket::response_type& response) {
                response.set(http::field::sec_websocket_protocol, token);
            }));
        ws_.read_message_max(registry_->options().max_client_message_bytes);
        // Frames go out whole, straight from the shared buffers.
        ws_.auto_fragment(false);
        ws_.async_accept(upgrade, [self = this->shared_from_this()](beast::error_code ec) {
            if (ec) return;
            self->joined_ = true;
            self->registry_->join(*self);
            self->read();
        });
    }

    void deliver(std::shared_ptr<const std::string> frame) override {
        if (ending()) return;
        if (queue_.size() - next_ >= registry_->options().max_queued_frames) {
            ++registry_->counters().slow_clients_disconnected;
            // Keep only the frame being written; the close follows it.
            queue_.resize(writing_ ? next_ + 1 : next_);
            return end(1008, "the client reads too slowly: its send queue is full");
        }
        queue_.push_back(std::move(frame));
        if (!writing_) write_next();
    }

    void end(std::uint16_t code, std::string_view reason) override {
        if (!begin_ending()) return;
        close_reason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
        if (!writing_) write_next();
    }

    void abort() override {
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).close(ignored);
    }

private:
    void read() {
        ws_.async_read(read_buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->leave();
            const auto data = self->read_buffer_.cdata();
            if (!self->ending())
                self->registry_->handle_frame(*self,
                                              std::string_view(static_cast<const char*>(data.data()), data.size()));
            self->read_buffer_.consume(self->read_buffer_.size());
            self->read();
        });
    }

    void write_next() {
        if (next_ == queue_.size()) {
            queue_.clear();
            next_ = 0;
            if (close_reason_ && !closing_) {
                closing_ = true;
                writing_ = true;
                ws_.async_close(*close_reason_, [self = this->shared_from_this()](beast::error_code) {});
            }
            return;
        }
        writing_ = true;
        ws_.text(true);
        ws_.async_write(asio::buffer(*queue_[next_]), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
            self->writing_ = false;
            if (ec) return self->abort();
            self->queue_[self->next_++].reset();
            self->write_next();
        });
    }

    void leave() {
        if (!joined_) return;
        joined_ = false;
        registry_->leave(*this);
    }

    std::shared_ptr<chat_room_registry> registry_;
    websocket::stream<Stream> ws_;
    beast::flat_buffer read_buffer_;
    // Frames to send: queue_[next_] is being written; sent ones are released.
    std::vector<std::shared_ptr<const std::string>> queue_;
    std::size_t next_ = 0;
    std::optional<websocket::close_reason> close_reason_;
    bool writing_ = false;
    bool closing_ = false;
    bool joined_ = false;
};

// Answers a refused upgrade with its status and reason, then closes.
template <class Stream>
void refuse_upgrade(std::shared_ptr<chat_room_registry> registry, Stream stream, const upgrade_refusal& refusal,
                    unsigned version) {
    struct refusal_state {
        std::shared_ptr<chat_room_registry> registry;
        Stream stream;
        http::response<http::string_body> response;
    };
    auto state = std::make_shared<refusal_state>(
        refusal_state{std::move(registry), std::move(stream),
                      http::response<http::string_body>(static_cast<http::status>(refusal.status), version)});
    state->response.set(http::field::content_type, "text/plain");
    state->response.keep_alive(false);
    state->response.body() = refusal.reason + "\n";
    state->response.prepare_payload();
    http::async_write(state->stream, state->response, [state](beast::error_code, std::size_t) {
        beast::error_code ignored;
        beast::get_lowest_layer(state->stream).shutdown(asio::socket_base::shutdown_both, ignored);
        beast::get_lowest_layer(state->stream).close(ignored);
    });
}

template <class Stream>
void start(std::shared_ptr<chat_room_registry> registry, Stream stream, http::request<http::string_body> upgrade) {
    const std::string_view offered = trim(upgrade[http::field::sec_websocket_protocol]);
    auto admitted = registry->admit(offered);
    if (auto* refusal = std::get_if<upgrade_refusal>(&admitted))
        return refuse_upgrade(std::move(registry), std::move(stream), *refusal, upgrade.version());
    std::string token(offered);
    beast::error_code ec;
    const auto peer = beast::get_lowest_layer(stream).remote_endpoint(ec);
    std::make_shared<chat_session<Stream>>(std::move(registry), std::move(std::get<chat_token_claims>(admitted)),
                                           ec ? std::string() : peer.address().to_string(), std::move(stream))
        ->accept(std::move(upgrade), std::move(token));
}

}  // namespace

void start_chat_session(std::shared_ptr<chat_room_registry> registry, chat_plain_stream stream,
                        http::request<http::string_body> upgrade) {
    start(std::move(registry), std::move(stream), std::move(upgrade));
}

void start_chat_session(std::shared_ptr<chat_room_registry> registry, chat_tls_stream stream,
                        http::request<http::string_body> upgrade) {
    start(std::move(registry), std::move(stream), std::move(upgrade));
}

}  // namespace ivschat::emulator
