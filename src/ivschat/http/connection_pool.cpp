#include "ivschat/http/connection_pool.hpp"

#include "ivschat/http/pool_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/intrusive/list.hpp>

#include <cassert>

namespace ivschat::http {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A spawned coroutine reports cancellation as operation_aborted through its
// results instead of Asio throwing at its next co_await.
template <class T>
asio::awaitable<T> reporting_cancellation(asio::awaitable<T> inner) {
    co_await asio::this_coro::throw_if_cancelled(false);
    co_return co_await std::move(inner);
}

asio::awaitable<bool> is_cancelled() {
    const auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

std::tuple<error_code, pooled_connection> acquire_failed(error_code ec) {
    return {ec, pooled_connection{}};
}

std::string make_host_header(const endpoint& ep) {
    error_code ec;
    const auto address = asio::ip::make_address(ep.host, ec);
    std::string host = !ec && address.is_v6() ? "[" + ep.host + "]" : ep.host;
    const std::uint16_t default_port = ep.tls ? 443 : 80;
    if (ep.port != default_port) host += ":" + std::to_string(ep.port);
    return host;
}

}  // namespace

/// The pool's shared state. Everything but the counters and the opener's
/// caches is touched only on `strand`. Idle connections past the idle timeout
/// are closed whenever the pool acquires or takes back a connection: the pool
/// holds no timer, so it never keeps an otherwise idle io_context running.
class pool_core : public std::enable_shared_from_this<pool_core> {
public:
    using connection_ptr = std::unique_ptr<connection>;
    using acquire_result = std::tuple<error_code, pooled_connection>;

    // A caller queued for a connection, living in its acquire() frame.
    struct waiter {
        asio::steady_timer timer;
        connection_ptr connection{};
        bool granted = false;
        bool pool_closed = false;
    };
    using state_type = pool_state<connection_ptr, waiter*>;

    pool_core(const asio::any_io_executor& ex, endpoint target, const pool_options& options)
        : strand(options.thread_safe ? make_strand_executor(ex) : ex),
          deadlines(strand),
          options(options),
          opener(std::move(target), options, counters),
          host_header(make_host_header(opener.target())),
          state({.max_connections = std::max<std::size_t>(options.max_connections, 1),
                 .max_waiters = options.max_waiters,
                 .idle_timeout = options.idle_timeout,
                 .max_exchanges_per_connection = options.max_requests_per_connection}) {}

    asio::awaitable<acquire_result> acquire(bool fresh, deadline limit);
    asio::awaitable<std::tuple<error_code>> warm_up(std::size_t n);
    asio::awaitable<std::tuple<error_code>> send(const request& req, response& res, deadline limit);

    // From a handle, on any thread.
    void give_back(connection_ptr c) {
        asio::dispatch(strand, [self = shared_from_this(), c = std::move(c)]() mutable {
            self->give_back_on_strand(std::move(c));
        });
    }

    void shutdown();

    // The pool's bookkeeping and every connection's I/O: a strand, or the
    // caller's executor when options.thread_safe is false.
    asio::any_io_executor strand;
    // Connect, handshake and exchange deadlines of every connection.
    deadline_watch deadlines;
    pool_options options;
    pool_counter_cells counters;
    connection_opener opener;
    std::string host_header;

private:
    static state_type::clock::time_point now() { return state_type::clock::now(); }

    // Runs on the strand, which the connections share.
    auto closer(bool evicted) {
        return [this, evicted](connection_ptr c) {
            pool_counter_cells::add(counters.connections_closed);
            if (evicted) pool_counter_cells::add(counters.connections_evicted);
            c->close();
        };
    }

    void publish_gauges() noexcept {
        counters.live_connections.store(state.live(), std::memory_order_relaxed);
        counters.idle_connections.store(state.idle(), std::memory_order_relaxed);
        counters.waiting_callers.store(state.waiting(), std::memory_order_relaxed);
    }

    void deliver(std::optional<state_type::grant> grant) {
        if (!grant) return;
        waiter* w = grant->waiter;
        w->granted = true;
        w->connection = std::move(grant->connection);
        w->timer.cancel();
    }

    void give_back_on_strand(connection_ptr c) {
        if (c->lease_hook::is_linked()) c->lease_hook::unlink();
        const bool reusable = c->reusable() && !closed;
        const std::size_t exchanges = c->exchanges();
        deliver(state.release(std::move(c), reusable, exchanges, now(), closer(false)));
        state.evict_expired(now(), closer(true));
        publish_gauges();
    }

    pooled_connection lease(connection_ptr c, bool reused) {
        leased.push_back(*c);
        return {shared_from_this(), std::move(c), reused};
    }

