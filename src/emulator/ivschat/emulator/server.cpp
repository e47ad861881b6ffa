#include <ivschat/emulator/server.hpp>

#include <ivschat/emulator/chat_log_writer.hpp>
#include <ivschat/emulator/chat_session.hpp>
#include <ivschat/emulator/request_handler.hpp>
#include <ivschat/emulator/request_reading.hpp>
#include <ivschat/emulator/review_client.hpp>
#include <ivschat/emulator/service_api.hpp>
#include <ivschat/throwaway_ca.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <unordered_set>

namespace ivschat::emulator {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
// Concrete executor types all the way down: no type-erased executor on the
// per-request path.
using strand_type = asio::strand<asio::io_context::executor_type>;
using socket_type = asio::basic_stream_socket<tcp, strand_type>;
using acceptor_type = asio::basic_socket_acceptor<tcp, strand_type>;
using timer_type = asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>, strand_type>;
using steady_time = std::chrono::steady_clock::time_point;

credentials example_credentials() {
    // The example key pair of the AWS documentation (and of the SigV4 test suite).
    credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    return c;
}

std::optional<credentials> parse_credentials(std::string_view text) {
    auto first = text.find(':');
    if (first == std::string_view::npos || first == 0) return std::nullopt;
    credentials c;
    c.access_key_id.assign(text.substr(0, first));
    auto rest = text.substr(first + 1);
    auto second = rest.find(':');
    c.secret_access_key.assign(rest.substr(0, second));
    if (second != std::string_view::npos) {
        c.session_token.assign(rest.substr(second + 1));
        if (c.session_token.empty()) return std::nullopt;
    }
    if (c.secret_access_key.empty()) return std::nullopt;
    return c;
}

namespace {

// How long a TLS handshake, a started request or a response may take.
constexpr std::chrono::seconds io_timeout{30};
// Review requests under way at once, all rooms together (each holds a
// socket); past it a message gets its room's fallbackResult at once.
constexpr std::size_t max_reviews_in_flight = 1024;
// How often connections are checked against the timeouts: one timer for the
// server instead of a timer armed around every read and write.
constexpr std::chrono::seconds sweep_period{1};

class session_base {
public:
    virtual ~session_base() = default;
    virtual void close_if_idle() = 0;
    virtual void close() = 0;
    /// Closes the connection when it has been in its current phase too long.
    virtual void close_if_stale(steady_time now, std::chrono::seconds idle_timeout,
                                std::chrono::seconds handshake_timeout) = 0;
    /// Since when the connection has waited for a next request with nothing
    /// buffered; nullopt when it is not idle.
    virtual std::optional<steady_time> idle_since() const = 0;
};

}  // namespace

struct server_state final : std::enable_shared_from_this<server_state>, message_reviewer {
    server_options options;
    strand_type strand;
    acceptor_type acceptor;
    timer_type sweep_timer;
    // Holds the next accept back after the process ran out of descriptors.
    timer_type accept_timer;
    connection_limits limits;
    std::optional<ssl::context> tls;
    std::filesystem::path ca_bundle;
    service svc;
    service_api api;
    request_handler handler;
    chat_room_registry messaging;
    review_client reviews;
    std::optional<chat_log_writer> logs;
    std::unordered_set<session_base*> sessions;
    bool stopped = false;

    server_state(asio::io_context& ioc, server_options o)
        : options(std::move(o)),
          strand(asio::make_strand(ioc)),
          acceptor(strand),
          sweep_timer(strand),
          accept_timer(strand),
          limits(options.max_connections, options.max_unfinished_body_bytes),
          svc(options.service),
          api(svc),
          handler(api,
                  authenticator_options{.region = options.service.region,
                                        .keys = options.keys.empty() ? std::vector<credentials>{example_credentials()}
                                                                     : options.keys,
                                        .allowed_skew = options.allowed_skew},
                  options.seed),
          messaging(svc, options.messaging, options.clock_offset),
          reviews(strand, options.review_timeout) {
        messaging.set_reviewer(this);
        if (!options.data_dir.empty()) {
            logs.emplace(svc, options.data_dir);
            messaging.set_log_sink(&*logs);
        }
        handler.set_messaging_stats([this] { return messaging.stats(); }, [this] { messaging.reset_counters(); });
        auto rates = options.enforce_quotas ? default_operation_rates() : std::vector<std::pair<std::string, double>>{};
        rates.insert(rates.end(), options.operation_rates.begin(), options.operation_rates.end());
        if (!rates.empty()) handler.enforce_rates(rate_quotas(rates));
        for (const auto& [action, probability] : options.random_faults)
            handler.faults().set_probability(action, probability);
        tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(asio::socket_base::max_listen_connections);
        handler.set_control_address({options.host, acceptor.local_endpoint().port()});
        if (options.tls) setup_tls();
    }

