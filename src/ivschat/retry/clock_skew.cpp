// Clock-skew correction from the server's Date header.
#include <ivschat/retry.hpp>

#include "ivschat/time_format.hpp"

namespace ivschat {

clock_skew::clock_skew(std::chrono::seconds threshold)
    : threshold_(threshold < threshold.zero() ? -threshold : threshold) {}

bool clock_skew::on_service_error(std::string_view error_type, std::string_view date_header,
                                  std::chrono::system_clock::time_point local_time_at_response) noexcept {
    using namespace std::chrono;
    if (!is_clock_skew_error_code(error_type)) return false;
    auto server_time = detail::parse_http_date(date_header);
    if (!server_time) return false;
    auto local = floor<seconds>(local_time_at_response);
    auto skew = *server_time - (local + offset());
    if ((skew < skew.zero() ? -skew : skew) < threshold_) return false;
    const auto offset = *server_time - local;
    // An offset past system_clock's range could not be added to a time_point
    // (its nanoseconds would overflow): such a Date is no clock to follow.
    if ((offset < offset.zero() ? -offset : offset) > detail::max_timestamp_offset) return false;
    offset_.store(offset.count(), std::memory_order_relaxed);
    return true;
}

}  // namespace ivschat
