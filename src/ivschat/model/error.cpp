#include "ivschat/error.hpp"

#include <ivschat/chat_frames.hpp>
#include <ivschat/retry.hpp>
#include <ivschat/transport.hpp>

#include <boost/asio/error.hpp>

namespace ivschat {

namespace {

class ivschat_error_category final : public boost::system::error_category {
public:
    // A fixed id, so that copies of the category in different shared objects compare equal.
    ivschat_error_category() noexcept : boost::system::error_category(0x6976'7363'6861'7401ULL) {}

    const char* name() const noexcept override { return "ivschat"; }

    std::string message(int value) const override {
        switch (static_cast<error>(value)) {
            case error::validation_exception: return "the service rejected the request as invalid (ValidationException)";
            case error::access_denied: return "access denied (AccessDeniedException)";
            case error::resource_not_found: return "resource not found (ResourceNotFoundException)";
            case error::conflict: return "conflict with the resource's state (ConflictException)";
            case error::service_quota_exceeded: return "service quota exceeded (ServiceQuotaExceededException)";
            case error::throttling: return "request throttled (ThrottlingException)";
            case error::pending_verification: return "account pending verification (PendingVerification)";
            case error::internal_server: return "internal server error (InternalServerException)";
            case error::unknown_service_error: return "the service returned an error this library does not model";
            case error::request_validation_failed: return "the request does not satisfy the model's constraints";
            case error::malformed_response: return "malformed response";
            case error::timeout: return "timed out";
            case error::quota_wait: return "the operation's quota leaves no permit before the call's deadline";
        }
        return "unknown ivschat error";
    }
};

template <class Enum>
bool is_one_of(const boost::system::error_code& ec, std::initializer_list<Enum> values) noexcept {
    for (auto v : values)
        if (ec == v) return true;
    return false;
}

bool is_ours(const boost::system::error_code& ec, std::initializer_list<error> values) noexcept {
    return is_one_of(ec, values);
}

bool is_chat(const boost::system::error_code& ec, std::initializer_list<chat_errc> values) noexcept {
    return is_one_of(ec, values);
}

// The transport failures a later attempt may not have: the retry
// classification's retried kinds.
bool is_transient_transport(const boost::system::error_code& ec) noexcept {
    switch (classify_transport_error(ec)) {
        case transport_error_kind::connect_failed:
        case transport_error_kind::connection_reset:
        case transport_error_kind::timeout:
        case transport_error_kind::truncated_response:
        case transport_error_kind::tls_failure:
            return true;
        default:
            return false;
    }
}

class condition_category_impl final : public boost::system::error_category {
public:
    condition_category_impl() noexcept : boost::system::error_category(0x6976'7363'6861'7402ULL) {}

    const char* name() const noexcept override { return "ivschat.condition"; }

    std::string message(int value) const override {
        switch (static_cast<condition>(value)) {
            case condition::timeout: return "timed out";
            case condition::throttled: return "throttled";
            case condition::not_found: return "not found";
            case condition::validation: return "invalid request";
            case condition::transient: return "transient failure";
            case condition::quota_wait: return "no quota permit before the deadline";
        }
        return "unknown ivschat condition";
    }

    bool equivalent(const boost::system::error_code& ec, int value) const noexcept override {
        if (!ec) return false;
        switch (static_cast<condition>(value)) {
            case condition::timeout:
                return is_ours(ec, {error::timeout}) || is_chat(ec, {chat_errc::request_timeout}) ||
                       (ec.category() != ivschat::error_category() && ec.category() != chat_category() &&
                        classify_transport_error(ec) == transport_error_kind::timeout);
            case condition::throttled:
                return is_ours(ec, {error::throttling}) || is_chat(ec, {chat_errc::rate_exceeded});
            case condition::not_found:
                return is_ours(ec, {error::resource_not_found}) || is_chat(ec, {chat_errc::not_found});
            case condition::validation:
                return is_ours(ec, {error::validation_exception, error::request_validation_failed}) ||
                       is_chat(ec, {chat_errc::bad_request, chat_errc::invalid_request});
            case condition::transient:
                if (ec.category() == ivschat::error_category())
                    return is_ours(ec, {error::throttling, error::internal_server, error::timeout});
                if (ec.category() == chat_category())
                    return is_chat(ec, {chat_errc::rate_exceeded, chat_errc::server_error, chat_errc::connection_lost,
                                        chat_errc::request_timeout});
                return is_transient_transport(ec);
            case condition::quota_wait:
                return is_ours(ec, {error::quota_wait});
        }
        return false;
    }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
    static const ivschat_error_category category;
    return category;
}

const boost::system::error_category& condition_category() noexcept {
    static const condition_category_impl category;
    return category;
}

bool is_service_error(const boost::system::error_code& ec) noexcept {
    return ec.category() == error_category() && is_service_error(static_cast<error>(ec.value()));
}

}  // namespace ivschat
