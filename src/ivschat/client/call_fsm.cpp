#include "ivschat/client/call_fsm.hpp"

#include "ivschat/serde/service_error.hpp"

#include <boost/asio/error.hpp>

namespace ivschat::detail {

using boost::system::error_code;
using std::chrono::steady_clock;
using std::chrono::system_clock;

call_fsm::call_fsm(const call_settings& settings, const call_description& call, diagnostics& diag,
                   attempt_buffers& buffers, steady_clock::time_point started)
    : settings_(settings), call_(call), diag_(diag), buffers_(buffers), response_(buffers.response) {
    if (settings.call_timeout) deadline_ = started + *settings.call_timeout;
}

call_action call_fsm::resume(const call_event& event, steady_clock::time_point now, system_clock::time_point wall_now) {
    switch (state_) {
        case state::start:
            return next_attempt(now);
        case state::limiter_wait:
        case state::retry_wait:
            diag_.backoff_time += pending_delay_;
            if (event.error) return finish(event.error);
            // A cancellation that came as the timer expired.
            if (event.cancelled) return finish(boost::asio::error::operation_aborted);
            return next_attempt(now);
        case state::credentials:
            if (event.error) return finish(event.error);
            credentials_ = event.credentials;
            if (settings_.paced) {
                state_ = state::pacing;
                call_action pace{.step = call_step::pace};
                if (deadline_) pace.max_wait = *deadline_ - now;
                return pace;
            }
            return sign_and_send(now, wall_now);
        case state::pacing:
            if (event.error) return finish(event.error);
            return sign_and_send(now, wall_now);
        case state::sending:
            return on_response(event, now, wall_now);
        case state::parsing:
            if (!event.parse_error.empty()) {
                diag_.client_message = "the response does not match the operation's output: ";
                diag_.client_message.append(event.parse_error);
                diag_.attempts.back().error = error::malformed_response;
                return finish(error::malformed_response);
            }
            settings_.retry.on_attempt_result(retry_state_, attempt_outcome::success(response_.status));
            {
                auto done = finish({});
                done.feedback = pacing_feedback::success;
                return done;
            }
        case state::finished:
            break;
    }
    return finish(boost::asio::error::operation_aborted);
}

call_action call_fsm::next_attempt(steady_clock::time_point now) {
    const auto delay = settings_.retry.before_attempt(retry_state_);
    if (delay > delay.zero()) return wait(delay, state::limiter_wait, now);
    state_ = state::credentials;
    return {.step = call_step::get_credentials};
}

call_action call_fsm::wait(std::chrono::nanoseconds delay, state then, steady_clock::time_point now) {
    if (deadline_ && now + delay >= *deadline_) return finish(error::timeout);
    state_ = then;
    pending_delay_ = delay;
    return {.step = call_step::wait, .delay = delay};
}

call_action call_fsm::sign_and_send(steady_clock::time_point now, system_clock::time_point wall_now) {
    std::optional<steady_clock::duration> limit;
    if (settings_.attempt_timeout) limit = *settings_.attempt_timeout;
    if (deadline_) {
        const auto remaining = *deadline_ - now;
        if (remaining <= remaining.zero()) return finish(error::timeout);
        if (!limit || remaining < *limit) limit = remaining;
    }

    const std::string_view target = call_.target;
    const auto query_start = target.find('?');
    const bool has_content = !call_.body.empty();
    const sigv4::header signed_headers[] = {{"host", settings_.host}, {"content-type", "application/json"}};
    auto added = settings_.signer.sign({.method = call_.method,
                                        .path = target.substr(0, query_start),
                                        .query = query_start == std::string_view::npos ? "" : target.substr(query_start + 1),
                                        .headers = std::span(signed_headers, has_content ? 2 : 1),
                                        .payload = call_.body},
                                       *credentials_, settings_.skew.corrected(wall_now));
    buffers_.amz_date.assign(added.x_amz_date);
    buffers_.authorization.assign(added.authorization);
    std::size_t count = 0;
    headers_[count++] = {"Host", settings_.host};
    if (has_content) headers_[count++] = {"Content-Type", "application/json"};
    headers_[count++] = {"X-Amz-Date", buffers_.amz_date};
    // The token view points into credentials_, which this call holds.
    if (!added.x_amz_security_token.empty()) headers_[count++] = {"X-Amz-Security-Token", added.x_amz_security_token};
    headers_[count++] = {"Authorization", buffers_.authorization};
    headers_[count++] = {"User-Agent", settings_.user_agent};
    wire_ = {.method = call_.method, .target = target, .headers = std::span(headers_.data(), count), .body = call_.body};

    response_.connection_wait = {};
    attempt_started_ = now;
    state_ = state::sending;
    return {.step = call_step::send, .limit = limit};
}

call_action call_fsm::on_response(const call_event& event, steady_clock::time_point now,
                                  system_clock::time_point wall_now) {
    const error_code ec = event.error;
    attempt_record record{.latency = now - attempt_started_ - response_.connection_wait,
                          .connection_wait = response_.connection_wait,
                          .error = ec};
    diag_.connection_wait_time += response_.connection_wait;
    if (ec && event.client_closed) {
        diag_.attempts.push_back(record);
        diag_.client_message = "the client was closed";
        return finish(boost::asio::error::operation_aborted);
    }

    attempt_outcome outcome;
    service_error_info service_error;
    pacing_feedback feedback = pacing_feedback::none;
    if (!ec) {
        const http::response& res = response_;
        record.http_status = diag_.http_status = res.status;
        diag_.request_id = res.request_id;
        diag_.amz_cf_id = res.cf_id;
        diag_.amz_id_2 = res.amz_id_2;
        if (res.status >= 200 && res.status < 300) {
            if (res.status != call_.success_status) {
                // Any other 2xx is not what the operation answers: its body
                // cannot be trusted to be the output.
                diag_.client_message = "HTTP " + std::to_string(res.status) + " where " + std::string(call_.operation) +
                                       " answers " + std::to_string(call_.success_status);
                record.error = error::malformed_response;
                diag_.attempts.push_back(record);
                return finish(error::malformed_response);
            }
            diag_.attempts.push_back(record);
            state_ = state::parsing;
            return {.step = call_step::parse};
        }
        service_error = parse_service_error(res.status, res.error_type, res.request_id, res.body, res.reason);
        service_error.amz_cf_id = res.cf_id;
        service_error.amz_id_2 = res.amz_id_2;
        record.error = service_error.code;
        outcome = attempt_outcome::service_failure(res.status, service_error.error_type);
        outcome.retry_after = parse_retry_after(res.retry_after);
        if (service_error.code == error::throttling) feedback = pacing_feedback::throttled;
        outcome.clock_skew_corrected = settings_.skew.on_service_error(service_error.error_type, res.date, wall_now);
    } else {
        outcome = attempt_outcome::transport_failure(ec);
    }
    diag_.attempts.push_back(record);

    const auto decision = settings_.retry.on_attempt_result(retry_state_, outcome);
    call_action next;
    if (!decision.retry) {
        if (outcome.result == attempt_result::service_error) {
            const error_code service_ec = service_error.code;
            diag_.error = std::move(service_error);
            next = finish(service_ec);
        } else {
            // The caller knows the operation: the message says only what failed.
            diag_.client_message = ec.message();
            next = finish(ec);
        }
    } else {
        next = wait(decision.delay, state::retry_wait, now);
    }
    next.feedback = feedback;
    return next;
}

call_action call_fsm::finish(error_code ec) {
    // Every failure that is not the service's has a sentence.
    if (ec && !is_service_error(ec) && diag_.client_message.empty()) diag_.client_message = ec.message();
    state_ = state::finished;
    return {.step = call_step::done, .result = ec};
}

}  // namespace ivschat::detail
