#pragma once

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace ivschat::emulator {

/// The accept loop's and the connections' shared budget, without I/O: how
/// many connections may be open, how long to back off when the process runs
/// out of file descriptors, and how many bytes of request bodies that have
/// not arrived in full all connections together may hold. One per server,
/// used on its strand.
class connection_limits {
public:
    connection_limits(std::size_t max_connections, std::size_t max_unfinished_body_bytes) noexcept
        : max_connections_(max_connections), max_unfinished_body_bytes_(max_unfinished_body_bytes) {}

    /// True when `open` connections leave no room for one more.
    bool full(std::size_t open) const noexcept { return open >= max_connections_; }

    /// An accept completed with `ec`: how long to wait before the next one.
    /// Zero after a success (which also ends a backoff). Out of descriptors
    /// or kernel memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) the same accept
    /// would fail at once again, so the wait doubles from 10 ms up to 1 s;
    /// any other failure waits 10 ms, so a broken listener cannot spin.
    std::chrono::milliseconds after_accept(const boost::system::error_code& ec) noexcept;

    /// The failures after_accept backs off from: the process or system ran
    /// out of descriptors (or memory for sockets).
    static bool is_resource_exhaustion(const boost::system::error_code& ec) noexcept;

    /// Reserves `bytes` of the unfinished-body budget for one request; false
    /// (nothing reserved) when the budget cannot hold them.
    bool reserve_body(std::size_t bytes) noexcept;
    /// Returns bytes reserve_body took.
    void release_body(std::size_t bytes) noexcept { reserved_body_bytes_ -= bytes; }
    std::size_t reserved_body_bytes() const noexcept { return reserved_body_bytes_; }

    /// What the limits did, for the control API's stats.
    struct counters {
        /// Connections closed at once because the server was full.
        std::uint64_t connections_refused = 0;
        /// Idle connections closed to make room (cap reached or out of descriptors).
        std::uint64_t idle_connections_shed = 0;
        /// Accepts that failed for lack of descriptors or memory.
        std::uint64_t accept_exhaustions = 0;
        /// Requests refused because the unfinished-body budget was spent.
        std::uint64_t bodies_refused = 0;
    };
    counters& tally() noexcept { return counters_; }

private:
    std::size_t max_connections_;
    std::size_t max_unfinished_body_bytes_;
    std::size_t reserved_body_bytes_ = 0;
    std::chrono::milliseconds backoff_{0};
    counters counters_{};
};

}  // namespace ivschat::emulator
