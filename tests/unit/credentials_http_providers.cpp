// The container endpoint and IMDSv2 providers against small servers on
// 127.0.0.1 speaking their real wire formats.
#include <ivschat/config.hpp>
#include <ivschat/container_credentials_provider.hpp>
#include <ivschat/imds_credentials_provider.hpp>

#include "config_temp_files.hpp"
#include "credentials_outcome.hpp"
#include "credentials_test_server.hpp"

#include <ivschat/throwaway_ca.hpp>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

namespace {

namespace asio = boost::asio;
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

std::string credentials_json(const std::string& id, const std::string& expiration = "2099-01-01T00:00:00Z") {
    return R"({"AccessKeyId":")" + id + R"(","SecretAccessKey":"S","Token":"T","Expiration":")" + expiration +
           R"(","RoleArn":"arn:aws:iam::123456789012:role/task"})";
}

const ivschat::container_credentials_options fast_container{.timeout = 1s, .attempts = 1, .retry_delay = 0ms};

}  // namespace

TEST_CASE("container: FULL_URI on loopback with the Authorization token") {
    asio::io_context ioc;
    std::string seen_auth, seen_target;
    ivschat::test::credentials_test_server server(ioc.get_executor(), [&](const http_request& req) {
        seen_auth = std::string(req[boost::beast::http::field::authorization]);
        seen_target = std::string(req.target());
        if (seen_auth != "Basic secret-token") return make_response(401, R"({"message":"unauthorized"})");
        return make_response(200, credentials_json("CONTAINER"));
    });
    auto env = environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/v1/credentials?id=7"},
                                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic secret-token"}});
    auto p = std::make_shared<ivschat::container_credentials_provider>(env, fast_container);
    CHECK(p->name() == "container endpoint " + server.url() + "/v1/credentials?id=7");
    auto out = get_credentials(ioc, *p);
    REQUIRE(out.creds);
    CHECK(out.creds->access_key_id == "CONTAINER");
    CHECK(out.creds->session_token == "T");
    CHECK(seen_target == "/v1/credentials?id=7");
    CHECK(p->cached() == out.creds);

    // Without the token the endpoint refuses, and the message says how.
    auto no_token = std::make_shared<ivschat::container_credentials_provider>(
        environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/v1/credentials"}}), fast_container);
    auto refused = get_credentials(ioc, *no_token);
    CHECK(refused.code == credentials_errc::unavailable);
    CHECK(refused.error == "container endpoint " + server.url() +
                               "/v1/credentials: answered HTTP 401: {\"message\":\"unauthorized\"}");
}

TEST_CASE("container: the token file wins over the variable and is read at each fetch") {
    asio::io_context ioc;
    ivschat::test::temp_dir dir;
    auto token_file = dir.write("token", "from-file-1\n");
    std::vector<std::string> tokens;
    ivschat::test::credentials_test_server server(ioc.get_executor(), [&](const http_request& req) {
        tokens.emplace_back(req[boost::beast::http::field::authorization]);
        // Credentials that are already inside the refresh margin, so that each get fetches.
        return make_response(200, credentials_json("C", "2000-01-01T00:00:00Z"));
    });
    auto env = environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds"},
                                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-variable"},
                                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file}});
    auto p = std::make_shared<ivschat::container_credentials_provider>(env, fast_container);
    get_credentials(ioc, *p);
    dir.write("token", "from-file-2");
    get_credentials(ioc, *p);
    CHECK(tokens == std::vector<std::string>{"from-file-1", "from-file-2"});

    std::filesystem::remove(token_file);
    auto missing = get_credentials(ioc, *p);
    CHECK(missing.code == credentials_errc::unavailable);
    CHECK(missing.error.find("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: cannot read " + token_file) != std::string::npos);
}

TEST_CASE("container: an https FULL_URI with a verified certificate") {
    asio::io_context ioc;
    ivschat::testing::throwaway_ca ca;
    auto issued = ca.issue_server_certificate();
    ivschat::test::credentials_test_server server(
        ioc.get_executor(), [](const http_request&) { return make_response(200, credentials_json("OVER_TLS")); },
        issued.server_cert_pem, issued.server_key_pem);
    ivschat::test::temp_dir dir;
    auto ca_file = dir.write("ca.pem", issued.ca_cert_pem);
    auto env = environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/creds"}, {"AWS_CA_BUNDLE", ca_file}});
    auto out = get_credentials(ioc, *std::make_shared<ivschat::container_credentials_provider>(env, fast_container));
    REQUIRE(out.creds);
    CHECK(out.creds->access_key_id == "OVER_TLS");

    // Another CA's bundle: the certificate does not verify.
    auto other_ca = dir.write("other.pem", ivschat::testing::throwaway_ca().issue_server_certificate().ca_cert_pem);
    auto untrusted = get_credentials(ioc, *std::make_shared<ivschat::container_credentials_provider>(
                                  env, ivschat::container_credentials_options{.timeout = 1s, .attempts = 1, .ca_file = other_ca}));
    CHECK(untrusted.code == credentials_errc::unavailable);
    CHECK(untrusted.error.find("certificate verify failed") != std::string::npos);

    // A bundle that cannot be read.
    auto unreadable = get_credentials(ioc, *std::make_shared<ivschat::container_credentials_provider>(
                                   env, ivschat::container_credentials_options{
                                            .timeout = 1s, .attempts = 1, .ca_file = (dir.path() / "missing.pem").string()}));
    CHECK(unreadable.code == credentials_errc::unavailable);
    CHECK(unreadable.error.rfind("container endpoint " + server.url() + "/creds: ", 0) == 0);
}

