#include <ivschat/transport.hpp>

namespace ivschat {
namespace {

class transport_error_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ivschat.transport"; }

    std::string message(int value) const override {
        switch (static_cast<transport_errc>(value)) {
        case transport_errc::acquire_timeout:
            return "no connection became available within the acquire timeout";
        case transport_errc::too_many_waiters:
            return "too many callers are waiting for a connection";
        case transport_errc::pool_closed:
            return "the connection pool was closed";
        case transport_errc::connect_timeout:
            return "connecting to the endpoint timed out";
        case transport_errc::tls_handshake_timeout:
            return "the TLS handshake timed out";
        case transport_errc::exchange_timeout:
            return "the HTTP exchange timed out";
        case transport_errc::closed_before_response:
            return "the server closed the connection before responding";
        case transport_errc::truncated_response:
            return "the server closed the connection in the middle of a response";
        case transport_errc::malformed_response:
            return "the response is not valid HTTP/1.1";
        case transport_errc::response_too_large:
            return "the response exceeds the configured size limit";
        case transport_errc::invalid_request:
            return "the request has a method, target or header that cannot be sent";
        }
        return "unknown transport error";
    }
};

}  // namespace

const boost::system::error_category& transport_category() noexcept {
    static const transport_error_category category;
    return category;
}

}  // namespace ivschat
