#pragma once
// Client configuration as AWS users expect it. The client calls
// resolve_config(options, env) once at construction; it combines explicit
// options, environment variables and the shared files (~/.aws/config,
// ~/.aws/credentials) into a resolved_config: region, endpoint (by the
// endpoint rule set or an override), CA bundle, retry mode and attempts, and
// the credentials provider. The pieces (environment, profile_set,
// parse_endpoint_url, is_valid_region) are public for tools and providers.

#include <ivschat/export.hpp>
#include <ivschat/credentials.hpp>
#include <ivschat/retry_mode.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ivschat {

class credentials_provider;

/// A configuration that cannot be used: an invalid region or endpoint URL, a
/// bad max_attempts or retry_mode, a shared config file that cannot be read or
/// parsed (the message names the file and line), a missing region. `what()` is
/// a complete sentence meant for the person who configured the program.
class IVSCHAT_API config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Read access to environment variables, injectable so that configuration can
/// be resolved from a fixed set of variables (tests, programs that configure
/// explicitly) instead of the process environment.
///
/// Thread safety: `process()` reads with std::getenv at each lookup, which
/// races with a concurrent setenv in another thread, like any getenv use.
class IVSCHAT_API environment {
public:
    /// Returns the value of a variable, or nullopt when it is unset.
    using lookup_function = std::function<std::optional<std::string>(std::string_view name)>;

    /// An environment that asks `lookup` for each variable.
    explicit environment(lookup_function lookup) : lookup_(std::move(lookup)) {}

    /// The process environment.
    static environment process();
    /// Exactly these variables, nothing from the process.
    static environment from_map(std::map<std::string, std::string, std::less<>> variables);

    /// The value of `name`; nullopt when it is unset or empty (the AWS SDKs
    /// treat an empty variable as unset).
    std::optional<std::string> get(std::string_view name) const;

private:
    lookup_function lookup_;
};

/// One section of a shared config or credentials file: a profile (`[default]`,
/// `[profile name]` in ~/.aws/config, `[name]` in ~/.aws/credentials) or
/// another prefixed section of the config file (`[services name]`,
/// `[sso-session name]`).
///
/// Property names are case-insensitive (stored in lower case, as the AWS CLI
/// reads them); values keep their case. A property whose value is empty and
/// which is followed by indented `key = value` lines holds those lines as
/// sub-properties, e.g. `s3 =` / `  max_concurrent_requests = 10`.
class IVSCHAT_API profile {
public:
    /// A property: its value, or the indented lines under it.
    struct property {
        /// The value; continuation lines of a non-empty value are joined with '\n'.
        std::string value{};
        /// Indented `key = value` lines under a property with an empty value, in file order.
        std::vector<std::pair<std::string, std::string>> sub_properties{};
    };

    /// An empty profile called `name`.
    explicit profile(std::string name = {}) : name_(std::move(name)) {}

    /// The profile name (`foo` for `[profile foo]`), or the name after the
    /// prefix for another section (`foo` for `[services foo]`).
    const std::string& name() const noexcept { return name_; }

    /// The value of `key` (any case), or nullopt when absent.
    std::optional<std::string_view> get(std::string_view key) const;
    /// The value of sub-property `sub_key` under `key`, or nullopt when absent.
    std::optional<std::string_view> get(std::string_view key, std::string_view sub_key) const;

    /// Every property by lower-case name.
    const std::map<std::string, property, std::less<>>& properties() const noexcept { return properties_; }
    /// Sets or replaces `key` (lower-cased).
    void set(std::string_view key, property value);

private:
    std::string name_;
    std::map<std::string, property, std::less<>> properties_;
};

/// Which of the two shared files a text comes from; they name sections differently.
enum class profile_file_kind { config, credentials };

/// The profiles and other sections of the shared config and credentials
/// files, merged: the credentials file's properties override the config
/// file's for the same profile, as in the AWS SDKs.
///
/// Thread safety: const member functions may run concurrently; merge_file
/// may not run concurrently with anything else on the same set.
class IVSCHAT_API profile_set {
public:
    /// The profile called `name`, or nullptr.
    const profile* find(std::string_view name) const;
    /// The section `[<prefix> <name>]` of the config file other than a
    /// profile, e.g. find_section("services", "local"), or nullptr.
    const profile* find_section(std::string_view prefix, std::string_view name) const;

