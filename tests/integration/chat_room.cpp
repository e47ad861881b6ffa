// ivschat::chat_room against the in-process emulator over wss: send and
// receive, the three actions and their replies, the service's errors as
// chat_errc, refused upgrades, server disconnects (DISCONNECT_USER,
// DeleteRoom), a reconnect after the sockets drop, the switch-over before
// a (short) session ends and on the server's ERROR 401 without losing or
// duplicating frames, request_timeout while the server is stalled, and a
// silent connection dropped by the ping check.
#include "support/emulator_fixture.hpp"

#include <ivschat/chat_room.hpp>
#include <ivschat/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <future>
#include <set>
#include <thread>

using namespace ivschat;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using ivschat::test::emulator_fixture;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

chat_room_options room_options(const emulator_fixture& f) {
    chat_room_options o;
    o.endpoint = f.server.messaging_endpoint();
    o.tls.ca_file = f.server.ca_bundle().string();
    o.reconnect_base_delay = 10ms;
    o.reconnect_max_delay = 50ms;
    return o;
}

asio::awaitable<std::string> create_room(client& control, create_room_request request = {}) {
    auto room = co_await control.create_room(request);
    co_return *room.arn;
}

// (Helpers build the braced lists, and no co_await sits inside a CHECK:
// GCC 12 miscompiles both inside coroutines, and temporaries given to
// co_await are named.)
create_chat_token_request token_request(const std::string& arn, std::string user) {
    return {.room_identifier = arn, .user_id = std::move(user), .capabilities = {chat_token_capability::send_message}};
}

// SEND_MESSAGE for a session of `minutes` chat minutes.
create_chat_token_request session_request(const std::string& arn, std::string user, int minutes) {
    auto request = token_request(arn, std::move(user));
    request.session_duration_in_minutes = minutes;
    return request;
}

// A chat "minute" of 2 s: a 1-minute session ends 2 s after its token is issued.
emulator::server_options two_second_minutes() {
    emulator::server_options options{.tls = true};
    options.service.chat_minute = 2s;
    return options;
}

// A room at the highest message rate (100/s).
asio::awaitable<std::string> create_fast_room(client& control) {
    create_room_request fast;
    fast.maximum_message_rate_per_second = 100;
    co_return co_await create_room(control, fast);
}

create_chat_token_request moderator_request(const std::string& arn, std::string user) {
    return {.room_identifier = arn,
            .user_id = std::move(user),
            .capabilities = {chat_token_capability::send_message, chat_token_capability::delete_message,
                             chat_token_capability::disconnect_user}};
}

chat_attributes one_attribute(std::string key, std::string value) {
    chat_attributes a;
    a.emplace(std::move(key), std::move(value));
    return a;
}

// connecting, connected, once per connection; then disconnected when `closed`.
std::vector<chat_state> connection_states(int connections, bool closed) {
    std::vector<chat_state> out;
    for (int i = 0; i < connections; ++i) {
        out.push_back(chat_state::connecting);
        out.push_back(chat_state::connected);
    }
    if (closed) out.push_back(chat_state::disconnected);
    return out;
}

// Receives frames until one of type T arrives (others are skipped).
template <class T>
asio::awaitable<T> receive_next(chat_room& room) {
    for (;;) {
        auto result1 = co_await room.async_receive(use_tuple);
        auto& ec = std::get<0>(result1);
        auto& frame = std::get<1>(result1);
        INFO(ec.message());
        REQUIRE_FALSE(ec);
        if (auto* wanted = std::get_if<T>(&frame)) co_return std::move(*wanted);
    }
}

// room_options(f) that append every state change to `states`.
chat_room_options recording_options(const emulator_fixture& f, std::vector<chat_state>& states) {
    auto options = room_options(f);
    options.on_state_change = [&states](chat_state s, chat_disconnect_reason, boost::system::error_code) {
        states.push_back(s);
    };
    return options;
}

// `inner` without sessionExpirationTime: the room schedules no switch-over,
// only the server's ERROR 401 at the session's end triggers one.
chat_token_provider without_session_end(chat_token_provider inner) {
    return [inner = std::move(inner)]() -> asio::awaitable<std::tuple<boost::system::error_code, chat_token>> {
        auto [ec, token] = co_await inner();
        token.session_expiration_time.reset();
        co_return std::tuple{ec, std::move(token)};
    };
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(use_tuple);
}

}  // namespace

