// One client shared by coroutines on an io_context run by several threads
// (run under ThreadSanitizer by the tsan preset).
#include "support/emulator_fixture.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

namespace asio = boost::asio;

TEST_CASE("calls from four threads through one client", "[client][threads]") {
    // The emulator serves from its own single-threaded io_context (its
    // stop() belongs to the thread that runs it); the client's io_context is
    // run by four threads.
    ivschat::test::emulator_fixture f;
    std::thread server_thread([&] { f.ioc.run(); });
    asio::io_context ioc;
    auto work = asio::make_work_guard(ioc);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) threads.emplace_back([&] { ioc.run(); });

    std::atomic<int> succeeded{0}, failed{0};
    {
        auto options = f.options();
        options.pool.max_connections = 8;
        ivschat::client chat{ioc.get_executor(), options};
        const auto room = chat.create_room({}, asio::use_future).get();
        constexpr int calls = 400;
        std::vector<std::future<void>> done;
        for (int i = 0; i < calls; ++i) {
            done.push_back(asio::co_spawn(
                ioc,
                [&, i]() -> asio::awaitable<void> {
                    ivschat::diagnostics diag;
                    const ivschat::create_chat_token_request request{.room_identifier = *room.arn,
                                                                     .user_id = "u" + std::to_string(i)};
                    auto [ec, token] = co_await chat.create_chat_token(request, diag, asio::as_tuple(asio::use_awaitable));
                    (ec || !token.token ? failed : succeeded)++;
                },
                asio::use_future));
        }
        for (auto& d : done) d.get();
        CHECK(succeeded == calls);
        CHECK(failed == 0);
        const auto counters = chat.counters();
        CHECK(counters.connections_opened <= 8);
        CHECK(counters.waiting_callers == 0);
    }
    work.reset();
    for (auto& t : threads) t.join();
    asio::post(f.ioc, [&] { f.server.stop(); });
    server_thread.join();
}
