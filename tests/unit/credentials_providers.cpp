// Credentials providers: static, environment, shared-file profile, the
// default chain, and their completion with every kind of completion token.
#include <ivschat/config.hpp>
#include <ivschat/credentials_provider.hpp>

#include "config_temp_files.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <future>
#include <sstream>

namespace {

namespace asio = boost::asio;
using ivschat::credentials;
using ivschat::credentials_errc;
using ivschat::credentials_error;
using ivschat::credentials_provider;
using ivschat::environment;
using ivschat::profile_file_kind;
using ivschat::profile_set;

struct outcome {
    std::exception_ptr error{};
    std::shared_ptr<const credentials> creds{};
    bool completed = false;
};

// Runs async_get with a callback and checks it completes only inside run().
outcome get(credentials_provider& provider) {
    asio::io_context ioc;
    outcome out;
    ivschat::async_get_credentials(provider, ioc.get_executor(),
                                   [&](std::exception_ptr e, std::shared_ptr<const credentials> c) {
                                       out = {std::move(e), std::move(c), true};
                                   });
    CHECK_FALSE(out.completed);
    ioc.run();
    REQUIRE(out.completed);
    CHECK((out.error == nullptr) == (out.creds != nullptr));
    return out;
}

// The error of a failed get: its code and message.
std::pair<std::error_code, std::string> failure(credentials_provider& provider) {
    auto out = get(provider);
    REQUIRE(out.error);
    try {
        std::rethrow_exception(out.error);
    } catch (const credentials_error& e) {
        return {e.code(), e.what()};
    }
}

profile_set profiles(std::string_view config, std::string_view credentials_file) {
    profile_set set;
    set.merge_file(config, profile_file_kind::config, "/h/.aws/config");
    set.merge_file(credentials_file, profile_file_kind::credentials, "/h/.aws/credentials");
    return set;
}

credentials keys(const char* id, const char* secret, const char* token = "") {
    return {.access_key_id = id, .secret_access_key = secret, .session_token = token, .expiration = {}};
}

}  // namespace

TEST_CASE("static provider: cached at once, posted to the executor, never printed") {
    ivschat::static_credentials_provider provider(keys("AKID", "SECRET", "TOKEN"));
    REQUIRE(provider.cached());
    CHECK(provider.cached()->access_key_id == "AKID");
    CHECK(provider.cached() == provider.cached());  // one shared snapshot, no copy per call
    auto out = get(provider);
    CHECK(out.creds == provider.cached());
    CHECK(out.creds->session_token == "TOKEN");
    std::ostringstream printed;
    printed << *out.creds;
    CHECK(printed.str().find("SECRET") == std::string::npos);
    CHECK(printed.str().find("TOKEN") == std::string::npos);
}

TEST_CASE("static provider: empty values are an invalid configuration") {
    ivschat::static_credentials_provider provider(keys("AKID", ""));
    CHECK_FALSE(provider.cached());
    auto [code, message] = failure(provider);
    CHECK(code == credentials_errc::invalid);
    CHECK(message == "static credentials: the access key id or the secret access key is empty");
    CHECK(code.category().name() == std::string("ivschat.credentials"));
    CHECK(code.message() == "invalid credentials configuration");
}

