#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace ivschat::emulator {

/// What the server does to one request instead of (or on top of) answering it.
enum class fault_kind : std::uint8_t {
    none,
    internal_error,        ///< 500 InternalServerException
    service_unavailable,   ///< 503 ServiceUnavailableException
    throttle,              ///< 429 ThrottlingException
    reset,                 ///< abort the connection (TCP RST), no response
    delay,                 ///< wait, then answer normally
    close_after_response,  ///< answer with "Connection: close", then close
    truncate_body,         ///< send the headers and half of the body, then close
    close_idle,            ///< answer, then close every idle keep-alive connection
};

inline constexpr std::size_t fault_kind_count = 9;

/// One action of the plan.
struct fault_action {
    fault_kind kind = fault_kind::none;
    /// For fault_kind::delay.
    std::chrono::milliseconds delay{};
};

/// The names used on the command line and by the control API:
/// "500", "503", "throttle", "reset", "delay:<ms>", "close", "truncate", "close-idle".
std::optional<fault_action> parse_fault_action(std::string_view text);
std::string_view fault_name(fault_kind kind) noexcept;

/// Decides which fault, if any, applies to each request: first the queued
/// actions (one consumed per request, in order), otherwise a random draw
/// from the configured probabilities. Counts what it applied.
///
/// Sans-io; not safe for concurrent use.
class fault_plan {
public:
    explicit fault_plan(std::uint64_t seed = std::random_device{}());

    /// Queues an action for a coming request.
    void enqueue(fault_action action);
    /// Applies `action` to each request with `probability` (0..1) when no
    /// queued action is left. Kinds are drawn independently, in enum order.
    void set_probability(fault_action action, double probability);

    /// The action for the next request (consumes a queued one).
    fault_action next();

    std::size_t queued() const noexcept { return queue_.size(); }
    std::uint64_t applied(fault_kind kind) const noexcept { return applied_[static_cast<std::size_t>(kind)]; }

    /// Forgets queued actions, probabilities and counts.
    void reset();

private:
    struct random_fault {
        fault_action action{};
        double probability = 0;
    };
    std::deque<fault_action> queue_;
    std::array<random_fault, fault_kind_count> random_{};
    std::array<std::uint64_t, fault_kind_count> applied_{};
    std::mt19937_64 rng_;
    bool any_random_ = false;
};

}  // namespace ivschat::emulator
