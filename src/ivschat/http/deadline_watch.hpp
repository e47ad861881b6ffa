#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/intrusive/list.hpp>

#include <chrono>
#include <cstddef>
#include <memory>

namespace ivschat::http {

/// Deadlines for the operations in flight on a group of connections, kept
/// with one timer. Starting and finishing an operation is a clock read and a
/// list link; the timer waits for the earliest deadline it knows, ends the
/// operations past theirs when it fires and sleeps until the next one. A
/// timer per socket operation (beast::tcp_stream's way) costs a timer start,
/// a cancel and a cancelled handler for each read and write, about 5 % of a
/// call's instructions.
///
/// The timer is cancelled as soon as no operation is in flight, so the watch
/// never keeps an otherwise idle io_context running. All members, and the
/// entries' on_expired(), run on the executor given at construction; the
/// watch is destroyed there too, or when no operation is in flight.
class deadline_watch {
public:
    using clock = std::chrono::steady_clock;
    struct entry_tag;
    using entry_hook = boost::intrusive::list_base_hook<boost::intrusive::tag<entry_tag>,
                                                        boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

    /// Something whose operation can be ended when its deadline passes.
    class entry : public entry_hook {
    public:
        /// The operation started last ran past its deadline.
        bool expired() const noexcept { return expired_; }

    protected:
        entry() = default;
        ~entry() = default;
        entry(const entry&) = delete;
        entry& operator=(const entry&) = delete;

    private:
        friend class deadline_watch;
        /// Ends the operation in flight (e.g. closes the socket, so that its
        /// pending I/O completes with an error).
        virtual void on_expired() noexcept = 0;

        clock::time_point deadline_{};
        bool expired_ = false;
    };

    explicit deadline_watch(const boost::asio::any_io_executor& ex);
    /// Cancels the wait; no entry hears from the watch afterwards.
    ~deadline_watch();
    deadline_watch(const deadline_watch&) = delete;
    deadline_watch& operator=(const deadline_watch&) = delete;

    /// `e`'s operation must end within `timeout` from now.
    void start(entry& e, clock::duration timeout);
    /// `e`'s operation ended (in time or not).
    void finish(entry& e) noexcept;

    /// Times the timer was set (for tests: operations back to back set it once).
    std::size_t timer_starts() const noexcept;

    /// Finishes an entry's operation when it goes out of scope.
    class guard {
    public:
        guard(deadline_watch& watch, entry& e, clock::duration timeout) : watch_(watch), entry_(e) {
            watch_.start(entry_, timeout);
        }
        ~guard() { watch_.finish(entry_); }
        guard(const guard&) = delete;
        guard& operator=(const guard&) = delete;

    private:
        deadline_watch& watch_;
        entry& entry_;
    };

private:
    struct state;
    // Shared with the pending wait's handler, which may run after the watch
    // is gone (a wait that completed just before the destructor cancelled it).
    std::shared_ptr<state> state_;
};

}  // namespace ivschat::http
