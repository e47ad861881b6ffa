// Many concurrent calls on a multi-threaded io_context during one refresh of
// a real fetching provider (the container provider against a server on
// 127.0.0.1): exactly one fetch each time, every call answered, cached()
// read meanwhile from every thread. Runs under TSan.
#include <ivschat/config.hpp>
#include <ivschat/container_credentials_provider.hpp>

#include "credentials_test_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::system_clock;

// Starts `calls` gets from `threads` threads running `ioc`; returns how many got credentials with `id`.
int run_calls(ivschat::credentials_provider& p, int calls, int threads, const std::string& id) {
    asio::io_context ioc;
    std::atomic<int> right{0};
    std::atomic<int> cached_reads{0};
    for (int i = 0; i < calls; ++i) {
        asio::post(ioc, [&] {
            ivschat::async_get_credentials(p, ioc.get_executor(), [&](std::exception_ptr e, auto c) {
                if (!e && c && c->access_key_id == id) ++right;
            });
            if (p.cached()) ++cached_reads;
        });
    }
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back([&] { ioc.run(); });
    for (auto& t : pool) t.join();
    return right.load();
}

}  // namespace

TEST_CASE("one fetch shared by many concurrent calls from several threads, then one refresh") {
    // The stand-in endpoint runs on its own thread and answers slowly, so
    // that every call arrives while the fetch is in flight.
    asio::io_context server_ioc;
    std::atomic<int> generation{1};
    ivschat::test::credentials_test_server server(server_ioc.get_executor(), [&](const ivschat::test::http_request&) {
        std::this_thread::sleep_for(150ms);
        const auto g = std::to_string(generation.load());
        return ivschat::test::make_response(200, R"({"AccessKeyId":"GEN)" + g +
                                                     R"(","SecretAccessKey":"S","Token":"T","Expiration":"2030-01-01T0)" + g +
                                                     R"(:00:00Z"})");
    });
    auto work = asio::make_work_guard(server_ioc);
    std::thread server_thread([&] { server_ioc.run(); });

    auto now = std::make_shared<std::atomic<system_clock::time_point>>(system_clock::from_time_t(1'800'000'000));
    const auto expiry = system_clock::from_time_t(1'893'459'600);  // 2030-01-01T01:00:00Z
    now->store(expiry - 2h);
    auto p = std::make_shared<ivschat::container_credentials_provider>(
        ivschat::environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds"}}),
        ivschat::container_credentials_options{
            .timeout = 5s, .attempts = 1, .retry_delay = 0ms, .ca_file = {}, .refresh = {.clock = [now] { return now->load(); }}});

    constexpr int calls = 400;
    CHECK(run_calls(*p, calls, 4, "GEN1") == calls);
    CHECK(server.requests() == 1);
    CHECK(p->fetches_started() == 1);

    // 30 s before expiry, inside the wait margin: all wait for one refresh.
    generation = 2;
    now->store(expiry - 30s);
    CHECK(run_calls(*p, calls, 4, "GEN2") == calls);
    CHECK(server.requests() == 2);
    CHECK(p->fetches_started() == 2);

    work.reset();
    server_ioc.stop();
    server_thread.join();
}
