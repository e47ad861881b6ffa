#include <ivschat/client.hpp>
#include <ivschat/credentials_provider.hpp>

#include "ivschat/client/call_fsm.hpp"
#include "ivschat/http/connection_pool.hpp"
#include "ivschat/observability/call_observer.hpp"
#include "ivschat/pacing/fleet_pacer.hpp"
#include "ivschat/pacing/operation_pacer.hpp"
#include "ivschat/serde/json_reader.hpp"
#include "ivschat/serde/json_writer.hpp"
#include "ivschat/serde/printable_text.hpp"
#include "ivschat/serde/request_target.hpp"
#include "ivschat/serde/validation.hpp"

#include <ivschat/sigv4.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/intrusive/list.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace ivschat {

namespace asio = boost::asio;
using boost::system::error_code;
using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace detail {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Credentials this close to expiring are refreshed before signing.
constexpr auto credentials_refresh_margin = std::chrono::minutes{5};

// The buffers one call builds its request and reads its response into,
// reused from call to call (a client keeps the idle ones).
struct call_buffers {
    std::string target;
    std::string body;
    attempt_buffers attempt;
};

// One call: what the operation is, and its own steps (the only parts that
// depend on the request type) behind plain function pointers.
struct call_input {
    /// Operation, method and success status; execute() fills in the target and body.
    call_description call;
    std::size_t operation_index = 0;
    const void* request = nullptr;
    void* response = nullptr;
    std::optional<validation_exception> (*validate)(const void* request) = nullptr;
    void (*serialize)(const void* request, std::string& target, std::string& body) = nullptr;
    bool (*parse)(std::string_view body, void* response, error_info& error) = nullptr;
};

config_options config_from(const client_options& o) {
    return {.region = o.region,
            .endpoint_url = o.endpoint_url,
            .profile = o.profile,
            .static_credentials = o.credentials,
            .credentials_provider = o.credentials_provider,
            .ca_bundle = o.ca_bundle,
            .max_attempts = o.max_attempts,
            .retry_mode = o.retry_mode,
            .user_agent_app_id = o.user_agent_app_id};
}

}  // namespace

// A call's backoff timer, listed on its client so that close() can cancel it.
struct backoff_timer
    : boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
    explicit backoff_timer(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
};

class client_core {
public:
    client_core(const asio::any_io_executor& ex, client_options options)
        : config(resolve_config(config_from(options), options.environment ? *options.environment : environment::process())),
          signer({.region = config.region, .service = "ivschat"}),
          observer(options.logger, options.tracer),
          options(std::move(options)) {
        auto pool_settings = this->options.pool;
        if (pool_settings.ca_file.empty() && config.ca_bundle) pool_settings.ca_file = *config.ca_bundle;
        const auto& url = config.endpoint;
        auto made = std::make_shared<http::connection_pool>(
            ex, http::endpoint{.tls = url.uses_tls(), .host = url.host, .port = url.port}, std::move(pool_settings));
        // Calls run on the pool's strand: signing, the pool's bookkeeping and
        // the connection's I/O then follow each other without a strand hop.
        strand = made->executor();
        pool = std::move(made);
        base_path = url.path;
        while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
        const auto mode = this->options.pacing.mode;
        paced = mode == pacing_mode::on ||
                (mode == pacing_mode::automatic && (!config.custom_endpoint || !this->options.pacing.rate_limiter.empty()));
        // Checked now, so that bad pacing options fail the constructor.
        if (paced) operation_pacer probe(this->options.pacing);
        if (paced && !this->options.pacing.rate_limiter.empty()) {
            const auto& p = this->options.pacing;
            if (!redis_supported()) throw config_error("pacing: rate_limiter needs a build with Redis support (hiredis)");
            if (!(p.fallback_share > 0.0 && p.fallback_share <= 1.0))
                throw config_error("pacing: fallback_share must be > 0 and <= 1");
            if (p.rate_limiter_timeout.count() <= 0) throw config_error("pacing: rate_limiter_timeout must be > 0");
            fleet = std::make_shared<fleet_pacer>(strand, parse_redis_url(p.rate_limiter), config.region, p);
        }
        retry = this->options.retry_strategy;
        if (!retry) {
            retry = make_retry_strategy({.mode = this->options.retry_mode.value_or(config.retry_mode),
                                         .max_attempts = static_cast<int>(config.max_attempts)});
        }
    }