    ~server_state() override {
        messaging.set_reviewer(nullptr);
        messaging.set_log_sink(nullptr);
    }

    void flush_logs() {
        if (!logs) return;
        const auto flushed = logs->flush();
        messaging.counters().log_records_written += flushed.records_written;
    }

    // Each review keeps the server (and so the registry it reports to) alive
    // until it calls back.
    void review(std::string_view lambda_arn, std::string body,
                std::function<void(std::optional<std::string>)> done) override {
        const auto& routes = options.review_handlers;
        auto route = std::find_if(routes.begin(), routes.end(), [&](const auto& r) { return r.lambda_arn == lambda_arn; });
        if (route == routes.end() || stopped || reviews.in_flight() >= max_reviews_in_flight)
            return asio::post(strand, [self = shared_from_this(), done = std::move(done)] { done(std::nullopt); });
        reviews.post(*route, std::move(body),
                     [self = shared_from_this(), done = std::move(done)](std::optional<std::string> reply) {
                         done(std::move(reply));
                     });
    }

    void setup_tls() {
        tls.emplace(ssl::context::tls_server);
        tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
        if (!options.cert_file.empty() || !options.key_file.empty()) {
            if (options.cert_file.empty() || options.key_file.empty())
                throw std::runtime_error("--cert and --key go together");
            tls->use_certificate_chain_file(options.cert_file.string());
            tls->use_private_key_file(options.key_file.string(), ssl::context::pem);
            return;
        }
        const testing::throwaway_ca ca("ivschat-emulator throwaway CA");
        const auto creds = ca.issue_server_certificate({.dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1", "::1"}});
        tls->use_certificate_chain(asio::buffer(creds.server_cert_pem));
        tls->use_private_key(asio::buffer(creds.server_key_pem), ssl::context::pem);
        ca_bundle = options.ca_bundle_path;
        if (ca_bundle.empty())
            ca_bundle = std::filesystem::temp_directory_path() /
                        ("ivschat-emulator-ca-" + std::to_string(::getpid()) + "-" +
                         std::to_string(acceptor.local_endpoint().port()) + ".pem");
        ca.write_cert_pem(ca_bundle);
    }

    void accept();
    void accept_later(std::chrono::milliseconds delay) {
        accept_timer.expires_after(delay);
        accept_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec && !self->stopped) self->accept();
        });
    }
    // Closes the connection that has been idle longest, to make room; false
    // when none is idle.
    bool shed_oldest_idle() {
        session_base* oldest = nullptr;
        steady_time oldest_since{};
        for (auto* s : sessions) {
            const auto since = s->idle_since();
            if (since && (oldest == nullptr || *since < oldest_since)) {
                oldest = s;
                oldest_since = *since;
            }
        }
        if (oldest == nullptr) return false;
        oldest->close();
        ++limits.tally().idle_connections_shed;
        return true;
    }
    void sweep() {
        sweep_timer.expires_after(sweep_period);
        sweep_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (ec || self->stopped) return;
            const auto now = std::chrono::steady_clock::now();
            std::vector<session_base*> current(self->sessions.begin(), self->sessions.end());
            for (auto* s : current) s->close_if_stale(now, self->options.idle_timeout, self->options.handshake_timeout);
            self->messaging.sweep(now);
            self->flush_logs();
            self->sweep();
        });
    }
    void close_idle() {
        // Closing may destroy nothing here (sessions die in their handlers),
        // but copy anyway: close() must not invalidate the iteration.
        std::vector<session_base*> current(sessions.begin(), sessions.end());
        for (auto* s : current) s->close_if_idle();
    }
    void stop() {
        stopped = true;
        beast::error_code ec;
        acceptor.close(ec);
        sweep_timer.cancel();
        accept_timer.cancel();
        std::vector<session_base*> current(sessions.begin(), sessions.end());
        for (auto* s : current) s->close();
        messaging.close_all();
        reviews.cancel_all();
        flush_logs();
    }
};

