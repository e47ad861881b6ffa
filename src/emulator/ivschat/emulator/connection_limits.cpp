#include <ivschat/emulator/connection_limits.hpp>

#include <boost/asio/error.hpp>

#include <algorithm>
#include <cerrno>

namespace ivschat::emulator {
namespace {

constexpr std::chrono::milliseconds first_backoff{10};
constexpr std::chrono::milliseconds max_backoff{1000};

}  // namespace

bool connection_limits::is_resource_exhaustion(const boost::system::error_code& ec) noexcept {
    if (ec.category() != boost::system::system_category()) return false;
    const int value = ec.value();
    return value == EMFILE || value == ENFILE || value == ENOBUFS || value == ENOMEM;
}

std::chrono::milliseconds connection_limits::after_accept(const boost::system::error_code& ec) noexcept {
    if (!ec) {
        backoff_ = {};
        return {};
    }
    if (!is_resource_exhaustion(ec)) return first_backoff;
    ++counters_.accept_exhaustions;
    backoff_ = backoff_.count() == 0 ? first_backoff : std::min(backoff_ * 2, max_backoff);
    return backoff_;
}

bool connection_limits::reserve_body(std::size_t bytes) noexcept {
    if (bytes > max_unfinished_body_bytes_ - reserved_body_bytes_) {
        ++counters_.bodies_refused;
        return false;
    }
    reserved_body_bytes_ += bytes;
    return true;
}

}  // namespace ivschat::emulator
