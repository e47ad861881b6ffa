// Tracing hooks as JSON lines: each call and each attempt the client makes
// is written to stdout as one JSON object, the raw material of OpenTelemetry
// spans (a span per call, a child span per attempt). Configuration comes from
// the environment as in quickstart.cpp.
#include <ivschat/client.hpp>
#include <ivschat/observability.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <iostream>

namespace asio = boost::asio;
namespace json = boost::json;

class json_lines_tracer final : public ivschat::tracer {
public:
    explicit json_lines_tracer(std::ostream& out) : out_(out) {}

    void call_started(const ivschat::call_start& e) override {
        write({{"event", "call_started"}, {"operation", e.operation}});
    }
    void attempt_started(const ivschat::attempt_start& e) override {
        write({{"event", "attempt_started"},
               {"operation", e.operation},
               {"attempt", e.attempt},
               {"host", e.host},
               {"signing_us", micros(e.signing_time)}});
    }
    void attempt_ended(const ivschat::attempt_end& e) override {
        write({{"event", "attempt_ended"},
               {"operation", e.operation},
               {"attempt", e.attempt},
               {"request_id", e.request_id},
               {"http_status", e.http_status},
               {"error", e.error ? e.error.message() : ""},
               {"connection_reused", e.connection_reused},
               {"connection_wait_us", micros(e.connection_wait)},
               {"wire_us", micros(e.wire_time)}});
    }
    void call_ended(const ivschat::call_end& e) override {
        write({{"event", "call_ended"},
               {"operation", e.operation},
               {"error", e.error ? e.error.message() : ""},
               {"attempts", e.diagnostics.attempts.size()},
               {"request_id", e.diagnostics.request_id},
               {"duration_us", micros(e.duration)}});
    }

private:
    static std::int64_t micros(std::chrono::nanoseconds d) {
        return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    }
    // Spans need wall-clock times: each line carries when it was written.
    void write(json::object line) {
        line["time_unix_nano"] = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
        out_ << json::serialize(line) << '\n';
    }
    std::ostream& out_;
};

// A room, a token for it, a room that does not exist, and the clean-up.
asio::awaitable<bool> traced_calls(ivschat::client& chat) {
    constexpr auto tuple = asio::as_tuple(asio::use_awaitable);
    ivschat::diagnostics diag;
    ivschat::create_room_request lobby{.name = "traced"};
    auto [created, room] = co_await chat.create_room(std::move(lobby), diag, tuple);
    if (created) co_return false;
    ivschat::create_chat_token_request token_request{.room_identifier = room.arn.value(), .user_id = "tracer"};
    auto [issued, token] = co_await chat.create_chat_token(std::move(token_request), diag, tuple);
    ivschat::get_room_request missing{.identifier = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA"};
    auto [not_found, ignored] = co_await chat.get_room(std::move(missing), diag, tuple);
    ivschat::delete_room_request remove{.identifier = room.arn.value()};
    auto [deleted, nothing] = co_await chat.delete_room(std::move(remove), diag, tuple);
    co_return !issued && not_found && !deleted;
}

int main() {
    asio::io_context ioc;
    try {
        ivschat::client chat{ioc.get_executor(), {.tracer = std::make_shared<json_lines_tracer>(std::cout)}};
        bool ok = false;
        asio::co_spawn(ioc, traced_calls(chat), [&](std::exception_ptr e, bool result) {
            if (e) std::rethrow_exception(e);
            ok = result;
        });
        ioc.run();
        if (!ok) std::cerr << "tracing: a call did not end as expected (see the call_ended lines)\n";
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "tracing: " << e.what() << "\n";
        return 1;
    }
}
