// The pool's decision logic without sockets: reuse order, the cap, FIFO
// waiters, eviction, exchange caps, fresh acquisitions and warm-up.
#include "ivschat/http/pool_state.hpp"

#include <catch2/catch.hpp>

#include <vector>

namespace {

using state_type = ivschat::http::pool_state<int, int>;
using action = state_type::action;
using clock_type = state_type::clock;
using namespace std::chrono_literals;

// Records what the state machine asks to close.
struct closer {
    std::vector<int>* closed;
    void operator()(int c) const { closed->push_back(c); }
};

struct fixture {
    explicit fixture(state_type::limits l = {.max_connections = 2, .max_waiters = 3, .idle_timeout = 10s})
        : state(l) {}

    state_type::acquire_decision acquire(int waiter, bool fresh = false) {
        return state.acquire(waiter, fresh, now, closer{&closed});
    }
    std::optional<state_type::grant> release(int c, bool reusable = true, std::size_t exchanges = 1) {
        return state.release(c, reusable, exchanges, now, closer{&closed});
    }
    void check_invariants() const {
        CHECK(state.live() == state.idle() + state.in_use());
        CHECK(state.live() <= state.configured().max_connections);
        if (state.waiting() > 0) {
            CHECK(state.idle() == 0);
            CHECK(state.live() == state.configured().max_connections);
        }
    }

    state_type state;
    clock_type::time_point now{};
    std::vector<int> closed;
};

}  // namespace

TEST_CASE("pool_state: opens up to the cap, then queues, then rejects") {
    fixture f;
    CHECK(f.acquire(1).what == action::open);
    CHECK(f.acquire(2).what == action::open);
    CHECK(f.state.live() == 2);
    CHECK(f.acquire(3).what == action::wait);
    CHECK(f.acquire(4).what == action::wait);
    CHECK(f.acquire(5).what == action::wait);
    CHECK(f.acquire(6).what == action::reject);
    CHECK(f.state.waiting() == 3);
    f.check_invariants();
}

TEST_CASE("pool_state: released connections go to waiters in FIFO order") {
    fixture f;
    f.acquire(1);
    f.acquire(2);
    f.acquire(3);
    f.acquire(4);
    auto g = f.release(100);
    REQUIRE(g);
    CHECK(g->waiter == 3);
    CHECK(g->connection == 100);
    CHECK_FALSE(g->open_new);
    g = f.release(200);
    REQUIRE(g);
    CHECK(g->waiter == 4);
    CHECK(g->connection == 200);
    CHECK(f.state.waiting() == 0);
    f.check_invariants();
}

TEST_CASE("pool_state: a broken connection frees its slot for the first waiter") {
    fixture f;
    f.acquire(1);
    f.acquire(2);
    f.acquire(3);
    auto g = f.release(100, false);
    REQUIRE(g);
    CHECK(g->waiter == 3);
    CHECK(g->open_new);
    CHECK(f.closed == std::vector<int>{100});
    CHECK(f.state.live() == 2);
    f.check_invariants();
    // Without waiters the pool shrinks.
    CHECK_FALSE(f.release(200, false));
    CHECK(f.state.live() == 1);
    f.check_invariants();
}

TEST_CASE("pool_state: idle connections are reused most recent first") {
    fixture f{{.max_connections = 3, .max_waiters = 1, .idle_timeout = 10s}};
    f.acquire(1);
    f.acquire(2);
    f.acquire(3);
    f.release(10);
    f.now += 1s;
    f.release(20);
    f.now += 1s;
    f.release(30);
    CHECK(f.state.idle() == 3);
    auto d = f.acquire(4);
    CHECK(d.what == action::reuse);
    CHECK(d.connection == 30);
    d = f.acquire(5);
    CHECK(d.connection == 20);
    f.check_invariants();
}

TEST_CASE("pool_state: idle connections expire oldest first") {
    fixture f{{.max_connections = 3, .max_waiters = 1, .idle_timeout = 10s}};
    f.acquire(1);
    f.acquire(2);
    f.release(10);
    f.now += 5s;
    f.release(20);
    auto next = f.state.evict_expired(f.now, closer{&f.closed});
    REQUIRE(next);
    CHECK(*next == clock_type::time_point{} + 10s);
    f.now += 5s;
    next = f.state.evict_expired(f.now, closer{&f.closed});
    CHECK(f.closed == std::vector<int>{10});
    REQUIRE(next);
    CHECK(*next == clock_type::time_point{} + 15s);
    // acquire() evicts on the way: the remaining one expired too.
    f.now += 5s;
    CHECK(f.acquire(3).what == action::open);
    CHECK(f.closed == std::vector<int>{10, 20});
    CHECK(f.state.live() == 1);
    CHECK_FALSE(f.state.evict_expired(f.now, closer{&f.closed}));
    f.check_invariants();
}

TEST_CASE("pool_state: take_idle hands out idle connections and never queues") {
    fixture f{{.max_connections = 2, .max_waiters = 1, .idle_timeout = 10s}};
    // Nothing idle: no decision, no slot taken, nobody queued.
    CHECK_FALSE(f.state.take_idle(f.now, closer{&f.closed}));
    CHECK(f.state.live() == 0);
    f.acquire(1);
    f.acquire(2);
    f.release(10);
    f.now += 8s;
    f.release(20);
    auto d = f.state.take_idle(f.now, closer{&f.closed});
    REQUIRE(d);
    CHECK(d->what == action::reuse);
    CHECK(d->connection == 20);
    CHECK(d->idle_since == clock_type::time_point{} + 8s);
    // The other one expires on the way: closed, and nothing is handed out.
    f.now += 3s;
    CHECK_FALSE(f.state.take_idle(f.now, closer{&f.closed}));
    CHECK(f.closed == std::vector<int>{10});
    CHECK(f.state.waiting() == 0);
    CHECK(f.state.in_use() == 1);
    f.check_invariants();
}

