#pragma once
// Credentials from AWS STS: AssumeRoleWithWebIdentity (Kubernetes service
// account tokens, OIDC) and AssumeRole (a profile's role_arn with its source
// credentials). Both speak the STS Query protocol: a form-encoded POST,
// an XML answer.

#include <ivschat/export.hpp>
#include <ivschat/config.hpp>
#include <ivschat/credentials_options.hpp>
#include <ivschat/refreshing_credentials_provider.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace ivschat {

/// AssumeRoleWithWebIdentity settings.
struct IVSCHAT_API web_identity_settings {
    /// The role to assume.
    std::string role_arn{};
    /// A file holding the OIDC token, read again at each fetch (it rotates).
    std::string token_file{};
    /// Empty: "ivschat-cpp-<unix time>".
    std::string session_name{};
};

/// Calls STS AssumeRoleWithWebIdentity (unsigned) with the token in
/// `token_file` and hands out the role's temporary credentials, refreshed
/// before they expire. Errors: the token file unreadable, STS unreachable
/// or answering an error (its Code and Message in the message), a malformed
/// answer: `unavailable`.
class IVSCHAT_API web_identity_credentials_provider final : public refreshing_credentials_provider {
public:
    /// A provider for `settings`; fetches at the first call.
    web_identity_credentials_provider(web_identity_settings settings, const environment& env, sts_options options = {});

    std::string name() const override { return "web identity (role " + settings_.role_arn + ")"; }

private:
    boost::asio::awaitable<credentials> fetch(boost::asio::any_io_executor executor) override;

    web_identity_settings settings_;
    sts_options options_;
    std::optional<endpoint_url> endpoint_;
    std::optional<credentials_error> config_error_;
};

/// The web identity provider the variables AWS_WEB_IDENTITY_TOKEN_FILE,
/// AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME configure; when the first two are
/// not both set, a provider that fails with `not_found` (only one of them:
/// `invalid`).
IVSCHAT_API std::shared_ptr<credentials_provider> make_environment_web_identity_provider(const environment& env,
                                                                              sts_options options = {});

/// AssumeRole settings.
struct IVSCHAT_API assume_role_settings {
    /// The role to assume.
    std::string role_arn{};
    /// Empty: "ivschat-cpp-<unix time>".
    std::string session_name{};
    /// Sent as ExternalId when not empty.
    std::string external_id{};
    /// Sent as DurationSeconds when set.
    std::optional<int> duration_seconds{};
};

/// Calls STS AssumeRole, signed (SigV4, service "sts") with the credentials
/// of `source`, and hands out the role's temporary credentials, refreshed
/// before they expire. A failure of `source` is passed on as it is; STS
/// unreachable, an STS error (Code and Message in the message) or a malformed
/// answer is `unavailable`.
class IVSCHAT_API assume_role_credentials_provider final : public refreshing_credentials_provider {
public:
    /// A provider for `settings` that signs with the credentials of `source`; fetches at the first call.
    assume_role_credentials_provider(assume_role_settings settings, std::shared_ptr<credentials_provider> source,
                                     const environment& env, sts_options options = {});

    std::string name() const override { return "assume role " + settings_.role_arn + " with " + source_->name(); }

private:
    boost::asio::awaitable<credentials> fetch(boost::asio::any_io_executor executor) override;

    assume_role_settings settings_;
    std::shared_ptr<credentials_provider> source_;
    sts_options options_;
    std::optional<endpoint_url> endpoint_;
    std::optional<credentials_error> config_error_;
};

}  // namespace ivschat
