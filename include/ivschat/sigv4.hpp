#pragma once

#include <ivschat/export.hpp>
#include <ivschat/credentials.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

/// AWS Signature Version 4 for non-S3 services, header signing.
///
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
namespace ivschat::sigv4 {

/// One HTTP header to sign. Names may use any case; values are trimmed and
/// their inner runs of whitespace collapsed, as the canonical form requires.
struct IVSCHAT_API header {
    /// The header name.
    std::string_view name;
    /// The header value.
    std::string_view value;
};

/// An HTTP request as it goes on the wire.
struct IVSCHAT_API request {
    /// The HTTP method, e.g. "POST".
    std::string_view method{};
    /// The path exactly as on the request line, already percent-encoded where
    /// the protocol encodes it (e.g. "/tags/arn%3Aaws%3Aivschat%3A..."). The
    /// canonical URI encodes it once more, as SigV4 does for non-S3 services.
    std::string_view path{};
    /// The query string without the leading '?', as on the request line.
    std::string_view query{};
    /// The headers to sign; must include `host`. The signer adds x-amz-date,
    /// x-amz-security-token and x-amz-content-sha256 itself.
    std::span<const header> headers{};
    /// The body, hashed into the signature.
    std::string_view payload{};
};

/// What a signer is for and how it canonicalizes.
struct IVSCHAT_API signer_options {
    /// The region signed for, e.g. "us-west-2".
    std::string region{};
    /// The signing name of the service, e.g. "ivschat".
    std::string service{};
    /// Remove "." and ".." segments and collapse repeated '/' before encoding.
    bool normalize_path = true;
    /// Add (and sign) x-amz-content-sha256 with the payload hash.
    bool sign_payload_header = false;
    /// Leave the session token out of the signature (sent unsigned), as some
    /// STS flows do. Off for ivschat.
    bool omit_session_token = false;
    /// Where "now" comes from when sign() is not given a time.
    std::function<std::chrono::system_clock::time_point()> clock = [] {
        return std::chrono::system_clock::now();
    };
};

/// The headers a signature adds to the request, in the order to send them.
/// The views point into the signer's buffers and stay valid until the next
/// call to sign() on the same signer.
struct IVSCHAT_API signed_headers {
    /// The X-Amz-Date header value (ISO 8601 basic format, UTC).
    std::string_view x_amz_date;
    /// Empty without a session token.
    std::string_view x_amz_security_token;
    /// Empty unless signer_options::sign_payload_header.
    std::string_view x_amz_content_sha256;
    /// The Authorization header value.
    std::string_view authorization;
};

/// Signs requests for one region and service.
///
/// The derived signing key (and the HMAC state keyed with it) is computed once
/// per secret key and UTC day, then reused; each signature costs the payload
/// hash, the canonical request hash and one HMAC, built in buffers that the
/// signer keeps between calls.
///
/// Thread safety: a signer is not safe for concurrent use; give each strand or
/// thread its own. Signing allocates nothing once its buffers have grown to
/// the size of the requests it signs.
class IVSCHAT_API signer {
public:
    /// A signer for one region and service.
    explicit signer(signer_options options);
    /// Releases the buffers and the key cache.
    ~signer();
    /// Moves the buffers and the key cache.
    signer(signer&&) noexcept;
    /// Moves the buffers and the key cache.
    signer& operator=(signer&&) noexcept;

    /// Signs at the time given by the options' clock.
    signed_headers sign(const request& req, const credentials& creds);

    /// Signs at `now` (truncated to the second).
    signed_headers sign(const request& req, const credentials& creds,
                        std::chrono::system_clock::time_point now);

    /// The canonical request, string to sign and signature of the last call
    /// to sign(), for tests and for debugging a rejected signature.
    std::string_view canonical_request() const noexcept;
    /// The string to sign of the last call to sign().
    std::string_view string_to_sign() const noexcept;
    /// The hex signature of the last call to sign().
    std::string_view signature() const noexcept;

    /// How many times a signing key was derived (a cache miss), for tests and
    /// for observing the cache.
    std::size_t signing_keys_derived() const noexcept;

    /// The options given at construction.
    const signer_options& options() const noexcept;

private:
    struct state;
    std::unique_ptr<state> state_;
};

}  // namespace ivschat::sigv4
