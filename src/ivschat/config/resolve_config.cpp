// Client configuration as the AWS SDKs resolve it: explicit option, then
// environment variable, then the selected profile of the shared files, then
// the default. Setting names follow the AWS SDKs and Tools reference guide
// ("Settings reference": region, endpoint_url, services, ca_bundle,
// max_attempts, retry_mode, use_fips_endpoint, use_dualstack_endpoint,
// ignore_configured_endpoint_urls, sdk_ua_app_id).
#include <ivschat/config.hpp>
#include <ivschat/credentials_provider.hpp>
#include <ivschat/endpoint.hpp>

#include "ivschat/config/config_text.hpp"
#include "ivschat/config/user_agent.hpp"

#include <charconv>
#include <filesystem>

namespace ivschat {
namespace {

// The service id of ivschat in service-2.json, as it appears in
// AWS_ENDPOINT_URL_<ID> and as the key of a `services` section.
constexpr const char* service_env_variable = "AWS_ENDPOINT_URL_IVSCHAT";
constexpr const char* service_key = "ivschat";

// A setting's value and where it came from ("AWS_REGION", "profile \"dev\" key region").
template <class T>
struct sourced {
    T value;
    std::string source;
};
using found_text = sourced<std::string>;

class setting_lookup {
public:
    setting_lookup(const environment& env, const profile_set& profiles, const std::string& profile_name)
        : env_(env),
          profiles_(profiles),
          profile_(profiles.find(profile_name)),
          profile_source_("profile \"" + profile_name + "\"") {}

    std::optional<found_text> from_environment(const char* variable) const {
        if (auto value = env_.get(variable)) return found_text{std::move(*value), variable};
        return std::nullopt;
    }

    std::optional<found_text> from_profile(const char* key) const {
        if (!profile_) return std::nullopt;
        auto value = profile_->get(key);
        if (!value || value->empty()) return std::nullopt;
        return found_text{std::string(*value), profile_source_ + " key " + key};
    }

    // `ivschat =` / `  <sub_key> = ...` in the [services <name>] section
    // that the profile's `services = <name>` names.
    std::optional<found_text> from_services_section(const char* sub_key) const {
        auto name = from_profile("services");
        if (!name) return std::nullopt;
        const profile* section = profiles_.find_section("services", name->value);
        if (!section) return std::nullopt;
        auto value = section->get(service_key, sub_key);
        if (!value || value->empty()) return std::nullopt;
        return found_text{std::string(*value), "[services " + name->value + "] key " + service_key + "." + sub_key};
    }

    // The option if set, else the first variable set, else the profile key,
    // each text converted by `parse(text, key)`.
    template <class T, class Parse>
    std::optional<sourced<T>> resolve(const std::optional<T>& option, const char* option_name,
                                      std::initializer_list<const char*> variables, const char* key, Parse parse) const {
        if (option) return sourced<T>{*option, option_name};
        std::optional<found_text> found;
        for (const char* variable : variables)
            if (!found) found = from_environment(variable);
        if (!found) found = from_profile(key);
        if (!found) return std::nullopt;
        return sourced<T>{parse(*found, key), found->source};
    }

