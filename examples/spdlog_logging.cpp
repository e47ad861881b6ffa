// The client's log records through spdlog: an adapter from ivschat::logger
// to an spdlog logger, its fields written as key=value pairs. Built when
// spdlog is installed (Debian: libspdlog-dev). Configuration comes from the
// environment as in quickstart.cpp; IVSCHAT_LOG_LEVEL (trace, debug, info,
// warn, error) picks the level, debug by default.
#include <ivschat/client.hpp>
#include <ivschat/observability.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

namespace asio = boost::asio;

class spdlog_adapter final : public ivschat::logger {
public:
    explicit spdlog_adapter(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)) {}

    ivschat::log_level level() const noexcept override {
        switch (log_->level()) {
            case spdlog::level::trace: return ivschat::log_level::trace;
            case spdlog::level::debug: return ivschat::log_level::debug;
            case spdlog::level::info: return ivschat::log_level::info;
            case spdlog::level::warn: return ivschat::log_level::warn;
            case spdlog::level::err:
            case spdlog::level::critical: return ivschat::log_level::error;
            default: return ivschat::log_level::off;
        }
    }

    void write(ivschat::log_level level, std::string_view message,
               std::span<const ivschat::log_field> fields) override {
        fmt::memory_buffer line;
        fmt::format_to(std::back_inserter(line), "{}", message);
        for (const auto& field : fields) {
            fmt::format_to(std::back_inserter(line), " {}=", field.name);
            std::visit([&](const auto& value) { fmt::format_to(std::back_inserter(line), "{}", value); }, field.value);
        }
        log_->log(to_spdlog(level), "{}", std::string_view(line.data(), line.size()));
    }

private:
    static spdlog::level::level_enum to_spdlog(ivschat::log_level level) {
        switch (level) {
            case ivschat::log_level::trace: return spdlog::level::trace;
            case ivschat::log_level::debug: return spdlog::level::debug;
            case ivschat::log_level::info: return spdlog::level::info;
            case ivschat::log_level::warn: return spdlog::level::warn;
            case ivschat::log_level::error: return spdlog::level::err;
            case ivschat::log_level::off: break;
        }
        return spdlog::level::off;
    }
    std::shared_ptr<spdlog::logger> log_;
};

// A room, a token, a missing room (its 404 is logged) and the clean-up.
asio::awaitable<bool> logged_calls(ivschat::client& chat) {
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    ivschat::diagnostics diag;
    ivschat::create_room_request lobby{.name = "logged"};
    auto [created, room] = co_await chat.create_room(std::move(lobby), diag, tuple);
    if (created) co_return false;
    ivschat::create_chat_token_request token_request{.room_identifier = room.arn.value(), .user_id = "spdlog-example-user"};
    auto [issued, token] = co_await chat.create_chat_token(std::move(token_request), diag, tuple);
    ivschat::get_room_request missing{.identifier = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA"};
    auto [not_found, ignored] = co_await chat.get_room(std::move(missing), diag, tuple);
    ivschat::delete_room_request remove{.identifier = room.arn.value()};
    auto [deleted, nothing] = co_await chat.delete_room(std::move(remove), diag, tuple);
    co_return !issued && not_found && !deleted;
}

int main() {
    auto log = spdlog::stderr_logger_mt("ivschat");
    const char* level = std::getenv("IVSCHAT_LOG_LEVEL");
    log->set_level(level ? spdlog::level::from_str(level) : spdlog::level::debug);
    asio::io_context ioc;
    try {
        ivschat::client chat{ioc.get_executor(), {.logger = std::make_shared<spdlog_adapter>(log)}};
        bool ok = false;
        asio::co_spawn(ioc, logged_calls(chat), [&](std::exception_ptr e, bool result) {
            if (e) std::rethrow_exception(e);
            ok = result;
        });
        ioc.run();
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "spdlog_logging: " << e.what() << "\n";
        return 1;
    }
}
