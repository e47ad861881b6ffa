#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ivschat::emulator {

/// The service's per-operation request rates (transactions per second per
/// account and region), as the IVS Chat User Guide's "Service Quotas" page
/// lists them: CreateChatToken 200; SendEvent, DeleteMessage, DisconnectUser
/// 100; the five room operations 5; the five logging-configuration
/// operations 3; the three tag operations 10.
std::vector<std::pair<std::string, double>> default_operation_rates();

/// Per-operation token buckets, without I/O: an operation may burst up to
/// its rate (at least one request), then runs at its rate. Operations without a rate are not limited.
///
/// Not safe for concurrent use.
class rate_quotas {
public:
    using clock = std::chrono::steady_clock;

    /// `rates`: (operation name, transactions per second).
    explicit rate_quotas(const std::vector<std::pair<std::string, double>>& rates);

    /// Takes one request of `operation` at `now`; false when its rate is used up.
    bool admit(std::string_view operation, clock::time_point now);
    /// The operation's rate, if it has one.
    std::optional<double> rate(std::string_view operation) const;

private:
    struct bucket {
        double rate = 0;
        double tokens = 0;
        std::optional<clock::time_point> updated{};
    };
    std::unordered_map<std::string, bucket> buckets_;
};

/// Parses "OPERATION=TPS" (a positive number); nullopt when malformed.
std::optional<std::pair<std::string, double>> parse_operation_rate(std::string_view text);

}  // namespace ivschat::emulator
