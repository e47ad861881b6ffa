#pragma once
// The user's logger as the library writes to it: its level asked once, a
// record built only when that level wants it, and nothing it throws let
// through (logging never fails the work being logged).

#include <ivschat/observability.hpp>

#include <initializer_list>
#include <memory>

namespace ivschat::detail {

class log_sink {
public:
    log_sink() = default;
    /// Asks `log` for its level once, now; none logs nothing.
    explicit log_sink(std::shared_ptr<logger> log);

    /// True when a record at `level` would be written.
    bool enabled(log_level level) const noexcept { return level >= threshold_; }
    /// Writes the record; call only when enabled(level).
    void write(log_level level, std::string_view message, std::initializer_list<log_field> fields) const noexcept;

private:
    std::shared_ptr<logger> logger_;
    log_level threshold_ = log_level::off;
};

/// Microseconds, the unit of the `*_us` fields.
inline std::int64_t micros(std::chrono::nanoseconds d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

}  // namespace ivschat::detail
