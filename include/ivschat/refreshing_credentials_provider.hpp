#pragma once
// The caching and refreshing layer every fetching credentials provider
// (credential_process, container, IMDS, STS) is built on.

#include <ivschat/export.hpp>
#include <ivschat/credentials_options.hpp>
#include <ivschat/credentials_provider.hpp>

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace ivschat {

/// Base of the providers that fetch credentials with I/O. It keeps the last
/// credentials fetched and decides when to fetch again; a subclass only says
/// how to fetch (`fetch`).
///
/// - `cached()` returns the snapshot while it is further than
///   `refresh_margin` from its expiration (always for credentials without
///   one); it never blocks, does I/O or allocates.
/// - `async_get` answers at once with a snapshot further than the margin;
///   with one inside `refresh_margin` but outside `wait_margin` it answers at
///   once too and starts a refresh in the background; otherwise (no
///   snapshot, expired, or inside `wait_margin`) it waits for the refresh.
///   There is at most one fetch at a time: every call arriving during it
///   joins it and gets its result.
/// - A failed refresh leaves still-valid credentials in service: the waiting
///   calls get them, and the next refresh waits `retry_interval` (so does
///   the next after a fetch that gave credentials already inside the
///   margin). When no valid credentials are left, calls do not wait: each
///   fetches (sharing a fetch in flight), and a failure fails the waiting
///   calls with the fetch's error, its message saying when the cached
///   credentials expired.
///
/// Errors reach callers as credentials_error: an exception of another type
/// from `fetch` becomes `unavailable` with its message.
///
/// Cancellation: a waiting call is not cancellable; it completes when the
/// fetch does, which the providers' timeouts bound.
///
/// Lifetime: must be owned by a std::shared_ptr (a fetch in flight keeps the
/// provider alive). Thread safety: every member function may be called
/// concurrently from any thread.
class IVSCHAT_API refreshing_credentials_provider : public credentials_provider,
                                        public std::enable_shared_from_this<refreshing_credentials_provider> {
public:
    std::shared_ptr<const credentials> cached() const noexcept override;
    void async_get(boost::asio::any_io_executor executor, completion_handler handler) override;

    /// Fetches started since construction, for tests and diagnostics.
    std::uint64_t fetches_started() const noexcept { return fetches_started_.load(std::memory_order_relaxed); }

protected:
    /// A provider that refreshes as `options` say; nothing is fetched before the first call.
    explicit refreshing_credentials_provider(refresh_options options = {});

    /// Obtains new credentials, running on `executor` without blocking it.
    /// Throws credentials_error on failure (`not_found` when the source is
    /// absent, so that a chain moves on). Never runs twice at the same time
    /// for one provider, so a subclass may keep state between fetches
    /// without a lock.
    virtual boost::asio::awaitable<credentials> fetch(boost::asio::any_io_executor executor) = 0;

    /// The time by the options' clock.
    std::chrono::system_clock::time_point now() const;
    /// The options given at construction.
    const refresh_options& options() const noexcept { return options_; }

private:
    struct waiter {
        boost::asio::any_io_executor executor;
        completion_handler handler;
    };

    void start_fetch(boost::asio::any_io_executor executor);
    void fetch_done(std::exception_ptr error, credentials fetched);

    refresh_options options_;
    std::atomic<std::shared_ptr<const credentials>> current_;
    std::atomic<std::uint64_t> fetches_started_{0};
    std::mutex mutex_;
    // Guarded by mutex_:
    bool fetching_ = false;
    std::vector<waiter> waiters_;
    std::chrono::system_clock::time_point last_fetch_done_{};
    bool has_fetched_ = false;
};

}  // namespace ivschat
