// A blocking Beast WebSocket chat client and a fixture (an emulator, a
// control-plane client, a room, tokens) for the Messaging endpoint's socket
// tests.
#pragma once

#include "emulator_client.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <catch2/catch.hpp>

namespace emulator_test {

namespace websocket = beast::websocket;
using namespace std::chrono_literals;

inline std::string str(const json::value& v, std::string_view key) { return std::string(v.at(key).as_string()); }

// How long one step of a test may take before it fails (a hang is a failure).
constexpr auto step_timeout = 20s;

/// A blocking chat client: each call runs its asynchronous operation on a
/// private io_context for at most step_timeout.
template <class NextLayer>
class basic_chat_client {
public:
    struct upgrade_result {
        bool accepted = false;
        unsigned status = 0;
        std::string body{};
        std::string protocol{};
    };

    template <class... Args>
    explicit basic_chat_client(Args&&... args) : ws_(ioc_, std::forward<Args>(args)...) {}

    /// Connects and asks for an upgrade with `token` as the subprotocol
    /// (none when empty). `receive_buffer` shrinks the socket's receive buffer.
    upgrade_result open(std::uint16_t port, const std::string& token, int receive_buffer = 0) {
        auto& socket = beast::get_lowest_layer(ws_);
        socket.open(tcp::v4());
        if (receive_buffer) socket.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
        socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        if constexpr (!std::is_same_v<NextLayer, tcp::socket>) ws_.next_layer().handshake(asio::ssl::stream_base::client);
        ws_.set_option(websocket::stream_base::decorator([token](websocket::request_type& request) {
            if (!token.empty()) request.set(http::field::sec_websocket_protocol, token);
        }));
        websocket::response_type response;
        beast::error_code result = asio::error::timed_out;
        ws_.async_handshake(response, "127.0.0.1:" + std::to_string(port), "/",
                            [&](beast::error_code ec) { result = ec; });
        run();
        upgrade_result out;
        out.accepted = !result;
        out.status = response.result_int();
        out.body = response.body();
        out.protocol = std::string(response[http::field::sec_websocket_protocol]);
        return out;
    }

    void send(std::string_view frame, bool text = true) {
        ws_.text(text);
        beast::error_code result = asio::error::timed_out;
        ws_.async_write(asio::buffer(frame), [&](beast::error_code ec, std::size_t) { result = ec; });
        run();
        REQUIRE_FALSE(result);
    }

    /// The next frame as JSON, or nullopt when the connection ended (see close_code()).
    std::optional<json::object> read() {
        beast::flat_buffer buffer;
        beast::error_code result = asio::error::timed_out;
        ws_.async_read(buffer, [&](beast::error_code ec, std::size_t) { result = ec; });
        run();
        REQUIRE(result != asio::error::timed_out);
        if (result) {
            ended_ = result;
            return std::nullopt;
        }
        return json::parse(beast::buffers_to_string(buffer.data())).as_object();
    }

    json::object expect_frame() {
        auto frame = read();
        REQUIRE(frame);
        return *frame;
    }

    json::object expect_error(int code, std::string_view request_id) {
        auto frame = expect_frame();
        INFO(json::serialize(frame));
        CHECK(str(frame, "Type") == "ERROR");
        CHECK(frame.at("ErrorCode") == code);
        CHECK(str(frame, "RequestId") == request_id);
        return frame;
    }

    /// Reads until the connection ends; returns the frames read on the way.
    std::vector<json::object> read_to_end() {
        std::vector<json::object> frames;
        while (auto frame = read()) frames.push_back(std::move(*frame));
        return frames;
    }

    /// The close frame's code (0 when the connection ended without one).
    std::uint16_t close_code() const { return ended_ == websocket::error::closed ? ws_.reason().code : 0; }
    std::string close_reason() const { return std::string(ws_.reason().reason.c_str()); }

    void close() {
        beast::error_code result = asio::error::timed_out;
        ws_.async_close(websocket::close_code::normal, [&](beast::error_code ec) { result = ec; });
        run();
    }

private:
    void run() {
        ioc_.restart();
        ioc_.run_for(step_timeout);
    }

    asio::io_context ioc_;
    websocket::stream<NextLayer> ws_;
    beast::error_code ended_{};
};

using chat_client = basic_chat_client<tcp::socket>;

// The server's count of chat connections once it has settled on `expected`
// (a close seen by a client completes on the server a moment later), or
// after step_timeout.
inline std::size_t settled_connection_count(running_emulator& emulator, std::size_t expected) {
    const auto deadline = std::chrono::steady_clock::now() + step_timeout;
    for (;;) {
        const auto count = emulator.on_server([](auto& s) { return s.messaging().connection_count(); });
        if (count == expected || std::chrono::steady_clock::now() > deadline) return count;
        std::this_thread::sleep_for(10ms);
    }
}

struct chat_fixture {
    running_emulator emulator;
    client control;
    std::string room;

    explicit chat_fixture(ivschat::emulator::server_options options = {})
        : emulator(std::move(options)), control(emulator.port(), emulator.ca_bundle()) {
        room = create_room({});
    }

    std::string create_room(json::object settings) {
        auto created = call(control, "CreateRoom", settings);
        REQUIRE(created.status == 200);
        return str(created.json, "arn");
    }

    std::string token(const std::string& user, json::array capabilities = {}, int session_minutes = 60,
                      const std::string& in_room = {}) {
        auto reply = call(control, "CreateChatToken",
                          {{"roomIdentifier", in_room.empty() ? room : in_room},
                           {"userId", user},
                           {"capabilities", capabilities},
                           {"sessionDurationInMinutes", session_minutes},
                           {"attributes", {{"color", "blue"}}}});
        REQUIRE(reply.status == 200);
        return str(reply.json, "token");
    }

    std::unique_ptr<chat_client> connect(const std::string& chat_token) {
        auto c = std::make_unique<chat_client>();
        const auto opened = c->open(emulator.port(), chat_token);
        INFO(opened.body);
        REQUIRE(opened.accepted);
        CHECK(opened.protocol == chat_token);
        return c;
    }
};

/// The port of an endpoint URL (the first line an emulator prints).
inline std::uint16_t endpoint_port(const std::string& endpoint) {
    return static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

/// The "messaging" counters of GET /_emulator/stats.
inline json::object messaging_stats(chat_fixture& f) {
    auto reply = f.control.send(http::verb::get, "/_emulator/stats", {}, {.sign = false}, {});
    REQUIRE(reply.status == 200);
    return reply.json.as_object().at("messaging").as_object();
}

}  // namespace emulator_test
