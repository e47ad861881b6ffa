#include <ivschat/sigv4.hpp>
#include <ivschat/sts_credentials_providers.hpp>

#include "ivschat/config/config_text.hpp"
#include "ivschat/credentials/credentials_parsers.hpp"
#include "ivschat/credentials/named_answer_provider.hpp"
#include "ivschat/credentials/token_file.hpp"
#include "ivschat/credentials/url_fetch.hpp"
#include "ivschat/percent_encoding.hpp"

#include <boost/asio/post.hpp>

namespace ivschat {

namespace asio = boost::asio;

namespace {

// The STS Query API version: https://docs.aws.amazon.com/STS/latest/APIReference/ (Version=2011-06-15).
constexpr std::string_view sts_version = "2011-06-15";
constexpr std::string_view form_content_type = "application/x-www-form-urlencoded; charset=utf-8";

std::string sts_url(const environment& env, const sts_options& options) {
    if (!options.endpoint_url.empty()) return options.endpoint_url;
    if (detail::ascii_lower(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("")) != "true") {
        if (auto url = env.get("AWS_ENDPOINT_URL_STS")) return *url;
        if (auto url = env.get("AWS_ENDPOINT_URL")) return *url;
    }
    if (options.region.empty()) return "https://sts.amazonaws.com";
    // The China partition's DNS suffix (endpoint rule set, partition aws-cn).
    const bool china = options.region.rfind("cn-", 0) == 0;
    return "https://sts." + options.region + (china ? ".amazonaws.com.cn" : ".amazonaws.com");
}

// Resolves the endpoint at construction; a bad URL or region fails every fetch.
void resolve_endpoint(const environment& env, sts_options& options, std::optional<endpoint_url>& endpoint,
                      std::optional<credentials_error>& error, const std::string& who) {
    if (options.ca_file.empty()) options.ca_file = env.get("AWS_CA_BUNDLE").value_or("");
    if (!options.region.empty() && !is_valid_region(options.region)) {
        error = credentials_error(credentials_errc::invalid, who + ": \"" + options.region + "\" is not a valid region");
        return;
    }
    try {
        endpoint = parse_endpoint_url(sts_url(env, options));
    } catch (const config_error& e) {
        error = credentials_error(credentials_errc::invalid, who + ": STS endpoint: " + e.what());
    }
}

void add_param(std::string& form, std::string_view key, std::string_view value) {
    if (!form.empty()) form += '&';
    form += key;
    form += '=';
    detail::percent_encode(value, form);
}

std::string session_name_or_default(const std::string& name) {
    if (!name.empty()) return name;
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return "ivschat-cpp-" + std::to_string(seconds.count());
}

// POSTs `form` to STS (with `signature_headers` when signed) and returns the credentials of its answer.
asio::awaitable<credentials> call_sts(asio::any_io_executor executor, const endpoint_url& endpoint,
                                      const std::string& form, std::span<const http::header_field> signature_headers,
                                      const sts_options& options, const std::string& who) {
    auto fail = [&](const std::string& why) { return credentials_error(credentials_errc::unavailable, who + ": " + why); };
    std::vector<http::header_field> headers{{.name = "Content-Type", .value = form_content_type}};
    headers.insert(headers.end(), signature_headers.begin(), signature_headers.end());
    // Named, not temporaries in the co_await expression, which g++ 12 destroys twice.
    const std::string target = endpoint.path.empty() ? "/" : endpoint.path;
    const detail::url_fetch_options fetch_options{.timeout = options.timeout,
                                                  .ca_file = options.ca_file,
                                                  .attempts = options.attempts,
                                                  .retry_delay = options.retry_delay};
    const http::request req{.method = "POST", .target = target, .headers = headers, .body = form};
    auto [ec, res] = co_await detail::fetch_url(executor, endpoint, req, fetch_options);
    if (ec) throw fail("STS at " + endpoint.url + " failed: " + ec.message());
    auto answer = detail::parse_sts_credentials_xml(res.body);
    if (!answer.error_code.empty())
        throw fail("STS answered HTTP " + std::to_string(res.status) + " " + answer.error_code + ": " + answer.error_message);
    if (res.status != 200)
        throw fail("STS answered HTTP " + std::to_string(res.status) + ": " + detail::body_excerpt(res.body));
    if (!answer.creds) throw fail("malformed STS answer: " + answer.parse_error);
    co_return std::move(*answer.creds);
}

}  // namespace

web_identity_credentials_provider::web_identity_credentials_provider(web_identity_settings settings,
                                                                     const environment& env, sts_options options)
    : refreshing_credentials_provider(options.refresh), settings_(std::move(settings)), options_(std::move(options)) {
    resolve_endpoint(env, options_, endpoint_, config_error_, name());
}

asio::awaitable<credentials> web_identity_credentials_provider::fetch(asio::any_io_executor executor) {
    if (config_error_) throw *config_error_;
    auto token = detail::read_token_file(settings_.token_file);
    if (!token.error.empty())
        throw credentials_error(credentials_errc::unavailable, name() + ": web identity token file: " + token.error);
    std::string form;
    add_param(form, "Action", "AssumeRoleWithWebIdentity");
    add_param(form, "Version", sts_version);
    add_param(form, "RoleArn", settings_.role_arn);
    add_param(form, "RoleSessionName", session_name_or_default(settings_.session_name));
    add_param(form, "WebIdentityToken", token.token);
    const std::string who = name();
    const std::span<const http::header_field> unsigned_request;
    co_return co_await call_sts(executor, *endpoint_, form, unsigned_request, options_, who);
}

std::shared_ptr<credentials_provider> make_environment_web_identity_provider(const environment& env,
                                                                              sts_options options) {
    auto token_file = env.get("AWS_WEB_IDENTITY_TOKEN_FILE");
    auto role_arn = env.get("AWS_ROLE_ARN");
    if (!token_file || !role_arn) {
        auto code = token_file || role_arn ? credentials_errc::invalid : credentials_errc::not_found;
        return std::make_shared<detail::named_answer_provider>(
            "web identity", credentials_error(code, "web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must both be set" +
                                                         std::string(code == credentials_errc::not_found ? " (neither is)" : "")));
    }
    return std::make_shared<web_identity_credentials_provider>(
        web_identity_settings{.role_arn = std::move(*role_arn),
                              .token_file = std::move(*token_file),
                              .session_name = env.get("AWS_ROLE_SESSION_NAME").value_or("")},
        env, std::move(options));
}

assume_role_credentials_provider::assume_role_credentials_provider(assume_role_settings settings,
                                                                   std::shared_ptr<credentials_provider> source,
                                                                   const environment& env, sts_options options)
    : refreshing_credentials_provider(options.refresh),
      settings_(std::move(settings)),
      source_(std::move(source)),
      options_(std::move(options)) {
    resolve_endpoint(env, options_, endpoint_, config_error_, "assume role " + settings_.role_arn);
}

asio::awaitable<credentials> assume_role_credentials_provider::fetch(asio::any_io_executor executor) {
    if (config_error_) throw *config_error_;
    auto source = source_->cached();
    if (!source) source = co_await async_get_credentials(*source_, executor);
    std::string form;
    add_param(form, "Action", "AssumeRole");
    add_param(form, "Version", sts_version);
    add_param(form, "RoleArn", settings_.role_arn);
    add_param(form, "RoleSessionName", session_name_or_default(settings_.session_name));
    if (!settings_.external_id.empty()) add_param(form, "ExternalId", settings_.external_id);
    if (settings_.duration_seconds) add_param(form, "DurationSeconds", std::to_string(*settings_.duration_seconds));

    const std::string path = endpoint_->path.empty() ? "/" : endpoint_->path;
    const sigv4::header to_sign[] = {{.name = "host", .value = endpoint_->host_header},
                                     {.name = "content-type", .value = form_content_type}};
    // STS in the global endpoint's case signs for us-east-1.
    sigv4::signer signer({.region = options_.region.empty() ? "us-east-1" : options_.region, .service = "sts"});
    auto signature = signer.sign({.method = "POST", .path = path, .query = {}, .headers = to_sign, .payload = form}, *source);
    std::vector<http::header_field> headers{{.name = "X-Amz-Date", .value = signature.x_amz_date},
                                            {.name = "Authorization", .value = signature.authorization}};
    if (!signature.x_amz_security_token.empty())
        headers.push_back({.name = "X-Amz-Security-Token", .value = signature.x_amz_security_token});
    const std::string who = name();
    co_return co_await call_sts(executor, *endpoint_, form, headers, options_, who);
}

}  // namespace ivschat