    std::unique_ptr<call_buffers> take_buffers() {
        if (idle_buffers.empty()) return std::make_unique<call_buffers>();
        auto b = std::move(idle_buffers.back());
        idle_buffers.pop_back();
        return b;
    }
    // The process's pacer for these credentials (and this region); looked
    // up again only when the access key changes.
    const std::shared_ptr<operation_pacer>& pacer_for(const credentials& creds) {
        if (!pacer || pacer_access_key != creds.access_key_id) {
            pacer_access_key = creds.access_key_id;
            pacer = shared_operation_pacer(config.region + '\n' + std::string(config.endpoint.host) + '\n' +
                                               creds.access_key_id,
                                           options.pacing);
        }
        return pacer;
    }

    void give_back(std::unique_ptr<call_buffers> b) {
        // Bounded: more idle sets than connections would never be used at once.
        if (idle_buffers.size() < options.pool.max_connections) idle_buffers.push_back(std::move(b));
    }

    asio::any_io_executor strand;
    resolved_config config;
    sigv4::signer signer;
    call_observer observer;
    client_options options;
    // Reset by close(); calls in flight keep their own reference. Atomic
    // because counters() reads it from any thread.
    std::atomic<std::shared_ptr<http::connection_pool>> pool;
    std::string base_path;
    std::shared_ptr<retry_strategy> retry;
    bool paced = false;
    // Set when the quotas are shared with other processes through Redis.
    std::shared_ptr<fleet_pacer> fleet;
    std::shared_ptr<operation_pacer> pacer;
    std::string pacer_access_key;
    clock_skew skew;
    std::vector<std::unique_ptr<call_buffers>> idle_buffers;
    // On the strand only: set by close(), which cancels the backoff timers
    // of the calls in flight and closes the pool under their exchanges.
    bool closed = false;
    boost::intrusive::list<backoff_timer, boost::intrusive::constant_time_size<false>> backoff_timers;
};

