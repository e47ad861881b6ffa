#include <ivschat/imds_credentials_provider.hpp>

#include "ivschat/config/config_text.hpp"
#include "ivschat/credentials/credentials_parsers.hpp"
#include "ivschat/credentials/url_fetch.hpp"

#include <charconv>

namespace ivschat {

namespace {

constexpr std::string_view credentials_path = "/latest/meta-data/iam/security-credentials/";

template <class Number>
std::optional<Number> parse_number(const std::optional<std::string>& text) {
    Number value{};
    if (!text) return std::nullopt;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size()) return std::nullopt;
    return value;
}

}  // namespace

imds_credentials_provider::imds_credentials_provider(const environment& env, imds_credentials_options options)
    : refreshing_credentials_provider(options.refresh), options_(std::move(options)) {
    if (detail::ascii_lower(env.get("AWS_EC2_METADATA_DISABLED").value_or("")) == "true") {
        config_error_ = credentials_error(credentials_errc::not_found,
                                          "EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED");
        return;
    }
    if (auto seconds = parse_number<double>(env.get("AWS_METADATA_SERVICE_TIMEOUT")); seconds && *seconds > 0)
        options_.timeout = std::chrono::milliseconds{static_cast<long long>(*seconds * 1000)};
    if (auto attempts = parse_number<unsigned>(env.get("AWS_METADATA_SERVICE_NUM_ATTEMPTS")); attempts && *attempts > 0)
        options_.attempts = *attempts;
    // The two default endpoints: botocore utils.METADATA_ENDPOINT and METADATA_ENDPOINT_V6.
    std::string url = "http://169.254.169.254";
    if (auto configured = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")) url = *configured;
    else if (detail::ascii_lower(env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE").value_or("")) == "ipv6")
        url = "http://[fd00:ec2::254]";
    try {
        endpoint_ = parse_endpoint_url(url);
    } catch (const config_error& e) {
        config_error_ = credentials_error(credentials_errc::invalid,
                                          "EC2 instance metadata: AWS_EC2_METADATA_SERVICE_ENDPOINT: " + std::string(e.what()));
    }
}

std::string imds_credentials_provider::name() const {
    return endpoint_ ? "EC2 instance metadata at " + endpoint_->url : "EC2 instance metadata";
}

boost::asio::awaitable<void> imds_credentials_provider::refresh_token(boost::asio::any_io_executor executor) {
    const auto ttl = std::to_string(options_.token_ttl.count());
    const http::header_field headers[] = {{.name = "X-aws-ec2-metadata-token-ttl-seconds", .value = ttl}};
    const auto asked_at = std::chrono::steady_clock::now();
    // Named, not temporaries in the co_await expression, which g++ 12 destroys twice.
    const std::string target = endpoint_->path + "/latest/api/token";
    const http::request req{.method = "PUT", .target = target, .headers = headers};
    const detail::url_fetch_options fetch_options{.timeout = options_.timeout, .attempts = options_.attempts};
    auto [ec, res] = co_await detail::fetch_url(executor, *endpoint_, req, fetch_options);
    if (ec)
        throw credentials_error(credentials_errc::not_found,
                                name() + ": no answer to the IMDSv2 token request (" + ec.message() + ")");
    if (res.status != 200 || res.body.empty())
        throw credentials_error(credentials_errc::unavailable, name() + ": the IMDSv2 token request answered HTTP " +
                                                                   std::to_string(res.status));
    token_ = std::move(res.body);
    // Renewed a minute early, so that a token never expires on its way.
    token_expiry_ = asked_at + options_.token_ttl - std::min<std::chrono::seconds>(options_.token_ttl / 2, std::chrono::minutes{1});
}

boost::asio::awaitable<credentials> imds_credentials_provider::fetch(boost::asio::any_io_executor executor) {
    if (config_error_) throw *config_error_;
    auto fail = [this](const std::string& why) { return credentials_error(credentials_errc::unavailable, name() + ": " + why); };
    if (token_.empty() || std::chrono::steady_clock::now() >= token_expiry_) co_await refresh_token(executor);

    // GET with the token; a 401 means the token expired: one new token, once.
    const detail::url_fetch_options fetch_options{.timeout = options_.timeout, .attempts = options_.attempts};
    auto get = [&](const std::string& target) -> boost::asio::awaitable<http::response> {
        for (int round = 0;; ++round) {
            const http::header_field headers[] = {{.name = "X-aws-ec2-metadata-token", .value = token_}};
            const http::request req{.method = "GET", .target = target, .headers = headers};
            auto [ec, res] = co_await detail::fetch_url(executor, *endpoint_, req, fetch_options);
            if (ec) throw fail("GET " + target + " failed: " + ec.message());
            if (res.status == 401 && round == 0) {
                token_.clear();
                co_await refresh_token(executor);
                continue;
            }
            if (res.status != 200)
                throw fail("GET " + target + " answered HTTP " + std::to_string(res.status) + ": " +
                           detail::body_excerpt(res.body));
            co_return std::move(res);
        }
    };
    const std::string base = endpoint_->path + std::string(credentials_path);
    auto roles = co_await get(base);
    std::string role_path;
    std::string role = roles.body.substr(0, roles.body.find('\n'));
    while (!role.empty() && (role.back() == '\r' || role.back() == ' ')) role.pop_back();
    if (role.empty()) throw fail("the instance has no IAM role (empty answer to " + base + ")");
    if (role.find_first_of("/?#% ") != std::string::npos) throw fail("the role name it gave is not a path segment");
    role_path = base + role;
    auto answer = co_await get(role_path);
    auto parsed = detail::parse_credentials_json(answer.body, detail::credentials_json_format::imds);
    if (!parsed.creds) throw fail("malformed credentials for role " + role + ": " + parsed.error);
    co_return std::move(*parsed.creds);
}

}  // namespace ivschat
