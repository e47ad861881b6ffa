// The default chain shared by many operations on an io_context run by
// several threads, with cached() read concurrently (run under TSan).
#include <ivschat/config.hpp>
#include <ivschat/credentials_provider.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

TEST_CASE("one chain, many concurrent gets on a multi-threaded io_context") {
    namespace asio = boost::asio;
    asio::io_context ioc;
    ivschat::profile_set set;
    set.merge_file("[default]\naws_access_key_id = P\naws_secret_access_key = S\n",
                   ivschat::profile_file_kind::credentials, "credentials");
    auto chain = ivschat::make_default_credentials_chain(ivschat::environment::from_map({}), set, "default");

    constexpr int calls = 2000;
    std::atomic<int> right{0}, cached_seen{0};
    for (int i = 0; i < calls; ++i) {
        ivschat::async_get_credentials(*chain, ioc.get_executor(),
                                       [&](std::exception_ptr e, std::shared_ptr<const ivschat::credentials> c) {
                                           if (!e && c && c->access_key_id == "P") ++right;
                                       });
        asio::post(ioc, [&] {
            if (auto c = chain->cached()) cached_seen += c->access_key_id == "P";
        });
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back([&] { ioc.run(); });
    for (auto& t : threads) t.join();
    CHECK(right == calls);
    CHECK(cached_seen <= calls);
    REQUIRE(chain->cached());
    CHECK(chain->cached()->access_key_id == "P");
}