TEST_CASE("chat_room: send a message, receive it with every field; its MESSAGE completes the send") {
    emulator_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        client control(f.ioc.get_executor(), f.options());
        const auto arn = co_await create_room(control);
        auto request = token_request(arn, "alice");
        request.attributes = one_attribute("role", "host");
        std::vector<chat_state> states;
        const auto options = recording_options(f, states);
        chat_room room(f.ioc.get_executor(), options, make_chat_token_provider(control, request));
        CHECK(room.state() == chat_state::disconnected);
        co_await room.async_connect();
        CHECK(room.state() == chat_state::connected);

        const auto before = std::chrono::system_clock::now();
        auto sent = co_await room.async_send_message("hello room", one_attribute("k", "v"));
        CHECK(sent.content == "hello room");
        CHECK(sent.attributes == one_attribute("k", "v"));
        CHECK(sent.sender.user_id == "alice");
        CHECK(sent.sender.attributes == one_attribute("role", "host"));
        CHECK(sent.id.size() == 12);
        CHECK_FALSE(sent.request_id.empty());
        CHECK(sent.send_time >= std::chrono::floor<std::chrono::seconds>(before));

        const auto received = co_await receive_next<chat_message>(room);
        CHECK(received.id == sent.id);
        CHECK(received.json == sent.json);

        co_await room.async_close();
        CHECK(room.state() == chat_state::disconnected);
        CHECK(room.disconnect_reason() == chat_disconnect_reason::client);
        CHECK(states == connection_states(1, true));
        auto result2 = co_await room.async_receive(use_tuple);
        auto& ec = std::get<0>(result2);
                CHECK(ec == chat_errc::closed);
    });
}

TEST_CASE("chat_room: delete_message and disconnect_user complete with their events; the user is disconnected") {
    emulator_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        client control(f.ioc.get_executor(), f.options());
        const auto arn = co_await create_room(control);
        chat_room moderator(f.ioc.get_executor(), room_options(f),
                            make_chat_token_provider(control, moderator_request(arn, "mod")));
        chat_room viewer(f.ioc.get_executor(), room_options(f),
                         make_chat_token_provider(control, token_request(arn, "bob")));
        co_await moderator.async_connect();
        co_await viewer.async_connect();

        const auto message = co_await viewer.async_send_message("spam");
        const auto deleted = co_await moderator.async_delete_message(message.id, "no spam");
        CHECK(deleted.message_id == message.id);
        CHECK(deleted.reason == "no spam");
        const auto seen_deletion = co_await receive_next<chat_deleted_message>(viewer);
        CHECK(seen_deletion.message_id == message.id);

        const auto kicked = co_await moderator.async_disconnect_user("bob", "bye");
        CHECK(kicked.user_id == "bob");
        CHECK(kicked.reason == "bye");
        const auto seen_kick = co_await receive_next<chat_user_disconnected>(viewer);
        CHECK(seen_kick.user_id == "bob");
        // The server's clean close ends the viewer's room: no reconnect.
        for (;;) {
            auto result3 = co_await viewer.async_receive(use_tuple);
            auto& ec = std::get<0>(result3);
            if (!ec) continue;
            CHECK(ec == chat_errc::closed);
            break;
        }
        CHECK(viewer.state() == chat_state::disconnected);
        CHECK(viewer.disconnect_reason() == chat_disconnect_reason::server);
        CHECK(viewer.connections_opened() == 1);
        co_await moderator.async_close();
    });
}

