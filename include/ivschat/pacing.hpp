#pragma once
// Pacing calls to the service's per-operation quotas (docs/pacing.md).

#include <ivschat/export.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ivschat {

/// Whether calls wait locally for the account's per-operation quotas.
enum class pacing_mode {
    /// On when the endpoint is the region's AWS endpoint or a rate_limiter
    /// is given; off for a custom endpoint_url (an emulator, a proxy).
    automatic,
    on,   ///< always paced
    off,  ///< never paced
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
    /// Whether calls are paced.
    pacing_mode mode = pacing_mode::automatic;
    /// Requests per second by operation name ("CreateChatToken"), in place
    /// of documented_quota(); each must be > 0.
    std::map<std::string, double, std::less<>> quotas{};
    /// Permits usable at once after a quiet period, as seconds of the
    /// operation's rate (at least one permit). The service's own burst
    /// allowance is not documented; a tenth of a second stays under it.
    double burst_seconds = 0.1;
    /// Fleet-wide pacing: "redis://HOST:PORT[/PREFIX]" shares each quota
    /// among every process that names the same Redis server and prefix
    /// (default prefix "ivschat"; one prefix per AWS account). Empty: this
    /// process paces alone. Needs a build with Redis support (hiredis).
    std::string rate_limiter{};
    /// While the rate limiter cannot be reached or answers nonsense, this
    /// process paces locally at this share of each quota (0 < share <= 1;
    /// 1 / the number of processes keeps the fleet within the quota), and
    /// tries the rate limiter again once a second.
    double fallback_share = 0.5;
    /// How long one request to the rate limiter may take before it counts
    /// as unreachable.
    std::chrono::milliseconds rate_limiter_timeout{250};
};

/// The documented request-rate quota of an operation, per account and
/// region, in requests per second (AWS IVS Chat User Guide, "Service
/// Quotas"; data/model/README.md); nullopt for a name that is not an
/// operation.
IVSCHAT_API std::optional<double> documented_quota(std::string_view operation) noexcept;

}  // namespace ivschat