TEST_CASE("pool_state: the exchange cap retires a connection") {
    fixture f{{.max_connections = 2, .max_waiters = 1, .idle_timeout = 10s, .max_exchanges_per_connection = 3}};
    f.acquire(1);
    CHECK_FALSE(f.release(10, true, 2));
    CHECK(f.state.idle() == 1);
    CHECK(f.acquire(2).connection == 10);
    CHECK_FALSE(f.release(10, true, 3));
    CHECK(f.closed == std::vector<int>{10});
    CHECK(f.state.live() == 0);
}

TEST_CASE("pool_state: a cancelled waiter leaves the queue") {
    fixture f;
    f.acquire(1);
    f.acquire(2);
    f.acquire(3);
    f.acquire(4);
    CHECK(f.state.cancel_waiter(3));
    CHECK_FALSE(f.state.cancel_waiter(3));
    CHECK(f.state.waiting() == 1);
    auto g = f.release(100);
    REQUIRE(g);
    CHECK(g->waiter == 4);
    f.check_invariants();
}

TEST_CASE("pool_state: a failed opening passes the slot on") {
    fixture f;
    f.acquire(1);
    f.acquire(2);
    f.acquire(3);
    auto g = f.state.opening_failed();
    REQUIRE(g);
    CHECK(g->waiter == 3);
    CHECK(g->open_new);
    CHECK_FALSE(f.state.opening_failed());
    CHECK(f.state.live() == 1);
    f.check_invariants();
}

TEST_CASE("pool_state: a fresh acquisition skips idle connections") {
    fixture f;
    f.acquire(1);
    f.release(10);
    // Room left: open beside the idle one.
    CHECK(f.acquire(2, true).what == action::open);
    CHECK(f.state.idle() == 1);
    // Full: the oldest idle connection makes room.
    CHECK(f.acquire(3, true).what == action::open);
    CHECK(f.closed == std::vector<int>{10});
    CHECK(f.state.live() == 2);
    // Full without idle: a fresh waiter gets a slot, not a used connection.
    CHECK(f.acquire(4, true).what == action::wait);
    auto g = f.release(20);
    REQUIRE(g);
    CHECK(g->waiter == 4);
    CHECK(g->open_new);
    CHECK(f.closed == std::vector<int>{10, 20});
    f.check_invariants();
}

TEST_CASE("pool_state: warm-up reserves up to the target and the cap") {
    fixture f{{.max_connections = 4, .max_waiters = 1, .idle_timeout = 10s}};
    f.acquire(1);
    CHECK(f.state.reserve_warm_up(3) == 2);
    CHECK(f.state.live() == 3);
    CHECK(f.state.reserve_warm_up(10) == 1);
    CHECK(f.state.reserve_warm_up(10) == 0);
    CHECK_FALSE(f.release(10));
    CHECK(f.state.idle() == 1);
    f.check_invariants();
}

TEST_CASE("pool_state: close_all closes idle connections and returns waiters") {
    fixture f{{.max_connections = 1, .max_waiters = 4, .idle_timeout = 10s}};
    f.acquire(1);
    f.acquire(2);
    f.acquire(3);
    auto waiting = f.state.close_all(closer{&f.closed});
    CHECK(waiting == std::deque<int>{2, 3});
    CHECK(f.state.waiting() == 0);
    CHECK_FALSE(f.release(10));
    CHECK(f.state.close_all(closer{&f.closed}).empty());
    CHECK(f.closed == std::vector<int>{10});
}

TEST_CASE("pool_state: a random walk keeps the invariants") {
    fixture f{{.max_connections = 4, .max_waiters = 8, .idle_timeout = 3s}};
    std::vector<int> held;
    std::vector<int> waiting;
    int next_id = 1;
    std::uint32_t seed = 12345;
    const auto random = [&seed](std::uint32_t n) {
        seed = seed * 1664525u + 1013904223u;
        return (seed >> 8) % n;
    };
    const auto take_grant = [&](const std::optional<state_type::grant>& g) {
        if (!g) return;
        waiting.erase(std::find(waiting.begin(), waiting.end(), g->waiter));
        held.push_back(g->open_new ? next_id++ : g->connection);
    };
    for (int step = 0; step < 5000; ++step) {
        switch (random(5)) {
        case 0:
        case 1: {
            const int waiter = next_id++;
            const auto d = f.acquire(waiter, random(10) == 0);
            if (d.what == action::reuse) held.push_back(d.connection);
            if (d.what == action::open) held.push_back(next_id++);
            if (d.what == action::wait) waiting.push_back(waiter);
            break;
        }
        case 2:
            if (!held.empty()) {
                const auto i = random(static_cast<std::uint32_t>(held.size()));
                const int c = held[i];
                held.erase(held.begin() + i);
                take_grant(f.release(c, random(4) != 0, random(5)));
            }
            break;
        case 3:
            if (!waiting.empty()) {
                const auto i = random(static_cast<std::uint32_t>(waiting.size()));
                CHECK(f.state.cancel_waiter(waiting[i]));
                waiting.erase(waiting.begin() + i);
            }
            break;
        default:
            f.now += std::chrono::milliseconds(random(1500));
            f.state.evict_expired(f.now, closer{&f.closed});
        }
        REQUIRE(f.state.in_use() == held.size());
        REQUIRE(f.state.waiting() == waiting.size());
        REQUIRE(f.state.live() == f.state.idle() + f.state.in_use());
        REQUIRE(f.state.live() <= 4);
        if (f.state.waiting() > 0) {
            REQUIRE(f.state.idle() == 0);
            REQUIRE(f.state.live() == 4);
        }
    }
}
