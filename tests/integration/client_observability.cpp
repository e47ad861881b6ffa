// The client's logger and tracer against the emulator over real sockets:
// the order and facts of the hooks, the records at each level, and that no
// record or hook carries a secret.
#include "support/emulator_fixture.hpp"
#include <ivschat/retry.hpp>

#include <ivschat/observability.hpp>

#include <boost/asio/as_tuple.hpp>

#include <map>
#include <sstream>

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using ivschat::emulator::fault_kind;
using ivschat::test::emulator_fixture;
using namespace std::chrono_literals;

constexpr auto tuple = asio::as_tuple(asio::use_awaitable);

struct record {
    ivschat::log_level level;
    std::string message;
    std::map<std::string, std::string> fields;

    std::string text() const {
        std::ostringstream out;
        out << message;
        for (const auto& [name, value] : fields) out << ' ' << name << '=' << value;
        return out.str();
    }
};

class recording_logger final : public ivschat::logger {
public:
    explicit recording_logger(ivschat::log_level level) : level_(level) {}
    ivschat::log_level level() const noexcept override {
        ++level_asked;
        return level_;
    }
    void write(ivschat::log_level level, std::string_view message, std::span<const ivschat::log_field> fields) override {
        record r{level, std::string(message), {}};
        for (const auto& f : fields) {
            std::ostringstream value;
            std::visit([&](const auto& v) { value << v; }, f.value);
            r.fields[std::string(f.name)] = value.str();
        }
        records.push_back(std::move(r));
        if (throw_on_write) throw std::runtime_error("logger failure");
    }
    std::vector<const record*> with_message(std::string_view message) const {
        std::vector<const record*> found;
        for (const auto& r : records)
            if (r.message == message) found.push_back(&r);
        return found;
    }

    std::vector<record> records;
    mutable int level_asked = 0;
    bool throw_on_write = false;

private:
    ivschat::log_level level_;
};

// Each hook as one line of text, in the order they came.
class recording_tracer final : public ivschat::tracer {
public:
    void call_started(const ivschat::call_start& e) override { events.push_back("call_started " + std::string(e.operation)); }
    void attempt_started(const ivschat::attempt_start& e) override {
        events.push_back("attempt_started " + std::string(e.operation) + " " + std::to_string(e.attempt));
        hosts.emplace_back(e.host);
        signing_times.push_back(e.signing_time);
    }
    void attempt_ended(const ivschat::attempt_end& e) override {
        events.push_back("attempt_ended " + std::string(e.operation) + " " + std::to_string(e.attempt) + " " +
                         std::to_string(e.http_status));
        attempts.push_back({std::string(e.request_id), e.error, e.connection_reused, e.connection_wait, e.wire_time});
    }
    void call_ended(const ivschat::call_end& e) override {
        events.push_back("call_ended " + std::string(e.operation) + " " + std::to_string(e.diagnostics.attempts.size()));
        call_errors.push_back(e.error);
        durations.push_back(e.duration);
        connection_wait_times.push_back(e.diagnostics.connection_wait_time);
    }

    struct attempt {
        std::string request_id;
        boost::system::error_code error;
        bool connection_reused;
        std::chrono::nanoseconds connection_wait;
        std::chrono::nanoseconds wire_time;
    };
    std::vector<std::string> events;
    std::vector<std::string> hosts;
    std::vector<std::chrono::nanoseconds> signing_times;
    std::vector<attempt> attempts;
    std::vector<boost::system::error_code> call_errors;
    std::vector<std::chrono::nanoseconds> durations;
    std::vector<std::chrono::nanoseconds> connection_wait_times;
};

std::shared_ptr<ivschat::retry_strategy> quick_retries() {
    return ivschat::make_retry_strategy({.max_attempts = 3, .base_delay = 1ms, .throttling_base_delay = 1ms});
}

}  // namespace

TEST_CASE("observability: the tracer sees each call and attempt in order, with their facts", "[client][observability]") {
    emulator_fixture f;
    auto tracer = std::make_shared<recording_tracer>();
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = quick_retries();
        options.tracer = tracer;
        ivschat::client chat{f.ioc.get_executor(), options};
        f.server.faults().enqueue({fault_kind::service_unavailable});
        ivschat::diagnostics diag;
        const ivschat::create_room_request create{};
        auto [created, room] = co_await chat.create_room(create, diag, tuple);
        REQUIRE_FALSE(created);
        const ivschat::get_room_request get{.identifier = room.arn.value()};
        auto [got, fetched] = co_await chat.get_room(get, diag, tuple);
        CHECK_FALSE(got);
    });
    CHECK(tracer->events == std::vector<std::string>{
                                "call_started CreateRoom", "attempt_started CreateRoom 1", "attempt_ended CreateRoom 1 503",
                                "attempt_started CreateRoom 2", "attempt_ended CreateRoom 2 200", "call_ended CreateRoom 2",
                                "call_started GetRoom", "attempt_started GetRoom 1", "attempt_ended GetRoom 1 200",
                                "call_ended GetRoom 1"});
    for (const auto& host : tracer->hosts) CHECK(host == "127.0.0.1");
    REQUIRE(tracer->attempts.size() == 3);
    CHECK(tracer->attempts[0].error);
    CHECK_FALSE(tracer->attempts[1].error);
    CHECK_FALSE(tracer->attempts[1].request_id.empty());
    CHECK(tracer->attempts[1].wire_time > 0ns);
    CHECK_FALSE(tracer->attempts[0].connection_reused);
    // The second call finds the first one's connection kept alive.
    CHECK(tracer->attempts[2].connection_reused);
    CHECK(tracer->call_errors == std::vector<boost::system::error_code>{{}, {}});
    for (auto d : tracer->durations) CHECK(d > 0ns);
    // Every attempt was signed before it started; opening a connection takes
    // time. The attempts' waits add up to what each call's diagnostics say.
    REQUIRE(tracer->signing_times.size() == 3);
    for (auto signing : tracer->signing_times) CHECK(signing > 0ns);
    CHECK(tracer->attempts[0].connection_wait > 0ns);
    for (const auto& attempt : tracer->attempts)
        if (!attempt.connection_reused) CHECK(attempt.connection_wait > 0ns);
    CHECK(tracer->connection_wait_times == std::vector<std::chrono::nanoseconds>{
                                               tracer->attempts[0].connection_wait + tracer->attempts[1].connection_wait,
                                               tracer->attempts[2].connection_wait});
}