    /// Every profile by name.
    const std::map<std::string, profile, std::less<>>& profiles() const noexcept { return profiles_; }

    /// The paths given to merge_file, in order, for messages.
    const std::vector<std::string>& files() const noexcept { return files_; }

    /// Sections and properties that were skipped because the SDKs skip them
    /// (`[foo]` without `profile` in the config file, `[profile foo]` in the
    /// credentials file, names with characters outside `[A-Za-z0-9_-/.%@:+]`,
    /// `[default]` when `[profile default]` exists), one sentence each naming file and line.
    const std::vector<std::string>& warnings() const noexcept { return warnings_; }

    /// Parses `text`, the content of the file called `path` (used in messages
    /// only), and merges it into this set: config file first, then credentials.
    /// Throws config_error naming the file and line for malformed input: a
    /// property before any section, a line without '=', a property without a
    /// name, a section header without its ']', an indented line with no
    /// property to continue.
    void merge_file(std::string_view text, profile_file_kind kind, std::string_view path);

private:
    std::map<std::string, profile, std::less<>> profiles_;
    std::map<std::string, profile, std::less<>> sections_;  // keyed "<prefix> <name>"
    std::vector<std::string> warnings_;
    std::vector<std::string> files_;
};

/// Files larger than this are refused: real shared files are a few kilobytes.
inline constexpr std::size_t max_profile_file_size = 1024 * 1024;

/// The locations of the shared files: AWS_CONFIG_FILE and
/// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials
/// with ~ from HOME (a leading "~/" in the variables expands too). A path is
/// empty when it cannot be known (no HOME and no variable).
struct IVSCHAT_API profile_file_paths {
    /// The shared config file.
    std::string config{};
    /// The shared credentials file.
    std::string credentials{};
};
/// The paths of the shared files for `env`, as described above.
IVSCHAT_API profile_file_paths shared_file_paths(const environment& env);

/// Reads and parses both shared files. A file that does not exist counts as
/// empty; one that exists but cannot be read, is larger than
/// max_profile_file_size or is malformed is a config_error naming it.
/// Blocking file I/O: call it at start-up, not on an event loop's hot path.
IVSCHAT_API profile_set load_profile_files(const profile_file_paths& paths);

/// A parsed endpoint URL: what the client connects to and signs for.
struct IVSCHAT_API endpoint_url {
    /// The URL as resolved, e.g. "https://ivschat.us-west-2.amazonaws.com".
    std::string url{};
    /// "https" or "http" (lower case).
    std::string scheme{};
    /// The host name or IP address, IPv6 without brackets.
    std::string host{};
    /// The explicit port, or 443 for https and 80 for http.
    std::uint16_t port = 0;
    /// The base path without a trailing '/', "" for none ("/prefix" for "https://h/prefix/").
    std::string path{};
    /// The Host header: host (IPv6 in brackets) plus ":port" when not the scheme's default.
    std::string host_header{};

    /// True for https.
    bool uses_tls() const noexcept { return scheme == "https"; }
};

/// Parses an absolute http or https URL with a host, an optional port and an
/// optional path; no user info, query or fragment. Throws config_error
/// saying what is wrong with it.
IVSCHAT_API endpoint_url parse_endpoint_url(std::string_view url);

/// Whether `region` can be a region: 1 to 63 of [A-Za-z0-9-], not starting
/// or ending with '-' (a DNS label, since the region becomes part of the host;
/// botocore's validate_region_name applies the same rule).
IVSCHAT_API bool is_valid_region(std::string_view region) noexcept;

