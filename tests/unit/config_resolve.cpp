// Configuration resolution: option > environment > profile > default, and the errors.
#include <ivschat/config.hpp>
#include <ivschat/credentials_provider.hpp>
#include <ivschat/version.hpp>

#include "config_temp_files.hpp"

#include <catch2/catch.hpp>

namespace {

using ivschat::config_error;
using ivschat::config_options;
using ivschat::environment;
using ivschat::resolve_config;
using variables = std::map<std::string, std::string, std::less<>>;

// A HOME with the given shared files, and the environment that points at it.
struct home {
    ivschat::test::temp_dir dir;

    explicit home(std::string_view config = {}, std::string_view credentials = {}) {
        if (!config.empty()) dir.write(".aws/config", config);
        if (!credentials.empty()) dir.write(".aws/credentials", credentials);
    }

    environment env(variables extra = {}) const {
        extra.emplace("HOME", dir.path().string());
        return environment::from_map(std::move(extra));
    }
};

std::string source_of(const ivschat::resolved_config& c, std::string_view setting) {
    for (const auto& [name, source] : c.sources)
        if (name == setting) return source;
    return "<none>";
}

std::string error_of(const config_options& options, const environment& env) {
    try {
        resolve_config(options, env);
    } catch (const config_error& e) {
        return e.what();
    }
    FAIL("resolve_config did not fail");
    return {};
}

}  // namespace

TEST_CASE("defaults: the rule set's endpoint, standard retries, 3 attempts, default profile") {
    home h;
    auto c = resolve_config({.region = "us-west-2"}, h.env());
    CHECK(c.profile == "default");
    CHECK(c.region == "us-west-2");
    CHECK(c.endpoint.url == "https://ivschat.us-west-2.amazonaws.com");
    CHECK(c.endpoint.scheme == "https");
    CHECK(c.endpoint.host == "ivschat.us-west-2.amazonaws.com");
    CHECK(c.endpoint.port == 443);
    CHECK(c.endpoint.path.empty());
    CHECK(c.endpoint.host_header == "ivschat.us-west-2.amazonaws.com");
    CHECK_FALSE(c.custom_endpoint);
    CHECK_FALSE(c.use_fips);
    CHECK_FALSE(c.use_dual_stack);
    CHECK_FALSE(c.ca_bundle);
    CHECK(c.retry_mode == ivschat::retry_mode::standard);
    CHECK(c.max_attempts == 3);
    REQUIRE(c.credentials_provider);
    REQUIRE(c.profiles);
    CHECK(source_of(c, "region") == "config_options::region");
    CHECK(source_of(c, "endpoint") == "the endpoint rule set");
    CHECK(source_of(c, "profile") == "default");
}

TEST_CASE("region: option > AWS_REGION > AWS_DEFAULT_REGION > profile") {
    home h("[default]\nregion = eu-west-1\n[profile cn]\nregion = cn-north-1\n");
    auto all = variables{{"AWS_REGION", "us-east-2"}, {"AWS_DEFAULT_REGION", "ap-south-1"}};
    CHECK(resolve_config({.region = "sa-east-1"}, h.env(all)).region == "sa-east-1");
    auto c = resolve_config({}, h.env(all));
    CHECK(c.region == "us-east-2");
    CHECK(source_of(c, "region") == "AWS_REGION");
    c = resolve_config({}, h.env({{"AWS_DEFAULT_REGION", "ap-south-1"}}));
    CHECK(c.region == "ap-south-1");
    CHECK(source_of(c, "region") == "AWS_DEFAULT_REGION");
    c = resolve_config({}, h.env());
    CHECK(c.region == "eu-west-1");
    CHECK(source_of(c, "region") == "profile \"default\" key region");
    // The profile also decides the partition of the endpoint.
    c = resolve_config({}, h.env({{"AWS_PROFILE", "cn"}}));
    CHECK(c.region == "cn-north-1");
    CHECK(c.endpoint.url == "https://ivschat.cn-north-1.amazonaws.com.cn");
    CHECK(source_of(c, "profile") == "AWS_PROFILE");
    CHECK(resolve_config({.profile = "default"}, h.env({{"AWS_PROFILE", "cn"}})).region == "eu-west-1");
}

