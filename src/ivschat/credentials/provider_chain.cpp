#include <ivschat/config.hpp>
#include <ivschat/container_credentials_provider.hpp>
#include <ivschat/credentials_provider.hpp>
#include <ivschat/imds_credentials_provider.hpp>
#include <ivschat/sts_credentials_providers.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>

namespace ivschat {

// One walk through the chain: asks provider `index`, and on `not_found`
// moves to the next, collecting each provider's reason.
struct credentials_provider_chain::walk {
    std::shared_ptr<credentials_provider_chain> chain;
    boost::asio::any_io_executor executor;
    completion_handler handler;
    std::size_t index = 0;
    std::string tried{};

    void ask_next() {
        if (index == chain->providers_.size()) {
            std::string message = "no credentials found; tried " + (tried.empty() ? std::string("no provider") : tried);
            return complete(std::make_exception_ptr(credentials_error(credentials_errc::not_found, message)), nullptr);
        }
        auto& provider = *chain->providers_[index];
        auto provider_executor = executor;  // copied before *this moves into the handler
        provider.async_get(std::move(provider_executor), [self = std::move(*this)](std::exception_ptr error,
                                                             std::shared_ptr<const credentials> creds) mutable {
            self.answered(std::move(error), std::move(creds));
        });
    }

    void answered(std::exception_ptr error, std::shared_ptr<const credentials> creds) {
        if (!error) {
            chain->answered_.store(index + 1, std::memory_order_release);
            return complete(nullptr, std::move(creds));
        }
        try {
            std::rethrow_exception(error);
        } catch (const credentials_error& e) {
            if (e.code() != credentials_errc::not_found) return complete(std::move(error), nullptr);
            tried += (tried.empty() ? "" : "; ") + std::string(e.what());
        } catch (...) {
            return complete(std::move(error), nullptr);
        }
        ++index;
        ask_next();
    }

    // The providers completed on `executor`; the caller's handler runs on its own associated executor.
    void complete(std::exception_ptr error, std::shared_ptr<const credentials> creds) {
        auto handler_executor = boost::asio::get_associated_executor(handler, executor);
        boost::asio::dispatch(handler_executor, boost::asio::append(std::move(handler), std::move(error), std::move(creds)));
    }
};

credentials_provider_chain::credentials_provider_chain(std::vector<std::shared_ptr<credentials_provider>> providers)
    : providers_(std::move(providers)) {}

std::string credentials_provider_chain::name() const {
    std::string out = "chain(";
    for (std::size_t i = 0; i < providers_.size(); ++i) out += (i ? ", " : "") + providers_[i]->name();
    return out + ")";
}

std::shared_ptr<const credentials> credentials_provider_chain::cached() const noexcept {
    std::size_t answered = answered_.load(std::memory_order_acquire);
    return answered ? providers_[answered - 1]->cached() : nullptr;
}

void credentials_provider_chain::async_get(boost::asio::any_io_executor executor, completion_handler handler) {
    walk{.chain = shared_from_this(), .executor = std::move(executor), .handler = std::move(handler)}.ask_next();
}

std::shared_ptr<credentials_provider_chain> make_default_credentials_chain(const environment& env,
                                                                           const profile_set& profiles,
                                                                           std::string profile_name,
                                                                           const credentials_chain_options& options) {
    auto profile = std::make_shared<profile_credentials_provider>(profiles, std::move(profile_name), env, options);
    auto sts = options.sts;
    if (sts.region.empty()) sts.region = options.region.empty() ? env.get("AWS_REGION").value_or(env.get("AWS_DEFAULT_REGION").value_or("")) : options.region;
    std::vector<std::shared_ptr<credentials_provider>> providers{
        std::make_shared<environment_credentials_provider>(env),
        std::move(profile),
        make_environment_web_identity_provider(env, std::move(sts)),
        std::make_shared<container_credentials_provider>(env, options.container),
        std::make_shared<imds_credentials_provider>(env, options.imds),
    };
    return std::make_shared<credentials_provider_chain>(std::move(providers));
}

}  // namespace ivschat
