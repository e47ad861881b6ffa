// The providers that need no I/O after construction: static, environment.
#include <ivschat/config.hpp>
#include <ivschat/credentials_provider.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

namespace ivschat {
namespace {

class credentials_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "ivschat.credentials"; }
    std::string message(int value) const override {
        switch (static_cast<credentials_errc>(value)) {
            case credentials_errc::not_found: return "no credentials found";
            case credentials_errc::invalid: return "invalid credentials configuration";
            case credentials_errc::unsupported: return "unsupported credentials configuration";
            case credentials_errc::unavailable: return "credentials source unavailable";
        }
        return "unknown credentials error";
    }
};

using answer = std::variant<credentials, credentials_error>;

answer check_static(credentials c) {
    if (c.empty())
        return credentials_error(credentials_errc::invalid,
                                 "static credentials: the access key id or the secret access key is empty");
    return c;
}

answer read_environment(const environment& env) {
    auto id = env.get("AWS_ACCESS_KEY_ID");
    auto secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (!id && !secret)
        return credentials_error(credentials_errc::not_found,
                                 "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
    if (!id || !secret)
        return credentials_error(credentials_errc::invalid, id ? "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                                                               : "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    return credentials{.access_key_id = std::move(*id),
                       .secret_access_key = std::move(*secret),
                       .session_token = env.get("AWS_SESSION_TOKEN").value_or(""),
                       .expiration = std::nullopt};
}

}  // namespace

const std::error_category& credentials_category() noexcept {
    static const credentials_category_impl category;
    return category;
}

std::error_code make_error_code(credentials_errc e) noexcept { return {static_cast<int>(e), credentials_category()}; }

immediate_credentials_provider::immediate_credentials_provider(answer a) {
    if (auto* c = std::get_if<credentials>(&a)) credentials_ = std::make_shared<const credentials>(std::move(*c));
    else error_ = std::make_exception_ptr(std::get<credentials_error>(std::move(a)));
}

void immediate_credentials_provider::async_get(boost::asio::any_io_executor executor, completion_handler handler) {
    boost::asio::post(std::move(executor), boost::asio::append(std::move(handler), error_, credentials_));
}

static_credentials_provider::static_credentials_provider(credentials c)
    : immediate_credentials_provider(check_static(std::move(c))) {}

environment_credentials_provider::environment_credentials_provider(const environment& env)
    : immediate_credentials_provider(read_environment(env)) {}

}  // namespace ivschat
