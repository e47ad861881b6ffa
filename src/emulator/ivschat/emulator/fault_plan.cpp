#include <ivschat/emulator/fault_plan.hpp>

#include <charconv>

namespace ivschat::emulator {

namespace {

constexpr std::array<std::string_view, fault_kind_count> names = {
    "none", "500", "503", "throttle", "reset", "delay", "close", "truncate", "close-idle"};

}  // namespace

std::string_view fault_name(fault_kind kind) noexcept { return names[static_cast<std::size_t>(kind)]; }

std::optional<fault_action> parse_fault_action(std::string_view text) {
    if (text.starts_with("delay:")) {
        auto digits = text.substr(6);
        long long ms = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ms);
        // A minute is far beyond any client timeout worth testing.
        if (ec != std::errc{} || end != digits.data() + digits.size() || ms < 0 || ms > 60'000) return std::nullopt;
        return fault_action{fault_kind::delay, std::chrono::milliseconds(ms)};
    }
    for (std::size_t i = 1; i < names.size(); ++i)
        if (text == names[i] && i != static_cast<std::size_t>(fault_kind::delay))
            return fault_action{static_cast<fault_kind>(i), {}};
    return std::nullopt;
}

fault_plan::fault_plan(std::uint64_t seed) : rng_(seed) {}

void fault_plan::enqueue(fault_action action) { queue_.push_back(action); }

void fault_plan::set_probability(fault_action action, double probability) {
    random_[static_cast<std::size_t>(action.kind)] = {action, probability < 0 ? 0 : probability > 1 ? 1 : probability};
    any_random_ = false;
    for (const auto& r : random_) any_random_ = any_random_ || r.probability > 0;
}

fault_action fault_plan::next() {
    fault_action action{};
    if (!queue_.empty()) {
        action = queue_.front();
        queue_.pop_front();
    } else if (any_random_) {
        std::uniform_real_distribution<double> uniform(0.0, 1.0);
        for (const auto& r : random_) {
            if (r.probability > 0 && uniform(rng_) < r.probability) {
                action = r.action;
                break;
            }
        }
    }
    if (action.kind != fault_kind::none) ++applied_[static_cast<std::size_t>(action.kind)];
    return action;
}

void fault_plan::reset() {
    queue_.clear();
    random_ = {};
    applied_ = {};
    any_random_ = false;
}

}  // namespace ivschat::emulator
