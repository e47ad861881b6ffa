// Test helpers for the emulator's socket tests: the emulator running on its
// own thread, and a small blocking HTTP(S) client that signs with
// ivschat::sigv4::signer.
#pragma once

#include <ivschat/emulator/server.hpp>
#include <ivschat/sigv4.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <future>
#include <map>
#include <stdexcept>
#include <optional>
#include <string>
#include <thread>
#include <variant>

namespace emulator_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

/// The emulator on 127.0.0.1, port 0, served by a thread of its own.
class running_emulator {
public:
    explicit running_emulator(ivschat::emulator::server_options options = {})
        : server_(ioc_, std::move(options)) {
        server_.start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~running_emulator() {
        asio::post(ioc_, [this] { server_.stop(); });
        thread_.join();
    }
    std::uint16_t port() const { return server_.port(); }
    std::string endpoint() const { return server_.endpoint(); }
    const std::filesystem::path& ca_bundle() const { return server_.ca_bundle(); }

    /// Runs `f(server)` on the server's thread and returns its result.
    template <class F>
    auto on_server(F f) {
        std::packaged_task<decltype(f(server_))()> task([&] { return f(server_); });
        auto result = task.get_future();
        asio::post(ioc_, [&] { task(); });
        return result.get();
    }

private:
    asio::io_context ioc_{1};
    ivschat::emulator::server server_;
    std::thread thread_;
};

/// What came back: the status, the interesting headers and the body (parsed
/// when it is JSON), or the transport error that ended the exchange.
struct reply {
    beast::error_code error{};
    unsigned status = 0;
    std::string error_type{};
    std::string request_id{};
    std::string date{};
    std::string connection{};
    std::string body{};
    json::value json{};

    std::string message() const {
        auto* o = json.if_object();
        auto* m = o ? o->if_contains("message") : nullptr;
        return m && m->is_string() ? std::string(m->as_string()) : std::string();
    }
};

/// How to sign one request.
struct signing {
    bool sign = true;
    ivschat::credentials credentials = [] {
        ivschat::credentials c;
        c.access_key_id = "AKIDEXAMPLE";
        c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        return c;
    }();
    std::string region = "us-west-2";
    std::optional<std::chrono::system_clock::time_point> time{};
};

/// A blocking keep-alive client for one emulator, plain or TLS.
class client {
public:
    explicit client(std::uint16_t port, const std::filesystem::path& ca_bundle = {})
        : port_(port), tls_(!ca_bundle.empty()) {
        if (tls_) {
            ssl_.load_verify_file(ca_bundle.string());
            ssl_.set_verify_mode(asio::ssl::verify_peer);
        }
    }

    bool connected() const { return connected_; }

    /// Opens the connection (done by send when needed).
    void connect() {
        tcp::resolver resolver(ioc_);
        auto endpoints = resolver.resolve("127.0.0.1", std::to_string(port_));
        if (tls_) {
            tls_stream_.emplace(ioc_, ssl_);
            tls_stream_->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
            beast::get_lowest_layer(*tls_stream_).connect(endpoints);
            tls_stream_->handshake(asio::ssl::stream_base::client);
        } else {
            stream_.emplace(ioc_);
            stream_->connect(endpoints);
        }
        connected_ = true;
    }

    /// Sends a request (signed unless asked otherwise) and reads the reply on
    /// the kept-alive connection. `extra` headers are added (and signed).
    reply send(http::verb method, std::string target, std::string body = {}, const signing& how = {},
               std::vector<std::pair<std::string, std::string>> extra = {{"content-type", "application/json"}}) {
        if (!connected_) connect();
        http::request<http::string_body> request(method, target, 11);
        request.set(http::field::host, "127.0.0.1:" + std::to_string(port_));
        for (auto& [name, value] : extra) request.set(name, value);
        request.body() = std::move(body);
        request.prepare_payload();
        if (how.sign) {
            ivschat::sigv4::signer signer({.region = how.region, .service = "ivschat"});
            std::vector<ivschat::sigv4::header> headers{{"host", request[http::field::host]}};
            for (auto& [name, value] : extra) headers.push_back({name, value});
            auto question = target.find('?');
            ivschat::sigv4::request to_sign{
                .method = request.method_string(),
                .path = std::string_view(target).substr(0, question),
                .query = question == std::string::npos ? std::string_view{} : std::string_view(target).substr(question + 1),
                .headers = headers,
                .payload = request.body()};
            auto added = signer.sign(to_sign, how.credentials, how.time.value_or(std::chrono::system_clock::now()));
            request.set("x-amz-date", added.x_amz_date);
            if (!added.x_amz_security_token.empty()) request.set("x-amz-security-token", added.x_amz_security_token);
            request.set(http::field::authorization, added.authorization);
        }
        return exchange(request);
    }

