#pragma once

#include <ivschat/credentials.hpp>
#include <ivschat/sigv4.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ivschat::emulator {

/// Why a request was refused, in the terms AWS uses: the HTTP status, the
/// x-amzn-ErrorType (e.g. "InvalidSignatureException") and the message.
struct auth_failure {
    unsigned status = 403;
    std::string_view type{};
    std::string message{};
};

/// A received request: the request line split into method, path and query
/// (exactly as received; `target` is both, as on the request line), every
/// header as received, and the body.
struct received_request {
    std::string_view method{};
    std::string_view target{};
    std::string_view path{};
    std::string_view query{};
    std::span<const sigv4::header> headers{};
    std::string_view payload{};
};

/// Settings of a request_authenticator.
struct authenticator_options {
    std::string region = "us-west-2";
    std::string service = "ivschat";
    /// The accepted keys. A key with a session token accepts only requests
    /// that carry (and sign) that token; a key without one refuses tokens.
    std::vector<credentials> keys{};
    /// How far x-amz-date may be from the server's clock, either way
    /// (AWS allows 15 minutes).
    std::chrono::seconds allowed_skew = std::chrono::minutes(15);
};

/// Verifies SigV4 header signatures: parses the Authorization header,
/// rebuilds the canonical request from the received request over exactly the
/// signed headers with ivschat::sigv4::signer, compares the signatures in
/// constant time and checks x-amz-date against the allowed skew. Failures come
/// back as AWS names them (MissingAuthenticationTokenException,
/// IncompleteSignatureException, InvalidSignatureException,
/// UnrecognizedClientException).
///
/// Sans-io; not safe for concurrent use (it keeps the signer's buffers).
class request_authenticator {
public:
    explicit request_authenticator(authenticator_options options);

    /// nullopt when the request is signed by a known key within the skew;
    /// otherwise the failure to answer with.
    std::optional<auth_failure> verify(const received_request& request,
                                       std::chrono::system_clock::time_point now);

private:
    authenticator_options options_;
    sigv4::signer signer_;
    std::vector<sigv4::header> signed_;
    credentials scratch_;
};

}  // namespace ivschat::emulator
