// One chat_room shared by coroutines on an io_context run by four threads
// (the tsan preset runs this file): concurrent sends, a receiver, state
// reads from other threads, then close.
#include "support/emulator_fixture.hpp"

#include <ivschat/chat_room.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <set>
#include <thread>

using namespace ivschat;
namespace asio = boost::asio;

TEST_CASE("chat_room: shared by coroutines on four threads") {
    constexpr int senders = 8;
    constexpr int messages_per_sender = 10;
    ivschat::test::emulator_fixture f;
    asio::io_context work(4);
    // The emulator on its own thread; the room's work on four others.
    std::thread emulator([&] {
        auto guard = asio::make_work_guard(f.ioc);
        f.ioc.run();
    });
    {
        auto busy = asio::make_work_guard(work);
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) threads.emplace_back([&] { work.run(); });
        client control(work.get_executor(), f.options());
        create_room_request room_request;
        room_request.maximum_message_rate_per_second = 100;
        const std::string arn = *control.create_room(room_request, asio::use_future).get().arn;
        chat_room_options options;
        options.endpoint = f.server.messaging_endpoint();
        options.tls.ca_file = f.server.ca_bundle().string();
        chat_room room(work.get_executor(), options,
                       make_chat_token_provider(control, {.room_identifier = arn,
                                                          .user_id = "u",
                                                          .capabilities = {chat_token_capability::send_message}}));
        std::atomic<int> sent{0}, failed{0}, received{0};
        std::atomic<bool> done{false};
        asio::co_spawn(
            work,
            [&]() -> asio::awaitable<void> {
                auto [connect_ec] = co_await room.async_connect(asio::as_tuple(asio::use_awaitable));
                REQUIRE_FALSE(connect_ec);
                for (int s = 0; s < senders; ++s) {
                    asio::co_spawn(
                        work,
                        [&, s]() -> asio::awaitable<void> {
                            for (int i = 0; i < messages_per_sender; ++i) {
                                auto result = co_await room.async_send_message(
                                    std::to_string(s) + "/" + std::to_string(i), {}, nullptr,
                                    asio::as_tuple(asio::use_awaitable));
                                if (std::get<0>(result)) ++failed;
                                else ++sent;
                            }
                        },
                        asio::detached);
                }
                while (received < senders * messages_per_sender) {
                    auto result = co_await room.async_receive(asio::as_tuple(asio::use_awaitable));
                    if (std::get<0>(result)) break;
                    if (std::holds_alternative<chat_message>(std::get<1>(result))) ++received;
                }
                co_await room.async_close();
                done = true;
            },
            asio::detached);
        while (!done) {
            // Reads from a thread that is not running the io_context.
            (void)room.state();
            (void)room.dropped_frames();
            std::this_thread::yield();
        }
        busy.reset();
        for (auto& t : threads) t.join();
        CHECK(sent == senders * messages_per_sender);
        CHECK(failed == 0);
        CHECK(received == senders * messages_per_sender);
        CHECK(room.state() == chat_state::disconnected);
    }
    asio::post(f.ioc, [&] {
        f.server.stop();
        f.ioc.stop();
    });
    emulator.join();
}
