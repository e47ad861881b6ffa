// STS AssumeRoleWithWebIdentity and AssumeRole against a stand-in STS on
// 127.0.0.1 that answers the real XML and checks every AssumeRole's SigV4
// signature with the project's signer and the key it expects.
#include <ivschat/config.hpp>
#include <ivschat/sigv4.hpp>
#include <ivschat/sts_credentials_providers.hpp>

#include "config_temp_files.hpp"
#include "credentials_outcome.hpp"
#include "credentials_test_server.hpp"
#include "ivschat/percent_encoding.hpp"
#include "ivschat/time_format.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <map>

namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using namespace std::chrono_literals;
using ivschat::credentials;
using ivschat::credentials_errc;
using ivschat::credentials_error;
using ivschat::environment;
using ivschat::test::http_request;
using ivschat::test::http_response;
using ivschat::test::make_response;

using ivschat::test::credentials_outcome;
using ivschat::test::get_credentials;

std::map<std::string, std::string> parse_form(std::string_view body) {
    std::map<std::string, std::string> out;
    while (!body.empty()) {
        auto amp = body.find('&');
        auto pair = body.substr(0, amp);
        auto eq = pair.find('=');
        std::string key, value;
        ivschat::detail::percent_decode(pair.substr(0, eq), key);
        if (eq != std::string_view::npos) ivschat::detail::percent_decode(pair.substr(eq + 1), value);
        out[key] = value;
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    }
    return out;
}

http_response sts_error(unsigned status, const std::string& code, const std::string& message) {
    return make_response(status,
                         "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n"
                         "    <Type>Sender</Type>\n    <Code>" + code + "</Code>\n    <Message>" + message +
                             "</Message>\n  </Error>\n  <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n"
                             "</ErrorResponse>\n",
                         "text/xml");
}

// A stand-in STS: knows the long-term keys it accepts and remembers the
// temporary credentials it issued, so that a chained AssumeRole signed with
// them verifies too.
struct sts_server {
    asio::io_context& ioc;
    std::string region = "eu-west-1";
    std::map<std::string, credentials> known_keys{};  // by access key id
    std::vector<std::map<std::string, std::string>> calls{};
    std::string expected_web_token = "eyJhbGciOi.web-token";
    ivschat::test::credentials_test_server server{ioc.get_executor(), [this](const http_request& r) { return answer(r); }};

    credentials issue(const std::string& action) {
        const auto n = std::to_string(calls.size());
        credentials c{.access_key_id = "ASIA" + action + n,
                      .secret_access_key = "secret-" + n,
                      .session_token = "session/token+" + n,
                      .expiration = std::chrono::system_clock::now() + 1h};
        known_keys[c.access_key_id] = c;
        return c;
    }

    http_response answer(const http_request& req) {
        if (req.method() != beast_http::verb::post || req.target() != "/") return sts_error(400, "InvalidAction", "POST / only");
        if (req[beast_http::field::content_type] != "application/x-www-form-urlencoded; charset=utf-8")
            return sts_error(400, "InvalidParameterValue", "not a form");
        auto form = parse_form(req.body());
        calls.push_back(form);
        if (form["Version"] != "2011-06-15") return sts_error(400, "InvalidParameterValue", "Version");
        const std::string action = form["Action"];
        if (action == "AssumeRoleWithWebIdentity") {
            if (req.count(beast_http::field::authorization)) return sts_error(400, "InvalidParameterValue", "signed");
            if (form["WebIdentityToken"] != expected_web_token)
                return sts_error(400, "InvalidIdentityToken", "Couldn&apos;t verify the token");
        } else if (action == "AssumeRole") {
            if (auto failure = check_signature(req); !failure.empty()) return sts_error(403, "SignatureDoesNotMatch", failure);
        } else {
            return sts_error(400, "InvalidAction", "unknown action");
        }
        auto c = issue(action);
        return make_response(200,
                             "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <" + action +
                                 "Result>\n    <Credentials>\n      <AccessKeyId>" + c.access_key_id +
                                 "</AccessKeyId>\n      <SecretAccessKey>" + c.secret_access_key +
                                 "</SecretAccessKey>\n      <SessionToken>" + c.session_token +
                                 "</SessionToken>\n      <Expiration>" + ivschat::detail::format_iso8601(*c.expiration) +
                                 "</Expiration>\n    </Credentials>\n    <AssumedRoleUser><Arn>" + form["RoleArn"] +
                                 "</Arn></AssumedRoleUser>\n  </" + action + "Result>\n  <ResponseMetadata>"
                                 "<RequestId>r</RequestId></ResponseMetadata>\n</" + action + "Response>\n",
                             "text/xml");
    }

