#pragma once

#include "ivschat/pacing/leased_permits.hpp"
#include "ivschat/pacing/operation_pacer.hpp"
#include "ivschat/pacing/redis_connection.hpp"

#include <ivschat/pacing.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <tuple>

namespace ivschat::detail {

/// The Lua script that leases permits from the fleet's schedule of one
/// operation, atomically on the Redis server: the generic cell rate
/// algorithm over the server's clock, `count` permits at a time.
/// KEYS[1] the operation's key; ARGV microseconds between permits, the
/// burst tolerance in microseconds, the permits wanted. Returns the
/// microseconds from the server's now to when the first permit may be used
/// (negative: already usable).
extern const std::string_view fleet_lease_script;

/// Pacing shared by every process of a fleet through a Redis server. Each
/// process leases small batches of permits from the shared schedule and
/// hands them out to its calls in order; it leases the next batch when half
/// of one is left, so a call rarely waits for Redis. When Redis cannot be
/// reached or answers nonsense, calls are paced locally at
/// pacing_options::fallback_share of the quotas until Redis answers again
/// (tried at most once per `retry_interval`).
///
/// All members run on the executor given at construction (the client's).
class fleet_pacer : public std::enable_shared_from_this<fleet_pacer> {
public:
    using clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds retry_interval{1};

    fleet_pacer(boost::asio::any_io_executor executor, redis_url url, std::string region, const pacing_options& options);

    /// The call's permit of `operation` (see permit_schedule::reserve), or
    /// operation_aborted when the call was cancelled while waiting for Redis.
    /// `fell_back` is set when the permit came from local pacing.
    boost::asio::awaitable<std::tuple<boost::system::error_code, permit>> reserve(std::size_t operation,
                                                                                  clock::duration max_wait,
                                                                                  bool& fell_back);

    void on_throttled(std::size_t operation, clock::time_point now) { rates_.on_throttled(operation, now); }
    void on_success(std::size_t operation, clock::time_point now) { rates_.on_success(operation, now); }

    /// Why Redis was last unusable; empty when it never was.
    const std::string& last_failure() const noexcept { return last_failure_; }
    /// Stops leasing and wakes the calls waiting for a lease.
    void close();

private:
    boost::asio::awaitable<void> fetch(std::size_t operation);
    void start_prefetch(std::size_t operation);
    std::uint32_t batch_size(std::size_t operation) const;

    boost::asio::any_io_executor executor_;
    std::string region_;
    double burst_seconds_;
    redis_connection redis_;
    std::chrono::milliseconds timeout_;
    // The rates the quotas allow now (lowered by throttles), for the leases.
    operation_pacer rates_;
    // Pacing while Redis is out of reach.
    operation_pacer fallback_;
    leased_permits leased_;
    bool fetching_ = false;
    bool closed_ = false;
    // Calls that found no leased permit wait here for the lease in flight.
    boost::asio::steady_timer lease_arrived_;
    clock::time_point degraded_until_{};
    std::string last_failure_;
};

}  // namespace ivschat::detail
