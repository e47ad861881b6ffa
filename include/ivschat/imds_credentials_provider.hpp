#pragma once

#include <ivschat/export.hpp>
#include <ivschat/config.hpp>
#include <ivschat/credentials_options.hpp>
#include <ivschat/refreshing_credentials_provider.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace ivschat {

/// The EC2 instance role's credentials from the instance metadata service,
/// IMDSv2 only:
///   1. PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds
///      (the token is kept until shortly before its TTL runs out);
///   2. GET /latest/meta-data/iam/security-credentials/ with
///      X-aws-ec2-metadata-token: the role name;
///   3. `GET /latest/meta-data/iam/security-credentials/<role>`: JSON with
///      Code "Success", AccessKeyId, SecretAccessKey, Token, Expiration.
/// A 401 on step 2 or 3 (token expired) gets a new token once.
///
/// Variables, read at construction: AWS_EC2_METADATA_DISABLED=true makes it
/// `not_found`; AWS_EC2_METADATA_SERVICE_ENDPOINT replaces the endpoint, else
/// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6 selects http://[fd00:ec2::254],
/// else http://169.254.169.254.
///
/// No metadata service answering the token request (connection refused or
/// timed out, as off EC2) is `not_found`, so a chain ends in its summary;
/// any other failure is `unavailable`. IMDSv1 (no token) is not used.
class IVSCHAT_API imds_credentials_provider final : public refreshing_credentials_provider {
public:
    /// Reads AWS_EC2_METADATA_* settings from `env` now; fetches at the first call.
    explicit imds_credentials_provider(const environment& env, imds_credentials_options options = {});

    std::string name() const override;

private:
    boost::asio::awaitable<credentials> fetch(boost::asio::any_io_executor executor) override;
    boost::asio::awaitable<void> refresh_token(boost::asio::any_io_executor executor);

    imds_credentials_options options_;
    std::optional<endpoint_url> endpoint_;
    std::optional<credentials_error> config_error_;
    // Used by fetch() only, which never runs concurrently with itself.
    std::string token_;
    std::chrono::steady_clock::time_point token_expiry_{};
};

}  // namespace ivschat