TEST_CASE("container: which URLs are allowed; unset is not_found") {
    asio::io_context ioc;
    auto error_for = [&](std::map<std::string, std::string, std::less<>> vars) {
        auto p = std::make_shared<ivschat::container_credentials_provider>(environment::from_map(std::move(vars)), fast_container);
        return get_credentials(ioc, *p);
    };
    auto unset = error_for({});
    CHECK(unset.code == credentials_errc::not_found);
    CHECK(unset.error ==
          "container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
    auto remote = error_for({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds"}});
    CHECK(remote.code == credentials_errc::invalid);
    CHECK(remote.error == "container endpoint http://192.0.2.1/creds: an http URL must point to a loopback address, "
                          "169.254.170.2, 169.254.170.23 or fd00:ec2::23");
    CHECK(error_for({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "not a url"}}).code == credentials_errc::invalid);
    // The allowed hosts, checked by name (nothing is fetched from them here).
    for (const char* url : {"http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials",
                            "http://127.0.0.2:8080/c", "http://[::1]/c", "https://creds.example.com/c"}) {
        INFO(url);
        ivschat::container_credentials_provider p(environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url}}));
        CHECK(p.name() == std::string("container endpoint ") + url);
    }
    // RELATIVE_URI goes to the ECS agent's address, and wins over FULL_URI.
    ivschat::container_credentials_provider relative(environment::from_map(
        {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"}, {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/x"}}));
    CHECK(relative.name() == "container endpoint http://169.254.170.2/v2/credentials/abc");
}

