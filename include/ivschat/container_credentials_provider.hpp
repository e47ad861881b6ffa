#pragma once

#include <ivschat/export.hpp>
#include <ivschat/config.hpp>
#include <ivschat/credentials_options.hpp>
#include <ivschat/refreshing_credentials_provider.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace ivschat {

/// Credentials from the container credentials endpoint (ECS task roles, EKS
/// Pod Identity), configured by variables read at construction:
///
/// - AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `GET http://169.254.170.2<uri>`;
/// - else AWS_CONTAINER_CREDENTIALS_FULL_URI: any https URL, or an http URL
///   whose host is a loopback address, 169.254.170.2, 169.254.170.23 or
///   fd00:ec2::23 (as aws-sdk-go's defaults.isAllowedHost; a host name is
///   refused rather than resolved);
/// - the Authorization header: the content of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE,
///   read again at each fetch as the token rotates, else
///   AWS_CONTAINER_AUTHORIZATION_TOKEN (the file wins, as in aws-sdk-go's
///   defaults.httpCredProvider).
///
/// The answer is JSON with AccessKeyId, SecretAccessKey, Token, Expiration.
/// Neither variable set: `not_found`. A URL that is malformed or not allowed:
/// `invalid`. Endpoint failures, non-200 answers and malformed answers:
/// `unavailable`, the message naming the URL and the status.
class IVSCHAT_API container_credentials_provider final : public refreshing_credentials_provider {
public:
    /// Reads the variables from `env` now; fetches at the first call.
    explicit container_credentials_provider(const environment& env, container_credentials_options options = {});

    std::string name() const override;

private:
    boost::asio::awaitable<credentials> fetch(boost::asio::any_io_executor executor) override;

    container_credentials_options options_;
    std::optional<endpoint_url> url_;
    std::string target_;
    std::optional<credentials_error> config_error_;
    std::string token_file_;
    std::string token_;
};

}  // namespace ivschat
