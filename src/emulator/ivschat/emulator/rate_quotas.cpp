#include <ivschat/emulator/rate_quotas.hpp>

#include "ivschat/pacing/operation_pacer.hpp"

#include <ivschat/pacing.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace ivschat::emulator {

std::vector<std::pair<std::string, double>> default_operation_rates() {
    // The same table the client paces to.
    std::vector<std::pair<std::string, double>> rates;
    for (auto name : detail::operation_names) rates.emplace_back(name, *documented_quota(name));
    return rates;
}

rate_quotas::rate_quotas(const std::vector<std::pair<std::string, double>>& rates) {
    // A later entry for the same operation (an override) wins.
    for (const auto& [operation, rate] : rates)
        buckets_[operation] = bucket{.rate = rate, .tokens = std::max(rate, 1.0)};
}

bool rate_quotas::admit(std::string_view operation, clock::time_point now) {
    auto it = buckets_.find(std::string(operation));
    if (it == buckets_.end()) return true;
    auto& b = it->second;
    if (b.updated) {
        const double elapsed = std::chrono::duration<double>(now - *b.updated).count();
        // A second's worth of requests, and at least one, may come at once.
        b.tokens = std::min(std::max(b.rate, 1.0), b.tokens + std::max(0.0, elapsed) * b.rate);
    }
    b.updated = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
}

std::optional<double> rate_quotas::rate(std::string_view operation) const {
    auto it = buckets_.find(std::string(operation));
    if (it == buckets_.end()) return std::nullopt;
    return it->second.rate;
}

std::optional<std::pair<std::string, double>> parse_operation_rate(std::string_view text) {
    const auto eq = text.find('=');
    if (eq == 0 || eq == std::string_view::npos || eq + 1 == text.size()) return std::nullopt;
    const std::string number(text.substr(eq + 1));
    char* end = nullptr;
    const double rate = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !std::isfinite(rate) || rate <= 0) return std::nullopt;
    return std::pair{std::string(text.substr(0, eq)), rate};
}

}  // namespace ivschat::emulator