/// What the program says explicitly. Every member left unset is taken from
/// the environment, then the selected profile of the shared files, then the
/// default.
struct IVSCHAT_API config_options {
    /// The region, e.g. "us-west-2" (AWS_REGION, AWS_DEFAULT_REGION, profile `region`; required).
    std::optional<std::string> region{};
    /// A custom endpoint URL (AWS_ENDPOINT_URL_IVSCHAT, AWS_ENDPOINT_URL, the
    /// profile's `services` section key `ivschat` / `endpoint_url`, profile
    /// `endpoint_url`); otherwise the endpoint rule set picks it from the region.
    std::optional<std::string> endpoint_url{};
    /// The profile of the shared files (AWS_PROFILE, "default").
    std::optional<std::string> profile{};
    /// FIPS endpoint (AWS_USE_FIPS_ENDPOINT, profile `use_fips_endpoint`, false).
    std::optional<bool> use_fips{};
    /// Dual-stack endpoint (AWS_USE_DUALSTACK_ENDPOINT, profile `use_dualstack_endpoint`, false).
    std::optional<bool> use_dual_stack{};
    /// Fixed credentials, used instead of the default chain.
    std::optional<ivschat::credentials> static_credentials{};
    /// A credentials provider, used instead of the default chain; wins over `static_credentials`.
    std::shared_ptr<ivschat::credentials_provider> credentials_provider{};
    /// A PEM file of trusted CA certificates (AWS_CA_BUNDLE, profile `ca_bundle`;
    /// otherwise the system's trust store).
    std::optional<std::string> ca_bundle{};
    /// Attempts per call including the first (AWS_MAX_ATTEMPTS, profile `max_attempts`, 3).
    std::optional<unsigned> max_attempts{};
    /// Retry strategy (AWS_RETRY_MODE, profile `retry_mode`, standard).
    std::optional<ivschat::retry_mode> retry_mode{};
    /// An id of the application, sent at the end of the User-Agent as
    /// `app/<id>` (AWS_SDK_UA_APP_ID, profile `sdk_ua_app_id`, none): 1 to 50
    /// characters of an HTTP token (RFC 9110 tchar: letters, digits and 15
    /// punctuation marks, listed in README.md), as the AWS SDKs require; no spaces.
    std::optional<std::string> user_agent_app_id{};
};

/// The effective configuration of a client.
struct IVSCHAT_API resolved_config {
    /// The selected profile's name (it need not exist unless chosen explicitly).
    std::string profile{};
    /// The region.
    std::string region{};
    /// The endpoint calls go to.
    endpoint_url endpoint{};
    /// True when the endpoint came from an option, variable or profile rather than the rule set.
    bool custom_endpoint = false;
    /// FIPS endpoint selected.
    bool use_fips = false;
    /// Dual-stack endpoint selected.
    bool use_dual_stack = false;
    /// Path of a PEM CA bundle; unset means the system's trust store.
    std::optional<std::string> ca_bundle{};
    /// The retry mode.
    ivschat::retry_mode retry_mode = ivschat::retry_mode::standard;
    /// Attempts per call including the first; at least 1.
    unsigned max_attempts = 3;
    /// The provider the client signs with: the option, static credentials or the default chain.
    std::shared_ptr<ivschat::credentials_provider> credentials_provider{};
    /// The application id, when one is configured.
    std::optional<std::string> user_agent_app_id{};
    /// The User-Agent header of every request, in the AWS SDKs' format 2.1:
    /// `ivschat-cpp/<version> ua/2.1 os/linux#<release> md/arch#<machine>`
    /// `lang/cpp#C++20 md/GCC#<version>`, then `exec-env/<AWS_EXECUTION_ENV>`
    /// and `app/<user_agent_app_id>` when they are set.
    std::string user_agent{};
    /// The shared files as read, for providers that need other profile keys
    /// (credential_process, role_arn, source_profile, web_identity_token_file, role_session_name).
    std::shared_ptr<const profile_set> profiles{};
    /// Where each setting came from, e.g. {"region", "AWS_REGION"}, for diagnostics.
    std::vector<std::pair<std::string, std::string>> sources{};
};

/// Resolves the client configuration once, at construction: each setting
/// from `options`, else `env`, else the selected profile, else its default.
/// Reads the shared files (blocking file I/O of a few kilobytes).
///
/// Throws config_error with a sentence naming the setting and where it came
/// from: invalid region, malformed endpoint URL, FIPS or dual-stack with a
/// custom endpoint, max_attempts not an integer >= 1, unknown retry_mode,
/// unreadable or malformed shared file, an explicitly selected profile that
/// does not exist, CA bundle that does not exist, missing region, an
/// application id that is longer than 50 characters or has a space or
/// another character outside the allowed ones.
///
/// Endpoint URLs from the environment and the profile are skipped when
/// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile's
/// `ignore_configured_endpoint_urls` is true; the option still applies.
IVSCHAT_API resolved_config resolve_config(const config_options& options, const environment& env = environment::process());

}  // namespace ivschat
