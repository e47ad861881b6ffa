#pragma once

#include <ivschat/export.hpp>
#include <ivschat/credentials.hpp>
#include <ivschat/credentials_options.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace ivschat {

class environment;
class profile_set;

/// Why a credentials provider has no credentials to give.
enum class credentials_errc {
    /// This source holds no credentials (variables unset, no such profile).
    /// A chain moves on to its next provider.
    not_found = 1,
    /// The source is configured but unusable, e.g. a key id without a secret.
    /// A chain stops here: falling through to another identity would surprise.
    invalid,
    /// The source asks for a mechanism this build does not provide (a profile
    /// with SSO). A chain stops here.
    unsupported,
    /// The source is configured but could not give credentials now: its
    /// endpoint or process failed, timed out or answered something malformed.
    /// A chain stops here.
    unavailable,
};

/// The category of credentials_errc, named "ivschat.credentials".
IVSCHAT_API const std::error_category& credentials_category() noexcept;
/// Lets `std::error_code ec = ivschat::credentials_errc::not_found;` work.
IVSCHAT_API std::error_code make_error_code(credentials_errc e) noexcept;

}  // namespace ivschat

//! @cond
template <>
struct std::is_error_code_enum<ivschat::credentials_errc> : std::true_type {};
//! @endcond

namespace ivschat {

/// The failure of a provider: `code()` is a credentials_errc (or another
/// category for providers that do I/O), `what()` exactly the sentence saying
/// what was looked at and what is wrong, without any secret.
class IVSCHAT_API credentials_error : public std::runtime_error {
public:
    /// A failure with its code and the sentence saying what is wrong.
    credentials_error(std::error_code code, const std::string& message) : std::runtime_error(message), code_(code) {}

    /// The credentials_errc, or the I/O error of the provider.
    const std::error_code& code() const noexcept { return code_; }

private:
    std::error_code code_;
};

/// A source of AWS credentials.
///
/// Two ways to get credentials, a fast one and a complete one:
///
/// - `cached()` returns the credentials the provider holds when they are
///   usable now, else nullptr. It never blocks, never does I/O and never
///   allocates (copying the shared_ptr is an atomic increment), so a client
///   calls it for every request and signs with the snapshot it got; the
///   snapshot stays valid however long the caller keeps it, even if the
///   provider refreshes meanwhile. A provider hands out the same snapshot
///   object until its credentials change, so a signing-key cache can tell
///   new credentials by comparing pointers.
/// - `async_get(executor, handler)` obtains credentials, doing whatever I/O
///   the source needs (none for static, environment and profile keys; the
///   credential_process, container, IMDS and STS providers fetch
///   asynchronously on `executor` without blocking it). Use
///   `async_get_credentials` to call it with any completion token.
///
/// Completion signature: `void(std::exception_ptr, std::shared_ptr<const credentials>)`.
/// On success the exception_ptr is null and the pointer non-null; on failure
/// the exception_ptr holds a credentials_error (or another std::exception from
/// an I/O provider) and the pointer is null. The exception form lets a
/// coroutine's `co_await` throw with the full message while callbacks and
/// `as_tuple` see both values; failures are rare, so their cost does not matter.
///
/// Executor: the handler runs as if posted to `executor` (or the handler's
/// associated executor), never inside `async_get`.
///
/// Lifetime: a provider is owned by shared_ptr and must outlive its pending
/// operations (a client keeps it alive).
///
/// Thread safety: `cached()` and `async_get` may be called concurrently from
/// any threads.
///
/// Writing a provider that fetches: derive from refreshing_credentials_provider
/// (refreshing_credentials_provider.hpp) and implement its `fetch`; it keeps
/// the snapshot, returns it from `cached()` while it is further than the
/// refresh margin from its expiration, shares one fetch among all waiting
/// calls and keeps a still-valid snapshot on failure. Fail with `not_found`
/// when the source is simply absent, so that a chain moves on.
class IVSCHAT_API credentials_provider {
public:
    /// How async_get completes: an error, or the credentials.
    using completion_signature = void(std::exception_ptr, std::shared_ptr<const credentials>);
    /// The type-erased handler async_get takes.
    using completion_handler = boost::asio::any_completion_handler<completion_signature>;

    virtual ~credentials_provider() = default;

    /// A short description for messages, e.g. "environment" or "profile \"dev\"".
    virtual std::string name() const = 0;

    /// Credentials usable now, or nullptr when `async_get` must be called.
    virtual std::shared_ptr<const credentials> cached() const noexcept = 0;