TEST_CASE("chat_room: the service's errors complete requests with chat_errc and the ERROR frame") {
    emulator_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        client control(f.ioc.get_executor(), f.options());
        create_room_request short_messages;
        short_messages.maximum_message_length = 5;
        const auto arn = co_await create_room(control, short_messages);
        chat_room room(f.ioc.get_executor(), room_options(f), make_chat_token_provider(control, token_request(arn, "u")));
        co_await room.async_connect();

        chat_error error;
        auto result4 = co_await room.async_send_message("far too long", {}, &error, use_tuple);
        auto& too_long = std::get<0>(result4);
        CHECK(too_long == chat_errc::bad_request);
        CHECK(error.error_code == 400);
        CHECK_FALSE(error.error_message.empty());

        auto result5 = co_await room.async_delete_message("abcdefghijkl", "", &error, use_tuple);
        auto& forbidden = std::get<0>(result5);
        CHECK(forbidden == chat_errc::forbidden);
        CHECK(error.error_code == 403);

        auto too_large_result =
            co_await room.async_send_message("x", one_attribute("k", std::string(2000, 'v')), nullptr, use_tuple);
        auto& too_large = std::get<0>(too_large_result);
        CHECK(too_large == chat_errc::payload_too_large);

        auto result6 = co_await room.async_send_action(R"({"Action":"NOPE"})", use_tuple);
        auto& raw_ec = std::get<0>(result6);
        auto& raw = std::get<1>(result6);
        CHECK(raw_ec == chat_errc::bad_request);
        CHECK(std::holds_alternative<chat_error>(raw));

        auto result7 = co_await room.async_send_action("not json", use_tuple);
        auto& invalid = std::get<0>(result7);
        CHECK(invalid == chat_errc::invalid_request);
        co_await room.async_close();

        auto result8 = co_await room.async_send_message("late", {}, nullptr, use_tuple);
        auto& closed_ec = std::get<0>(result8);
        CHECK(closed_ec == chat_errc::not_connected);
    });
}

TEST_CASE("chat_room: a refused upgrade and a failing token provider end the connect with their errors") {
    emulator_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        auto options = room_options(f);
        options.max_reconnect_attempts = 2;
        int fetches = 0;
        chat_room bad_token(f.ioc.get_executor(), options,
                            [&]() -> asio::awaitable<std::tuple<boost::system::error_code, chat_token>> {
                                ++fetches;
                                co_return std::tuple{boost::system::error_code{}, chat_token{.token = "garbage"}};
                            });
        auto result9 = co_await bad_token.async_connect(use_tuple);
        auto& ec = std::get<0>(result9);
        CHECK(ec == chat_errc::upgrade_refused);
        CHECK(fetches == 3);  // the first attempt and two retries, each with a fresh token
        CHECK(bad_token.disconnect_reason() == chat_disconnect_reason::socket_error);

        chat_room no_token(f.ioc.get_executor(), options,
                           []() -> asio::awaitable<std::tuple<boost::system::error_code, chat_token>> {
                               co_return std::tuple{boost::system::error_code(asio::error::connection_refused),
                                                    chat_token{}};
                           });
        auto result10 = co_await no_token.async_connect(use_tuple);
        auto& token_ec = std::get<0>(result10);
        CHECK(token_ec == chat_errc::token_fetch_failed);
        CHECK(no_token.disconnect_reason() == chat_disconnect_reason::token_fetch_error);

    });
}

TEST_CASE("chat_room: DeleteRoom ends the room's connections cleanly") {
    emulator_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        client control(f.ioc.get_executor(), f.options());
        const auto arn = co_await create_room(control);
        chat_room room(f.ioc.get_executor(), room_options(f), make_chat_token_provider(control, token_request(arn, "u")));
        co_await room.async_connect();
        delete_room_request delete_request;
        delete_request.identifier = arn;
        co_await control.delete_room(delete_request);
        auto result12 = co_await room.async_receive(use_tuple);
        auto& ec = std::get<0>(result12);
        CHECK(ec == chat_errc::closed);
        CHECK(room.disconnect_reason() == chat_disconnect_reason::server);
    });
}

TEST_CASE("chat_room: after the sockets drop it reconnects with a fresh token; pending requests fail") {
    emulator_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        client control(f.ioc.get_executor(), f.options());
        const auto arn = co_await create_room(control);
        std::vector<chat_state> states;
        const auto options = recording_options(f, states);
        chat_room room(f.ioc.get_executor(), options, make_chat_token_provider(control, token_request(arn, "u")));
        co_await room.async_connect();
        f.server.messaging().close_all();
        // Received frames show the new connection works.
        for (int i = 0; i < 200 && room.connections_opened() < 2; ++i) co_await sleep_for(10ms);
        REQUIRE(room.connections_opened() == 2);
        CHECK(room.state() == chat_state::connected);
        const auto m = co_await room.async_send_message("again");
        CHECK(m.content == "again");
        CHECK(states == connection_states(2, false));
        co_await room.async_close();
    });
}

