#include "ivschat/observability/log_sink.hpp"

#include <span>

namespace ivschat::detail {

log_sink::log_sink(std::shared_ptr<logger> log)
    : logger_(std::move(log)), threshold_(logger_ ? logger_->level() : log_level::off) {}

void log_sink::write(log_level level, std::string_view message, std::initializer_list<log_field> fields) const noexcept {
    try {
        logger_->write(level, message, std::span(fields.begin(), fields.size()));
    } catch (...) {
    }
}

}  // namespace ivschat::detail