TEST_CASE("environment provider") {
    using ivschat::environment_credentials_provider;
    environment_credentials_provider full(environment::from_map(
        {{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "S"}, {"AWS_SESSION_TOKEN", "T"}}));
    REQUIRE(full.cached());
    CHECK(full.cached()->access_key_id == "AKID");
    CHECK(full.cached()->secret_access_key == "S");
    CHECK(full.cached()->session_token == "T");
    CHECK_FALSE(full.cached()->expiration);

    environment_credentials_provider no_token(environment::from_map({{"AWS_ACCESS_KEY_ID", "A"}, {"AWS_SECRET_ACCESS_KEY", "S"}}));
    REQUIRE(no_token.cached());
    CHECK(no_token.cached()->session_token.empty());

    environment_credentials_provider none(environment::from_map({{"AWS_SESSION_TOKEN", "T"}, {"AWS_ACCESS_KEY_ID", ""}}));
    CHECK(failure(none) == std::pair{make_error_code(credentials_errc::not_found),
                                     std::string("environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")});
    environment_credentials_provider id_only(environment::from_map({{"AWS_ACCESS_KEY_ID", "A"}}));
    CHECK(failure(id_only) == std::pair{make_error_code(credentials_errc::invalid),
                                        std::string("environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")});
    environment_credentials_provider secret_only(environment::from_map({{"AWS_SECRET_ACCESS_KEY", "S"}}));
    CHECK(failure(secret_only).second == "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
}

TEST_CASE("profile provider: keys from either file, the credentials file winning") {
    using ivschat::profile_credentials_provider;
    auto set = profiles(
        "[default]\naws_access_key_id = CONFIG_ID\naws_secret_access_key = CONFIG_SECRET\n"
        "[profile session]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = T\n"
        "[profile both]\naws_access_key_id = CONFIG_ID\naws_secret_access_key = CONFIG_SECRET\n",
        "[both]\naws_access_key_id = CRED_ID\n");
    profile_credentials_provider config_only(set, "default");
    REQUIRE(config_only.cached());
    CHECK(config_only.cached()->access_key_id == "CONFIG_ID");
    CHECK(config_only.name() == "profile \"default\"");
    profile_credentials_provider session(set, "session");
    CHECK(get(session).creds->session_token == "T");
    profile_credentials_provider both(set, "both");
    CHECK(both.cached()->access_key_id == "CRED_ID");
    CHECK(both.cached()->secret_access_key == "CONFIG_SECRET");
}

TEST_CASE("profile provider: missing profile, no keys, half keys, role without source, SSO") {
    using ivschat::profile_credentials_provider;
    auto set = profiles(
        "[profile nokeys]\nregion = us-west-2\n"
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = base\n"
        "aws_access_key_id = A\naws_secret_access_key = S\n"
        "[profile process]\ncredential_process = /bin/get-creds\n"
        "[profile process_and_keys]\ncredential_process = /bin/get-creds\naws_access_key_id = A\naws_secret_access_key = S\n"
        "[profile sso]\nsso_session = corp\n"
        "[profile web]\nweb_identity_token_file = /t\n",
        "[half]\naws_access_key_id = A\n[empty_secret]\naws_access_key_id = A\naws_secret_access_key =\n");
    auto check = [&](const char* name, credentials_errc code, const std::string& message) {
        INFO(name);
        profile_credentials_provider p(set, name);
        CHECK_FALSE(p.cached());
        auto [c, m] = failure(p);
        CHECK(c == code);
        CHECK(m == message);
    };
    check("ghost", credentials_errc::not_found, "profile \"ghost\": not found in /h/.aws/config or /h/.aws/credentials");
    check("nokeys", credentials_errc::not_found,
          "profile \"nokeys\": has no aws_access_key_id and aws_secret_access_key, role_arn or credential_process "
          "(in /h/.aws/config or /h/.aws/credentials)");
    check("half", credentials_errc::invalid,
          "profile \"half\": needs both aws_access_key_id and aws_secret_access_key, with values");
    check("empty_secret", credentials_errc::invalid,
          "profile \"empty_secret\": needs both aws_access_key_id and aws_secret_access_key, with values");
    check("role", credentials_errc::invalid,
          "profile \"role\": its source_profile \"base\" is not in /h/.aws/config or /h/.aws/credentials");
    check("sso", credentials_errc::unsupported,
          "profile \"sso\": uses SSO (sso_session), which this library does not support");
    check("web", credentials_errc::invalid, "profile \"web\": has web_identity_token_file but no role_arn");
    // credential_process runs the command (tests/unit/credentials_process.cpp).
    CHECK(profile_credentials_provider(set, "process").selected()->name() == "credential_process of profile \"process\"");
    // Keys beat credential_process, as in botocore's chain.
    CHECK(profile_credentials_provider(set, "process_and_keys").cached()->access_key_id == "A");
    // No files at all.
    auto [code, message] = failure(*std::make_shared<profile_credentials_provider>(profile_set{}, "default"));
    CHECK(code == credentials_errc::not_found);
    CHECK(message == "profile \"default\": not found in no shared config or credentials file");
}

TEST_CASE("profile provider over real files: present, missing and malformed") {
    ivschat::test::temp_dir dir;
    auto credentials_path = dir.write("credentials", "[default]\naws_access_key_id = FILE_ID\naws_secret_access_key = S\n");
    auto set = ivschat::load_profile_files({.config = (dir.path() / "missing-config").string(), .credentials = credentials_path});
    ivschat::profile_credentials_provider from_file(set, "default");
    REQUIRE(from_file.cached());
    CHECK(from_file.cached()->access_key_id == "FILE_ID");

    auto none = ivschat::load_profile_files({.config = (dir.path() / "a").string(), .credentials = (dir.path() / "b").string()});
    CHECK(failure(*std::make_shared<ivschat::profile_credentials_provider>(none, "default")).first ==
          credentials_errc::not_found);

    auto malformed = dir.write("bad", "[default]\naws_access_key_id\n");
    CHECK_THROWS_AS(ivschat::load_profile_files({.config = {}, .credentials = malformed}), ivschat::config_error);
}

TEST_CASE("default chain: environment first, then the profile") {
    auto set = profiles("", "[default]\naws_access_key_id = PROFILE\naws_secret_access_key = S\n");
    auto env_and_profile = ivschat::make_default_credentials_chain(
        environment::from_map({{"AWS_ACCESS_KEY_ID", "ENV"}, {"AWS_SECRET_ACCESS_KEY", "S"}}), set, "default");
    CHECK_FALSE(env_and_profile->cached());  // nothing answered yet
    CHECK(get(*env_and_profile).creds->access_key_id == "ENV");
    REQUIRE(env_and_profile->cached());
    CHECK(env_and_profile->cached()->access_key_id == "ENV");

    auto profile_only = ivschat::make_default_credentials_chain(environment::from_map({}), set, "default");
    CHECK(get(*profile_only).creds->access_key_id == "PROFILE");
    CHECK(profile_only->cached()->access_key_id == "PROFILE");
    CHECK(profile_only->providers().size() == 5);
}

TEST_CASE("default chain: nothing found lists what was tried; other errors stop the walk") {
    auto set = profiles("", "[default]\naws_access_key_id = PROFILE\naws_secret_access_key = S\n");
    auto nothing = ivschat::make_default_credentials_chain(
        environment::from_map({{"AWS_EC2_METADATA_DISABLED", "true"}}), set, "dev");
    auto [code, message] = failure(*nothing);
    CHECK(code == credentials_errc::not_found);
    CHECK(message ==
          "no credentials found; tried environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; "
          "profile \"dev\": not found in /h/.aws/config or /h/.aws/credentials; "
          "web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must both be set (neither is); "
          "container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are "
          "not set; EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED");
    CHECK_FALSE(nothing->cached());

    // A half-configured environment must not silently fall through to the profile.
    auto half = ivschat::make_default_credentials_chain(environment::from_map({{"AWS_ACCESS_KEY_ID", "A"}}), set, "default");
    auto [half_code, half_message] = failure(*half);
    CHECK(half_code == credentials_errc::invalid);
    CHECK(half_message == "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");

    auto empty = std::make_shared<ivschat::credentials_provider_chain>(std::vector<std::shared_ptr<credentials_provider>>{});
    CHECK(failure(*empty).second == "no credentials found; tried no provider");
    CHECK(empty->name() == "chain()");
}

TEST_CASE("a chain keeps itself alive until its walk completes") {
    asio::io_context ioc;
    std::weak_ptr<ivschat::credentials_provider_chain> weak;
    std::shared_ptr<const credentials> got;
    {
        auto set = profiles("", "[default]\naws_access_key_id = P\naws_secret_access_key = S\n");
        auto chain = ivschat::make_default_credentials_chain(environment::from_map({}), set, "default");
        weak = chain;
        ivschat::async_get_credentials(*chain, ioc.get_executor(),
                                       [&](std::exception_ptr, std::shared_ptr<const credentials> c) { got = c; });
    }
    CHECK_FALSE(weak.expired());
    ioc.run();
    REQUIRE(got);
    CHECK(got->access_key_id == "P");
    CHECK(weak.expired());
}

TEST_CASE("completion tokens: use_awaitable, use_future, deferred, as_tuple, a strand-bound callback") {
    asio::io_context ioc;
    auto ok = ivschat::make_default_credentials_chain(
        environment::from_map({{"AWS_ACCESS_KEY_ID", "ENV"}, {"AWS_SECRET_ACCESS_KEY", "S"}}), profile_set{}, "default");
    auto none = ivschat::make_default_credentials_chain(environment::from_map({{"AWS_EC2_METADATA_DISABLED", "true"}}),
                                                         profile_set{}, "default");

    std::string awaited, thrown;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto creds = co_await ivschat::async_get_credentials(*ok, ioc.get_executor());  // use_awaitable by default
            awaited = creds->access_key_id;
            try {
                co_await ivschat::async_get_credentials(*none, ioc.get_executor(), asio::use_awaitable);
            } catch (const credentials_error& e) {
                thrown = e.what();
                CHECK(e.code() == credentials_errc::not_found);
            }
        },
        asio::detached);

    auto future = ivschat::async_get_credentials(*ok, ioc.get_executor(), asio::use_future);

    std::string from_deferred;
    auto op = ivschat::async_get_credentials(*ok, ioc.get_executor(), asio::deferred);
    std::move(op)([&](std::exception_ptr, std::shared_ptr<const credentials> c) { from_deferred = c->access_key_id; });

    std::exception_ptr tuple_error;
    ivschat::async_get_credentials(*none, ioc.get_executor(),
                                   asio::as_tuple([&](std::tuple<std::exception_ptr, std::shared_ptr<const credentials>> t) {
                                       tuple_error = std::get<0>(t);
                                       CHECK_FALSE(std::get<1>(t));
                                   }));

    auto strand = asio::make_strand(ioc);
    bool on_strand = false;
    ivschat::async_get_credentials(*ok, ioc.get_executor(),
                                   asio::bind_executor(strand, [&](std::exception_ptr, std::shared_ptr<const credentials>) {
                                       on_strand = strand.running_in_this_thread();
                                   }));
    ioc.run();

    CHECK(awaited == "ENV");
    CHECK(thrown.starts_with("no credentials found; tried environment:"));
    REQUIRE(future.wait_for(std::chrono::seconds(0)) == std::future_status::ready);
    CHECK(future.get()->access_key_id == "ENV");
    CHECK(from_deferred == "ENV");
    CHECK(tuple_error);
    CHECK(on_strand);
}