TEST_CASE("container: a 5xx is tried again; malformed answers and a dead endpoint fail clearly") {
    asio::io_context ioc;
    int calls = 0;
    std::string answer;
    ivschat::test::credentials_test_server server(ioc.get_executor(), [&](const http_request&) {
        if (++calls == 1) return make_response(503, "busy");
        return make_response(200, answer);
    });
    auto env = environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/c"}});
    answer = credentials_json("AFTER_RETRY");
    auto retrying = std::make_shared<ivschat::container_credentials_provider>(
        env, ivschat::container_credentials_options{.timeout = 1s, .attempts = 2, .retry_delay = 10ms});
    auto out = get_credentials(ioc, *retrying);
    REQUIRE(out.creds);
    CHECK(out.creds->access_key_id == "AFTER_RETRY");
    CHECK(calls == 2);

    for (const char* malformed : {"{", R"({"AccessKeyId":"A"})", R"({"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"x"})"}) {
        INFO(malformed);
        answer = malformed;
        auto p = std::make_shared<ivschat::container_credentials_provider>(env, fast_container);
        auto bad = get_credentials(ioc, *p);
        CHECK(bad.code == credentials_errc::unavailable);
        CHECK(bad.error.rfind("container endpoint " + server.url() + "/c: malformed answer: ", 0) == 0);
    }
    answer = std::string(100 * 1024, 'x');
    auto huge = get_credentials(ioc, *std::make_shared<ivschat::container_credentials_provider>(env, fast_container));
    CHECK(huge.error.rfind("container endpoint " + server.url() + "/c: request failed: ", 0) == 0);

    // A port nothing listens on (the server's, after it closed).
    std::string dead_url;
    {
        ivschat::test::credentials_test_server gone(ioc.get_executor(), [](const http_request&) { return make_response(200, ""); });
        dead_url = gone.url();
    }
    auto dead = get_credentials(ioc, *std::make_shared<ivschat::container_credentials_provider>(
                             environment::from_map({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", dead_url + "/c"}}), fast_container));
    CHECK(dead.code == credentials_errc::unavailable);
    CHECK(dead.error.rfind("container endpoint " + dead_url + "/c: request failed: ", 0) == 0);
}

namespace {

// IMDSv2 as EC2 serves it: a token from PUT /latest/api/token (TTL header
// required), then GETs that must carry it (401 otherwise).
struct imds_server {
    asio::io_context& ioc;
    int token_requests = 0;
    int credential_requests = 0;
    std::string ttl_seen{};
    std::string current_token = "token-1";
    std::string role = "ec2-role";
    std::string expiration = "2099-01-01T00:00:00Z";
    ivschat::test::credentials_test_server server{ioc.get_executor(), [this](const http_request& r) { return answer(r); }};

    http_response answer(const http_request& req) {
        namespace http = boost::beast::http;
        const std::string target(req.target());
        if (target == "/latest/api/token") {
            if (req.method() != http::verb::put) return make_response(405, "", "text/plain");
            ttl_seen = std::string(req["X-aws-ec2-metadata-token-ttl-seconds"]);
            if (ttl_seen.empty()) return make_response(400, "", "text/plain");
            ++token_requests;
            current_token = "token-" + std::to_string(token_requests);
            return make_response(200, current_token, "text/plain");
        }
        if (req["X-aws-ec2-metadata-token"] != current_token) return make_response(401, "", "text/plain");
        if (target == "/latest/meta-data/iam/security-credentials/") return make_response(200, role + "\n", "text/plain");
        if (target == "/latest/meta-data/iam/security-credentials/" + role) {
            ++credential_requests;
            return make_response(200, R"({"Code":"Success","LastUpdated":"2024-01-01T00:00:00Z","Type":"AWS-HMAC",)"
                                      R"("AccessKeyId":"IMDS)" + std::to_string(credential_requests) +
                                          R"(","SecretAccessKey":"S","Token":"T","Expiration":")" + expiration + "\"}");
        }
        return make_response(404, "", "text/plain");
    }
};

}  // namespace

TEST_CASE("IMDSv2: token, role name, credentials; the token is reused and renewed after a 401") {
    asio::io_context ioc;
    imds_server imds{ioc};
    imds.expiration = "2000-01-01T00:00:00Z";  // expired at once, so that each get fetches
    auto env = environment::from_map({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url()}});
    auto p = std::make_shared<ivschat::imds_credentials_provider>(env);
    CHECK(p->name() == "EC2 instance metadata at " + imds.server.url());
    auto first = get_credentials(ioc, *p);
    REQUIRE(first.creds);
    CHECK(first.creds->access_key_id == "IMDS1");
    CHECK(imds.ttl_seen == "21600");
    CHECK(imds.token_requests == 1);
    // The token is kept for the next fetch.
    CHECK(get_credentials(ioc, *p).creds->access_key_id == "IMDS2");
    CHECK(imds.token_requests == 1);
    // The service forgot the token: a 401 gets a new one, once.
    imds.current_token = "rotated";
    CHECK(get_credentials(ioc, *p).creds->access_key_id == "IMDS3");
    CHECK(imds.token_requests == 2);
}

TEST_CASE("IMDSv2: disabled, unreachable, no role, malformed credentials") {
    asio::io_context ioc;
    auto disabled = std::make_shared<ivschat::imds_credentials_provider>(
        environment::from_map({{"AWS_EC2_METADATA_DISABLED", "TRUE"}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1"}}));
    auto off = get_credentials(ioc, *disabled);
    CHECK(off.code == credentials_errc::not_found);
    CHECK(off.error == "EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED");

    std::string dead_url;
    {
        ivschat::test::credentials_test_server gone(ioc.get_executor(), [](const http_request&) { return make_response(200, ""); });
        dead_url = gone.url();
    }
    auto unreachable = get_credentials(ioc, *std::make_shared<ivschat::imds_credentials_provider>(
                                    environment::from_map({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", dead_url}})));
    CHECK(unreachable.code == credentials_errc::not_found);  // off EC2: a chain moves on
    CHECK(unreachable.error.rfind("EC2 instance metadata at " + dead_url + ": no answer to the IMDSv2 token request", 0) == 0);

    imds_server imds{ioc};
    auto env = environment::from_map({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url()}});
    imds.role = "";
    auto no_role = get_credentials(ioc, *std::make_shared<ivschat::imds_credentials_provider>(env));
    CHECK(no_role.code == credentials_errc::unavailable);
    CHECK(no_role.error == "EC2 instance metadata at " + imds.server.url() +
                               ": the instance has no IAM role (empty answer to /latest/meta-data/iam/security-credentials/)");
    imds.role = "ec2-role";
    imds.expiration = "not a time";
    auto malformed = get_credentials(ioc, *std::make_shared<ivschat::imds_credentials_provider>(env));
    CHECK(malformed.error == "EC2 instance metadata at " + imds.server.url() +
                                 ": malformed credentials for role ec2-role: the member \"Expiration\" is not an ISO 8601 time");

    // The endpoint mode selects the IPv6 address (nothing is fetched from it here).
    ivschat::imds_credentials_provider v6(environment::from_map({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}}));
    CHECK(v6.name() == "EC2 instance metadata at http://[fd00:ec2::254]");
    ivschat::imds_credentials_provider v4(environment::from_map({}));
    CHECK(v4.name() == "EC2 instance metadata at http://169.254.169.254");
}