    // Recomputes the signature with the secret of the key the request names.
    std::string check_signature(const http_request& req) {
        const std::string authorization(req[beast_http::field::authorization]);
        const std::string prefix = "AWS4-HMAC-SHA256 Credential=";
        if (authorization.rfind(prefix, 0) != 0) return "not signed";
        const std::string key_id = authorization.substr(prefix.size(), authorization.find('/') - prefix.size());
        auto key = known_keys.find(key_id);
        if (key == known_keys.end()) return "unknown key " + key_id;
        if (std::string(req["X-Amz-Security-Token"]) != key->second.session_token) return "wrong or missing session token";
        auto date = ivschat::detail::parse_amz_date(std::string(req["X-Amz-Date"]));
        if (!date) return "no X-Amz-Date";
        const std::string host(req[beast_http::field::host]), content_type(req[beast_http::field::content_type]);
        const ivschat::sigv4::header headers[] = {{.name = "host", .value = host}, {.name = "content-type", .value = content_type}};
        ivschat::sigv4::signer signer({.region = region, .service = "sts"});
        auto expected = signer.sign({.method = "POST", .path = "/", .query = {}, .headers = headers, .payload = req.body()},
                                    key->second, *date);
        if (expected.authorization != authorization) return "signature mismatch";
        return {};
    }
};

const credentials base_keys{.access_key_id = "AKIDBASE", .secret_access_key = "base-secret", .session_token = {}, .expiration = {}};

ivschat::profile_set profiles(const std::string& config) {
    ivschat::profile_set set;
    set.merge_file(config, ivschat::profile_file_kind::config, "config");
    return set;
}

}  // namespace