    const std::string& profile_source() const { return profile_source_; }

private:
    const environment& env_;
    const profile_set& profiles_;
    const profile* profile_;
    std::string profile_source_;
};

[[noreturn]] void reject(const found_text& s, const char* key, const char* expected) {
    throw config_error("invalid " + std::string(key) + " \"" + s.value + "\" from " + s.source + ": " + expected);
}

std::string parse_text(const found_text& s, const char*) { return s.value; }

bool parse_bool(const found_text& s, const char* key) {
    std::string v = detail::ascii_lower(s.value);
    if (v != "true" && v != "false") reject(s, key, "expected true or false");
    return v == "true";
}

unsigned parse_max_attempts(const found_text& s, const char* key) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(s.value.data(), s.value.data() + s.value.size(), value);
    if (ec != std::errc{} || end != s.value.data() + s.value.size() || value < 1)
        reject(s, key, "expected a whole number of attempts, 1 or more");
    return value;
}

// AWS_RETRY_MODE / profile retry_mode take the SDKs' names only; "off" is an
// option of this library, not a configuration value.
retry_mode read_retry_mode(const found_text& s, const char* key) {
    auto mode = ivschat::parse_retry_mode(s.value);
    if (!mode) reject(s, key, "expected standard or adaptive");
    return *mode;
}

// The selected profile: option, AWS_PROFILE, "default". One that was asked for must exist.
found_text select_profile(const config_options& options, const environment& env, const profile_set& profiles) {
    found_text selected{"default", "default"};
    if (options.profile) selected = {*options.profile, "config_options::profile"};
    else if (auto p = env.get("AWS_PROFILE")) selected = {*p, "AWS_PROFILE"};
    if (selected.source != "default" && !profiles.find(selected.value)) {
        auto files = detail::file_list(profiles);
        throw config_error("profile \"" + selected.value + "\" (from " + selected.source + ") not found: " +
                           (files.empty() ? "no shared config or credentials file exists" : "it is not in " + files));
    }
    return selected;
}

// The configured endpoint URL, if any: option, AWS_ENDPOINT_URL_IVSCHAT,
// AWS_ENDPOINT_URL, the services section, the profile's endpoint_url; all but
// the option skipped when configured endpoints are ignored.
std::optional<found_text> configured_endpoint(const config_options& options, const setting_lookup& lookup) {
    if (options.endpoint_url) return found_text{*options.endpoint_url, "config_options::endpoint_url"};
    auto ignore = lookup.resolve(std::optional<bool>{}, "", {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"},
                                 "ignore_configured_endpoint_urls", parse_bool);
    if (ignore && ignore->value) return std::nullopt;
    for (const char* variable : {service_env_variable, "AWS_ENDPOINT_URL"})
        if (auto s = lookup.from_environment(variable)) return s;
    if (auto s = lookup.from_services_section("endpoint_url")) return s;
    return lookup.from_profile("endpoint_url");
}

void resolve_endpoint_settings(const config_options& options, const setting_lookup& lookup, resolved_config& out) {
    auto custom = configured_endpoint(options, lookup);
    auto resolved = resolve_endpoint({.region = out.region,
                                      .use_fips = out.use_fips,
                                      .use_dual_stack = out.use_dual_stack,
                                      .endpoint = custom ? std::optional(custom->value) : std::nullopt});
    if (!resolved)
        throw config_error(resolved.error + (custom ? " (endpoint URL from " + custom->source + ")" : std::string{}));
    try {
        out.endpoint = parse_endpoint_url(resolved.url);
    } catch (const config_error& e) {
        throw config_error(e.what() + (custom ? " (from " + custom->source + ")" : std::string{}));
    }
    out.custom_endpoint = custom.has_value();
    out.sources.emplace_back("endpoint", custom ? custom->source : "the endpoint rule set");
}

std::shared_ptr<credentials_provider> choose_credentials(const config_options& options, const environment& env,
                                                         const profile_set& profiles, const std::string& profile,
                                                         const std::string& region) {
    if (options.credentials_provider) return options.credentials_provider;
    if (options.static_credentials) {
        if (options.static_credentials->empty())
            throw config_error("config_options::static_credentials has an empty access key id or secret access key");
        return std::make_shared<static_credentials_provider>(*options.static_credentials);
    }
    return make_default_credentials_chain(env, profiles, profile, {.region = region});
}

}  // namespace

resolved_config resolve_config(const config_options& options, const environment& env) {
    resolved_config out;
    auto profiles = std::make_shared<profile_set>(load_profile_files(shared_file_paths(env)));
    auto take = [&out](auto& field, auto&& setting, const char* name) {
        if (!setting) return;
        field = std::move(setting->value);
        out.sources.emplace_back(name, std::move(setting->source));
    };

    take(out.profile, std::optional(select_profile(options, env, *profiles)), "profile");
    setting_lookup lookup(env, *profiles, out.profile);

    auto region = lookup.resolve(options.region, "config_options::region", {"AWS_REGION", "AWS_DEFAULT_REGION"},
                                 "region", parse_text);
    if (!region)
        throw config_error("no region configured: set config_options::region, AWS_REGION, or region in " +
                           lookup.profile_source() + " of the shared config file");
    if (!is_valid_region(region->value))
        reject({region->value, region->source}, "region", "a region is letters, digits and '-', such as us-west-2");
    take(out.region, region, "region");

    take(out.use_fips,
         lookup.resolve(options.use_fips, "config_options::use_fips", {"AWS_USE_FIPS_ENDPOINT"}, "use_fips_endpoint",
                        parse_bool),
         "use_fips");
    take(out.use_dual_stack,
         lookup.resolve(options.use_dual_stack, "config_options::use_dual_stack", {"AWS_USE_DUALSTACK_ENDPOINT"},
                        "use_dualstack_endpoint", parse_bool),
         "use_dual_stack");
    resolve_endpoint_settings(options, lookup, out);

    if (auto ca = lookup.resolve(options.ca_bundle, "config_options::ca_bundle", {"AWS_CA_BUNDLE"}, "ca_bundle", parse_text)) {
        ca->value = detail::expand_home(std::move(ca->value), env);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(ca->value, ec))
            throw config_error("CA bundle \"" + ca->value + "\" from " + ca->source + " is not a readable file");
        out.ca_bundle.emplace();
        take(*out.ca_bundle, ca, "ca_bundle");
    }

    if (options.max_attempts == 0u) throw config_error("config_options::max_attempts must be 1 or more");
    take(out.max_attempts,
         lookup.resolve(options.max_attempts, "config_options::max_attempts", {"AWS_MAX_ATTEMPTS"}, "max_attempts",
                        parse_max_attempts),
         "max_attempts");
    take(out.retry_mode,
         lookup.resolve(options.retry_mode, "config_options::retry_mode", {"AWS_RETRY_MODE"}, "retry_mode",
                        read_retry_mode),
         "retry_mode");

    // Checked after the lookup, since an option's value skips the parse.
    auto app_id = lookup.resolve(options.user_agent_app_id, "config_options::user_agent_app_id",
                                 {"AWS_SDK_UA_APP_ID"}, "sdk_ua_app_id", parse_text);
    if (app_id && !detail::is_valid_app_id(app_id->value))
        reject({app_id->value, app_id->source}, "user_agent_app_id",
               "expected 1 to 50 letters, digits or !#$%&'*+-.^_`|~ (no spaces)");
    take(out.user_agent_app_id, app_id, "user_agent_app_id");
    out.user_agent =
        detail::format_user_agent(detail::local_user_agent_facts(env), out.user_agent_app_id.value_or(""));

    out.credentials_provider = choose_credentials(options, env, *profiles, out.profile, out.region);
    out.profiles = std::move(profiles);
    return out;
}

}  // namespace ivschat
