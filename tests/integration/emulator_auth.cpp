// SigV4 verification: the authenticator without I/O, then the AWS-shaped
// refusals over a real socket.
#include "emulator_client.hpp"

#include <ivschat/emulator/request_authenticator.hpp>

#include <catch2/catch.hpp>

using namespace emulator_test;
using ivschat::emulator::authenticator_options;
using ivschat::emulator::received_request;
using ivschat::emulator::request_authenticator;
namespace sigv4 = ivschat::sigv4;

namespace {

using namespace std::chrono_literals;
const auto now = std::chrono::sys_days{std::chrono::year{2026} / 3 / 4} + 12h + 30min;

ivschat::credentials key(std::string id, std::string secret, std::string token = {}) {
    ivschat::credentials c;
    c.access_key_id = std::move(id);
    c.secret_access_key = std::move(secret);
    c.session_token = std::move(token);
    return c;
}

// A request signed like an SDK signs it, kept with its headers.
struct signed_request {
    std::string method = "POST", path = "/CreateChatToken", query, body = R"({"roomIdentifier":"x"})";
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<sigv4::header> views;

    signed_request(const ivschat::credentials& creds, std::chrono::system_clock::time_point at,
                   std::string region = "us-west-2") {
        sigv4::signer signer({.region = region, .service = "ivschat"});
        headers = {{"Host", "127.0.0.1:1234"}, {"Content-Type", "application/json"}};
        std::vector<sigv4::header> to_sign{{"Host", "127.0.0.1:1234"}, {"Content-Type", "application/json"}};
        auto added = signer.sign({.method = method, .path = path, .query = query, .headers = to_sign, .payload = body},
                                 creds, at);
        headers.emplace_back("X-Amz-Date", std::string(added.x_amz_date));
        if (!added.x_amz_security_token.empty())
            headers.emplace_back("X-Amz-Security-Token", std::string(added.x_amz_security_token));
        headers.emplace_back("Authorization", std::string(added.authorization));
        // Unsigned headers (user agents, tracing) do not matter.
        headers.emplace_back("User-Agent", "test");
    }

    void set(std::string_view name, std::string value) {
        for (auto& [n, v] : headers)
            if (n == name) v = std::move(value);
    }
    void erase(std::string_view name) {
        std::erase_if(headers, [&](const auto& h) { return h.first == name; });
    }