namespace {

template <class Stream>
class session final : public session_base, public std::enable_shared_from_this<session<Stream>> {
public:
    template <class... Args>
    session(std::shared_ptr<server_state> owner, Args&&... args)
        : owner_(std::move(owner)), stream_(std::forward<Args>(args)...), delay_(owner_->strand) {
        owner_->sessions.insert(this);
    }
    ~session() override {
        owner_->limits.release_body(reserved_body_);
        owner_->sessions.erase(this);
    }

    void run() {
        if constexpr (is_tls) {
            enter(phase::handshaking);
            stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                if (!ec) self->read();
            });
        } else {
            read();
        }
    }

    void close_if_idle() override {
        if (idle_) close();
    }

    void close() override {
        beast::error_code ec;
        auto& socket = beast::get_lowest_layer(stream_);
        socket.shutdown(tcp::socket::shutdown_both, ec);
        socket.close(ec);
        delay_.cancel();
        phase_ = phase::closed;
    }

    void close_if_stale(steady_time now, std::chrono::seconds idle_timeout,
                        std::chrono::seconds handshake_timeout) override {
        const bool stale = (phase_ == phase::handshaking && now - since_ > handshake_timeout) ||
                           (phase_ == phase::busy && now - since_ > io_timeout) ||
                           (phase_ == phase::reading && now - since_ > (idle_ ? idle_timeout : io_timeout));
        if (stale) close();
    }

    // Idle: waiting for a request of which no byte has arrived (the parser
    // has taken none, and none waits in buffer_ for the rest of its line).
    std::optional<steady_time> idle_since() const override {
        if (phase_ == phase::reading && idle_ && buffer_.size() == 0 && !parser_->got_some()) return since_;
        return std::nullopt;
    }