TEST_CASE("chat_room: before the session ends it switches to a new connection without losing or duplicating frames") {
    emulator_fixture f(two_second_minutes());
    f.run([&]() -> asio::awaitable<void> {
        client control(f.ioc.get_executor(), f.options());
        const auto arn = co_await create_fast_room(control);
        chat_room viewer(f.ioc.get_executor(), room_options(f),
                         make_chat_token_provider(control, session_request(arn, "viewer", 1)));
        chat_room sender(f.ioc.get_executor(), room_options(f),
                         make_chat_token_provider(control, session_request(arn, "sender", 10)));
        co_await viewer.async_connect();
        co_await sender.async_connect();

        // 5 s of messages, one every 25 ms: the viewer's sessions of 2 s are
        // replaced at least twice while messages flow.
        std::set<std::string> sent;
        for (int i = 0; i < 200; ++i) {
            sent.insert((co_await sender.async_send_message("m" + std::to_string(i))).id);
            co_await sleep_for(25ms);
        }
        std::set<std::string> received;
        std::size_t duplicates = 0;
        while (received.size() < sent.size()) {
            auto m = co_await receive_next<chat_message>(viewer);
            if (m.sender.user_id != "sender") continue;
            if (!received.insert(m.id).second) ++duplicates;
        }
        CHECK(received == sent);
        CHECK(duplicates == 0);
        CHECK(viewer.connections_opened() >= 3);
        CHECK(viewer.state() == chat_state::connected);
        CHECK(viewer.dropped_frames() == 0);
        co_await viewer.async_close();
        co_await sender.async_close();
    });
}

