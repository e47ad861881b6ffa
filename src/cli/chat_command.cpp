#include "cli/chat_command.hpp"

#include "cli/json_output.hpp"

#include <ivschat/chat_room.hpp>
#include <ivschat/messaging/chat_codec.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace ivschat::cli {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr int exit_failure = 255;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// On stdin's end, replies to the requests sent are awaited this long at most.
constexpr auto eof_grace = std::chrono::seconds(5);

// The session: stdin's lines become requests, frames become stdout lines.
struct chat_session {
    asio::io_context& ioc;
    chat_room& room;
    std::size_t outstanding = 0;
    bool input_ended = false;
    asio::steady_timer drained{ioc, asio::steady_timer::time_point::max()};
    int exit_code = 0;

    asio::awaitable<void> send_line(std::string line) {
        ++outstanding;
        if (messaging::prepare_action(line, "-")) {
            co_await room.async_send_action(std::move(line), use_tuple);
        } else {
            co_await room.async_send_message(std::move(line), {}, nullptr, use_tuple);
        }
        if (--outstanding == 0 && input_ended) drained.cancel();
    }

    asio::awaitable<void> end_of_input() {
        input_ended = true;
        if (outstanding > 0) {
            drained.expires_after(eof_grace);
            co_await drained.async_wait(use_tuple);
        }
        co_await room.async_close(use_tuple);
    }

    asio::awaitable<void> print_frames() {
        for (;;) {
            auto [ec, frame] = co_await room.async_receive(use_tuple);
            if (ec == chat_errc::frames_dropped) continue;
            if (ec) {
                if (ec != chat_errc::closed) {
                    std::cerr << "ivschat chat: connection lost: " << ec.message() << '\n';
                    exit_code = exit_failure;
                } else {
                    std::cerr << "ivschat chat: disconnected ("
                              << (room.disconnect_reason() == chat_disconnect_reason::server ? "by the server" : "closed")
                              << ")\n";
                }
                break;
            }
            // Compact, with the frame's fields as the service sent them.
            std::cout << chat_frame_line(frame_json(frame)) << '\n' << std::flush;
        }
        ioc.stop();
    }
};

}  // namespace

int run_chat(const create_chat_token_request& request, const std::optional<std::string>& messaging_endpoint_url,
             const std::optional<std::string>& token, const client_options& options) {
    asio::io_context ioc;
    // The client resolves the configuration (region, CA bundle) even when
    // --token makes CreateChatToken unnecessary.
    client control(ioc.get_executor(), options);
    chat_room_options room_options;
    room_options.endpoint = messaging_endpoint_url ? *messaging_endpoint_url : messaging_endpoint(control.config().region);
    if (control.config().ca_bundle) room_options.tls.ca_file = *control.config().ca_bundle;
    // The contract: a connection that drops ends the command (255); only the
    // switch-over before the session's end opens another.
    room_options.max_reconnect_attempts = 0;
    room_options.on_bad_frame = [](std::string_view problem) {
        std::cerr << "ivschat chat: a frame from the server was dropped: " << problem << '\n';
    };
    chat_token_provider provider;
    if (token) {
        provider = [token = *token, used = false]() mutable -> asio::awaitable<std::tuple<error_code, chat_token>> {
            // A chat token opens one connection only.
            if (std::exchange(used, true)) co_return std::tuple{error_code(chat_errc::unauthorized), chat_token{}};
            co_return std::tuple{error_code{}, chat_token{.token = token}};
        };
    } else {
        provider = make_chat_token_provider(control, request);
    }
    chat_room room(ioc.get_executor(), room_options, std::move(provider));
    chat_session session{ioc, room};
    std::optional<std::thread> reader;
    std::atomic<bool> reader_done{false};

    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto [ec] = co_await room.async_connect(use_tuple);
            if (ec) {
                std::cerr << "ivschat chat: cannot connect to " << room_options.endpoint << ": " << ec.message() << '\n';
                session.exit_code = exit_failure;
                ioc.stop();
                co_return;
            }
            std::cerr << "ivschat chat: connected to " << room_options.endpoint << '\n';
            asio::co_spawn(ioc, session.print_frames(), asio::detached);
            // std::getline on its own thread: stdin may be a file, a pipe or a
            // terminal; each line is handed to the io_context in order.
            reader.emplace([&ioc, &session, &reader_done] {
                std::string line;
                while (std::getline(std::cin, line)) {
                    if (!line.empty() && line.back() == '\r') line.pop_back();
                    if (line.empty()) continue;
                    asio::post(ioc, [&session, line = std::move(line)]() mutable {
                        asio::co_spawn(session.ioc, session.send_line(std::move(line)), asio::detached);
                    });
                }
                asio::post(ioc, [&session] { asio::co_spawn(session.ioc, session.end_of_input(), asio::detached); });
                reader_done = true;
            });
        },
        asio::detached);
    ioc.run();
    std::cout.flush();
    std::cerr.flush();
    // When the server ended the session the reader may still wait for stdin,
    // holding references to this frame: leave the process without unwinding.
    if (reader && !reader_done) std::_Exit(session.exit_code);
    if (reader) reader->join();
    return session.exit_code;
}

}  // namespace ivschat::cli
