#pragma once

#include "ivschat/pacing/permit_schedule.hpp"

#include <ivschat/operations.hpp>
#include <ivschat/pacing.hpp>

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ivschat::detail {

#define IVSCHAT_OPERATION_NAME(request_type) operation_traits<request_type>::name,
/// Every operation's name, in the order of IVSCHAT_FOR_EACH_OPERATION_REQUEST.
inline constexpr std::string_view operation_names[] = {IVSCHAT_FOR_EACH_OPERATION_REQUEST(IVSCHAT_OPERATION_NAME)};
#undef IVSCHAT_OPERATION_NAME
inline constexpr std::size_t operation_count = std::size(operation_names);

/// The index of `name` in operation_names; operation_count when unknown.
constexpr std::size_t operation_index(std::string_view name) noexcept {
    for (std::size_t i = 0; i < operation_count; ++i)
        if (operation_names[i] == name) return i;
    return operation_count;
}

/// The permits of every operation for one account and region, shared by the
/// clients of a process (shared_operation_pacer). Thread-safe.
///
/// A ThrottlingException lowers the operation's rate to `throttled_share`
/// of what it was (never below `floor_share` of the quota); it then climbs
/// back linearly to the quota over `recovery_time`.
class operation_pacer {
public:
    using clock = std::chrono::steady_clock;

    static constexpr double throttled_share = 0.7;
    static constexpr double floor_share = 0.1;
    static constexpr std::chrono::seconds recovery_time{10};

    /// Throws std::invalid_argument for an unknown operation name in
    /// options.quotas or a rate or burst that is not positive.
    explicit operation_pacer(const pacing_options& options);

    /// Reserves a permit of operation `index` (see permit_schedule::reserve).
    permit reserve(std::size_t index, clock::time_point now, clock::duration max_wait);
    void give_back(std::size_t index, clock::time_point now);
    void on_throttled(std::size_t index, clock::time_point now);
    void on_success(std::size_t index, clock::time_point now);

    /// The rate operation `index` is paced at now.
    double rate(std::size_t index) const;

private:
    struct operation_state {
        double quota;
        permit_schedule schedule;
        // Set while the rate is below the quota after a throttle.
        std::optional<clock::time_point> throttled_at{};
        double throttled_rate = 0;
    };

    mutable std::mutex mutex_;
    std::array<std::optional<operation_state>, operation_count> operations_;
};

/// The pacer for `account_key` (credentials and region, as the client
/// forms it) with these options: one per process while any client holds it.
std::shared_ptr<operation_pacer> shared_operation_pacer(const std::string& account_key, const pacing_options& options);

}  // namespace ivschat::detail