TEST_CASE("region errors: missing, invalid") {
    home h;
    CHECK(error_of({}, h.env()) ==
          "no region configured: set config_options::region, AWS_REGION, or region in profile \"default\" of the "
          "shared config file");
    CHECK(error_of({}, h.env({{"AWS_REGION", "us west 2"}})) ==
          "invalid region \"us west 2\" from AWS_REGION: a region is letters, digits and '-', such as us-west-2");
    CHECK(error_of({.region = "-us-west-2"}, h.env()).starts_with("invalid region \"-us-west-2\" from config_options::region"));
    CHECK(error_of({.region = "evil.com/x"}, h.env()).starts_with("invalid region"));
    CHECK(error_of({.region = std::string(64, 'a')}, h.env()).starts_with("invalid region"));
    // An empty variable is unset, so this is "missing", not "invalid".
    CHECK(error_of({}, h.env({{"AWS_REGION", ""}})).starts_with("no region configured"));
    CHECK(ivschat::is_valid_region(std::string(63, 'a')));
    CHECK(ivschat::is_valid_region("us-gov-west-1"));
    CHECK_FALSE(ivschat::is_valid_region("us-west-2-"));
    CHECK_FALSE(ivschat::is_valid_region(""));
}

TEST_CASE("profile: option > AWS_PROFILE > default; an explicitly chosen profile must exist") {
    home h("[profile dev]\nregion = eu-west-3\n");
    CHECK(resolve_config({}, h.env({{"AWS_PROFILE", "dev"}})).region == "eu-west-3");
    auto message = error_of({}, h.env({{"AWS_PROFILE", "nope"}, {"AWS_REGION", "us-east-1"}}));
    CHECK(message.starts_with("profile \"nope\" (from AWS_PROFILE) not found: it is not in "));
    CHECK(message.ends_with("/.aws/config"));
    CHECK(error_of({.profile = "ghost"}, environment::from_map({{"AWS_REGION", "us-east-1"}})) ==
          "profile \"ghost\" (from config_options::profile) not found: no shared config or credentials file exists");
    // The default profile may be absent.
    CHECK(resolve_config({}, environment::from_map({{"AWS_REGION", "us-east-1"}})).profile == "default");
}

TEST_CASE("endpoint: option > AWS_ENDPOINT_URL_IVSCHAT > AWS_ENDPOINT_URL > services section > profile") {
    home h(
        "[default]\nregion = us-west-2\nendpoint_url = https://profile.example:8443\nservices = local\n"
        "[services local]\nivschat =\n  endpoint_url = http://127.0.0.1:9000/base/\n"
        "s3 =\n  endpoint_url = http://wrong.example\n");
    auto both = variables{{"AWS_ENDPOINT_URL_IVSCHAT", "https://service.example"}, {"AWS_ENDPOINT_URL", "https://global.example"}};
    auto c = resolve_config({.endpoint_url = "https://option.example:1234/v1"}, h.env(both));
    CHECK(c.endpoint.url == "https://option.example:1234/v1");
    CHECK(c.endpoint.port == 1234);
    CHECK(c.endpoint.path == "/v1");
    CHECK(c.endpoint.host_header == "option.example:1234");
    CHECK(c.custom_endpoint);
    CHECK(resolve_config({}, h.env(both)).endpoint.host == "service.example");
    c = resolve_config({}, h.env({{"AWS_ENDPOINT_URL", "https://global.example"}}));
    CHECK(c.endpoint.host == "global.example");
    CHECK(source_of(c, "endpoint") == "AWS_ENDPOINT_URL");
    c = resolve_config({}, h.env());
    CHECK(c.endpoint.scheme == "http");
    CHECK(c.endpoint.host == "127.0.0.1");
    CHECK(c.endpoint.port == 9000);
    CHECK(c.endpoint.path == "/base");
    CHECK_FALSE(c.endpoint.uses_tls());
    CHECK(source_of(c, "endpoint") == "[services local] key ivschat.endpoint_url");

    home plain("[default]\nregion = us-west-2\nendpoint_url = https://profile.example:8443\n");
    c = resolve_config({}, plain.env());
    CHECK(c.endpoint.host_header == "profile.example:8443");
    CHECK(source_of(c, "endpoint") == "profile \"default\" key endpoint_url");
}