TEST_CASE("observability: a call that fails before any attempt still starts and ends", "[client][observability]") {
    emulator_fixture f;
    auto tracer = std::make_shared<recording_tracer>();
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.tracer = tracer;
        ivschat::client chat{f.ioc.get_executor(), options};
        ivschat::diagnostics diag;
        const ivschat::create_chat_token_request invalid{};  // no room, no user: client validation fails
        auto [ec, token] = co_await chat.create_chat_token(invalid, diag, tuple);
        CHECK(ec);
    });
    CHECK(tracer->events == std::vector<std::string>{"call_started CreateChatToken", "call_ended CreateChatToken 0"});
    REQUIRE(tracer->call_errors.size() == 1);
    CHECK(tracer->call_errors[0]);
}

TEST_CASE("observability: the logger gets structured records at its level, and no secret", "[client][observability]") {
    emulator_fixture f;
    auto logger = std::make_shared<recording_logger>(ivschat::log_level::trace);
    std::string token_value;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.retry_strategy = quick_retries();
        options.logger = logger;
        ivschat::client chat{f.ioc.get_executor(), options};
        ivschat::diagnostics diag;
        const ivschat::create_room_request create{};
        auto [created, room] = co_await chat.create_room(create, diag, tuple);
        REQUIRE_FALSE(created);
        f.server.faults().enqueue({fault_kind::service_unavailable});
        const ivschat::create_chat_token_request request{.room_identifier = room.arn.value(),
                                                         .user_id = "secret-user-7",
                                                         .attributes = {{"nickname", "secret-nick"}}};
        auto [issued, token] = co_await chat.create_chat_token(request, diag, tuple);
        REQUIRE_FALSE(issued);
        token_value = token.token.value();
    });
    CHECK(logger->level_asked == 1);

    const auto attempts = logger->with_message("attempt ended");
    REQUIRE(attempts.size() == 3);
    CHECK(attempts[1]->level == ivschat::log_level::debug);
    CHECK(attempts[1]->fields.at("operation") == "CreateChatToken");
    CHECK(attempts[1]->fields.at("attempt") == "1");
    CHECK(attempts[1]->fields.at("status") == "503");
    CHECK(attempts[2]->fields.at("attempt") == "2");
    CHECK(attempts[2]->fields.at("status") == "200");
    CHECK_FALSE(attempts[2]->fields.at("request_id").empty());
    CHECK(attempts[2]->fields.count("wire_us") == 1);

    const auto retries = logger->with_message("retrying");
    REQUIRE(retries.size() == 1);
    CHECK(retries[0]->level == ivschat::log_level::info);
    CHECK(retries[0]->fields.at("operation") == "CreateChatToken");
    CHECK(retries[0]->fields.count("delay_us") == 1);

    const auto calls = logger->with_message("call ended");
    REQUIRE(calls.size() == 2);
    CHECK(calls[1]->fields.at("attempts") == "2");

    const auto secret_key = ivschat::emulator::example_credentials().secret_access_key;
    for (const auto& r : logger->records) {
        const auto text = r.text();
        INFO(text);
        CHECK(text.find(secret_key) == std::string::npos);
        CHECK(text.find("AWS4-HMAC-SHA256") == std::string::npos);
        CHECK(text.find(token_value) == std::string::npos);
        CHECK(text.find("secret-user-7") == std::string::npos);
        CHECK(text.find("secret-nick") == std::string::npos);
    }
}

TEST_CASE("observability: a logger at warn gets no debug record; a throwing logger does not fail the call",
          "[client][observability]") {
    emulator_fixture f;
    auto quiet = std::make_shared<recording_logger>(ivschat::log_level::warn);
    auto throwing = std::make_shared<recording_logger>(ivschat::log_level::debug);
    throwing->throw_on_write = true;
    f.run([&]() -> awaitable<void> {
        auto options = f.options();
        options.logger = quiet;
        ivschat::client quiet_client{f.ioc.get_executor(), options};
        options.logger = throwing;
        ivschat::client throwing_client{f.ioc.get_executor(), options};
        ivschat::diagnostics diag;
        const ivschat::create_room_request create{};
        auto [quiet_ec, quiet_room] = co_await quiet_client.create_room(create, diag, tuple);
        CHECK_FALSE(quiet_ec);
        auto [throwing_ec, throwing_room] = co_await throwing_client.create_room(create, diag, tuple);
        CHECK_FALSE(throwing_ec);
    });
    CHECK(quiet->records.empty());
    CHECK_FALSE(throwing->records.empty());
}
