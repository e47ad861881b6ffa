#include "ivschat/pacing/fleet_pacer.hpp"

#include <ivschat/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>

namespace ivschat::detail {

namespace asio = boost::asio;
using boost::system::error_code;

const std::string_view fleet_lease_script = R"lua(
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local count = tonumber(ARGV[3])
local due = tonumber(redis.call('GET', KEYS[1]) or now)
if due < now then due = now end
local next_due = due + count * interval
redis.call('SET', KEYS[1], string.format('%d', next_due), 'PX', math.floor((next_due - now) / 1000) + 1000)
return due - tolerance - now
)lua";

namespace {

// Further than this, a lease's first permit is Redis answering nonsense.
constexpr std::chrono::minutes max_lease_offset{10};

pacing_options scaled(const pacing_options& options, double share) {
    pacing_options out = options;
    for (auto name : operation_names) {
        const auto given = options.quotas.find(name);
        out.quotas[std::string(name)] = (given != options.quotas.end() ? given->second : *documented_quota(name)) * share;
    }
    return out;
}

}  // namespace

fleet_pacer::fleet_pacer(asio::any_io_executor executor, redis_url url, std::string region,
                         const pacing_options& options)
    : executor_(executor),
      region_(std::move(region)),
      burst_seconds_(options.burst_seconds),
      redis_(executor, std::move(url)),
      timeout_(options.rate_limiter_timeout),
      rates_(options),
      fallback_(scaled(options, options.fallback_share)),
      lease_arrived_(executor, clock::time_point::max()) {}

std::uint32_t fleet_pacer::batch_size(std::size_t operation) const {
    // A twentieth of a second of the rate, 1 to 20 permits: small enough that
    // an idle process holds little of the fleet's quota.
    return static_cast<std::uint32_t>(std::clamp(std::floor(rates_.rate(operation) / 20.0), 1.0, 20.0));
}

asio::awaitable<std::tuple<error_code, permit>> fleet_pacer::reserve(std::size_t operation, clock::duration max_wait,
                                                                     bool& fell_back) {
    auto self = shared_from_this();
    for (;;) {
        if (closed_) co_return std::tuple{error_code{asio::error::operation_aborted}, permit{}};
        const auto now = clock::now();
        if (now < degraded_until_) {
            fell_back = true;
            co_return std::tuple{error_code{}, fallback_.reserve(operation, now, max_wait)};
        }
        const auto taken = leased_.take(operation, now, max_wait);
        if (taken.result == leased_permits::outcome::granted) {
            if (leased_.remaining(operation) <= batch_size(operation) / 2) start_prefetch(operation);
            co_return std::tuple{error_code{}, permit{taken.at, true}};
        }
        if (taken.result == leased_permits::outcome::too_late) co_return std::tuple{error_code{}, permit{taken.at, false}};
        if (!fetching_) {
            co_await fetch(operation);
            continue;
        }
        co_await lease_arrived_.async_wait(asio::as_tuple(asio::use_awaitable));
        asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
        if (cancellation.cancelled() != asio::cancellation_type::none)
            co_return std::tuple{error_code{asio::error::operation_aborted}, permit{}};
    }
}

void fleet_pacer::start_prefetch(std::size_t operation) {
    if (fetching_ || closed_) return;
    asio::co_spawn(executor_, [self = shared_from_this(), operation]() { return self->fetch(operation); },
                   asio::detached);
}

asio::awaitable<void> fleet_pacer::fetch(std::size_t operation) {
    fetching_ = true;
    const double rate = rates_.rate(operation);
    const double burst = std::max(1.0, rate * burst_seconds_);
    const auto interval_us = static_cast<long long>(std::ceil(1e6 / rate));
    const auto tolerance_us = static_cast<long long>((burst - 1.0) * 1e6 / rate);
    const std::uint32_t count = batch_size(operation);
    const std::string key = redis_.url().prefix + ":pacing:" + region_ + ":" + std::string(operation_names[operation]);
    const std::string interval_text = std::to_string(interval_us);
    const std::string tolerance_text = std::to_string(tolerance_us);
    const std::string count_text = std::to_string(count);
    const std::string_view args[] = {"EVAL", fleet_lease_script, "1", key, interval_text, tolerance_text, count_text};
    std::string what;
    auto [ec, offset_us] = co_await redis_.integer_command(args, timeout_, what);
    const auto now = clock::now();
    if (!ec && std::chrono::abs(std::chrono::microseconds(offset_us)) > max_lease_offset) {
        ec = asio::error::invalid_argument;
        what = "a lease " + std::to_string(offset_us) + " us away, which no schedule gives";
    }
    if (!closed_) {
        if (ec) {
            // The permits still leased may be honoured by nobody else's
            // schedule: drop them and pace locally for a while.
            leased_.clear();
            degraded_until_ = now + retry_interval;
            last_failure_ = "the rate limiter at redis://" + redis_.url().host + ":" + std::to_string(redis_.url().port) +
                            " is unusable (" + what + "); pacing locally at a share of the quotas";
        } else {
            leased_.add(operation, {.first = now + std::chrono::microseconds(offset_us),
                                    .interval = std::chrono::microseconds(interval_us),
                                    .count = count});
        }
    }
    fetching_ = false;
    lease_arrived_.cancel();
}

void fleet_pacer::close() {
    closed_ = true;
    redis_.close();
    lease_arrived_.cancel();
}

}  // namespace ivschat::detail