private:
    static constexpr bool is_tls = !std::is_same_v<Stream, socket_type>;
    // handshaking: TLS handshake; reading: waiting for (the rest of) a
    // request; busy: sending; waiting: a delay fault holds the response (not
    // a timeout).
    enum class phase : std::uint8_t { handshaking, reading, busy, waiting, closed };

    void enter(phase p) {
        phase_ = p;
        since_ = std::chrono::steady_clock::now();
    }

    void read() {
        owner_->limits.release_body(reserved_body_);
        reserved_body_ = 0;
        idle_ = buffer_.size() == 0;
        parser_.emplace();
        limit_request_parser(*parser_, owner_->options.max_body_bytes);
        enter(phase::reading);
        http::async_read_header(stream_, buffer_, *parser_, [self = this->shared_from_this()](
                                                                beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    // The body is read only once the server-wide budget holds it: its
    // Content-Length, or the body limit when it is chunked.
    void on_header(beast::error_code ec) {
        if (ec || parser_->is_done()) return on_read(ec);
        idle_ = false;
        const std::size_t wanted =
            parser_->content_length() ? static_cast<std::size_t>(*parser_->content_length()) : owner_->options.max_body_bytes;
        if (!owner_->limits.reserve_body(wanted)) {
            plan_ = owner_->handler.reject(503, "ServiceUnavailableException",
                                           "The emulator holds too many unfinished request bodies; try again.",
                                           std::chrono::system_clock::now() + owner_->options.clock_offset, out_);
            return send();
        }
        reserved_body_ = wanted;
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](beast::error_code read_ec, std::size_t) { self->on_read(read_ec); });
    }

    void on_read(beast::error_code ec) {
        idle_ = false;
        if (!ec && beast::websocket::is_upgrade(parser_->get()))
            return start_chat_session(std::shared_ptr<chat_room_registry>(owner_, &owner_->messaging),
                                      std::move(stream_), parser_->release());
        auto plan = answer_read(owner_->handler, ec, *parser_, owner_->options.max_body_bytes, headers_,
                                std::chrono::system_clock::now() + owner_->options.clock_offset, out_);
        if (!plan) return close();
        plan_ = *plan;
        if (plan_.after == connection_action::reset) {
            auto& socket = beast::get_lowest_layer(stream_);
            beast::error_code ignored;
            socket.set_option(asio::socket_base::linger(true, 0), ignored);
            socket.close(ignored);
            return;
        }
        if (plan_.delay.count() > 0) {
            enter(phase::waiting);
            delay_.expires_after(plan_.delay);
            delay_.async_wait([self = this->shared_from_this()](beast::error_code wait_ec) {
                if (!wait_ec) self->send();
            });
            return;
        }
        send();
    }

    void send() {
        enter(phase::busy);
        asio::async_write(stream_, asio::buffer(out_.data(), plan_.bytes_to_send),
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        if (ec) return close();
        switch (plan_.after) {
            case connection_action::keep_alive: return read();
            case connection_action::close_idle:
                read();
                return owner_->close_idle();
            case connection_action::close:
            case connection_action::truncate_body:
            case connection_action::reset: return shutdown();
        }
    }

    // Graceful end: close_notify for TLS (bounded by the I/O timeout), then FIN.
    void shutdown() {
        if constexpr (is_tls) {
            enter(phase::busy);
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
        } else {
            close();
        }
    }

    std::shared_ptr<server_state> owner_;
    Stream stream_;
    timer_type delay_;
    beast::flat_buffer buffer_;
    std::optional<request_parser> parser_;
    std::vector<sigv4::header> headers_;
    std::string out_;
    response_plan plan_{};
    std::size_t reserved_body_ = 0;
    bool idle_ = false;
    phase phase_ = phase::busy;
    steady_time since_ = std::chrono::steady_clock::now();
};

}  // namespace

void server_state::accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, socket_type socket) {
        if (self->stopped || ec == asio::error::operation_aborted) return;
        const auto delay = self->limits.after_accept(ec);
        // Out of descriptors: an idle connection gives one back, and the
        // backoff keeps the loop from spinning on the same failure.
        if (connection_limits::is_resource_exhaustion(ec)) self->shed_oldest_idle();
        if (!ec && self->limits.full(self->sessions.size()) && !self->shed_oldest_idle()) {
            ++self->limits.tally().connections_refused;
            beast::error_code ignored;
            socket.close(ignored);
        } else if (!ec) {
            ++self->handler.counters().connections_accepted;
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            if (self->tls) {
                std::make_shared<session<ssl::stream<socket_type>>>(self, std::move(socket), *self->tls)->run();
            } else {
                std::make_shared<session<socket_type>>(self, std::move(socket))->run();
            }
        }
        if (delay.count() == 0) {
            self->accept();
        } else {
            self->accept_later(delay);
        }
    });
}

server::server(asio::io_context& ioc, server_options options)
    : impl_(std::make_shared<server_state>(ioc, std::move(options))) {}

server::~server() {
    if (impl_) stop();
}

void server::start() {
    impl_->accept();
    impl_->sweep();
}
void server::stop() { impl_->stop(); }

std::string server::endpoint() const {
    auto address = impl_->acceptor.local_endpoint().address();
    std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return (impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port());
}

std::string server::messaging_endpoint() const {
    auto url = endpoint();
    return (impl_->tls ? "wss" : "ws") + url.substr(url.find(':'));
}

std::uint16_t server::port() const { return impl_->acceptor.local_endpoint().port(); }
const std::filesystem::path& server::ca_bundle() const { return impl_->ca_bundle; }
service& server::state() { return impl_->svc; }
fault_plan& server::faults() { return impl_->handler.faults(); }
connection_limits::counters server::limit_counters() const { return impl_->limits.tally(); }
std::size_t server::open_connections() const { return impl_->sessions.size(); }
chat_room_registry& server::messaging() { return impl_->messaging; }

}  // namespace ivschat::emulator