    /// Obtains credentials; see the class comment for the completion.
    virtual void async_get(boost::asio::any_io_executor executor, completion_handler handler) = 0;
};

/// Calls `provider.async_get` with any completion token, `use_awaitable` by
/// default: a coroutine writes `auto creds = co_await async_get_credentials(p, ex);`
/// (throws the provider's error), callbacks receive (exception_ptr, creds).
/// `provider` must outlive the operation, including a deferred one.
template <class CompletionToken = boost::asio::use_awaitable_t<>>
auto async_get_credentials(credentials_provider& provider, boost::asio::any_io_executor executor,
                           CompletionToken&& token = {}) {
    return boost::asio::async_initiate<CompletionToken, credentials_provider::completion_signature>(
        [&provider](auto handler, boost::asio::any_io_executor ex) {
            provider.async_get(std::move(ex), credentials_provider::completion_handler(std::move(handler)));
        },
        token, std::move(executor));
}

/// Base of the providers whose answer is known when they are constructed
/// (fixed values, environment variables, shared files read at start-up):
/// `cached()` is that answer and `async_get` posts it.
class IVSCHAT_API immediate_credentials_provider : public credentials_provider {
public:
    std::shared_ptr<const credentials> cached() const noexcept override { return credentials_; }
    void async_get(boost::asio::any_io_executor executor, completion_handler handler) override;

protected:
    /// The credentials, or the error every call fails with.
    using answer = std::variant<credentials, credentials_error>;
    /// A provider that always gives `a`.
    explicit immediate_credentials_provider(answer a);

private:
    std::shared_ptr<const credentials> credentials_;
    std::exception_ptr error_;
};

/// Fixed credentials given by the program. Empty access key id or secret is
/// an `invalid` error at each call.
class IVSCHAT_API static_credentials_provider final : public immediate_credentials_provider {
public:
    /// A provider of `c`.
    explicit static_credentials_provider(credentials c);
    std::string name() const override { return "static credentials"; }
};

/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for temporary credentials,
/// AWS_SESSION_TOKEN, read once at construction. Neither key set is
/// `not_found`; only one of them set is `invalid`.
class IVSCHAT_API environment_credentials_provider final : public immediate_credentials_provider {
public:
    /// Reads the variables from `env` now.
    explicit environment_credentials_provider(const environment& env);
    std::string name() const override { return "environment"; }
};

/// The credentials one profile of the shared files configures, by the
/// provider the profile calls for (the credentials file's values override
/// the config file's):
///
/// - `role_arn`: AssumeRole (assume_role_credentials_provider) with the
///   credentials of `source_profile` (its keys when it has them, else what it
///   configures, recursively; a loop is `invalid`) or of `credential_source`
///   (Environment, Ec2InstanceMetadata, EcsContainer); with
///   `web_identity_token_file` instead, AssumeRoleWithWebIdentity. Also read:
///   role_session_name, external_id, duration_seconds, region.
/// - `aws_access_key_id` / `aws_secret_access_key` / `aws_session_token`.
/// - `credential_process` (process_credentials_provider); keys beat it, as
///   in botocore's chain.
/// - SSO (`sso_session`, `sso_start_url`): `unsupported`, not provided by
///   this library.
/// A profile that does not exist or configures none of these is
/// `not_found`; a key id without a secret (or the reverse), or a role
/// without a source, is `invalid`.
///
/// The choice is made at construction; `cached()` and `async_get` are those
/// of the provider chosen.
class IVSCHAT_API profile_credentials_provider final : public credentials_provider {
public:
    /// Reads variables (for credential_source, the STS endpoint, the region)
    /// from `env`, at construction.
    profile_credentials_provider(const profile_set& profiles, std::string profile_name, const environment& env,
                                 const credentials_chain_options& options = {});
    /// As above with no environment variables.
    profile_credentials_provider(const profile_set& profiles, std::string profile_name);

    std::string name() const override { return "profile \"" + profile_name_ + "\""; }
    std::shared_ptr<const credentials> cached() const noexcept override { return selected_->cached(); }
    void async_get(boost::asio::any_io_executor executor, completion_handler handler) override {
        selected_->async_get(std::move(executor), std::move(handler));
    }

    /// The provider the profile calls for, e.g. to look at its name().
    const std::shared_ptr<credentials_provider>& selected() const noexcept { return selected_; }

private:
    std::string profile_name_;
    std::shared_ptr<credentials_provider> selected_;
};

/// Asks its providers in order and gives the first credentials found. A
/// provider failing with `not_found` passes to the next; any other error ends
/// the walk with that error. When every provider says `not_found`, the error
/// is `not_found` with a message listing each provider and why.
///
/// `cached()` is the cached() of the provider that answered last (nullptr
/// before the first success), so the hot path skips the walk.
class IVSCHAT_API credentials_provider_chain final : public credentials_provider,
                                         public std::enable_shared_from_this<credentials_provider_chain> {
public:
    /// A chain that asks `providers` in order.
    explicit credentials_provider_chain(std::vector<std::shared_ptr<credentials_provider>> providers);

    std::string name() const override;
    std::shared_ptr<const credentials> cached() const noexcept override;
    /// The chain must be owned by a shared_ptr (it keeps itself alive while walking).
    void async_get(boost::asio::any_io_executor executor, completion_handler handler) override;

    /// The providers, in the order they are asked.
    const std::vector<std::shared_ptr<credentials_provider>>& providers() const noexcept { return providers_; }

private:
    struct walk;
    std::vector<std::shared_ptr<credentials_provider>> providers_;
    // 1 + index of the provider that answered last, 0 for none yet.
    std::atomic<std::size_t> answered_{0};
};

/// The default chain, in the order of the AWS SDKs (botocore
/// credentials.create_credential_resolver: environment, the profile's role,
/// web identity, the profile's keys and credential_process, container,
/// IMDS; here the profile's providers stay together):
///   1. environment variables (environment_credentials_provider)
///   2. the shared files' profile `profile_name` (profile_credentials_provider:
///      keys, role_arn, credential_process, web_identity_token_file)
///   3. web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)
///   4. container endpoint (AWS_CONTAINER_CREDENTIALS_*_URI)
///   5. EC2 instance metadata, IMDSv2 (off with AWS_EC2_METADATA_DISABLED=true)
/// The fetching providers cache and refresh (refreshing_credentials_provider).
/// Variables are read now, from `env`; `profiles` are the already loaded shared files.
IVSCHAT_API std::shared_ptr<credentials_provider_chain> make_default_credentials_chain(const environment& env,
                                                                           const profile_set& profiles,
                                                                           std::string profile_name,
                                                                           const credentials_chain_options& options = {});

}  // namespace ivschat