namespace {

// Returns the buffers to the client when the call ends, however it ends.
struct buffers_lease {
    client_core& core;
    std::unique_ptr<call_buffers> buffers;
    ~buffers_lease() { core.give_back(std::move(buffers)); }
};

bool expiring(const credentials& c) {
    return c.expiration && *c.expiration - credentials_refresh_margin <= system_clock::now();
}

// The provider's cached credentials when they are good for signing now.
std::shared_ptr<const credentials> cached_credentials(client_core& core) {
    auto creds = core.config.credentials_provider->cached();
    if (creds && expiring(*creds)) creds.reset();
    return creds;
}

// Fetches credentials when there are no cached ones to sign with.
asio::awaitable<std::tuple<error_code, std::shared_ptr<const credentials>>> fetch_credentials(client_core& core,
                                                                                               diagnostics& diag) {
    auto& provider = *core.config.credentials_provider;
    auto [failure, fetched] = co_await async_get_credentials(provider, core.strand, use_tuple);
    if (!failure) co_return std::tuple{error_code{}, std::move(fetched)};
    try {
        std::rethrow_exception(failure);
    } catch (const credentials_error& e) {
        diag.client_message = e.what();
        co_return std::tuple{error_code{e.code()}, nullptr};
    } catch (const std::exception& e) {
        diag.client_message = e.what();
    }
    co_return std::tuple{error_code{make_error_code(credentials_errc::not_found)}, nullptr};
}

// What a permit means at once: refused (error::quota_wait, explained in
// `diag`) when it would come after the call's deadline, or nothing to wait
// for. None: the call waits for it.
std::optional<error_code> settle_permit(const permit& granted, steady_clock::time_point now, const call_input& input,
                                        diagnostics& diag) {
    if (!granted.granted) {
        diag.quota_available_in = granted.at - now;
        diag.client_message =
            "the " + std::string(input.call.operation) + " quota leaves no permit before the call's deadline";
        return make_error_code(error::quota_wait);
    }
    if (granted.at <= now) return error_code{};
    return std::nullopt;
}

// Waits on `timer` until the permit's time; a cancelled wait gives the
// local pacer's permit back.
asio::awaitable<error_code> wait_for_permit(asio::steady_timer& timer, steady_clock::time_point at,
                                            operation_pacer* pacer, std::size_t operation, diagnostics& diag) {
    const auto started = steady_clock::now();
    timer.expires_at(at);
    auto [wait_ec] = co_await timer.async_wait(use_tuple);
    diag.pacing_time += steady_clock::now() - started;
    if (wait_ec && pacer) pacer->give_back(operation, steady_clock::now());
    co_return wait_ec;
}

// A permit from the fleet's limiter, at most `max_wait` away; its round
// trip counts as time spent pacing.
asio::awaitable<error_code> pace_fleet(client_core& core, const call_input& input, steady_clock::duration max_wait,
                                       asio::steady_timer& timer, diagnostics& diag) {
    const auto asked = steady_clock::now();
    auto [fleet_ec, granted] = co_await core.fleet->reserve(input.operation_index, max_wait, diag.pacing_fallback);
    if (fleet_ec) co_return fleet_ec;
    const auto now = steady_clock::now();
    diag.pacing_time += now - asked;
    if (auto settled = settle_permit(granted, now, input, diag)) co_return *settled;
    co_return co_await wait_for_permit(timer, granted.at, nullptr, input.operation_index, diag);
}

// What the pacer learns from an attempt.
void tell_pacer(client_core& core, std::size_t operation, const credentials* creds, pacing_feedback feedback) {
    if (feedback == pacing_feedback::none || !core.paced) return;
    const auto now = steady_clock::now();
    if (core.fleet) {
        if (feedback == pacing_feedback::success) core.fleet->on_success(operation, now);
        else core.fleet->on_throttled(operation, now);
        return;
    }
    if (!creds) return;
    const auto& pacer = core.pacer_for(*creds);
    if (feedback == pacing_feedback::success) pacer->on_success(operation, now);
    else pacer->on_throttled(operation, now);
}

// Tells the observer how the step just performed ended (what follows a
// send or a parse ends an attempt) and that an attempt starts. A function
// of its own, so that the events' temporaries stay out of execute()'s
// coroutine frame.
void report_step(client_core& core, std::string_view operation, call_step performed, const call_action& action,
                 const diagnostics& diag, const http::response& res, decltype(core.skew.offset()) skew_before,
                 steady_clock::time_point resumed_at) {
    const call_observer& observer = core.observer;
    if (performed == call_step::parse || (performed == call_step::send && action.step != call_step::parse)) {
        // The attempt's record is final: fsm.resume() added it after the send.
        const attempt_record& record = diag.attempts.back();
        const int attempt = static_cast<int>(diag.attempts.size());
        observer.attempt_ended({.operation = operation,
                                .attempt = attempt,
                                .host = core.config.endpoint.host,
                                .request_id = record.http_status ? std::string_view(res.request_id) : std::string_view(),
                                .http_status = record.http_status,
                                .error = record.error,
                                .connection_reused = res.connection_reused,
                                .connection_wait = record.connection_wait,
                                .wire_time = record.latency});
        if (action.step == call_step::wait)
            observer.retrying(operation, attempt, record.http_status, record.error, action.delay);
        if (core.skew.offset() != skew_before) observer.clock_skew_corrected(operation, core.skew.offset());
    }
    if (action.step == call_step::send && observer.tracing()) {
        observer.attempt_started({.operation = operation,
                                  .attempt = static_cast<int>(diag.attempts.size()) + 1,
                                  .host = core.config.endpoint.host,
                                  .signing_time = steady_clock::now() - resumed_at});
    }
}

// The I/O shell around call_fsm: one non-template coroutine for every
// operation; the operation's own steps come in `input`.
asio::awaitable<error_code> execute(client_core& core, const call_input& input, diagnostics& diag) {
    const std::string_view operation = input.call.operation;
    const call_observer& observer = core.observer;
    const auto started = steady_clock::now();
    observer.call_started(operation);
    auto finish = [&](error_code ec) {
        if (ec && !is_service_error(ec) && diag.client_message.empty()) diag.client_message = ec.message();
        observer.call_ended(
            {.operation = operation, .error = ec, .duration = steady_clock::now() - started, .diagnostics = diag});
        return ec;
    };
    if (core.options.validate_requests) {
        if (auto failure = input.validate(input.request)) {
            diag.client_message = std::move(failure->message);
            diag.invalid_fields = std::move(failure->field_list);
            co_return finish(error::request_validation_failed);
        }
    }
    auto pool = core.pool.load();
    if (!pool) {
        diag.client_message = "the client is closed";
        co_return finish(asio::error::operation_aborted);
    }

    buffers_lease lease{core, core.take_buffers()};
    call_buffers& buf = *lease.buffers;
    buf.target = core.base_path;
    input.serialize(input.request, buf.target, buf.body);
    call_description call = input.call;
    call.target = buf.target;
    call.body = buf.body;

    const call_settings settings{.retry = *core.retry,
                                 .skew = core.skew,
                                 .signer = core.signer,
                                 .host = pool->host_header(),
                                 .user_agent = core.config.user_agent,
                                 .attempt_timeout = core.options.attempt_timeout,
                                 .call_timeout = core.options.call_timeout,
                                 .paced = core.paced};
    call_fsm fsm(settings, call, diag, buf.attempt, started);
    backoff_timer backoff(core.strand);
    core.backoff_timers.push_back(backoff);
    asio::steady_timer& timer = backoff.timer;
    http::response& res = buf.attempt.response;
    std::string parse_message;

    call_event event;
    // The step just performed: what follows a send or a parse is reported.
    call_step performed = call_step::done;
    for (;;) {
        const auto resumed_at = steady_clock::now();
        const auto skew_before = core.skew.offset();
        const auto action = fsm.resume(event, resumed_at, system_clock::now());
        tell_pacer(core, input.operation_index, fsm.current_credentials().get(), action.feedback);
        report_step(core, operation, performed, action, diag, res, skew_before, resumed_at);
        performed = action.step;
        event = {};
        switch (action.step) {
            case call_step::wait: {
                timer.expires_after(action.delay);
                auto [ec] = co_await timer.async_wait(use_tuple);
                event.error = ec;
                asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
                event.cancelled = cancellation.cancelled() != asio::cancellation_type::none;
                break;
            }
            case call_step::get_credentials: {
                // The usual case, cached credentials, costs no coroutine.
                event.credentials = cached_credentials(core);
                if (event.credentials) break;
                auto [ec, creds] = co_await fetch_credentials(core, diag);
                if (ec) observer.credentials_unavailable(operation, ec);
                event.error = ec;
                event.credentials = std::move(creds);
                break;
            }
            case call_step::pace: {
                const bool fell_back = diag.pacing_fallback;
                if (core.fleet) {
                    event.error = co_await pace_fleet(core, input, action.max_wait, timer, diag);
                    if (diag.pacing_fallback && !fell_back) observer.pacing_fell_back(operation);
                    break;
                }
                // The local pacer answers at once; a permit due now costs no wait.
                const auto now = steady_clock::now();
                // A copy: new credentials from another call may replace the core's pacer meanwhile.
                const std::shared_ptr<operation_pacer> pacer = core.pacer_for(*fsm.current_credentials());
                const permit granted = pacer->reserve(input.operation_index, now, action.max_wait);
                if (auto settled = settle_permit(granted, now, input, diag)) {
                    event.error = *settled;
                } else {
                    event.error = co_await wait_for_permit(timer, granted.at, pacer.get(), input.operation_index, diag);
                }
                break;
            }
            case call_step::send: {
                // The pool bounds each of its steps by the attempt's limit
                // (one deadline entry, not a timer raced against the send).
                http::deadline limit;
                if (action.limit) limit.at = steady_clock::now() + *action.limit;
                auto [ec] = co_await pool->send(fsm.request(), res, limit);
                if (ec && limit.at && ec == condition::timeout && steady_clock::now() >= *limit.at) ec = error::timeout;
                event.error = ec;
                event.client_closed = event.error && core.closed;
                break;
            }
            case call_step::parse: {
                error_info parse_error;
                if (!input.parse(res.body, input.response, parse_error)) {
                    parse_message = escape_control_characters(parse_error.message());
                    event.parse_error = parse_message;
                }
                break;
            }
            case call_step::done:
                co_return finish(action.result);
        }
    }
}

}  // namespace

