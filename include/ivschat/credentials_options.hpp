#pragma once
#include <ivschat/export.hpp>

// The settings of the credentials providers that fetch (credential_process,
// container endpoint, IMDS, STS) and of the default chain that builds them.
// Every member has a default, so designated initializers may name only what
// they change.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace ivschat {

/// When a refreshing provider refreshes. Every member has a default.
struct IVSCHAT_API refresh_options {
    /// Inside this time before expiration `cached()` returns nullptr, so that
    /// the caller goes through `async_get`, which starts one refresh in the
    /// background and meanwhile answers with the still-valid credentials.
    /// 5 minutes: aws-sdk-cpp Aws::Auth::REFRESH_THRESHOLD (AWSCredentialsProvider.h).
    std::chrono::seconds refresh_margin = std::chrono::minutes{5};
    /// Inside this time before expiration `async_get` waits for the refresh
    /// instead of answering with credentials that may expire on the way to
    /// the service (a choice of ours: a request's whole life fits in it).
    std::chrono::seconds wait_margin = std::chrono::minutes{1};
    /// After a refresh that failed, or gave credentials already inside the
    /// refresh margin, no new refresh starts before this much time has
    /// passed while the cached credentials are still valid.
    /// 60 s: botocore DeferredRefreshableToken._attempt_timeout ("refresh at most once every minute").
    std::chrono::seconds retry_interval = std::chrono::seconds{60};
    /// Where "now" comes from; empty means std::chrono::system_clock::now.
    /// Tests inject a clock to move through expiry without waiting.
    std::function<std::chrono::system_clock::time_point()> clock{};
};

/// How process_credentials_provider runs the `credential_process` command.
struct IVSCHAT_API process_credentials_options {
    /// How long the process may run before it is killed.
    /// 1 minute: aws-sdk-go-v2 credentials/processcreds DefaultTimeout.
    std::chrono::milliseconds timeout = std::chrono::minutes{1};
    /// More output on stdout kills the process (a real answer is a few hundred bytes).
    std::size_t max_output = 64 * 1024;
    /// When the fetched credentials are refreshed.
    refresh_options refresh{};
};

/// How container_credentials_provider calls the container credentials endpoint.
struct IVSCHAT_API container_credentials_options {
    /// Each step of one attempt (connect, exchange), and attempts in all with
    /// `retry_delay` between them; a 4xx answer is not tried again.
    /// 2 s, 3 attempts, 1 s: botocore utils.ContainerMetadataFetcher
    /// (TIMEOUT_SECONDS, RETRY_ATTEMPTS, SLEEP_TIME).
    std::chrono::milliseconds timeout = std::chrono::seconds{2};
    /// Attempts in all.
    unsigned attempts = 3;
    /// The wait between attempts.
    std::chrono::milliseconds retry_delay = std::chrono::seconds{1};
    /// For an https AWS_CONTAINER_CREDENTIALS_FULL_URI: a PEM file of trusted
    /// CAs; empty means AWS_CA_BUNDLE, else the system's store.
    std::string ca_file{};
    /// When the fetched credentials are refreshed.
    refresh_options refresh{};
};

/// How imds_credentials_provider calls the EC2 instance metadata service.
struct IVSCHAT_API imds_credentials_options {
    /// Each step of one request, and tries per request. 1 s and 1 attempt:
    /// botocore utils.IMDSFetcher (DEFAULT_METADATA_SERVICE_TIMEOUT,
    /// DEFAULT_METADATA_SERVICE_NUM_ATTEMPTS); AWS_METADATA_SERVICE_TIMEOUT
    /// (seconds) and AWS_METADATA_SERVICE_NUM_ATTEMPTS override them.
    std::chrono::milliseconds timeout = std::chrono::seconds{1};
    /// Tries per request.
    unsigned attempts = 1;
    /// The session token's lifetime asked for. 21600 s (6 hours): botocore
    /// utils.IMDSFetcher._TOKEN_TTL.
    std::chrono::seconds token_ttl = std::chrono::seconds{21600};
    /// When the fetched credentials are refreshed.
    refresh_options refresh{};
};

/// Where and how STS is called.
struct IVSCHAT_API sts_options {
    /// The region whose STS endpoint is used and whose name signs AssumeRole.
    /// Empty: the global endpoint https://sts.amazonaws.com, signed for us-east-1.
    std::string region{};
    /// The STS endpoint URL; empty means AWS_ENDPOINT_URL_STS, else
    /// AWS_ENDPOINT_URL (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true),
    /// else `https://sts.<region>.amazonaws.com` (regional, the SDKs' default
    /// sts_regional_endpoints).
    std::string endpoint_url{};
    /// Each step of one request, and tries in all (transport errors and 5xx):
    /// 3 attempts as the SDKs' standard retry mode; the timeout and delay are ours.
    std::chrono::milliseconds timeout = std::chrono::seconds{5};
    /// Tries in all.
    unsigned attempts = 3;
    /// The wait between tries.
    std::chrono::milliseconds retry_delay = std::chrono::milliseconds{200};
    /// A PEM file of trusted CAs for an https endpoint; empty means
    /// AWS_CA_BUNDLE, else the system's store.
    std::string ca_file{};
    /// When the fetched credentials are refreshed.
    refresh_options refresh{};
};

/// What the default chain and the profile provider pass to the providers
/// they build.
struct IVSCHAT_API credentials_chain_options {
    /// The region for STS (AssumeRole, web identity). Empty: AWS_REGION, else
    /// AWS_DEFAULT_REGION, else the profile's `region`, else the global
    /// endpoint. A client passes the region it resolved.
    std::string region{};
    /// For the AssumeRole and web identity providers.
    sts_options sts{};
    /// For the credential_process provider.
    process_credentials_options process{};
    /// For the container provider.
    container_credentials_options container{};
    /// For the IMDS provider.
    imds_credentials_options imds{};
};

}  // namespace ivschat
