#include <ivschat/emulator/review_client.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ivschat::emulator {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A handler's reply is a small JSON object; anything larger is refused.
constexpr std::size_t max_reply_bytes = 64 * 1024;

}  // namespace

class review_client::exchange : public std::enable_shared_from_this<exchange> {
public:
    exchange(strand_type strand, std::shared_ptr<std::unordered_set<exchange*>> registry, callback done)
        : stream_(strand), registry_(std::move(registry)), done_(std::move(done)) {
        registry_->insert(this);
    }
    ~exchange() { registry_->erase(this); }

    void run(const review_handler_route& route, std::string body, std::chrono::milliseconds timeout) {
        request_ = http::request<http::string_body>(http::verb::post, route.target, 11);
        request_.set(http::field::host, route.address + ":" + std::to_string(route.port));
        request_.set(http::field::content_type, "application/json");
        request_.keep_alive(false);
        request_.body() = std::move(body);
        request_.prepare_payload();
        parser_.body_limit(max_reply_bytes);
        // One deadline for connect, write and read together.
        stream_.expires_after(timeout);
        boost::system::error_code ec;
        const tcp::endpoint endpoint(asio::ip::make_address(route.address, ec), route.port);
        if (ec) return asio::post(stream_.get_executor(), [self = shared_from_this()] { self->finish(std::nullopt); });
        stream_.async_connect(endpoint, [self = shared_from_this()](beast::error_code connect_ec) {
            if (connect_ec) return self->finish(std::nullopt);
            http::async_write(self->stream_, self->request_, [self](beast::error_code write_ec, std::size_t) {
                if (write_ec) return self->finish(std::nullopt);
                http::async_read(self->stream_, self->buffer_, self->parser_,
                                 [self](beast::error_code read_ec, std::size_t) {
                                     const auto& reply = self->parser_.get();
                                     if (read_ec || reply.result_int() / 100 != 2) return self->finish(std::nullopt);
                                     self->finish(std::move(self->parser_.get().body()));
                                 });
            });
        });
    }

    void cancel() { stream_.close(); }

private:
    void finish(std::optional<std::string> reply) {
        cancel();
        auto done = std::move(done_);
        done(std::move(reply));
    }

    beast::basic_stream<tcp, strand_type> stream_;
    std::shared_ptr<std::unordered_set<exchange*>> registry_;
    callback done_;
    http::request<http::string_body> request_;
    http::response_parser<http::string_body> parser_;
    beast::flat_buffer buffer_;
};

review_client::review_client(strand_type strand, std::chrono::milliseconds timeout)
    : strand_(std::move(strand)), timeout_(timeout) {}

review_client::~review_client() { cancel_all(); }

void review_client::post(const review_handler_route& route, std::string body, callback done) {
    std::make_shared<exchange>(strand_, exchanges_, std::move(done))->run(route, std::move(body), timeout_);
}

void review_client::cancel_all() {
    for (auto* e : *exchanges_) e->cancel();
}

}  // namespace ivschat::emulator
