#include "ivschat/pacing/operation_pacer.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace ivschat {

std::optional<double> documented_quota(std::string_view operation) noexcept {
    // AWS IVS Chat User Guide, "Service Quotas" (not adjustable).
    static constexpr std::pair<std::string_view, double> quotas[] = {
        {"CreateChatToken", 200},
        {"SendEvent", 100},
        {"DeleteMessage", 100},
        {"DisconnectUser", 100},
        {"CreateRoom", 5},
        {"DeleteRoom", 5},
        {"GetRoom", 5},
        {"ListRooms", 5},
        {"UpdateRoom", 5},
        {"CreateLoggingConfiguration", 3},
        {"DeleteLoggingConfiguration", 3},
        {"GetLoggingConfiguration", 3},
        {"ListLoggingConfigurations", 3},
        {"UpdateLoggingConfiguration", 3},
        {"TagResource", 10},
        {"UntagResource", 10},
        {"ListTagsForResource", 10},
    };
    for (const auto& [name, rate] : quotas)
        if (name == operation) return rate;
    return std::nullopt;
}

namespace detail {

operation_pacer::operation_pacer(const pacing_options& options) {
    for (const auto& [name, rate] : options.quotas) {
        if (operation_index(name) == operation_count)
            throw std::invalid_argument("pacing: no operation is named '" + name + "'");
        if (!(rate > 0.0)) throw std::invalid_argument("pacing: the quota of " + name + " must be > 0");
    }
    if (!(options.burst_seconds > 0.0)) throw std::invalid_argument("pacing: burst_seconds must be > 0");
    for (std::size_t i = 0; i < operation_count; ++i) {
        const auto given = options.quotas.find(operation_names[i]);
        const double quota = given != options.quotas.end() ? given->second : *documented_quota(operation_names[i]);
        operations_[i].emplace(
            operation_state{quota, permit_schedule(quota, std::max(1.0, quota * options.burst_seconds))});
    }
}

permit operation_pacer::reserve(std::size_t index, clock::time_point now, clock::duration max_wait) {
    std::lock_guard lock(mutex_);
    return operations_[index]->schedule.reserve(now, max_wait);
}

void operation_pacer::give_back(std::size_t index, clock::time_point now) {
    std::lock_guard lock(mutex_);
    operations_[index]->schedule.give_back(now);
}

void operation_pacer::on_throttled(std::size_t index, clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto& op = *operations_[index];
    op.throttled_rate = std::max(op.schedule.rate() * throttled_share, op.quota * floor_share);
    op.throttled_at = now;
    op.schedule.set_rate(op.throttled_rate);
}

void operation_pacer::on_success(std::size_t index, clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto& op = *operations_[index];
    if (!op.throttled_at) return;
    const double elapsed = std::chrono::duration<double>(now - *op.throttled_at).count();
    const double recovered = op.throttled_rate + op.quota * elapsed / std::chrono::duration<double>(recovery_time).count();
    if (recovered >= op.quota) {
        op.throttled_at.reset();
        op.schedule.set_rate(op.quota);
    } else {
        op.schedule.set_rate(recovered);
    }
}

double operation_pacer::rate(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return operations_[index]->schedule.rate();
}

std::shared_ptr<operation_pacer> shared_operation_pacer(const std::string& account_key, const pacing_options& options) {
    // The options are part of the key: clients configured differently do not share.
    std::string key = account_key;
    key += '\n';
    key += std::to_string(options.burst_seconds);
    for (const auto& [name, rate] : options.quotas) key += '\n' + name + '=' + std::to_string(rate);

    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<operation_pacer>> pacers;
    std::lock_guard lock(mutex);
    std::erase_if(pacers, [](const auto& entry) { return entry.second.expired(); });
    auto& slot = pacers[key];
    auto pacer = slot.lock();
    if (!pacer) {
        pacer = std::make_shared<operation_pacer>(options);
        slot = pacer;
    }
    return pacer;
}

}  // namespace detail
}  // namespace ivschat
