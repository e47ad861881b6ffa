// The choice of provider a shared-file profile calls for.
#include <ivschat/config.hpp>
#include <ivschat/container_credentials_provider.hpp>
#include <ivschat/credentials_provider.hpp>
#include <ivschat/imds_credentials_provider.hpp>
#include <ivschat/process_credentials_provider.hpp>
#include <ivschat/sts_credentials_providers.hpp>

#include "ivschat/config/config_text.hpp"
#include "ivschat/credentials/named_answer_provider.hpp"

#include <algorithm>
#include <charconv>

namespace ivschat {

namespace {

using detail::named_answer_provider;

std::shared_ptr<credentials_provider> failure(const std::string& who, credentials_errc code, const std::string& why) {
    return std::make_shared<named_answer_provider>(who, credentials_error(code, who + ": " + why));
}

std::string list_files(const profile_set& profiles) {
    auto files = detail::file_list(profiles);
    return files.empty() ? "no shared config or credentials file" : files;
}

bool has_keys(const profile& p) { return p.get("aws_access_key_id") || p.get("aws_secret_access_key"); }

std::shared_ptr<credentials_provider> keys_provider(const profile& p, const std::string& who) {
    auto id = p.get("aws_access_key_id");
    auto secret = p.get("aws_secret_access_key");
    if (!id || !secret || id->empty() || secret->empty())
        return failure(who, credentials_errc::invalid, "needs both aws_access_key_id and aws_secret_access_key, with values");
    return std::make_shared<named_answer_provider>(
        who, credentials{.access_key_id = std::string(*id),
                         .secret_access_key = std::string(*secret),
                         .session_token = std::string(p.get("aws_session_token").value_or("")),
                         .expiration = std::nullopt});
}

class profile_resolver {
public:
    profile_resolver(const profile_set& profiles, const environment& env, credentials_chain_options options)
        : profiles_(profiles), env_(env), options_(std::move(options)) {}

    std::shared_ptr<credentials_provider> resolve(const std::string& name) {
        const std::string who = "profile \"" + name + "\"";
        const profile* p = profiles_.find(name);
        if (!p) return failure(who, credentials_errc::not_found, "not found in " + list_files(profiles_));
        if (path_.empty()) choose_region(*p);
        // role_arn means "assume this role", even when the profile also has keys.
        if (p->get("role_arn")) return assume_role(*p, name, who);
        if (has_keys(*p)) return keys_provider(*p, who);
        if (auto command = p->get("credential_process"); command && !command->empty())
            return std::make_shared<process_credentials_provider>(std::string(*command), name, options_.process);
        if (p->get("web_identity_token_file"))
            return failure(who, credentials_errc::invalid, "has web_identity_token_file but no role_arn");
        for (const char* key : {"sso_session", "sso_start_url"})
            if (p->get(key))
                return failure(who, credentials_errc::unsupported,
                               std::string("uses SSO (") + key + "), which this library does not support");
        return failure(who, credentials_errc::not_found,
                       "has no aws_access_key_id and aws_secret_access_key, role_arn or credential_process (in " +
                           list_files(profiles_) + ")");
    }

private:
    void choose_region(const profile& p) {
        if (!options_.sts.region.empty()) return;
        if (!options_.region.empty()) options_.sts.region = options_.region;
        else if (auto r = env_.get("AWS_REGION")) options_.sts.region = *r;
        else if (auto r2 = env_.get("AWS_DEFAULT_REGION")) options_.sts.region = *r2;
        else if (auto r3 = p.get("region")) options_.sts.region = std::string(*r3);
    }

    std::shared_ptr<credentials_provider> assume_role(const profile& p, const std::string& name, const std::string& who) {
        const std::string role_arn(*p.get("role_arn"));
        const std::string session_name(p.get("role_session_name").value_or(""));
        if (auto token_file = p.get("web_identity_token_file")) {
            return std::make_shared<web_identity_credentials_provider>(
                web_identity_settings{.role_arn = role_arn, .token_file = std::string(*token_file), .session_name = session_name},
                env_, options_.sts);
        }
        auto source_profile = p.get("source_profile");
        auto credential_source = p.get("credential_source");
        if (source_profile && credential_source)
            return failure(who, credentials_errc::invalid, "has both source_profile and credential_source; use one");
        std::shared_ptr<credentials_provider> source;
        if (source_profile) source = source_of(std::string(*source_profile), name);
        else if (credential_source) source = named_source(std::string(*credential_source));
        else
            return failure(who, credentials_errc::invalid,
                           "has role_arn but no source_profile, credential_source or web_identity_token_file");
        if (!source) return failure(who, credentials_errc::invalid, error_);
        assume_role_settings settings{.role_arn = role_arn,
                                      .session_name = session_name,
                                      .external_id = std::string(p.get("external_id").value_or("")),
                                      .duration_seconds = std::nullopt};
        if (auto duration = p.get("duration_seconds")) {
            int seconds = 0;
            auto [end, ec] = std::from_chars(duration->data(), duration->data() + duration->size(), seconds);
            if (ec != std::errc{} || end != duration->data() + duration->size() || seconds <= 0)
                return failure(who, credentials_errc::invalid, "duration_seconds is not a positive integer");
            settings.duration_seconds = seconds;
        }
        return std::make_shared<assume_role_credentials_provider>(std::move(settings), std::move(source), env_, options_.sts);
    }

    // The credentials a source_profile gives: its keys when it has them
    // (also when it names itself), else what it configures. nullptr with
    // error_ set on a loop.
    std::shared_ptr<credentials_provider> source_of(const std::string& source, const std::string& name) {
        const profile* s = profiles_.find(source);
        if (!s) {
            error_ = "its source_profile \"" + source + "\" is not in " + list_files(profiles_);
            return nullptr;
        }
        if (has_keys(*s)) return keys_provider(*s, "profile \"" + source + "\"");
        path_.push_back(name);
        if (std::find(path_.begin(), path_.end(), source) != path_.end()) {
            error_ = "source_profile chain loops: ";
            for (const auto& step : path_) error_ += step + " -> ";
            error_ += source;
            return nullptr;
        }
        return resolve(source);
    }

    std::shared_ptr<credentials_provider> named_source(const std::string& source) {
        // The values botocore's CanonicalNameCredentialSourcer knows.
        if (source == "Environment") return std::make_shared<environment_credentials_provider>(env_);
        if (source == "Ec2InstanceMetadata") return std::make_shared<imds_credentials_provider>(env_, options_.imds);
        if (source == "EcsContainer") return std::make_shared<container_credentials_provider>(env_, options_.container);
        error_ = "credential_source \"" + source + "\" is not Environment, Ec2InstanceMetadata or EcsContainer";
        return nullptr;
    }

    const profile_set& profiles_;
    const environment& env_;
    credentials_chain_options options_;
    std::vector<std::string> path_;
    std::string error_;
};

}  // namespace

profile_credentials_provider::profile_credentials_provider(const profile_set& profiles, std::string profile_name,
                                                           const environment& env,
                                                           const credentials_chain_options& options)
    : profile_name_(std::move(profile_name)),
      selected_(profile_resolver(profiles, env, options).resolve(profile_name_)) {}

profile_credentials_provider::profile_credentials_provider(const profile_set& profiles, std::string profile_name)
    : profile_credentials_provider(profiles, std::move(profile_name), environment::from_map({})) {}

}  // namespace ivschat
