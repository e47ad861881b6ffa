#include "ivschat/http/deadline_watch.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

namespace ivschat::http {

struct deadline_watch::state : std::enable_shared_from_this<state> {
    explicit state(const boost::asio::any_io_executor& ex) : timer(ex) {}

    void arm(clock::time_point when) {
        armed = true;
        armed_for = when;
        ++generation;
        ++starts;
        timer.expires_at(when);
        timer.async_wait([self = shared_from_this(), generation = generation](boost::system::error_code ec) {
            // A cancelled wait leaves the state alone: the watch may be
            // being destroyed.
            if (ec != boost::asio::error::operation_aborted) self->on_timer(generation);
        });
    }

    void disarm() {
        armed = false;
        timer.cancel();
    }

    // A wait replaced or cancelled since it started carries an old
    // generation (or finds the watch disarmed) and does nothing.
    void on_timer(std::uint64_t fired) {
        if (detached || !armed || fired != generation) return;
        armed = false;
        const auto now = clock::now();
        auto next = clock::time_point::max();
        for (auto it = watched.begin(); it != watched.end();) {
            entry& e = *it;
            if (e.deadline_ <= now) {
                it = watched.erase(it);
                e.expired_ = true;
                e.on_expired();
            } else {
                next = std::min(next, e.deadline_);
                ++it;
            }
        }
        if (next != clock::time_point::max()) arm(next);
    }

    boost::asio::steady_timer timer;
    boost::intrusive::list<entry, boost::intrusive::base_hook<entry_hook>,
                           boost::intrusive::constant_time_size<false>>
        watched;
    clock::time_point armed_for{};
    std::uint64_t generation = 0;
    std::size_t starts = 0;
    bool armed = false;
    bool detached = false;
};

deadline_watch::deadline_watch(const boost::asio::any_io_executor& ex) : state_(std::make_shared<state>(ex)) {}

deadline_watch::~deadline_watch() {
    state_->detached = true;
    state_->watched.clear();
    state_->disarm();
}

void deadline_watch::start(entry& e, clock::duration timeout) {
    e.deadline_ = clock::now() + timeout;
    e.expired_ = false;
    if (e.is_linked()) e.unlink();
    state_->watched.push_back(e);
    // Operations with one timeout start in deadline order, so the armed
    // wait is almost always early enough already.
    if (!state_->armed || e.deadline_ < state_->armed_for) state_->arm(e.deadline_);
}

void deadline_watch::finish(entry& e) noexcept {
    if (e.is_linked()) e.unlink();
    if (state_->watched.empty() && state_->armed) state_->disarm();
}

std::size_t deadline_watch::timer_starts() const noexcept {
    return state_->starts;
}

}  // namespace ivschat::http
