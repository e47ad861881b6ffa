#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ivschat {

/// Whether calls wait locally for the account's per-operation quotas.
enum class pacing_mode {
    /// On when the endpoint is the region's AWS endpoint, off for a custom
    /// endpoint_url (an emulator, a proxy).
    automatic,
    on,
    off,
};

/// Pacing: per-operation permits at the service's request-rate quotas, so
/// that a burst of calls waits in the process instead of being throttled by
/// the service. Clients with the same credentials, region and quotas in one
/// process share one set of permits.
///
/// A call takes one permit per attempt, in FIFO order per operation. A call
/// whose wait for its permit would pass its call_timeout fails at once with
/// ivschat::error::quota_wait and takes no permit. A ThrottlingException
/// from the service lowers the operation's rate; successes restore it.
struct pacing_options {
    pacing_mode mode = pacing_mode::automatic;
    /// Requests per second by operation name ("CreateChatToken"), in place
    /// of documented_quota(); each must be > 0.
    std::map<std::string, double, std::less<>> quotas{};
    /// Permits usable at once after a quiet period, as seconds of the
    /// operation's rate (at least one permit). The service's own burst
    /// allowance is not documented; a tenth of a second stays under it.
    double burst_seconds = 0.1;
};

/// The documented request-rate quota of an operation, per account and
/// region, in requests per second (AWS IVS Chat User Guide, "Service
/// Quotas"; data/model/README.md); nullopt for a name that is not an
/// operation.
std::optional<double> documented_quota(std::string_view operation) noexcept;

}  // namespace ivschat
