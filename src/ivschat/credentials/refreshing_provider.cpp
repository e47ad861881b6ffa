#include <ivschat/refreshing_credentials_provider.hpp>

#include "ivschat/time_format.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

namespace ivschat {

namespace asio = boost::asio;
using std::chrono::system_clock;

namespace {

bool usable_at(const credentials& c, system_clock::time_point t, std::chrono::seconds margin) {
    return !c.expiration || t < *c.expiration - margin;
}

void complete(boost::asio::any_io_executor executor, credentials_provider::completion_handler handler,
              std::exception_ptr error, std::shared_ptr<const credentials> creds) {
    asio::post(std::move(executor), asio::append(std::move(handler), std::move(error), std::move(creds)));
}

// Any other exception a fetch let through (a CA file OpenSSL cannot load,
// memory) as a credentials_error naming the provider.
std::exception_ptr as_credentials_error(std::exception_ptr error, const std::string& who) {
    try {
        std::rethrow_exception(error);
    } catch (const credentials_error&) {
        return error;
    } catch (const std::exception& e) {
        return std::make_exception_ptr(credentials_error(credentials_errc::unavailable, who + ": " + e.what()));
    } catch (...) {
        return error;
    }
}

// The fetch's error, completed with what expired: the code stays, so that a
// chain still treats `not_found` as "move on".
std::exception_ptr with_expiry_note(std::exception_ptr error, const std::string& who, const credentials* expired) {
    if (!expired || !expired->expiration) return error;
    std::string note = "; the credentials " + who + " gave before expired at " + detail::format_iso8601(*expired->expiration);
    try {
        std::rethrow_exception(error);
    } catch (const credentials_error& e) {
        return std::make_exception_ptr(credentials_error(e.code(), e.what() + note));
    } catch (...) {
        return error;
    }
}

}  // namespace

refreshing_credentials_provider::refreshing_credentials_provider(refresh_options options)
    : options_(std::move(options)) {}

system_clock::time_point refreshing_credentials_provider::now() const {
    return options_.clock ? options_.clock() : system_clock::now();
}

std::shared_ptr<const credentials> refreshing_credentials_provider::cached() const noexcept {
    auto snapshot = current_.load(std::memory_order_acquire);
    if (!snapshot || !snapshot->expiration) return snapshot;
    try {
        return usable_at(*snapshot, now(), options_.refresh_margin) ? snapshot : nullptr;
    } catch (...) {  // an injected clock that throws
        return nullptr;
    }
}

void refreshing_credentials_provider::async_get(asio::any_io_executor executor, completion_handler handler) {
    const auto t = now();
    std::unique_lock lock(mutex_);
    auto snapshot = current_.load(std::memory_order_acquire);
    if (snapshot && usable_at(*snapshot, t, options_.refresh_margin)) {
        lock.unlock();
        return complete(std::move(executor), std::move(handler), nullptr, std::move(snapshot));
    }
    const bool valid = snapshot && usable_at(*snapshot, t, std::chrono::seconds{0});
    // A fetch that just failed, or just gave credentials already this close
    // to expiring, is not repeated at once.
    const bool fetched_recently = has_fetched_ && t - last_fetch_done_ < options_.retry_interval;
    // Valid credentials inside the refresh margin: answer with them, and
    // refresh in the background unless a refresh runs or failed just now.
    // Inside the wait margin, wait for a refresh, unless one failed just now.
    const bool outside_wait_margin = valid && usable_at(*snapshot, t, options_.wait_margin);
    if (outside_wait_margin || (valid && !fetching_ && fetched_recently)) {
        const bool start = outside_wait_margin && !fetching_ && !fetched_recently;
        if (start) fetching_ = true;
        lock.unlock();
        if (start) start_fetch(executor);
        return complete(std::move(executor), std::move(handler), nullptr, std::move(snapshot));
    }
    waiters_.push_back({executor, std::move(handler)});
    if (fetching_) return;
    fetching_ = true;
    lock.unlock();
    start_fetch(std::move(executor));
}

void refreshing_credentials_provider::start_fetch(asio::any_io_executor executor) {
    fetches_started_.fetch_add(1, std::memory_order_relaxed);
    auto self = shared_from_this();
    asio::co_spawn(
        executor, [self, executor]() { return self->fetch(executor); },
        [self](std::exception_ptr error, credentials fetched) { self->fetch_done(std::move(error), std::move(fetched)); });
}

void refreshing_credentials_provider::fetch_done(std::exception_ptr error, credentials fetched) {
    if (error) error = as_credentials_error(std::move(error), name());
    else if (fetched.empty())
        error = std::make_exception_ptr(credentials_error(credentials_errc::invalid, name() + ": gave an empty access key id or secret"));
    std::shared_ptr<const credentials> answer;
    std::vector<waiter> waiters;
    {
        std::lock_guard lock(mutex_);
        fetching_ = false;
        waiters.swap(waiters_);
        if (!error) {
            answer = std::make_shared<const credentials>(std::move(fetched));
            current_.store(answer, std::memory_order_release);
        }
        const auto t = now();
        has_fetched_ = true;
        last_fetch_done_ = t;
        if (error) {
            auto snapshot = current_.load(std::memory_order_acquire);
            if (snapshot && usable_at(*snapshot, t, std::chrono::seconds{0})) answer = std::move(snapshot);
            else error = with_expiry_note(std::move(error), name(), snapshot.get());
        }
    }
    if (answer) error = nullptr;
    for (auto& w : waiters) complete(std::move(w.executor), std::move(w.handler), error, answer);
}

}  // namespace ivschat
