// The caching and refreshing layer of the fetching providers, driven by a
// provider whose fetch answers from a script after a short real timer, and
// by an injected clock that moves through expiry without waiting.
#include <ivschat/refreshing_credentials_provider.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <deque>
#include <variant>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using ivschat::credentials;
using ivschat::credentials_errc;
using ivschat::credentials_error;
using std::chrono::system_clock;

const system_clock::time_point start = system_clock::from_time_t(1'700'000'000);

struct test_clock {
    std::shared_ptr<system_clock::time_point> now = std::make_shared<system_clock::time_point>(start);
    void advance(system_clock::duration d) const { *now += d; }
    std::function<system_clock::time_point()> function() const {
        return [now = now] { return *now; };
    }
};

class scripted_provider final : public ivschat::refreshing_credentials_provider {
public:
    using outcome = std::variant<credentials, credentials_error>;

    explicit scripted_provider(const test_clock& clock, std::chrono::milliseconds delay = 20ms)
        : refreshing_credentials_provider({.clock = clock.function()}), delay_(delay) {}

    std::string name() const override { return "scripted"; }
    void then(outcome o) { script_.push_back(std::move(o)); }
    std::size_t unused() const { return script_.size(); }

private:
    asio::awaitable<credentials> fetch(asio::any_io_executor executor) override {
        asio::steady_timer wait(executor, delay_);
        co_await wait.async_wait(asio::use_awaitable);
        REQUIRE_FALSE(script_.empty());
        auto next = std::move(script_.front());
        script_.pop_front();
        if (auto* error = std::get_if<credentials_error>(&next)) throw *error;
        co_return std::get<credentials>(std::move(next));
    }

    std::chrono::milliseconds delay_;
    std::deque<outcome> script_;
};

credentials expiring(std::string id, system_clock::time_point at) {
    return {.access_key_id = std::move(id), .secret_access_key = "S", .session_token = "T", .expiration = at};
}

struct result {
    std::exception_ptr error{};
    std::shared_ptr<const credentials> creds{};
    bool done = false;
};

// Starts `n` calls, runs the loop until all completed, returns their results.
std::vector<result> get_all(ivschat::credentials_provider& p, int n = 1) {
    asio::io_context ioc;
    std::vector<result> out(static_cast<std::size_t>(n));
    for (auto& r : out)
        ivschat::async_get_credentials(p, ioc.get_executor(), [&r](std::exception_ptr e, auto c) {
            r = {std::move(e), std::move(c), true};
        });
    for (auto& r : out) CHECK_FALSE(r.done);  // never completes inside async_get
    ioc.run();
    for (auto& r : out) REQUIRE(r.done);
    return out;
}

std::string message_of(const result& r) {
    REQUIRE(r.error);
    try {
        std::rethrow_exception(r.error);
    } catch (const credentials_error& e) {
        return e.what();
    }
}

credentials_errc code_of(const result& r) {
    try {
        std::rethrow_exception(r.error);
    } catch (const credentials_error& e) {
        return static_cast<credentials_errc>(e.code().value());
    }
}

}  // namespace

TEST_CASE("refreshing: many calls during one fetch share it; cached() serves until the refresh margin") {
    test_clock clock;
    auto p = std::make_shared<scripted_provider>(clock);
    p->then(expiring("FIRST", start + 1h));
    CHECK_FALSE(p->cached());
    auto results = get_all(*p, 100);
    CHECK(p->fetches_started() == 1);
    for (auto& r : results) {
        REQUIRE(r.creds);
        CHECK(r.creds == results[0].creds);  // one snapshot for all
        CHECK(r.creds->access_key_id == "FIRST");
    }
    CHECK(p->cached() == results[0].creds);
    clock.advance(54min);  // 6 minutes left: outside the 5-minute margin
    CHECK(p->cached() == results[0].creds);
    CHECK(get_all(*p)[0].creds == results[0].creds);
    CHECK(p->fetches_started() == 1);
    clock.advance(2min);  // 4 minutes left
    CHECK_FALSE(p->cached());
}

TEST_CASE("refreshing: inside the refresh margin calls get the valid snapshot at once and one background refresh runs") {
    test_clock clock;
    auto p = std::make_shared<scripted_provider>(clock, 50ms);
    p->then(expiring("OLD", start + 1h));
    auto old = get_all(*p)[0].creds;
    clock.advance(57min);  // 3 minutes left: inside the refresh margin, outside the 1-minute wait margin
    p->then(expiring("NEW", start + 2h));
    asio::io_context ioc;
    std::vector<std::shared_ptr<const credentials>> seen;
    for (int i = 0; i < 20; ++i)
        ivschat::async_get_credentials(*p, ioc.get_executor(), [&](std::exception_ptr, auto c) { seen.push_back(c); });
    // The snapshot answers come before the 50 ms fetch ends.
    ioc.run_for(20ms);
    REQUIRE(seen.size() == 20);
    for (auto& c : seen) CHECK(c == old);
    ioc.run();
    CHECK(p->fetches_started() == 2);
    REQUIRE(p->cached());
    CHECK(p->cached()->access_key_id == "NEW");
}

