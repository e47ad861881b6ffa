#pragma once

#include <ivschat/export.hpp>

#include <optional>
#include <string_view>

// The retry mode alone, for the options that name it (config.hpp,
// client.hpp) without the retry machinery of retry.hpp.
namespace ivschat {

/// The retry modes of the AWS SDKs (AWS_RETRY_MODE, profile `retry_mode`).
enum class retry_mode {
    standard,  ///< the AWS "standard" mode (default)
    adaptive,  ///< standard plus a client-side rate limiter that slows sending after throttling
    off,       ///< one attempt, no retries
};

/// Parses an AWS_RETRY_MODE / profile retry_mode value, ignoring case:
/// "standard", "adaptive", or "legacy". "legacy" names each SDK's own older
/// behaviour, which this library does not have; it maps to standard.
/// Returns nullopt for any other value.
IVSCHAT_API std::optional<retry_mode> parse_retry_mode(std::string_view value) noexcept;

/// The retry mode's name: "standard", "adaptive" or "off".
IVSCHAT_API std::string_view to_string(retry_mode mode) noexcept;

}  // namespace ivschat
