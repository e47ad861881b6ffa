#include "ivschat/error.hpp"

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
            case error::body_too_large: return "response body exceeds the size limit";
            case error::timeout: return "timed out";
            case error::connection_failed: return "connection failed";
            case error::quota_wait: return "the operation's quota leaves no permit before the call's deadline";
        }
        return "unknown ivschat error";
    }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
    static const ivschat_error_category category;
    return category;
}

}  // namespace ivschat