TEST_CASE("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS and ignore_configured_endpoint_urls keep only the option") {
    home h("[default]\nregion = us-west-2\nendpoint_url = https://profile.example\n");
    auto env = h.env({{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}, {"AWS_ENDPOINT_URL", "https://global.example"}});
    auto c = resolve_config({}, env);
    CHECK_FALSE(c.custom_endpoint);
    CHECK(c.endpoint.url == "https://ivschat.us-west-2.amazonaws.com");
    CHECK(resolve_config({.endpoint_url = "https://option.example"}, env).endpoint.host == "option.example");

    home ignoring("[default]\nregion = us-west-2\nendpoint_url = https://profile.example\n"
                  "ignore_configured_endpoint_urls = TRUE\n");
    CHECK_FALSE(resolve_config({}, ignoring.env()).custom_endpoint);
    // The variable decides over the profile.
    CHECK(resolve_config({}, ignoring.env({{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"}})).custom_endpoint);
    CHECK(error_of({}, h.env({{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes"}})) ==
          "invalid ignore_configured_endpoint_urls \"yes\" from AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: expected true or "
          "false");
}

TEST_CASE("FIPS and dual-stack: options, variables, profile, and the rule set's errors with a custom endpoint") {
    home h("[default]\nregion = us-east-1\nuse_fips_endpoint = true\n");
    auto c = resolve_config({}, h.env());
    CHECK(c.use_fips);
    CHECK(c.endpoint.url == "https://ivschat-fips.us-east-1.amazonaws.com");
    c = resolve_config({}, h.env({{"AWS_USE_FIPS_ENDPOINT", "false"}, {"AWS_USE_DUALSTACK_ENDPOINT", "true"}}));
    CHECK(c.endpoint.url == "https://ivschat.us-east-1.api.aws");
    c = resolve_config({.use_fips = true, .use_dual_stack = true}, h.env());
    CHECK(c.endpoint.url == "https://ivschat-fips.us-east-1.api.aws");
    CHECK(error_of({.endpoint_url = "https://e.example"}, h.env()) ==
          "Invalid Configuration: FIPS and custom endpoint are not supported (endpoint URL from "
          "config_options::endpoint_url)");
    CHECK(error_of({.endpoint_url = "https://e.example", .use_fips = false, .use_dual_stack = true}, h.env()) ==
          "Invalid Configuration: Dualstack and custom endpoint are not supported (endpoint URL from "
          "config_options::endpoint_url)");
    CHECK(error_of({}, h.env({{"AWS_USE_FIPS_ENDPOINT", "1"}})) ==
          "invalid use_fips_endpoint \"1\" from AWS_USE_FIPS_ENDPOINT: expected true or false");
}

TEST_CASE("malformed endpoint URLs are errors naming their source") {
    home h;
    auto env = h.env({{"AWS_REGION", "us-west-2"}});
    auto with = [&](std::string url) { return error_of({.endpoint_url = std::move(url)}, env); };
    CHECK(with("ivschat.example.com").starts_with("invalid endpoint URL \"ivschat.example.com\": not an absolute URL"));
    CHECK(with("ftp://h.example") == "invalid endpoint URL \"ftp://h.example\": the scheme must be https or http (from "
                                     "config_options::endpoint_url)");
    CHECK(with("https:///path").find("it has no host") != std::string::npos);
    CHECK(with("https://user:pw@h.example").find("user information") != std::string::npos);
    CHECK(with("https://h.example/?a=b").find("a query") != std::string::npos);
    CHECK(with("https://h.example/#x").find("a fragment") != std::string::npos);
    CHECK(with("https://h.example:70000").find("the port must be from 1 to 65535") != std::string::npos);
    CHECK(with("https://h.example:0").find("the port must be from 1 to 65535") != std::string::npos);
    CHECK(with("https://h.example:/").find("the port after ':' is empty") != std::string::npos);
    CHECK(with("https://h%41.example").find("percent-encoded") != std::string::npos);
    CHECK(with("http://[v1.x]/").find("not a name or an IP address") != std::string::npos);
    CHECK(with("https://h.example bad").starts_with("invalid endpoint URL"));
    CHECK(error_of({}, h.env({{"AWS_REGION", "us-west-2"}, {"AWS_ENDPOINT_URL_IVSCHAT", "nonsense"}}))
              .ends_with("(from AWS_ENDPOINT_URL_IVSCHAT)"));
}

TEST_CASE("endpoint URL parsing: IP addresses, ports, paths, case") {
    auto u = ivschat::parse_endpoint_url("HTTP://[::1]:8080/a/b/");
    CHECK(u.scheme == "http");
    CHECK(u.host == "::1");
    CHECK(u.port == 8080);
    CHECK(u.path == "/a/b");
    CHECK(u.host_header == "[::1]:8080");
    u = ivschat::parse_endpoint_url("https://[::1]");
    CHECK(u.port == 443);
    CHECK(u.host_header == "[::1]");
    u = ivschat::parse_endpoint_url("https://127.0.0.1:443/");
    CHECK(u.host == "127.0.0.1");
    CHECK(u.host_header == "127.0.0.1");
    CHECK(u.path.empty());
    u = ivschat::parse_endpoint_url("http://localhost:80");
    CHECK(u.host_header == "localhost");
    CHECK_THROWS_WITH(ivschat::parse_endpoint_url("http://localhost:"),
                      "invalid endpoint URL \"http://localhost:\": the port after ':' is empty");
}

TEST_CASE("retry mode and max attempts: option > variable > profile > default") {
    home h("[default]\nregion = us-west-2\nmax_attempts = 7\nretry_mode = adaptive\n");
    auto c = resolve_config({}, h.env());
    CHECK(c.max_attempts == 7);
    CHECK(c.retry_mode == ivschat::retry_mode::adaptive);
    CHECK(source_of(c, "max_attempts") == "profile \"default\" key max_attempts");
    c = resolve_config({}, h.env({{"AWS_MAX_ATTEMPTS", "5"}, {"AWS_RETRY_MODE", "Standard"}}));
    CHECK(c.max_attempts == 5);
    CHECK(c.retry_mode == ivschat::retry_mode::standard);
    c = resolve_config({.max_attempts = 1, .retry_mode = ivschat::retry_mode::standard},
                       h.env({{"AWS_MAX_ATTEMPTS", "5"}}));
    CHECK(c.max_attempts == 1);
    CHECK(c.retry_mode == ivschat::retry_mode::standard);
    CHECK(resolve_config({}, h.env({{"AWS_RETRY_MODE", "legacy"}})).retry_mode == ivschat::retry_mode::standard);
}

TEST_CASE("bad max_attempts and retry_mode are errors naming their source") {
    home h("[default]\nregion = us-west-2\n");
    for (const char* bad : {"0", "-1", "three", "3.5", "99999999999999999999", " 3", "+3"}) {
        INFO(bad);
        CHECK(error_of({}, h.env({{"AWS_MAX_ATTEMPTS", bad}})) ==
              std::string("invalid max_attempts \"") + bad +
                  "\" from AWS_MAX_ATTEMPTS: expected a whole number of attempts, 1 or more");
    }
    CHECK(error_of({.max_attempts = 0u}, h.env()) == "config_options::max_attempts must be 1 or more");
    home p("[default]\nregion = us-west-2\nretry_mode = aggressive\n");
    CHECK(error_of({}, p.env()) ==
          "invalid retry_mode \"aggressive\" from profile \"default\" key retry_mode: expected standard or adaptive");
}

TEST_CASE("user agent app id: option > AWS_SDK_UA_APP_ID > profile sdk_ua_app_id > none") {
    home h("[default]\nregion = us-west-2\nsdk_ua_app_id = from-profile\n[profile other]\nregion = us-west-2\n");
    auto c = resolve_config({}, h.env());
    CHECK(c.user_agent_app_id == "from-profile");
    CHECK(source_of(c, "user_agent_app_id") == "profile \"default\" key sdk_ua_app_id");
    CHECK(c.user_agent.ends_with(" app/from-profile"));
    c = resolve_config({}, h.env({{"AWS_SDK_UA_APP_ID", "from-env"}}));
    CHECK(c.user_agent_app_id == "from-env");
    CHECK(source_of(c, "user_agent_app_id") == "AWS_SDK_UA_APP_ID");
    CHECK(c.user_agent.ends_with(" app/from-env"));
    c = resolve_config({.user_agent_app_id = "from-option"}, h.env({{"AWS_SDK_UA_APP_ID", "from-env"}}));
    CHECK(c.user_agent_app_id == "from-option");
    CHECK(source_of(c, "user_agent_app_id") == "config_options::user_agent_app_id");
    CHECK(c.user_agent.ends_with(" app/from-option"));
    c = resolve_config({.profile = "other"}, h.env());
    CHECK_FALSE(c.user_agent_app_id);
    CHECK(c.user_agent.starts_with("ivschat-cpp/" IVSCHAT_VERSION_STRING " ua/2.1 "));
    CHECK(c.user_agent.find(" app/") == std::string::npos);
}

TEST_CASE("a bad user agent app id is an error naming its source") {
    home h("[default]\nregion = us-west-2\n");
    const std::string expected = ": expected 1 to 50 letters, digits or !#$%&'*+-.^_`|~ (no spaces)";
    CHECK(error_of({.user_agent_app_id = "two words"}, h.env()) ==
          "invalid user_agent_app_id \"two words\" from config_options::user_agent_app_id" + expected);
    CHECK(error_of({.user_agent_app_id = ""}, h.env()) ==
          "invalid user_agent_app_id \"\" from config_options::user_agent_app_id" + expected);
    const std::string long_id(51, 'a');
    CHECK(error_of({}, h.env({{"AWS_SDK_UA_APP_ID", long_id}})) ==
          "invalid user_agent_app_id \"" + long_id + "\" from AWS_SDK_UA_APP_ID" + expected);
    home p("[default]\nregion = us-west-2\nsdk_ua_app_id = shop/checkout\n");
    CHECK(error_of({}, p.env()) ==
          "invalid user_agent_app_id \"shop/checkout\" from profile \"default\" key sdk_ua_app_id" + expected);
    CHECK(resolve_config({.user_agent_app_id = std::string(50, 'a')}, h.env()).user_agent_app_id == std::string(50, 'a'));
}

TEST_CASE("CA bundle: option > AWS_CA_BUNDLE > profile, ~ expanded, must be a file") {
    home h;
    auto pem = h.dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
    h.dir.write(".aws/config", "[default]\nregion = us-west-2\nca_bundle = ~/ca.pem\n");
    auto c = resolve_config({}, h.env());
    REQUIRE(c.ca_bundle);
    CHECK(*c.ca_bundle == pem);
    CHECK(source_of(c, "ca_bundle") == "profile \"default\" key ca_bundle");
    CHECK(*resolve_config({}, h.env({{"AWS_CA_BUNDLE", pem}})).ca_bundle == pem);
    auto missing = (h.dir.path() / "missing.pem").string();
    CHECK(error_of({.ca_bundle = missing}, h.env()) ==
          "CA bundle \"" + missing + "\" from config_options::ca_bundle is not a readable file");
    CHECK(error_of({}, h.env({{"AWS_CA_BUNDLE", h.dir.path().string()}})).ends_with("is not a readable file"));
}

TEST_CASE("unreadable or malformed shared files fail resolution with file and line") {
    home h("[default]\nregion = us-west-2\n[profile broken\n");
    auto message = error_of({}, h.env());
    CHECK(message.ends_with("/.aws/config:3: section header \"[profile broken\" does not end with ']'"));
    home creds({}, "[default]\naws_access_key_id\n");
    CHECK(error_of({.region = "us-west-2"}, creds.env()).ends_with("/.aws/credentials:2: expected '=' in the property \"aws_access_key_id\""));
    home d;
    std::filesystem::create_directories(d.dir.path() / "folder");
    CHECK(error_of({.region = "us-west-2"}, d.env({{"AWS_CONFIG_FILE", (d.dir.path() / "folder").string()}}))
              .ends_with("folder: is a directory, not a file"));
}

TEST_CASE("credentials: a given provider, static credentials, else the default chain") {
    home h("[default]\nregion = us-west-2\n", "[default]\naws_access_key_id = PROFILE_AKID\naws_secret_access_key = s\n");
    auto provider = std::make_shared<ivschat::static_credentials_provider>(
        ivschat::credentials{.access_key_id = "GIVEN", .secret_access_key = "s", .session_token = {}, .expiration = {}});
    auto c = resolve_config({.static_credentials = ivschat::credentials{.access_key_id = "STATIC",
                                                                        .secret_access_key = "s",
                                                                        .session_token = {},
                                                                        .expiration = {}},
                             .credentials_provider = provider},
                            h.env());
    CHECK(c.credentials_provider == provider);
    c = resolve_config({.static_credentials = ivschat::credentials{.access_key_id = "STATIC",
                                                                   .secret_access_key = "s",
                                                                   .session_token = {},
                                                                   .expiration = {}}},
                       h.env());
    REQUIRE(c.credentials_provider->cached());
    CHECK(c.credentials_provider->cached()->access_key_id == "STATIC");
    c = resolve_config({}, h.env());
    CHECK(c.credentials_provider->name() ==
          "chain(environment, profile \"default\", web identity, container endpoint, "
          "EC2 instance metadata at http://169.254.169.254)");
    CHECK(error_of({.static_credentials = ivschat::credentials{}}, h.env()) ==
          "config_options::static_credentials has an empty access key id or secret access key");
    // The files read once are kept for later providers.
    REQUIRE(c.profiles->find("default"));
    CHECK(c.profiles->find("default")->get("aws_access_key_id") == "PROFILE_AKID");
}