TEST_CASE("web identity from the environment: the token file, unsigned, and the answer") {
    asio::io_context ioc;
    sts_server sts{ioc};
    ivschat::test::temp_dir dir;
    auto token_file = dir.write("token", sts.expected_web_token + "\n");
    auto env = environment::from_map({{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file},
                                      {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/pod"},
                                      {"AWS_ROLE_SESSION_NAME", "pod session"},
                                      {"AWS_ENDPOINT_URL_STS", sts.server.url()}});
    auto p = ivschat::make_environment_web_identity_provider(env, {.region = "eu-west-1"});
    CHECK(p->name() == "web identity (role arn:aws:iam::123456789012:role/pod)");
    auto out = get_credentials(ioc, *p);
    REQUIRE(out.creds);
    CHECK(out.creds->access_key_id == "ASIAAssumeRoleWithWebIdentity1");
    CHECK(out.creds->session_token == "session/token+1");
    REQUIRE(sts.calls.size() == 1);
    CHECK(sts.calls[0]["RoleArn"] == "arn:aws:iam::123456789012:role/pod");
    CHECK(sts.calls[0]["RoleSessionName"] == "pod session");
    CHECK(p->cached() == out.creds);

    // A token STS refuses: its Code and Message.
    dir.write("token", "stale");
    auto refused = get_credentials(ioc, *ivschat::make_environment_web_identity_provider(env));
    CHECK(refused.code == credentials_errc::unavailable);
    CHECK(refused.error == "web identity (role arn:aws:iam::123456789012:role/pod): STS answered HTTP 400 "
                           "InvalidIdentityToken: Couldn't verify the token");
}

TEST_CASE("web identity from the environment: unset, half set, default session name") {
    asio::io_context ioc;
    auto unset = get_credentials(ioc, *ivschat::make_environment_web_identity_provider(environment::from_map({})));
    CHECK(unset.code == credentials_errc::not_found);
    auto half = get_credentials(ioc, *ivschat::make_environment_web_identity_provider(environment::from_map({{"AWS_ROLE_ARN", "arn"}})));
    CHECK(half.code == credentials_errc::invalid);
    CHECK(half.error == "web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN must both be set");

    sts_server sts{ioc};
    ivschat::test::temp_dir dir;
    auto env = environment::from_map({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.write("t", sts.expected_web_token)},
                                      {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                                      {"AWS_ENDPOINT_URL", sts.server.url()}});
    REQUIRE(get_credentials(ioc, *ivschat::make_environment_web_identity_provider(env)).creds);
    CHECK(sts.calls.at(0)["RoleSessionName"].rfind("ivschat-cpp-", 0) == 0);
    // A missing token file.
    auto missing = get_credentials(ioc, *ivschat::make_environment_web_identity_provider(
                                environment::from_map({{"AWS_WEB_IDENTITY_TOKEN_FILE", (dir.path() / "none").string()},
                                                       {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                                                       {"AWS_ENDPOINT_URL", sts.server.url()}})));
    CHECK(missing.code == credentials_errc::unavailable);
    CHECK(missing.error.find("web identity token file: cannot read") != std::string::npos);
}

TEST_CASE("profile role_arn + source_profile: AssumeRole signed with the source's keys") {
    asio::io_context ioc;
    sts_server sts{ioc};
    sts.known_keys[base_keys.access_key_id] = base_keys;
    auto set = profiles(
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = base\n"
        "role_session_name = alice\nexternal_id = ext-42\nduration_seconds = 1800\nregion = eu-west-1\n");
    auto env = environment::from_map({{"AWS_ENDPOINT_URL_STS", sts.server.url()}});
    auto p = std::make_shared<ivschat::profile_credentials_provider>(set, "admin", env);
    CHECK(p->selected()->name() == "assume role arn:aws:iam::123456789012:role/admin with profile \"base\"");
    auto out = get_credentials(ioc, *p);
    REQUIRE(out.creds);
    CHECK(out.creds->access_key_id == "ASIAAssumeRole1");
    REQUIRE(sts.calls.size() == 1);
    CHECK(sts.calls[0]["RoleArn"] == "arn:aws:iam::123456789012:role/admin");
    CHECK(sts.calls[0]["RoleSessionName"] == "alice");
    CHECK(sts.calls[0]["ExternalId"] == "ext-42");
    CHECK(sts.calls[0]["DurationSeconds"] == "1800");
    CHECK(p->cached() == out.creds);

    // The wrong source secret: STS refuses the signature.
    auto wrong = profiles(
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = not-the-secret\n"
        "[profile admin]\nrole_arn = arn:aws:iam::1:role/admin\nsource_profile = base\nregion = eu-west-1\n");
    auto refused = get_credentials(ioc, *std::make_shared<ivschat::profile_credentials_provider>(wrong, "admin", env));
    CHECK(refused.code == credentials_errc::unavailable);
    CHECK(refused.error == "assume role arn:aws:iam::1:role/admin with profile \"base\": STS answered HTTP 403 "
                           "SignatureDoesNotMatch: signature mismatch");
}

TEST_CASE("profile role chains: role from role from keys, each signed with the previous credentials; loops refused") {
    asio::io_context ioc;
    sts_server sts{ioc};
    sts.known_keys[base_keys.access_key_id] = base_keys;
    auto set = profiles(
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"
        "[profile hop]\nrole_arn = arn:aws:iam::1:role/hop\nsource_profile = base\n"
        "[profile target]\nrole_arn = arn:aws:iam::2:role/target\nsource_profile = hop\nregion = eu-west-1\n"
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
        "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
        "[profile self]\nrole_arn = arn:aws:iam::1:role/self\nsource_profile = self\n"
        "aws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n"
        "[profile env_source]\nrole_arn = arn:aws:iam::1:role/env\ncredential_source = Environment\n"
        "[profile odd_source]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Somewhere\n"
        "[profile both]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\nsource_profile = base\n"
        "[profile nosource]\nrole_arn = arn:aws:iam::1:role/x\n");
    auto env = environment::from_map({{"AWS_ENDPOINT_URL_STS", sts.server.url()},
                                      {"AWS_REGION", "eu-west-1"},  // signs for the region STS checks
                                      {"AWS_ACCESS_KEY_ID", "AKIDBASE"},
                                      {"AWS_SECRET_ACCESS_KEY", "base-secret"}});
    auto chained = get_credentials(ioc, *std::make_shared<ivschat::profile_credentials_provider>(set, "target", env));
    REQUIRE(chained.creds);
    REQUIRE(sts.calls.size() == 2);
    CHECK(sts.calls[0]["RoleArn"] == "arn:aws:iam::1:role/hop");
    CHECK(sts.calls[1]["RoleArn"] == "arn:aws:iam::2:role/target");  // signed with hop's session credentials
    CHECK(chained.creds->access_key_id == "ASIAAssumeRole2");

    auto self = get_credentials(ioc, *std::make_shared<ivschat::profile_credentials_provider>(set, "self", env));
    CHECK(self.creds);  // a profile may name itself as source: its own keys
    auto from_env = std::make_shared<ivschat::profile_credentials_provider>(set, "env_source", env);
    CHECK(from_env->selected()->name() == "assume role arn:aws:iam::1:role/env with environment");
    CHECK(get_credentials(ioc, *from_env).creds);

    auto error_of = [&](const char* name) {
        return get_credentials(ioc, *std::make_shared<ivschat::profile_credentials_provider>(set, name, env));
    };
    auto loop = error_of("a");
    CHECK(loop.code == credentials_errc::invalid);
    CHECK(loop.error == "profile \"b\": source_profile chain loops: a -> b -> a");
    CHECK(error_of("odd_source").error ==
          "profile \"odd_source\": credential_source \"Somewhere\" is not Environment, Ec2InstanceMetadata or EcsContainer");
    CHECK(error_of("both").error == "profile \"both\": has both source_profile and credential_source; use one");
    CHECK(error_of("nosource").error ==
          "profile \"nosource\": has role_arn but no source_profile, credential_source or web_identity_token_file");
}

TEST_CASE("profile web_identity_token_file and the default chain with a role profile") {
    asio::io_context ioc;
    sts_server sts{ioc};
    sts.known_keys[base_keys.access_key_id] = base_keys;
    ivschat::test::temp_dir dir;
    auto token_file = dir.write("token", sts.expected_web_token);
    auto set = profiles("[profile web]\nrole_arn = arn:aws:iam::1:role/web\nweb_identity_token_file = " + token_file +
                        "\nrole_session_name = w\n"
                        "[default]\nrole_arn = arn:aws:iam::1:role/default\nsource_profile = base\n"
                        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
    auto env = environment::from_map({{"AWS_ENDPOINT_URL_STS", sts.server.url()}, {"AWS_EC2_METADATA_DISABLED", "true"}});
    auto web = get_credentials(ioc, *std::make_shared<ivschat::profile_credentials_provider>(set, "web", env));
    REQUIRE(web.creds);
    CHECK(web.creds->access_key_id == "ASIAAssumeRoleWithWebIdentity1");

    auto chain = ivschat::make_default_credentials_chain(env, set, "default", {.region = "eu-west-1"});
    auto out = get_credentials(ioc, *chain);
    REQUIRE(out.creds);
    CHECK(out.creds->access_key_id == "ASIAAssumeRole2");
    CHECK(chain->cached() == out.creds);
    CHECK(sts.calls.size() == 2);
}

TEST_CASE("STS endpoint settings that cannot work fail every call as invalid") {
    asio::io_context ioc;
    auto bad_region = std::make_shared<ivschat::assume_role_credentials_provider>(
        ivschat::assume_role_settings{.role_arn = "arn:aws:iam::1:role/r"},
        std::make_shared<ivschat::static_credentials_provider>(base_keys), environment::from_map({}),
        ivschat::sts_options{.region = "eu west"});
    auto region = get_credentials(ioc, *bad_region);
    CHECK(region.code == credentials_errc::invalid);
    CHECK(region.error == "assume role arn:aws:iam::1:role/r: \"eu west\" is not a valid region");
    auto bad_url = std::make_shared<ivschat::assume_role_credentials_provider>(
        ivschat::assume_role_settings{.role_arn = "arn:aws:iam::1:role/r"},
        std::make_shared<ivschat::static_credentials_provider>(base_keys),
        environment::from_map({{"AWS_ENDPOINT_URL_STS", "ftp://sts"}}));
    CHECK(get_credentials(ioc, *bad_url).code == credentials_errc::invalid);
}
