#pragma once

#include <ivschat/emulator/request_authenticator.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ivschat::emulator {

class service;

/// The status and error type of an operation's answer; its body goes to the
/// caller's buffer.
struct api_response {
    unsigned status = 200;
    /// x-amzn-ErrorType, empty on success.
    std::string_view error_type{};
};

/// The wire side of the 17 operations: routes a request line to an
/// operation, decodes its path, query and JSON body into the model's request
/// struct, validates it against the model's constraints, calls the service and
/// writes the response (or the error) as rest-json.
///
/// Not safe for concurrent use.
class service_api {
public:
    explicit service_api(service& svc);

    /// Where a request line leads: an operation, a known path with another
    /// method, or nowhere.
    struct route_result {
        std::optional<std::size_t> operation{};
        bool path_known = false;
    };
    route_result route(std::string_view method, std::string_view path) const;

    std::size_t operation_count() const noexcept;
    std::string_view operation_name(std::size_t operation) const noexcept;

    /// Runs `operation` on an authenticated request; writes the response body
    /// (possibly empty) to `body`.
    api_response invoke(std::size_t operation, const received_request& request,
                        std::chrono::system_clock::time_point now, std::string& body);

    /// Forgets every room and logging configuration.
    void reset();

private:
    service& service_;
};

}  // namespace ivschat::emulator