TEST_CASE("chat_room: a full receive queue drops the oldest frames and says so once; a receive can be cancelled") {
    emulator_fixture f;
    f.run([&]() -> asio::awaitable<void> {
        client control(f.ioc.get_executor(), f.options());
        const auto arn = co_await create_room(control);
        auto options = room_options(f);
        options.receive_queue_capacity = 2;
        chat_room room(f.ioc.get_executor(), options, make_chat_token_provider(control, token_request(arn, "u")));
        co_await room.async_connect();
        std::vector<std::string> ids;
        for (int i = 0; i < 4; ++i) ids.push_back((co_await room.async_send_message("m" + std::to_string(i))).id);
        auto overflow = co_await room.async_receive(use_tuple);
        CHECK(std::get<0>(overflow) == chat_errc::frames_dropped);
        CHECK(room.dropped_frames() == 2);
        const auto third = co_await receive_next<chat_message>(room);
        const auto fourth = co_await receive_next<chat_message>(room);
        CHECK(third.id == ids[2]);
        CHECK(fourth.id == ids[3]);

        // Nothing more arrives: the receive waits until its slot is emitted.
        asio::cancellation_signal cancel;
        asio::steady_timer soon(f.ioc, 20ms);
        soon.async_wait([&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
        auto cancelled = co_await room.async_receive(asio::bind_cancellation_slot(cancel.slot(), use_tuple));
        CHECK(std::get<0>(cancelled) == asio::error::operation_aborted);
        // The room still works after the cancelled receive.
        const auto after = co_await room.async_send_message("after");
        const auto received = co_await receive_next<chat_message>(room);
        CHECK(received.id == after.id);
        co_await room.async_close();
    });
}

TEST_CASE("chat_room: an ERROR 401 at the session's end switches to a new connection; no frame lost or duplicated") {
    // The viewer's 1-minute session ends 2 s after its token is issued; the
    // emulator then sends ERROR 401 and closes with 1000.
    emulator_fixture f(two_second_minutes());
    f.run([&]() -> asio::awaitable<void> {
        client control(f.ioc.get_executor(), f.options());
        const auto arn = co_await create_fast_room(control);
        std::vector<chat_state> states;
        const auto options = recording_options(f, states);
        chat_room viewer(f.ioc.get_executor(), options,
                         without_session_end(make_chat_token_provider(control, session_request(arn, "viewer", 1))));
        chat_room sender(f.ioc.get_executor(), room_options(f),
                         make_chat_token_provider(control, session_request(arn, "sender", 10)));
        co_await viewer.async_connect();
        co_await sender.async_connect();

        // Messages on the first connection, the server's 401 (its sweep runs
        // once a second), then messages on the replacement.
        std::set<std::string> sent;
        for (int i = 0; i < 20; ++i) sent.insert((co_await sender.async_send_message("before " + std::to_string(i))).id);
        for (int i = 0; i < 500 && viewer.connections_opened() < 2; ++i) co_await sleep_for(10ms);
        REQUIRE(viewer.connections_opened() == 2);
        for (int i = 0; i < 20; ++i) sent.insert((co_await sender.async_send_message("after " + std::to_string(i))).id);

        std::set<std::string> received;
        std::size_t duplicates = 0;
        bool saw_401 = false;
        while (received.size() < sent.size()) {
            auto result = co_await viewer.async_receive(use_tuple);
            INFO(std::get<0>(result).message());
            REQUIRE_FALSE(std::get<0>(result));
            const auto& frame = std::get<1>(result);
            if (const auto* error = std::get_if<chat_error>(&frame)) saw_401 = saw_401 || error->error_code == 401;
            const auto* message = std::get_if<chat_message>(&frame);
            if (!message || message->sender.user_id != "sender") continue;
            if (!received.insert(message->id).second) ++duplicates;
        }
        CHECK(saw_401);
        CHECK(received == sent);
        CHECK(duplicates == 0);
        // One connecting, then connected for each connection: the room never
        // reported a disconnection or a reconnect.
        CHECK(states == std::vector<chat_state>{chat_state::connecting, chat_state::connected, chat_state::connected});
        CHECK(viewer.state() == chat_state::connected);
        co_await viewer.async_close();
        co_await sender.async_close();
    });
}

namespace {

// The emulator on a thread of its own, which stall() blocks until
// release(): connections stay open and frames reach the server's sockets,
// but nothing reads or answers them. Destruction releases and stops it.
class stallable_emulator {
public:
    stallable_emulator() : thread_([this] { f.ioc.run(); }) {}
    ~stallable_emulator() {
        release();
        asio::post(f.ioc, [this] {
            f.server.stop();
            f.ioc.stop();
        });
        thread_.join();
    }

    void stall() {
        std::promise<void> stalled;
        asio::post(f.ioc, [&stalled, released = released_] {
            stalled.set_value();
            released.wait();
        });
        stalled.get_future().wait();
    }

    void release() {
        if (released_.wait_for(0s) != std::future_status::ready) release_.set_value();
    }

    // Runs `body` with a room connected as user "u" to a new room, on an
    // io_context of the calling thread; rethrows what the body threw.
    template <class Body>
    void with_connected_room(const chat_room_options& options, Body body) {
        asio::io_context io;
        std::exception_ptr failure;
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            client control(io.get_executor(), control_options_);
            const auto arn = co_await create_room(control);
            chat_room room(io.get_executor(), options, make_chat_token_provider(control, token_request(arn, "u")));
            co_await room.async_connect();
            co_await body(room);
        }, [&](std::exception_ptr e) { failure = e; });
        io.run();
        if (failure) std::rethrow_exception(failure);
    }

    emulator_fixture f;

private:
    client_options control_options_ = f.options();
    std::promise<void> release_;
    std::shared_future<void> released_ = release_.get_future().share();
    std::thread thread_;
};

}  // namespace

TEST_CASE("chat_room: a request the stalled server does not answer completes with request_timeout; the room stays usable") {
    stallable_emulator server;
    auto options = room_options(server.f);
    options.request_timeout = 300ms;
    server.with_connected_room(options, [&](chat_room& room) -> asio::awaitable<void> {
        server.stall();
        auto unanswered = co_await room.async_send_message("unanswered", {}, nullptr, use_tuple);
        CHECK(std::get<0>(unanswered) == chat_errc::request_timeout);
        CHECK(room.state() == chat_state::connected);

        // Released, the server answers late: its MESSAGE is an ordinary frame
        // then, and the connection serves the next request.
        server.release();
        const auto late = co_await receive_next<chat_message>(room);
        CHECK(late.content == "unanswered");
        const auto answered = co_await room.async_send_message("answered");
        CHECK(answered.content == "answered");
        CHECK(room.connections_opened() == 1);
        co_await room.async_close();
    });
}