TEST_CASE("refreshing: inside the wait margin and after expiry, calls wait for the new credentials") {
    test_clock clock;
    auto p = std::make_shared<scripted_provider>(clock);
    p->then(expiring("OLD", start + 1h));
    get_all(*p);
    clock.advance(59min + 30s);  // 30 s left
    p->then(expiring("NEW", start + 2h));
    for (auto& r : get_all(*p, 10)) CHECK(r.creds->access_key_id == "NEW");
    CHECK(p->fetches_started() == 2);
    clock.advance(2h);  // expired
    p->then(expiring("NEWER", start + 5h));
    CHECK(get_all(*p)[0].creds->access_key_id == "NEWER");
    CHECK(p->fetches_started() == 3);
}

TEST_CASE("refreshing: a failed refresh keeps serving valid credentials and waits before trying again") {
    test_clock clock;
    auto p = std::make_shared<scripted_provider>(clock);
    p->then(expiring("OLD", start + 1h));
    auto old = get_all(*p)[0].creds;
    clock.advance(57min);  // inside the refresh margin: answered at once, the background refresh fails
    p->then(credentials_error(credentials_errc::unavailable, "scripted: endpoint down"));
    for (auto& r : get_all(*p, 5)) CHECK(r.creds == old);
    CHECK(p->fetches_started() == 2);
    CHECK(p->unused() == 0);
    // Within the retry interval: answered from the cache, no new fetch.
    clock.advance(10s);
    CHECK(get_all(*p)[0].creds == old);
    CHECK(p->fetches_started() == 2);
    // After it, the next call refreshes again.
    clock.advance(60s);
    p->then(expiring("NEW", start + 2h));
    CHECK(get_all(*p)[0].creds == old);
    CHECK(p->fetches_started() == 3);
    REQUIRE(p->cached());
    CHECK(p->cached()->access_key_id == "NEW");

    // Inside the wait margin the calls wait for the refresh; when it fails
    // they get the credentials still valid.
    *clock.now = start + 2h - 30s;  // 30 s before NEW expires
    auto current = p->cached();
    CHECK_FALSE(current);
    p->then(credentials_error(credentials_errc::unavailable, "scripted: endpoint down"));
    for (auto& r : get_all(*p, 5)) {
        CHECK_FALSE(r.error);
        REQUIRE(r.creds);
        CHECK(r.creds->access_key_id == "NEW");
    }
    CHECK(p->fetches_started() == 4);
}

TEST_CASE("refreshing: a failed refresh with nothing valid left fails clearly, keeping the error's code") {
    test_clock clock;
    auto p = std::make_shared<scripted_provider>(clock);
    p->then(credentials_error(credentials_errc::not_found, "scripted: nothing configured"));
    auto first = get_all(*p, 3);
    for (auto& r : first) {
        CHECK_FALSE(r.creds);
        CHECK(message_of(r) == "scripted: nothing configured");
        CHECK(code_of(r) == credentials_errc::not_found);
    }
    CHECK(p->fetches_started() == 1);

    p->then(expiring("SHORT", start + 10min));
    CHECK(get_all(*p)[0].creds->access_key_id == "SHORT");
    clock.advance(11min);
    p->then(credentials_error(credentials_errc::unavailable, "scripted: endpoint down"));
    auto expired = get_all(*p)[0];
    CHECK_FALSE(expired.creds);
    CHECK(code_of(expired) == credentials_errc::unavailable);
    CHECK(message_of(expired) ==
          "scripted: endpoint down; the credentials scripted gave before expired at 2023-11-14T22:23:20Z");
    // Nothing valid: the next call tries again at once, despite the recent failure.
    p->then(expiring("BACK", start + 3h));
    CHECK(get_all(*p)[0].creds->access_key_id == "BACK");
    CHECK(p->fetches_started() == 4);
}

TEST_CASE("refreshing: credentials without expiration are fetched once") {
    test_clock clock;
    auto p = std::make_shared<scripted_provider>(clock);
    p->then(credentials{.access_key_id = "LONG", .secret_access_key = "S", .session_token = {}, .expiration = {}});
    get_all(*p);
    clock.advance(24h * 365);
    REQUIRE(p->cached());
    CHECK(get_all(*p, 3)[2].creds->access_key_id == "LONG");
    CHECK(p->fetches_started() == 1);
}

TEST_CASE("refreshing: a fetch giving an empty key is an invalid answer") {
    test_clock clock;
    auto p = std::make_shared<scripted_provider>(clock);
    p->then(credentials{.access_key_id = "", .secret_access_key = "S", .session_token = {}, .expiration = {}});
    auto r = get_all(*p)[0];
    CHECK(code_of(r) == credentials_errc::invalid);
    CHECK(message_of(r) == "scripted: gave an empty access key id or secret");
}

TEST_CASE("refreshing: credentials that come already close to expiry are not fetched again at every call") {
    test_clock clock;
    auto p = std::make_shared<scripted_provider>(clock);
    p->then(expiring("SHORT", start + 30s));  // inside the wait margin from the start
    CHECK(get_all(*p)[0].creds->access_key_id == "SHORT");
    clock.advance(5s);
    for (auto& r : get_all(*p, 10)) CHECK(r.creds->access_key_id == "SHORT");
    CHECK(p->fetches_started() == 1);
    clock.advance(30s);  // expired: fetched again
    p->then(expiring("NEXT", start + 2h));
    CHECK(get_all(*p)[0].creds->access_key_id == "NEXT");
    CHECK(p->fetches_started() == 2);
}