template <class Request>
asio::awaitable<std::tuple<error_code, typename operation_traits<Request>::response>> checked_call(
    std::shared_ptr<client_core> core, Request request, diagnostics* caller_diag) {
    using traits = operation_traits<Request>;
    using response_type = typename traits::response;
    // Cancellation arrives as operation_aborted results, also from the pool.
    co_await asio::this_coro::throw_if_cancelled(false);
    // On the heap, and only when the caller brings none: in the frame, its
    // 672 bytes would push the frame past what malloc's per-thread cache
    // serves (1,032 bytes), a slower allocation on every call.
    const auto own_diag = caller_diag ? nullptr : std::make_unique<diagnostics>();
    diagnostics& diag = caller_diag ? *caller_diag : *own_diag;
    diag.clear();
    response_type response{};
    constexpr std::size_t operation = operation_index(traits::name);
    static_assert(operation < operation_count);
    const call_input input{
        .call = {.operation = traits::name,
                 .method = boost::beast::http::to_string(traits::method),
                 .success_status = traits::success_status},
        .operation_index = operation,
        .request = &request,
        .response = &response,
        .validate = [](const void* r) { return validate(*static_cast<const Request*>(r)); },
        .serialize =
            [](const void* r, std::string& target, std::string& body) {
                write_request_target(*static_cast<const Request*>(r), target);
                write_json_body(*static_cast<const Request*>(r), body);
            },
        .parse = [](std::string_view body, void* out,
                    error_info& error) { return parse_json(body, *static_cast<response_type*>(out), error); },
    };
    const error_code ec = co_await execute(*core, input, diag);
    co_return std::tuple{ec, std::move(response)};
}