TEST_CASE("chat_room: pings keep a quiet connection; one that stops answering is dropped and the room reconnects") {
    // A stalled server keeps the socket open; the ping reaches it, no pong comes back.
    stallable_emulator server;
    std::vector<chat_state> states;
    auto options = recording_options(server.f, states);
    options.ping_interval = 100ms;
    server.with_connected_room(options, [&](chat_room& room) -> asio::awaitable<void> {
        // Nothing is sent for several intervals: the server's pongs keep it.
        co_await sleep_for(500ms);
        CHECK(room.state() == chat_state::connected);
        CHECK(room.connections_opened() == 1);

        server.stall();
        const auto stalled_at = std::chrono::steady_clock::now();
        while (room.state() == chat_state::connected && std::chrono::steady_clock::now() - stalled_at < 3s)
            co_await sleep_for(5ms);
        const auto silent_for = std::chrono::steady_clock::now() - stalled_at;
        CHECK(room.state() == chat_state::connecting);
        // One interval to see the silence, one more for the ping's answer.
        CHECK(silent_for >= 100ms);
        CHECK(silent_for < 2s);

        server.release();
        const auto released_at = std::chrono::steady_clock::now();
        while (room.state() != chat_state::connected && std::chrono::steady_clock::now() - released_at < 10s)
            co_await sleep_for(5ms);
        CHECK(room.state() == chat_state::connected);
        CHECK(room.connections_opened() == 2);
        const auto answered = co_await room.async_send_message("after the reconnect");
        CHECK(answered.content == "after the reconnect");
        co_await room.async_close();
    });
    CHECK(states == std::vector<chat_state>{chat_state::connecting, chat_state::connected, chat_state::connecting,
                                            chat_state::connected, chat_state::disconnected});
}

namespace {

// Each record as "level message name=value ...".
class line_logger final : public logger {
public:
    log_level level() const noexcept override { return log_level::info; }
    void write(log_level level, std::string_view message, std::span<const log_field> fields) override {
        std::string line = std::string(to_string(level)) + " " + std::string(message);
        for (const auto& field : fields) {
            line += " " + std::string(field.name) + "=";
            if (const auto* text = std::get_if<std::string_view>(&field.value)) line += *text;
            else line += std::to_string(std::get<std::int64_t>(field.value));
        }
        lines.push_back(std::move(line));
    }
    std::size_t count_starting(std::string_view prefix) const {
        return static_cast<std::size_t>(
            std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.starts_with(prefix); }));
    }
    std::vector<std::string> lines;
};

}  // namespace

TEST_CASE("chat_room: its logger records state changes, a reconnect and a full queue, never a token") {
    emulator_fixture f;
    auto log = std::make_shared<line_logger>();
    std::vector<std::string> tokens;
    f.run([&]() -> asio::awaitable<void> {
        client control(f.ioc.get_executor(), f.options());
        const auto arn = co_await create_room(control);
        auto options = room_options(f);
        options.logger = log;
        options.receive_queue_capacity = 2;
        chat_token_provider recording = [&tokens, inner = make_chat_token_provider(control, token_request(arn, "u"))]()
            -> asio::awaitable<std::tuple<boost::system::error_code, chat_token>> {
            auto [ec, token] = co_await inner();
            tokens.push_back(token.token);
            co_return std::tuple{ec, std::move(token)};
        };
        chat_room room(f.ioc.get_executor(), options, recording);
        co_await room.async_connect();
        for (int i = 0; i < 4; ++i) co_await room.async_send_message("m" + std::to_string(i));
        f.server.messaging().close_all();
        for (int i = 0; i < 200 && room.connections_opened() < 2; ++i) co_await sleep_for(10ms);
        REQUIRE(room.connections_opened() == 2);
        co_await room.async_close();
    });
    for (const auto& line : log->lines) {
        INFO(line);
        for (const auto& token : tokens) CHECK(line.find(token) == std::string::npos);
    }
    CHECK(log->count_starting("info chat state state=connecting") == 2);
    CHECK(log->count_starting("info chat state state=connected") == 2);
    CHECK(log->count_starting("info chat reconnecting attempt=1 delay_us=") == 1);
    CHECK(log->count_starting("warn chat receive queue full, oldest frames dropped capacity=2") == 1);
    REQUIRE_FALSE(log->lines.empty());
    CHECK(log->lines.back() == "info chat state state=disconnected reason=client error=the chat room is closed");
}
