// Client configuration as the AWS SDKs resolve it: explicit option, then
// environment variable, then the selected profile of the shared files, then
// the default. Setting names follow the AWS SDKs and Tools reference guide
// ("Settings reference": region, endpoint_url, services, ca_bundle,
// max_attempts, retry_mode, use_fips_endpoint, use_dualstack_endpoint,
// ignore_configured_endpoint_urls).
#include <ivschat/config.hpp>
#include <ivschat/endpoint.hpp>

#include <charconv>
#include <filesystem>

namespace ivschat {
namespace {

// The service id of ivschat in service-2.json, as it appears in
// AWS_ENDPOINT_URL_<ID> and as the key of a `services` section.
constexpr const char* service_env_variable = "AWS_ENDPOINT_URL_IVSCHAT";
constexpr const char* service_key = "ivschat";
constexpr unsigned default_max_attempts = 3;  // "standard" retry mode, AWS SDKs and Tools reference guide

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// A setting's text and where it came from ("AWS_REGION", "profile \"dev\"").
struct found_setting {
    std::string text;
    std::string source;
};

class setting_lookup {
public:
    setting_lookup(const environment& env, const profile_set& profiles, const std::string& profile_name)
        : env_(env),
          profiles_(profiles),
          profile_(profiles.find(profile_name)),
          profile_source_("profile \"" + profile_name + "\"") {}

    std::optional<found_setting> from_environment(const char* variable) const {
        if (auto value = env_.get(variable)) return found_setting{std::move(*value), variable};
        return std::nullopt;
    }

    std::optional<found_setting> from_profile(const char* key) const {
        if (!profile_) return std::nullopt;
        auto value = profile_->get(key);
        if (!value || value->empty()) return std::nullopt;
        return found_setting{std::string(*value), profile_source_ + " key " + key};
    }

    // The first of: each variable in turn, then the profile key.
    std::optional<found_setting> find(std::initializer_list<const char*> variables, const char* key) const {
        for (const char* variable : variables)
            if (auto s = from_environment(variable)) return s;
        return from_profile(key);
    }

    const std::string& profile_source() const { return profile_source_; }

    // `<key> =` / `  endpoint_url = ...` under our service in the
    // [services <name>] section that the profile's `services = <name>` names.
    std::optional<found_setting> from_services_section(const char* sub_key) const {
        auto name = from_profile("services");
        if (!name) return std::nullopt;
        const profile* section = profiles_.find_section("services", name->text);
        if (!section) return std::nullopt;
        auto value = section->get(service_key, sub_key);
        if (!value || value->empty()) return std::nullopt;
        return found_setting{std::string(*value),
                             "[services " + name->text + "] key " + service_key + "." + sub_key};
    }

private:
    const environment& env_;
    const profile_set& profiles_;
    const profile* profile_;
    std::string profile_source_;
};

bool parse_bool(const found_setting& s, const char* what) {
    std::string v = lower(s.text);
    if (v == "true") return true;
    if (v == "false") return false;
    throw config_error("invalid " + std::string(what) + " \"" + s.text + "\" from " + s.source + ": expected true or false");
}

unsigned parse_max_attempts(const found_setting& s) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(s.text.data(), s.text.data() + s.text.size(), value);
    if (ec != std::errc{} || end != s.text.data() + s.text.size() || value < 1)
        throw config_error("invalid max_attempts \"" + s.text + "\" from " + s.source +
                           ": expected a whole number of attempts, 1 or more");
    return value;
}

retry_mode parse_retry_mode(const found_setting& s) {
    std::string v = lower(s.text);
    if (v == "standard" || v == "legacy") return retry_mode::standard;
    if (v == "adaptive") return retry_mode::adaptive;
    throw config_error("invalid retry_mode \"" + s.text + "\" from " + s.source + ": expected standard or adaptive");
}

std::string expand_home(std::string path, const environment& env) {
    if (path == "~" || path.starts_with("~/"))
        if (auto home = env.get("HOME")) path.replace(0, 1, *home);
    return path;
}

std::string describe_files(const profile_set& profiles) {
    if (profiles.files().empty()) return "no shared config or credentials file exists";
    std::string out;
    for (const auto& f : profiles.files()) out += (out.empty() ? "" : " or ") + f;
    return "it is not in " + out;
}

// Boolean option, else variable, else profile key, else false.
bool resolve_flag(const std::optional<bool>& option, const setting_lookup& lookup, const char* variable,
                  const char* key, const char* what) {
    if (option) return *option;
    auto found = lookup.find({variable}, key);
    return found && parse_bool(*found, what);
}

// The configured endpoint URL, if any, with its source.
std::optional<found_setting> configured_endpoint(const config_options& options, const setting_lookup& lookup) {
    if (options.endpoint_url) return found_setting{*options.endpoint_url, "config_options::endpoint_url"};
    auto ignore = lookup.find({"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"}, "ignore_configured_endpoint_urls");
    if (ignore && parse_bool(*ignore, "ignore_configured_endpoint_urls")) return std::nullopt;
    for (const char* variable : {service_env_variable, "AWS_ENDPOINT_URL"})
        if (auto s = lookup.from_environment(variable)) return s;
    if (auto s = lookup.from_services_section("endpoint_url")) return s;
    return lookup.from_profile("endpoint_url");
}

std::shared_ptr<credentials_provider> choose_credentials(const config_options& options, const environment& env,
                                                         const profile_set& profiles, const std::string& profile) {
    if (options.credentials_provider) return options.credentials_provider;
    if (options.static_credentials) {
        if (options.static_credentials->empty())
            throw config_error("config_options::static_credentials has an empty access key id or secret access key");
        return std::make_shared<static_credentials_provider>(*options.static_credentials);
    }
    return make_default_credentials_chain(env, profiles, profile);
}

}  // namespace