    // The connection of a `reuse` decision, leased unless the server closed
    // it while it was idle (then it is closed and the caller decides again).
    std::optional<acquire_result> lease_reused(state_type::acquire_decision& decision) {
        if (now() - decision.idle_since >= options.validate_after_idle && decision.connection->looks_closed()) {
            deliver(state.release(std::move(decision.connection), false, 0, now(), closer(true)));
            publish_gauges();
            return std::nullopt;
        }
        pool_counter_cells::add(counters.connections_reused);
        return acquire_result{error_code{}, lease(std::move(decision.connection), true)};
    }

    // An idle connection at once, with no coroutine and no waiter's timer:
    // the usual case of a warm pool. None when no connection is idle.
    std::optional<acquire_result> lease_idle() {
        while (!closed) {
            auto idle = state.take_idle(now(), closer(true));
            publish_gauges();
            if (!idle) return std::nullopt;
            if (auto leased = lease_reused(*idle)) return leased;
        }
        return std::nullopt;
    }

    asio::awaitable<acquire_result> open_in_slot(deadline limit);
    state_type state;
    // Connections out on lease, so that shutdown can abort their exchanges.
    boost::intrusive::list<connection, boost::intrusive::constant_time_size<false>> leased;
    bool closed = false;
};

void pool_core::shutdown() {
    asio::dispatch(strand, [self = shared_from_this()] {
        self->closed = true;
        for (waiter* w : self->state.close_all(self->closer(true))) {
            w->pool_closed = true;
            w->timer.cancel();
        }
        // Their exchanges fail at once; the leases bring them back closed.
        for (connection& c : self->leased) c.close();
        self->publish_gauges();
    });
}

asio::awaitable<pool_core::acquire_result> pool_core::acquire(bool fresh, deadline limit) {
    co_await asio::this_coro::throw_if_cancelled(false);
    for (;;) {
        if (closed) co_return acquire_failed(transport_errc::pool_closed);
        waiter w{asio::steady_timer(strand)};
        auto decision = state.acquire(&w, fresh, now(), closer(true));
        publish_gauges();
        switch (decision.what) {
        case state_type::action::reuse:
            if (auto leased = lease_reused(decision)) co_return std::move(*leased);
            continue;
        case state_type::action::open:
            co_return co_await open_in_slot(limit);
        case state_type::action::reject:
            co_return acquire_failed(transport_errc::too_many_waiters);
        case state_type::action::wait:
            break;
        }
        w.timer.expires_after(limit.bound(options.acquire_timeout));
        auto [wait_error] = co_await w.timer.async_wait(use_tuple);
        const bool cancelled = co_await is_cancelled();
        if (w.granted) {
            if (cancelled) {
                // Granted and cancelled at once: the grant goes back.
                if (w.connection) {
                    give_back_on_strand(std::move(w.connection));
                } else {
                    deliver(state.opening_failed());
                    publish_gauges();
                }
                co_return acquire_failed(asio::error::operation_aborted);
            }
            if (!w.connection) co_return co_await open_in_slot(limit);
            pool_counter_cells::add(counters.connections_reused);
            co_return acquire_result{error_code{}, lease(std::move(w.connection), true)};
        }
        state.cancel_waiter(&w);
        publish_gauges();
        if (w.pool_closed) co_return acquire_failed(transport_errc::pool_closed);
        if (cancelled || wait_error) co_return acquire_failed(asio::error::operation_aborted);
        co_return acquire_failed(transport_errc::acquire_timeout);
    }
}

asio::awaitable<pool_core::acquire_result> pool_core::open_in_slot(deadline limit) {
    auto conn = std::make_unique<connection>(strand, opener.tls_context(), deadlines);
    const error_code ec = co_await opener.open(*conn, limit);
    if (ec) {
        pool_counter_cells::add(counters.connect_failures);
        conn->close();
        deliver(state.opening_failed());
        publish_gauges();
        co_return acquire_failed(ec);
    }
    pool_counter_cells::add(counters.connections_opened);
    if (co_await is_cancelled()) {
        // Opened just as the caller gave up: the pool keeps it.
        give_back_on_strand(std::move(conn));
        co_return acquire_failed(asio::error::operation_aborted);
    }
    co_return acquire_result{error_code{}, lease(std::move(conn), false)};
}

asio::awaitable<std::tuple<error_code>> pool_core::warm_up(std::size_t n) {
    co_await asio::this_coro::throw_if_cancelled(false);
    if (closed) co_return std::tuple{error_code{transport_errc::pool_closed}};
    const std::size_t count = state.reserve_warm_up(n);
    publish_gauges();
    if (count == 0) co_return std::tuple{error_code{}};

    struct progress {
        std::size_t remaining;
        error_code first_error;
        asio::steady_timer all_done;
    };
    // Braces, not make_shared's parentheses: clang 14 has no parenthesized aggregate initialization.
    auto p = std::make_shared<progress>(progress{count, error_code{},
                                                 asio::steady_timer(strand, asio::steady_timer::time_point::max())});
    for (std::size_t i = 0; i < count; ++i) {
        auto conn = std::make_unique<connection>(strand, opener.tls_context(), deadlines);
        connection& opening = *conn;
        asio::co_spawn(
            strand, reporting_cancellation(opener.open(opening)),
            asio::bind_executor(strand, [self = shared_from_this(), p, conn = std::move(conn)](
                                            std::exception_ptr, error_code ec) mutable {
                if (ec) {
                    pool_counter_cells::add(self->counters.connect_failures);
                    conn->close();
                    self->deliver(self->state.opening_failed());
                    self->publish_gauges();
                    if (!p->first_error) p->first_error = ec;
                } else {
                    pool_counter_cells::add(self->counters.connections_opened);
                    self->give_back_on_strand(std::move(conn));
                }
                if (--p->remaining == 0) p->all_done.cancel();
            }));
    }
    // Cancelling the warm-up stops the wait, not the openings: connections
    // that open still join the pool.
    co_await p->all_done.async_wait(use_tuple);
    if (p->remaining > 0) co_return std::tuple{error_code{asio::error::operation_aborted}};
    co_return std::tuple{p->first_error};
}

asio::awaitable<std::tuple<error_code>> pool_core::send(const request& req, response& res, deadline limit) {
    co_await asio::this_coro::throw_if_cancelled(false);
    // No time left: no connection is taken and nothing is sent.
    if (limit.at && *limit.at <= std::chrono::steady_clock::now())
        co_return std::tuple{error_code{transport_errc::acquire_timeout}};
    bool fresh = false;
    std::chrono::steady_clock::duration waited{};
    for (;;) {
        const auto acquiring = std::chrono::steady_clock::now();
        std::optional<acquire_result> acquired;
        if (!fresh) acquired = lease_idle();
        if (!acquired) acquired = co_await acquire(fresh, limit);
        auto& [acquire_error, lease] = *acquired;
        waited += std::chrono::steady_clock::now() - acquiring;
        res.connection_reused = false;
        if (acquire_error) {
            res.connection_wait = waited;
            co_return std::tuple{acquire_error};
        }
        const error_code exchange_error = co_await lease.exchange(req, res, limit);
        res.connection_wait = waited;
        res.connection_reused = lease.reused();
        const bool stale = exchange_error && !fresh && lease.reused() && lease.failed_before_response() &&
                           is_closed_connection_error(exchange_error);
        if (!stale || co_await is_cancelled()) co_return std::tuple{exchange_error};
        pool_counter_cells::add(counters.stale_retries);
        fresh = true;
    }
}

pooled_connection::pooled_connection(std::shared_ptr<pool_core> pool, std::unique_ptr<connection> conn,
                                     bool reused) noexcept
    : pool_(std::move(pool)), conn_(std::move(conn)), reused_(reused) {}

pooled_connection& pooled_connection::operator=(pooled_connection&& other) noexcept {
    if (this != &other) {
        release();
        pool_ = std::move(other.pool_);
        conn_ = std::move(other.conn_);
        reused_ = other.reused_;
    }
    return *this;
}

pooled_connection::~pooled_connection() {
    release();
}

void pooled_connection::release() noexcept {
    if (conn_) pool_->give_back(std::move(conn_));
    pool_.reset();
}

bool pooled_connection::failed_before_response() const noexcept {
    return conn_ && conn_->failed_before_response();
}

const connection::executor_type& pooled_connection::executor() const noexcept {
    assert(conn_ && "async_exchange on an empty pooled_connection");
    return conn_->executor();
}

asio::awaitable<error_code> pooled_connection::exchange(const request& req, response& res, deadline limit) {
    return conn_->exchange(req, res, limit.bound(pool_->options.exchange_timeout), pool_->options.max_response_body);
}

connection_pool::connection_pool(const asio::any_io_executor& ex, endpoint target, pool_options options)
    : core_(std::make_shared<pool_core>(ex, std::move(target), options)) {}

connection_pool::~connection_pool() {
    close();
}

void connection_pool::close() {
    core_->shutdown();
}

pool_counters connection_pool::counters() const noexcept {
    return core_->counters.snapshot();
}

const std::string& connection_pool::host_header() const noexcept {
    return core_->host_header;
}

const asio::any_io_executor& connection_pool::executor() const noexcept {
    return core_->strand;
}

asio::awaitable<std::tuple<error_code, pooled_connection>> connection_pool::acquire(bool fresh) {
    return core_->acquire(fresh, {});
}

asio::awaitable<std::tuple<error_code>> connection_pool::warm_up(std::size_t n) {
    return core_->warm_up(n);
}

asio::awaitable<std::tuple<error_code>> connection_pool::send(const request& req, response& res,
                                                               deadline limit) {
    return core_->send(req, res, limit);
}

}  // namespace ivschat::http
