#include <ivschat/emulator/control_access.hpp>

#include <ivschat/emulator/request_fields.hpp>

#include <array>

namespace ivschat::emulator {
namespace {

bool is_emulator_host(std::string_view host_header, const control_address& address) {
    std::string_view name = host_header;
    // "[::1]:8080", "127.0.0.1:8080", "localhost": the port follows the last
    // ':' after any bracketed IPv6 literal.
    const auto bracket = name.rfind(']');
    const auto colon = name.rfind(':');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        if (name.substr(colon + 1) != std::to_string(address.port)) return false;
        name = name.substr(0, colon);
    }
    const std::string bound =
        address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
    const std::array<std::string_view, 4> allowed{"localhost", "127.0.0.1", "[::1]", bound};
    for (std::string_view a : allowed)
        if (!a.empty() && equals_ignoring_case(name, a)) return true;
    return false;
}

}  // namespace

std::optional<control_refusal> refuse_control_request(const received_request& request,
                                                      const control_address& address) {
    if (find_header(request, "origin")) {
        return control_refusal{403, "AccessDeniedException",
                               "The control API does not answer requests that carry an Origin header "
                               "(web pages may not drive the emulator)."};
    }
    const auto host = find_header(request, "host");
    if (!host || !is_emulator_host(*host, address)) {
        return control_refusal{403, "AccessDeniedException",
                               "The control API answers only requests addressed to the emulator "
                               "(Host localhost, 127.0.0.1 or [::1] with port " +
                                   std::to_string(address.port) + ")."};
    }
    const auto type = find_header(request, "content-type");
    if (request.method != "GET" && (!type || !is_json_content_type(*type))) {
        return control_refusal{415, "UnsupportedMediaTypeException",
                               "The control API needs Content-Type: application/json on " +
                                   std::string(request.method) + " requests."};
    }
    return std::nullopt;
}

}  // namespace ivschat::emulator
