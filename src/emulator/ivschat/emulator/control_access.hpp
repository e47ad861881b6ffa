#pragma once

#include <ivschat/emulator/request_authenticator.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ivschat::emulator {

/// Where the emulator listens, as a Host header names it.
struct control_address {
    /// The bound address as text ("127.0.0.1", "::1", "0.0.0.0").
    std::string host{};
    std::uint16_t port = 0;
};

/// Why a control API request is refused.
struct control_refusal {
    unsigned status = 403;
    std::string_view error_type{};
    std::string message{};
};

/// The checks that keep a web page from driving the unsigned control API
/// (/_emulator/...): a browser on the same machine can reach 127.0.0.1, and a
/// page may send simple cross-origin requests or rebind a name of its own to
/// 127.0.0.1. Refused, in this order:
/// - a request with an Origin header (browsers send it on cross-origin and
///   POST requests; SDKs, curl and test clients do not): 403;
/// - a Host that is not the emulator's address: "localhost", "127.0.0.1",
///   "[::1]" or the bound address, with the emulator's port or none: 403;
/// - a method other than GET without Content-Type: application/json (a page
///   cannot send that without a CORS preflight, which the emulator never
///   answers): 415.
std::optional<control_refusal> refuse_control_request(const received_request& request,
                                                      const control_address& address);

}  // namespace ivschat::emulator
