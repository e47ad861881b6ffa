#include "ivschat/observability/call_observer.hpp"

#include <ivschat/client.hpp>

#include <string>

namespace ivschat::detail {

namespace {

// Tracing never fails a call: what a user's hook throws stops here.
template <class Report>
void shielded(Report&& report) noexcept {
    try {
        report();
    } catch (...) {
    }
}

}  // namespace

call_observer::call_observer(std::shared_ptr<logger> log, std::shared_ptr<tracer> trace)
    : log_(std::move(log)), tracer_(std::move(trace)) {}

void call_observer::report_call_started(std::string_view operation) const {
    shielded([&] { tracer_->call_started({.operation = operation}); });
}

void call_observer::report_attempt_started(const attempt_start& e) const {
    shielded([&] { tracer_->attempt_started(e); });
}

void call_observer::report_attempt_ended(const attempt_end& e) const {
    if (tracer_) shielded([&] { tracer_->attempt_ended(e); });
    if (!log_.enabled(log_level::debug)) return;
    // The message's storage must outlive write(): error_code::message() is a string.
    const std::string error = e.error ? e.error.message() : std::string();
    log_.write(log_level::debug, "attempt ended",
          {{"operation", e.operation},
           {"attempt", std::int64_t{e.attempt}},
           {"status", std::int64_t{e.http_status}},
           {"request_id", e.request_id},
           {"error", error},
           {"connection_reused", std::int64_t{e.connection_reused}},
           {"connection_wait_us", micros(e.connection_wait)},
           {"wire_us", micros(e.wire_time)}});
}

void call_observer::report_call_ended(const call_end& e) const {
    if (tracer_) shielded([&] { tracer_->call_ended(e); });
    if (!log_.enabled(log_level::debug)) return;
    const std::string error = e.error ? e.error.message() : std::string();
    log_.write(log_level::debug, "call ended",
          {{"operation", e.operation},
           {"attempts", static_cast<std::int64_t>(e.diagnostics.attempts.size())},
           {"status", std::int64_t{e.diagnostics.http_status}},
           {"request_id", e.diagnostics.request_id},
           {"error", error},
           {"duration_us", micros(e.duration)}});
}

void call_observer::report_retrying(std::string_view operation, int attempt, unsigned status,
                                    boost::system::error_code error, std::chrono::nanoseconds delay) const {
    const std::string message = error ? error.message() : std::string();
    log_.write(log_level::info, "retrying",
          {{"operation", operation},
           {"attempt", std::int64_t{attempt}},
           {"status", std::int64_t{status}},
           {"error", message},
           {"delay_us", micros(delay)}});
}

void call_observer::report_pacing_fell_back(std::string_view operation) const {
    log_.write(log_level::warn, "pacing fell back to the local share", {{"operation", operation}});
}

void call_observer::report_clock_skew_corrected(std::string_view operation, std::chrono::seconds offset) const {
    log_.write(log_level::warn, "clock skew corrected",
          {{"operation", operation},
           {"skew_ms", std::chrono::duration_cast<std::chrono::milliseconds>(offset).count()}});
}

void call_observer::report_credentials_unavailable(std::string_view operation,
                                                   boost::system::error_code error) const {
    const std::string message = error.message();
    log_.write(log_level::error, "credentials unavailable", {{"operation", operation}, {"error", message}});
}

}  // namespace ivschat::detail
