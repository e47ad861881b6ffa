#include <ivschat/container_credentials_provider.hpp>

#include "ivschat/credentials/credentials_parsers.hpp"
#include "ivschat/credentials/url_fetch.hpp"
#include "ivschat/credentials/token_file.hpp"

#include <boost/asio/ip/address.hpp>

namespace ivschat {

namespace {

// aws-sdk-go aws/defaults/defaults.go: ecsContainerIPv4, eksContainerIPv4, eksContainerIPv6, IsLoopback.
bool allowed_http_host(const std::string& host) {
    if (host == "localhost") return true;
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(host, ec);
    if (ec) return false;
    if (address.is_loopback()) return true;
    for (const char* allowed : {"169.254.170.2", "169.254.170.23", "fd00:ec2::23"})
        if (address == boost::asio::ip::make_address(allowed)) return true;
    return false;
}

}  // namespace

container_credentials_provider::container_credentials_provider(const environment& env,
                                                               container_credentials_options options)
    : refreshing_credentials_provider(options.refresh), options_(std::move(options)) {
    if (options_.ca_file.empty()) options_.ca_file = env.get("AWS_CA_BUNDLE").value_or("");
    token_file_ = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").value_or("");
    token_ = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
    std::string full;
    // The ECS agent's link-local address: botocore ContainerMetadataFetcher.IP_ADDRESS.
    if (auto relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) full = "http://169.254.170.2" + *relative;
    else if (auto uri = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")) full = *uri;
    else {
        config_error_ = credentials_error(credentials_errc::not_found,
                                          "container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
                                          "AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
        return;
    }
    auto query = full.find('?');
    try {
        url_ = parse_endpoint_url(full.substr(0, query));
    } catch (const config_error& e) {
        config_error_ = credentials_error(credentials_errc::invalid, "container endpoint: " + std::string(e.what()));
        return;
    }
    target_ = url_->path.empty() ? "/" : url_->path;
    if (query != std::string::npos) target_ += full.substr(query);
    if (!url_->uses_tls() && !allowed_http_host(url_->host)) {
        config_error_ = credentials_error(
            credentials_errc::invalid,
            "container endpoint " + full +
                ": an http URL must point to a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23");
    }
}

std::string container_credentials_provider::name() const {
    return url_ ? "container endpoint " + url_->scheme + "://" + url_->host_header + target_ : "container endpoint";
}

boost::asio::awaitable<credentials> container_credentials_provider::fetch(boost::asio::any_io_executor executor) {
    if (config_error_) throw *config_error_;
    auto fail = [this](const std::string& why) {
        return credentials_error(credentials_errc::unavailable, name() + ": " + why);
    };
    std::string token = token_;
    if (!token_file_.empty()) {
        auto read = detail::read_token_file(token_file_);
        if (!read.error.empty()) throw fail("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: " + read.error);
        token = std::move(read.token);
    }
    std::vector<http::header_field> headers{{.name = "Accept", .value = "application/json"}};
    if (!token.empty()) headers.push_back({.name = "Authorization", .value = token});
    // Named, not temporaries in the co_await expression, which g++ 12 destroys twice.
    const detail::url_fetch_options fetch_options{.timeout = options_.timeout,
                                                  .ca_file = options_.ca_file,
                                                  .attempts = options_.attempts,
                                                  .retry_delay = options_.retry_delay};
    const http::request req{.method = "GET", .target = target_, .headers = headers};
    auto [ec, res] = co_await detail::fetch_url(executor, *url_, req, fetch_options);
    if (ec) throw fail("request failed: " + ec.message());
    if (res.status != 200)
        throw fail("answered HTTP " + std::to_string(res.status) + ": " + detail::body_excerpt(res.body));
    auto parsed = detail::parse_credentials_json(res.body, detail::credentials_json_format::container);
    if (!parsed.creds) throw fail("malformed answer: " + parsed.error);
    co_return std::move(*parsed.creds);
}

}  // namespace ivschat