template <class Request>
asio::awaitable<typename operation_traits<Request>::response> throwing_call(std::shared_ptr<client_core> core,
                                                                            Request request, diagnostics* caller_diag) {
    // On the heap when the caller brings none, as in checked_call.
    const auto own_diag = caller_diag ? nullptr : std::make_unique<diagnostics>();
    diagnostics& diag = caller_diag ? *caller_diag : *own_diag;
    auto [ec, response] = co_await checked_call(std::move(core), std::move(request), &diag);
    if (!ec) co_return std::move(response);
    if (caller_diag) throw error_with_diagnostics(ec, diag);
    throw error_with_diagnostics(ec, std::move(*own_diag));
}

asio::awaitable<error_code> warm_up(std::shared_ptr<client_core> core, std::size_t n) {
    auto pool = core->pool.load();
    if (!pool) co_return asio::error::operation_aborted;
    auto [ec] = co_await pool->async_warm_up(n, use_tuple);
    co_return ec;
}

#define IVSCHAT_INSTANTIATE_CALL(request_type)                                                                    \
    template asio::awaitable<std::tuple<error_code, operation_traits<request_type>::response>> checked_call<       \
        request_type>(std::shared_ptr<client_core>, request_type, diagnostics*);                                  \
    template asio::awaitable<operation_traits<request_type>::response> throwing_call<request_type>(               \
        std::shared_ptr<client_core>, request_type, diagnostics*);
IVSCHAT_FOR_EACH_OPERATION_REQUEST(IVSCHAT_INSTANTIATE_CALL)
#undef IVSCHAT_INSTANTIATE_CALL

}  // namespace detail

client::client(executor_type executor, client_options options)
    : core_(std::make_shared<detail::client_core>(executor, std::move(options))) {}
client::~client() { close(); }
client::client(client&&) noexcept = default;
client& client::operator=(client&& other) noexcept {
    if (this != &other) {
        close();
        core_ = std::move(other.core_);
    }
    return *this;
}

const resolved_config& client::config() const noexcept { return core_->config; }

pool_counters client::counters() const noexcept {
    auto pool = core_->pool.load();
    return pool ? pool->counters() : pool_counters{};
}

void client::close() {
    if (!core_) return;  // moved from
    auto pool = core_->pool.exchange(nullptr);
    asio::dispatch(core_->strand, [core = core_, pool = std::move(pool)] {
        core->closed = true;
        for (auto& backoff : core->backoff_timers) backoff.timer.cancel();
        if (core->fleet) core->fleet->close();
        if (pool) pool->close();
    });
}

const client::executor_type& client::get_executor() const noexcept { return core_->strand; }

}  // namespace ivschat
