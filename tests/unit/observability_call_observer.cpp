// call_observer without sockets: which records each logger level gets, that
// the level is asked once, and that hooks which throw do not escape.
#include "ivschat/observability/call_observer.hpp"

#include <ivschat/client.hpp>
#include <ivschat/credentials_provider.hpp>

#include <catch2/catch.hpp>

namespace {

using namespace std::chrono_literals;
using ivschat::log_level;
using ivschat::detail::call_observer;

class counting_logger final : public ivschat::logger {
public:
    explicit counting_logger(log_level level) : level_(level) {}
    log_level level() const noexcept override {
        ++level_asked;
        return level_;
    }
    void write(log_level level, std::string_view message, std::span<const ivschat::log_field> fields) override {
        messages.push_back(std::string(ivschat::to_string(level)) + " " + std::string(message));
        field_counts.push_back(fields.size());
        if (throws) throw std::runtime_error("logger failure");
    }
    mutable int level_asked = 0;
    bool throws = false;
    std::vector<std::string> messages;
    std::vector<std::size_t> field_counts;

private:
    log_level level_;
};

class throwing_tracer final : public ivschat::tracer {
public:
    void call_started(const ivschat::call_start&) override {
        ++calls;
        throw std::runtime_error("tracer failure");
    }
    void call_ended(const ivschat::call_end&) override {
        ++calls;
        throw std::runtime_error("tracer failure");
    }
    int calls = 0;
};

// One of every report, as a call with a retry would make them.
void report_everything(const call_observer& observer) {
    const ivschat::diagnostics diag;
    observer.call_started("CreateChatToken");
    observer.attempt_started({.operation = "CreateChatToken", .attempt = 1, .host = "h"});
    observer.attempt_ended({.operation = "CreateChatToken", .attempt = 1, .host = "h", .http_status = 503});
    observer.retrying("CreateChatToken", 1, 503, {}, 20ms);
    observer.pacing_fell_back("CreateChatToken");
    observer.clock_skew_corrected("CreateChatToken", 300s);
    observer.credentials_unavailable("CreateChatToken", make_error_code(ivschat::credentials_errc::not_found));
    observer.call_ended({.operation = "CreateChatToken", .diagnostics = diag});
}

}  // namespace

TEST_CASE("call_observer: each level gets its records and those above", "[observability]") {
    const std::vector<std::string> all{"debug attempt ended", "info retrying",
                                       "warn pacing fell back to the local share", "warn clock skew corrected",
                                       "error credentials unavailable", "debug call ended"};
    for (auto [level, expected] : std::vector<std::pair<log_level, std::size_t>>{
             {log_level::trace, 6}, {log_level::debug, 6}, {log_level::info, 4}, {log_level::warn, 3},
             {log_level::error, 1}, {log_level::off, 0}}) {
        auto logger = std::make_shared<counting_logger>(level);
        const call_observer observer(logger, nullptr);
        report_everything(observer);
        report_everything(observer);
        INFO(ivschat::to_string(level));
        CHECK(logger->level_asked == 1);
        REQUIRE(logger->messages.size() == 2 * expected);
        std::vector<std::string> wanted;
        for (const auto& m : all) {
            const auto name = m.substr(0, m.find(' '));
            const log_level record_level = name == "debug" ? log_level::debug
                                           : name == "info" ? log_level::info
                                           : name == "warn" ? log_level::warn
                                                            : log_level::error;
            if (record_level >= level) wanted.push_back(m);
        }
        CHECK(std::vector<std::string>(logger->messages.begin(), logger->messages.begin() + expected) == wanted);
    }
}

TEST_CASE("call_observer: with nothing installed it observes nothing", "[observability]") {
    const call_observer none;
    CHECK_FALSE(none.tracing());
    CHECK_FALSE(none.observing());
    report_everything(none);
    const call_observer warn_only(std::make_shared<counting_logger>(log_level::warn), nullptr);
    CHECK_FALSE(warn_only.observing());
    const call_observer debug(std::make_shared<counting_logger>(log_level::debug), nullptr);
    CHECK(debug.observing());
    CHECK_FALSE(debug.tracing());
}

TEST_CASE("call_observer: a logger or tracer that throws does not escape", "[observability]") {
    auto logger = std::make_shared<counting_logger>(log_level::trace);
    logger->throws = true;
    auto tracer = std::make_shared<throwing_tracer>();
    const call_observer observer(logger, tracer);
    CHECK(observer.tracing());
    CHECK_NOTHROW(report_everything(observer));
    CHECK(tracer->calls == 2);
    CHECK(logger->messages.size() == 6);
    CHECK(logger->field_counts.front() == 8);
}
