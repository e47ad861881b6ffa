#pragma once

#include <ivschat/export.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

namespace ivschat {

/// AWS credentials: an access key pair and, for temporary credentials, a
/// session token and an expiration time.
///
/// Streaming a `credentials` prints the access key id only; the secret and
/// the session token never reach a log.
struct IVSCHAT_API credentials {
    /// The access key id (AKIA... or ASIA...).
    std::string access_key_id;
    /// The secret access key.
    std::string secret_access_key;
    /// Empty for long-term credentials.
    std::string session_token;
    /// Unset for credentials that do not expire.
    std::optional<std::chrono::system_clock::time_point> expiration;

    /// True when the key id or the secret is missing.
    bool empty() const noexcept { return access_key_id.empty() || secret_access_key.empty(); }

    /// Prints the access key id; the secret and the session token as "<redacted>".
    friend std::ostream& operator<<(std::ostream& os, const credentials& c) {
        return os << "credentials{access_key_id=" << c.access_key_id << ", secret_access_key=<redacted>"
                  << (c.session_token.empty() ? "" : ", session_token=<redacted>") << '}';
    }
};

}  // namespace ivschat
