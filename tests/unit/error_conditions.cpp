// ivschat::condition groups codes across enums; error_with_diagnostics is
// the one exception type and carries the code and the diagnostics.
#include <ivschat/chat_frames.hpp>
#include <ivschat/diagnostics.hpp>
#include <ivschat/transport.hpp>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string_view>

namespace {

using boost::system::error_code;
using ivschat::chat_errc;
using ivschat::condition;
using ivschat::error;
using ivschat::transport_errc;
namespace asio_error = boost::asio::error;

}  // namespace

TEST_CASE("timeout: every deadline of every layer", "[error][condition]") {
    for (error_code ec : {error_code(error::timeout), error_code(transport_errc::exchange_timeout),
                          error_code(transport_errc::acquire_timeout), error_code(transport_errc::connect_timeout),
                          error_code(transport_errc::tls_handshake_timeout), error_code(asio_error::timed_out),
                          error_code(chat_errc::request_timeout)}) {
        CAPTURE(ec.message());
        CHECK(ec == condition::timeout);
        CHECK(ec == condition::transient);
        CHECK(ec != condition::throttled);
    }
    CHECK(error_code(error::throttling) != condition::timeout);
    CHECK(error_code(transport_errc::too_many_waiters) != condition::timeout);
    CHECK(error_code() != condition::timeout);
}

TEST_CASE("throttled, not_found, validation and quota_wait", "[error][condition]") {
    CHECK(error_code(error::throttling) == condition::throttled);
    CHECK(error_code(chat_errc::rate_exceeded) == condition::throttled);
    CHECK(error_code(error::service_quota_exceeded) != condition::throttled);

    CHECK(error_code(error::resource_not_found) == condition::not_found);
    CHECK(error_code(chat_errc::not_found) == condition::not_found);
    CHECK(error_code(asio_error::host_not_found) != condition::not_found);

    // The client's check and the service's are one condition and two codes.
    CHECK(error_code(error::request_validation_failed) == condition::validation);
    CHECK(error_code(error::validation_exception) == condition::validation);
    CHECK(error_code(error::request_validation_failed) != error::validation_exception);
    CHECK(error_code(chat_errc::bad_request) == condition::validation);
    CHECK(error_code(error::conflict) != condition::validation);

    CHECK(error_code(error::quota_wait) == condition::quota_wait);
    CHECK(error_code(error::quota_wait) != condition::timeout);
    CHECK(error_code(error::quota_wait) != condition::transient);
}

TEST_CASE("transient: what a later attempt may not meet", "[error][condition]") {
    for (error_code ec : {error_code(error::internal_server), error_code(error::throttling),
                          error_code(transport_errc::truncated_response), error_code(transport_errc::closed_before_response),
                          error_code(asio_error::connection_reset), error_code(asio_error::connection_refused),
                          error_code(chat_errc::connection_lost), error_code(chat_errc::server_error)}) {
        CAPTURE(ec.message());
        CHECK(ec == condition::transient);
    }
    for (error_code ec : {error_code(error::access_denied), error_code(error::resource_not_found),
                          error_code(error::request_validation_failed), error_code(error::malformed_response),
                          error_code(asio_error::operation_aborted), error_code(asio_error::host_not_found),
                          error_code(transport_errc::response_too_large), error_code(chat_errc::forbidden)}) {
        CAPTURE(ec.message());
        CHECK(ec != condition::transient);
    }
}

TEST_CASE("the condition category names its conditions", "[error][condition]") {
    const auto c = ivschat::make_error_condition(condition::throttled);
    CHECK(c.category().name() == std::string_view("ivschat.condition"));
    CHECK(c.message() == "throttled");
}

TEST_CASE("error_with_diagnostics carries the code and the diagnostics", "[error]") {
    ivschat::diagnostics diag;
    diag.request_id = "req-9";
    diag.error.code = error::resource_not_found;
    diag.error.message = "room not found";
    diag.error.resource_type = "ROOM";
    try {
        throw ivschat::error_with_diagnostics(error::resource_not_found, diag);
    } catch (const boost::system::system_error& e) {
        CHECK(std::string_view(e.what()).starts_with("room not found"));
        CHECK(e.code() == error::resource_not_found);
        const auto& ours = dynamic_cast<const ivschat::error_with_diagnostics&>(e);
        CHECK(ours.diagnostics().request_id == "req-9");
        CHECK(ours.diagnostics().error.resource_type == "ROOM");
    }

    ivschat::diagnostics client_side;
    client_side.client_message = "1 validation error detected: Value at 'userId' failed to satisfy constraint";
    try {
        throw ivschat::error_with_diagnostics(error::request_validation_failed, client_side);
    } catch (const std::exception& e) {
        CHECK(std::string_view(e.what()).starts_with(client_side.client_message));
    }

    // With no sentence, what() is the code's message.
    const ivschat::error_with_diagnostics aborted(asio_error::operation_aborted, {});
    CHECK(std::string_view(aborted.what()).starts_with(error_code(asio_error::operation_aborted).message()));
}