    /// Writes raw bytes and reads one reply (for malformed requests). With
    /// `end_input` (plain TCP), shuts the sending side down after the bytes,
    /// so that an incomplete request cannot leave the server waiting.
    reply send_raw(std::string_view bytes, bool end_input = false) {
        if (!connected_) connect();
        beast::error_code ec;
        if (tls_) asio::write(*tls_stream_, asio::buffer(bytes), ec);
        else asio::write(*stream_, asio::buffer(bytes), ec);
        if (end_input && !tls_) stream_->socket().shutdown(tcp::socket::shutdown_send, ec);
        return read_reply(ec);
    }

    /// Reads until the server closes; the error says how it ended.
    beast::error_code wait_closed() {
        char byte;
        beast::error_code ec;
        if (tls_) tls_stream_->read_some(asio::buffer(&byte, 1), ec);
        else stream_->read_some(asio::buffer(&byte, 1), ec);
        connected_ = false;
        return ec;
    }

private:
    template <class Request>
    reply exchange(Request& request) {
        beast::error_code ec;
        if (tls_) http::write(*tls_stream_, request, ec);
        else http::write(*stream_, request, ec);
        return read_reply(ec);
    }

    reply read_reply(beast::error_code ec) {
        reply r;
        if (!ec) {
            http::response_parser<http::string_body> parser;
            parser.body_limit(16 * 1024 * 1024);
            if (tls_) http::read(*tls_stream_, buffer_, parser, ec);
            else http::read(*stream_, buffer_, parser, ec);
            if (!ec) {
                auto& response = parser.get();
                r.status = response.result_int();
                r.error_type = response["x-amzn-ErrorType"];
                r.request_id = response["x-amzn-RequestId"];
                r.date = response[http::field::date];
                r.connection = response[http::field::connection];
                r.body = response.body();
                json::error_code json_ec;
                if (!r.body.empty()) r.json = json::parse(r.body, json_ec);
                if (!response.keep_alive()) connected_ = false;
            }
        }
        r.error = ec;
        if (ec) {
            connected_ = false;
            buffer_.clear();
        }
        return r;
    }

    asio::io_context ioc_;
    std::uint16_t port_;
    bool tls_;
    asio::ssl::context ssl_{asio::ssl::context::tls_client};
    std::optional<beast::tcp_stream> stream_;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
    beast::flat_buffer buffer_;
    bool connected_ = false;
};

/// POST /<Operation> with a JSON body, signed.
inline reply call(client& c, std::string_view operation, const json::value& body, const signing& how = {}) {
    return c.send(http::verb::post, "/" + std::string(operation), json::serialize(body), how);
}

/// The service requests a plain-HTTP emulator counted by User-Agent
/// (stats' requestsPerUserAgent); resets its counters for the next look.
inline std::map<std::string, std::int64_t> take_user_agents_seen(const running_emulator& emulator) {
    client control(emulator.port());
    auto stats = control.send(http::verb::get, "/_emulator/stats", {}, {.sign = false}, {});
    std::map<std::string, std::int64_t> seen;
    if (auto* counts = stats.json.is_object() ? stats.json.as_object().if_contains("requestsPerUserAgent") : nullptr)
        for (const auto& [user_agent, count] : counts->as_object()) seen.emplace(user_agent, count.as_int64());
    else
        throw std::runtime_error("no requestsPerUserAgent in the stats: " + stats.body);
    auto reset = control.send(http::verb::post, "/_emulator/reset", "{}", {.sign = false});
    if (reset.status != 200) throw std::runtime_error("reset answered " + std::to_string(reset.status));
    return seen;
}

}  // namespace emulator_test