    received_request view() {
        views.clear();
        for (auto& [n, v] : headers) views.push_back({n, v});
        return {.method = method, .path = path, .query = query, .headers = views, .payload = body};
    }
};

const auto example = key("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

request_authenticator make_authenticator() {
    return request_authenticator({.region = "us-west-2", .keys = {example, key("ASIATEMP", "temp-secret", "session-token")}});
}

}  // namespace

TEST_CASE("authenticator: accepts what the signer signs", "[emulator][auth]") {
    auto auth = make_authenticator();
    signed_request r(example, now);
    CHECK(!auth.verify(r.view(), now));
    CHECK(!auth.verify(r.view(), now + 14min));
    CHECK(!auth.verify(r.view(), now - 14min));

    signed_request with_token(key("ASIATEMP", "temp-secret", "session-token"), now);
    CHECK(!auth.verify(with_token.view(), now));

    signed_request tags(example, now);
    tags.method = "DELETE";
    tags.path = "/tags/arn%3Aaws%3Aivschat%3Aus-west-2%3A123456789012%3Aroom%2Fabc";
    tags.query = "tagKeys=b&tagKeys=a";
    tags.body.clear();
    signed_request resigned = tags;
    {
        sigv4::signer signer({.region = "us-west-2", .service = "ivschat"});
        std::vector<sigv4::header> h{{"Host", "127.0.0.1:1234"}, {"Content-Type", "application/json"}};
        auto added = signer.sign({.method = tags.method, .path = tags.path, .query = tags.query, .headers = h}, example, now);
        resigned.set("Authorization", std::string(added.authorization));
    }
    CHECK(!auth.verify(resigned.view(), now));
}

TEST_CASE("authenticator: refusals are typed like AWS's", "[emulator][auth]") {
    auto auth = make_authenticator();
    auto refused = [&](signed_request& r, std::string_view type, std::chrono::system_clock::time_point at = now) {
        auto failure = auth.verify(r.view(), at);
        REQUIRE(failure);
        CHECK(failure->status == 403);
        CHECK(failure->type == type);
        CHECK(!failure->message.empty());
        return failure->message;
    };

    signed_request unsigned_request(example, now);
    unsigned_request.erase("Authorization");
    CHECK(refused(unsigned_request, "MissingAuthenticationTokenException") == "Missing Authentication Token");

    signed_request wrong_secret(key("AKIDEXAMPLE", "not-the-secret"), now);
    CHECK(refused(wrong_secret, "InvalidSignatureException").starts_with("The request signature we calculated"));

    signed_request unknown(key("AKIDUNKNOWN", "whatever"), now);
    refused(unknown, "UnrecognizedClientException");

    signed_request expired(example, now - 16min);
    CHECK(refused(expired, "InvalidSignatureException").starts_with("Signature expired: 20260304T121400Z is now earlier than"));
    signed_request future(example, now + 16min);
    CHECK(refused(future, "InvalidSignatureException").starts_with("Signature not yet current"));

    signed_request other_region(example, now, "eu-west-1");
    CHECK(refused(other_region, "InvalidSignatureException").starts_with("Credential should be scoped to a valid region"));

    signed_request tampered_body(example, now);
    tampered_body.body = R"({"roomIdentifier":"y"})";
    refused(tampered_body, "InvalidSignatureException");

    signed_request tampered_path(example, now);
    tampered_path.path = "/DeleteRoom";
    refused(tampered_path, "InvalidSignatureException");

    signed_request tampered_header(example, now);
    tampered_header.set("Content-Type", "text/plain");
    refused(tampered_header, "InvalidSignatureException");

    signed_request no_date(example, now);
    no_date.erase("X-Amz-Date");
    refused(no_date, "IncompleteSignatureException");

    signed_request bad_date(example, now);
    bad_date.set("X-Amz-Date", "yesterday");
    refused(bad_date, "IncompleteSignatureException");

    signed_request other_day(example, now);
    other_day.set("X-Amz-Date", "20260305T123000Z");
    CHECK(refused(other_day, "InvalidSignatureException", now + 24h).starts_with("Date in Credential scope does not match"));

    signed_request basic(example, now);
    basic.set("Authorization", "Basic dXNlcjpwYXNz");
    refused(basic, "IncompleteSignatureException");

    signed_request truncated(example, now);
    truncated.set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260304/us-west-2/ivschat/aws4_request");
    CHECK(refused(truncated, "IncompleteSignatureException").find("'Signature'") != std::string::npos);

    signed_request short_scope(example, now);
    short_scope.set("Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260304/ivschat, SignedHeaders=host;x-amz-date, Signature=00");
    refused(short_scope, "IncompleteSignatureException");

    signed_request host_unsigned(example, now);
    host_unsigned.set("Authorization",
                      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260304/us-west-2/ivschat/aws4_request, "
                      "SignedHeaders=content-type;x-amz-date, Signature=00");
    refused(host_unsigned, "IncompleteSignatureException");

    signed_request other_service(example, now);
    other_service.set("Authorization",
                      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260304/us-west-2/ivs/aws4_request, "
                      "SignedHeaders=host;x-amz-date, Signature=00");
    refused(other_service, "InvalidSignatureException");
}

TEST_CASE("authenticator: session tokens must match the key's", "[emulator][auth]") {
    auto auth = make_authenticator();
    signed_request missing_token(key("ASIATEMP", "temp-secret"), now);
    CHECK(auth.verify(missing_token.view(), now)->type == "UnrecognizedClientException");

    signed_request wrong_token(key("ASIATEMP", "temp-secret", "another-token"), now);
    CHECK(auth.verify(wrong_token.view(), now)->type == "UnrecognizedClientException");

    signed_request token_on_long_term_key(key("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "t"), now);
    CHECK(auth.verify(token_on_long_term_key.view(), now)->type == "UnrecognizedClientException");
}

TEST_CASE("authenticator: allowed skew is configurable", "[emulator][auth]") {
    request_authenticator strict({.region = "us-west-2", .keys = {example}, .allowed_skew = 30s});
    signed_request r(example, now);
    CHECK(!strict.verify(r.view(), now + 30s));
    auto failure = strict.verify(r.view(), now + 31s);
    REQUIRE(failure);
    CHECK(failure->message.find("(20260304T123031Z - 30 sec.)") != std::string::npos);
}

TEST_CASE("emulator: signature failures over the wire", "[emulator][auth]") {
    ivschat::emulator::server_options options;
    options.keys = {key("AKIDLOCAL", "local-secret"), key("ASIALOCAL", "temp", "tok")};
    running_emulator emulator(options);
    client c(emulator.port());
    const json::value empty = json::object{};
    signing local{.credentials = key("AKIDLOCAL", "local-secret")};

    CHECK(call(c, "ListRooms", empty, local).status == 200);
    CHECK(call(c, "ListRooms", empty, {.credentials = key("ASIALOCAL", "temp", "tok")}).status == 200);

    auto check_refused = [&](const reply& r, std::string_view type) {
        INFO(r.body);
        CHECK(r.status == 403);
        CHECK(r.error_type == type);
        CHECK(!r.message().empty());
        CHECK(!r.date.empty());  // clients correct their clock from it
    };
    check_refused(call(c, "ListRooms", empty, {.sign = false}), "MissingAuthenticationTokenException");
    check_refused(call(c, "ListRooms", empty, {.credentials = key("AKIDLOCAL", "wrong")}), "InvalidSignatureException");
    check_refused(call(c, "ListRooms", empty), "UnrecognizedClientException");  // the example key is not configured
    check_refused(call(c, "ListRooms", empty,
                       {.credentials = key("AKIDLOCAL", "local-secret"),
                        .time = std::chrono::system_clock::now() - std::chrono::minutes(20)}),
                  "InvalidSignatureException");
    check_refused(call(c, "ListRooms", empty, {.credentials = key("ASIALOCAL", "temp", "other")}),
                  "UnrecognizedClientException");
    check_refused(call(c, "ListRooms", empty, {.credentials = key("AKIDLOCAL", "local-secret"), .region = "us-east-1"}),
                  "InvalidSignatureException");
    // Unknown routes are refused before routing when unsigned, like AWS.
    check_refused(c.send(http::verb::post, "/Nope", "{}", {.sign = false}), "MissingAuthenticationTokenException");

    auto stats = c.send(http::verb::get, "/_emulator/stats", {}, {.sign = false}, {});
    CHECK(stats.json.at("authFailures").as_int64() == 7);
}
