#pragma once
// What a client reports about its calls: the user's logger and tracer behind
// one object, so that the call loop says "an attempt ended" once and pays a
// byte compare and a pointer test when neither is installed.

#include "ivschat/observability/log_sink.hpp"

#include <memory>

namespace ivschat::detail {

class call_observer {
public:
    call_observer() = default;
    /// Asks `log` for its level once, now.
    call_observer(std::shared_ptr<logger> log, std::shared_ptr<tracer> trace);

    /// True when a tracer is installed: the loop then measures signing time.
    bool tracing() const noexcept { return tracer_ != nullptr; }
    /// True when anything would be reported (call durations are measured).
    bool observing() const noexcept { return tracer_ || log_.enabled(log_level::debug); }

    void call_started(std::string_view operation) const {
        if (tracer_) report_call_started(operation);
    }
    void attempt_started(const attempt_start& e) const {
        if (tracer_) report_attempt_started(e);
    }
    void attempt_ended(const attempt_end& e) const {
        if (observing()) report_attempt_ended(e);
    }
    void call_ended(const call_end& e) const {
        if (observing()) report_call_ended(e);
    }
    void retrying(std::string_view operation, int attempt, unsigned status, boost::system::error_code error,
                  std::chrono::nanoseconds delay) const {
        if (log_.enabled(log_level::info)) report_retrying(operation, attempt, status, error, delay);
    }
    void pacing_fell_back(std::string_view operation) const {
        if (log_.enabled(log_level::warn)) report_pacing_fell_back(operation);
    }
    void clock_skew_corrected(std::string_view operation, std::chrono::seconds offset) const {
        if (log_.enabled(log_level::warn)) report_clock_skew_corrected(operation, offset);
    }
    void credentials_unavailable(std::string_view operation, boost::system::error_code error) const {
        if (log_.enabled(log_level::error)) report_credentials_unavailable(operation, error);
    }

private:
    void report_call_started(std::string_view operation) const;
    void report_attempt_started(const attempt_start& e) const;
    void report_attempt_ended(const attempt_end& e) const;
    void report_call_ended(const call_end& e) const;
    void report_retrying(std::string_view operation, int attempt, unsigned status, boost::system::error_code error,
                         std::chrono::nanoseconds delay) const;
    void report_pacing_fell_back(std::string_view operation) const;
    void report_clock_skew_corrected(std::string_view operation, std::chrono::seconds offset) const;
    void report_credentials_unavailable(std::string_view operation, boost::system::error_code error) const;

    log_sink log_;
    std::shared_ptr<tracer> tracer_;
};

}  // namespace ivschat::detail