resolved_config resolve_config(const config_options& options, const environment& env) {
    resolved_config out;
    auto profiles = std::make_shared<profile_set>(load_profile_files(shared_file_paths(env)));
    auto note = [&](const char* setting, std::string source) { out.sources.emplace_back(setting, std::move(source)); };

    // The profile: option, AWS_PROFILE, "default". One that was asked for must exist.
    std::string profile_source = "default";
    if (options.profile) {
        out.profile = *options.profile;
        profile_source = "config_options::profile";
    } else if (auto p = env.get("AWS_PROFILE")) {
        out.profile = *p;
        profile_source = "AWS_PROFILE";
    } else {
        out.profile = "default";
    }
    if (!profiles->find(out.profile) && profile_source != "default")
        throw config_error("profile \"" + out.profile + "\" (from " + profile_source + ") not found: " +
                           describe_files(*profiles));
    note("profile", profile_source);
    setting_lookup lookup(env, *profiles, out.profile);

    std::optional<found_setting> region;
    if (options.region) region = found_setting{*options.region, "config_options::region"};
    else region = lookup.find({"AWS_REGION", "AWS_DEFAULT_REGION"}, "region");
    if (!region)
        throw config_error("no region configured: set config_options::region, AWS_REGION, or region in " +
                           lookup.profile_source() + " of the shared config file");
    if (!is_valid_region(region->text))
        throw config_error("invalid region \"" + region->text + "\" from " + region->source +
                           ": a region is letters, digits and '-', such as us-west-2");
    out.region = region->text;
    note("region", region->source);

    out.use_fips = resolve_flag(options.use_fips, lookup, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint", "use_fips_endpoint");
    out.use_dual_stack = resolve_flag(options.use_dual_stack, lookup, "AWS_USE_DUALSTACK_ENDPOINT",
                                      "use_dualstack_endpoint", "use_dualstack_endpoint");

    auto custom = configured_endpoint(options, lookup);
    auto resolved = resolve_endpoint({.region = out.region,
                                      .use_fips = out.use_fips,
                                      .use_dual_stack = out.use_dual_stack,
                                      .endpoint = custom ? std::optional(custom->text) : std::nullopt});
    if (!resolved)
        throw config_error(resolved.error + (custom ? " (endpoint URL from " + custom->source + ")" : std::string{}));
    try {
        out.endpoint = parse_endpoint_url(resolved.url);
    } catch (const config_error& e) {
        throw config_error(std::string(e.what()) + (custom ? " (from " + custom->source + ")" : std::string{}));
    }
    out.custom_endpoint = custom.has_value();
    note("endpoint", custom ? custom->source : "the endpoint rule set");

    std::optional<found_setting> ca_bundle;
    if (options.ca_bundle) ca_bundle = found_setting{*options.ca_bundle, "config_options::ca_bundle"};
    else ca_bundle = lookup.find({"AWS_CA_BUNDLE"}, "ca_bundle");
    if (ca_bundle) {
        std::string path = expand_home(ca_bundle->text, env);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw config_error("CA bundle \"" + path + "\" from " + ca_bundle->source + " is not a readable file");
        out.ca_bundle = std::move(path);
        note("ca_bundle", ca_bundle->source);
    }

    if (options.max_attempts) {
        if (*options.max_attempts < 1) throw config_error("config_options::max_attempts must be 1 or more");
        out.max_attempts = *options.max_attempts;
        note("max_attempts", "config_options::max_attempts");
    } else if (auto found = lookup.find({"AWS_MAX_ATTEMPTS"}, "max_attempts")) {
        out.max_attempts = parse_max_attempts(*found);
        note("max_attempts", found->source);
    } else {
        out.max_attempts = default_max_attempts;
    }

    if (options.retry_mode) {
        out.retry_mode = *options.retry_mode;
        note("retry_mode", "config_options::retry_mode");
    } else if (auto found = lookup.find({"AWS_RETRY_MODE"}, "retry_mode")) {
        out.retry_mode = parse_retry_mode(*found);
        note("retry_mode", found->source);
    }

    out.credentials_provider = choose_credentials(options, env, *profiles, out.profile);
    out.profiles = std::move(profiles);
    return out;
}

}  // namespace ivschat
