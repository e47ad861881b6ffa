#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

namespace ivschat::http {

/// The decisions of a connection pool, without I/O ("sans-io"): who gets a
/// connection, when to open a new one, FIFO waiters, idle eviction and caps.
/// The I/O shell (connection_pool) performs what the returned decisions say.
///
/// `Connection` is a movable owner of one connection (the shell uses
/// std::unique_ptr<connection>, tests use plain values); `Waiter` is a cheap
/// identity of one waiting caller (a pointer in the shell).
///
/// Invariants (checked by tests): live() == idle() + in_use() <= max
/// connections; waiters exist only while no connection is idle and no slot is
/// free. Connections being opened count as in use.
///
/// Not thread-safe: the shell calls it from one strand only.
template <class Connection, class Waiter>
class pool_state {
public:
    using clock = std::chrono::steady_clock;

    struct limits {
        std::size_t max_connections = 64;
        std::size_t max_waiters = 4096;
        clock::duration idle_timeout = std::chrono::seconds{60};
        /// 0: no cap.
        std::size_t max_exchanges_per_connection = 0;
    };

    enum class action {
        /// Use `connection`, an idle one.
        reuse,
        /// A slot is reserved for the caller: open a new connection, then
        /// release() it or report opening_failed().
        open,
        /// The caller was queued; it is granted a connection or a slot later,
        /// or leaves with cancel_waiter().
        wait,
        /// The wait queue is full.
        reject,
    };

    struct acquire_decision {
        action what = action::reject;
        Connection connection{};
        /// For `reuse`: when the connection went idle.
        clock::time_point idle_since{};
    };

    /// A queued caller receiving either an idle connection or (when
    /// `open_new`) a reserved slot to open one in.
    struct grant {
        Waiter waiter{};
        Connection connection{};
        bool open_new = false;
    };

    explicit pool_state(limits l) : limits_(l) {}

    /// A caller wants a connection. With `fresh`, an idle connection is not
    /// acceptable: the caller gets a slot to open a new one (closing the
    /// oldest idle connection to make room if the pool is full). Expired idle
    /// connections met on the way are handed to `close`.
    template <class Close>
    acquire_decision acquire(Waiter w, bool fresh, clock::time_point now, Close&& close) {
        if (!fresh) {
            if (auto reused = take_idle(now, close)) return std::move(*reused);
        } else {
            evict_expired(now, close);
        }
        if (live() < limits_.max_connections) {
            ++in_use_;
            return {action::open, {}};
        }
        if (fresh && !idle_.empty()) {
            close(std::move(idle_.front().connection));
            idle_.erase(idle_.begin());
            ++in_use_;
            return {action::open, {}};
        }
        if (waiters_.size() >= limits_.max_waiters) return {action::reject, {}};
        waiters_.push_back({w, fresh});
        return {action::wait, {}};
    }

    /// The most recently used idle connection (a `reuse` decision), or none
    /// when no connection is idle once expired ones went to `close`. Never
    /// queues the caller: the shell's way to skip a waiter when connections
    /// are idle.
    template <class Close>
    std::optional<acquire_decision> take_idle(clock::time_point now, Close&& close) {
        evict_expired(now, close);
        if (idle_.empty()) return std::nullopt;
        idle_entry entry = std::move(idle_.back());
        idle_.pop_back();
        ++in_use_;
        return acquire_decision{action::reuse, std::move(entry.connection), entry.since};
    }

    /// A connection in use comes back after `exchanges` exchanges in total.
    /// It is kept if `reusable` and under the exchange cap, otherwise handed
    /// to `close`. Returns the waiter that now gets it (or its slot).
    template <class Close>
    std::optional<grant> release(Connection c, bool reusable, std::size_t exchanges,
                                 clock::time_point now, Close&& close) {
        const bool under_cap = limits_.max_exchanges_per_connection == 0 ||
                               exchanges < limits_.max_exchanges_per_connection;
        if (!reusable || !under_cap) {
            close(std::move(c));
            return slot_freed();
        }
        if (waiters_.empty()) {
            --in_use_;
            idle_.push_back({std::move(c), now});
            return std::nullopt;
        }
        queued next = waiters_.front();
        waiters_.pop_front();
        if (next.fresh) {
            close(std::move(c));
            return grant{next.waiter, {}, true};
        }
        return grant{next.waiter, std::move(c), false};
    }

    /// Opening a connection in a reserved slot failed: the slot is free.
    std::optional<grant> opening_failed() { return slot_freed(); }

    /// A queued caller gave up (timeout, cancellation). False if it was not
    /// queued (it was granted already).
    bool cancel_waiter(Waiter w) {
        const auto it = std::find_if(waiters_.begin(), waiters_.end(),
                                     [&](const queued& q) { return q.waiter == w; });
        if (it == waiters_.end()) return false;
        waiters_.erase(it);
        return true;
    }

    /// Reserves slots for opening up to `n` connections ahead of demand, so
    /// that idle + in use reaches `n` if the cap allows. Returns how many
    /// to open; each is then released (kept idle) or reported failed.
    std::size_t reserve_warm_up(std::size_t n) {
        if (!waiters_.empty()) return 0;
        const std::size_t target = std::min(n, limits_.max_connections);
        const std::size_t count = target > live() ? target - live() : 0;
        in_use_ += count;
        return count;
    }

    /// Hands idle connections idle for idle_timeout or longer to `close`
    /// (oldest first). Returns when the next idle connection expires.
    template <class Close>
    std::optional<clock::time_point> evict_expired(clock::time_point now, Close&& close) {
        std::size_t expired = 0;
        while (expired < idle_.size() && now - idle_[expired].since >= limits_.idle_timeout) {
            close(std::move(idle_[expired].connection));
            ++expired;
        }
        idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(expired));
        if (idle_.empty()) return std::nullopt;
        return idle_.front().since + limits_.idle_timeout;
    }

    /// Hands every idle connection to `close` and returns the waiters, which
    /// the pool then fails (shutdown).
    template <class Close>
    std::deque<Waiter> close_all(Close&& close) {
        for (auto& entry : idle_) close(std::move(entry.connection));
        idle_.clear();
        std::deque<Waiter> waiting;
        for (const auto& q : waiters_) waiting.push_back(q.waiter);
        waiters_.clear();
        return waiting;
    }

    std::size_t idle() const noexcept { return idle_.size(); }
    std::size_t in_use() const noexcept { return in_use_; }
    std::size_t live() const noexcept { return idle_.size() + in_use_; }
    std::size_t waiting() const noexcept { return waiters_.size(); }
    const limits& configured() const noexcept { return limits_; }

private:
    struct idle_entry {
        Connection connection;
        clock::time_point since;
    };
    struct queued {
        Waiter waiter;
        bool fresh;
    };

    // A slot left (closed or failed connection): the first waiter opens a
    // new connection in it, or the pool shrinks.
    std::optional<grant> slot_freed() {
        if (waiters_.empty()) {
            --in_use_;
            return std::nullopt;
        }
        const queued next = waiters_.front();
        waiters_.pop_front();
        return grant{next.waiter, {}, true};
    }

    limits limits_;
    // Least recently used first: reuse takes the back, eviction the front.
    std::vector<idle_entry> idle_;
    std::size_t in_use_ = 0;
    std::deque<queued> waiters_;
};

}  // namespace ivschat::http
