// Our own SigV4 cases: the shapes ivschat requests take, and the signing key cache.
#include <ivschat/sigv4.hpp>

#include "ivschat/crypto/sha256.hpp"
#include "ivschat/time_format.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using namespace std::chrono_literals;
using ivschat::sigv4::header;
using ivschat::sigv4::signer;

const ivschat::credentials example_creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}};
const auto example_time = *ivschat::detail::parse_iso8601("2015-08-30T12:36:00Z");

signer ivschat_signer() { return signer{{.region = "us-west-2", .service = "ivschat"}}; }

std::string sha256_hex(std::string_view s) {
    std::string hex(64, '\0');
    ivschat::detail::hex_encode(ivschat::detail::sha256::of(s), hex.data());
    return hex;
}

// Independent reference: the signature computed from the canonical request
// the signer reports, with one-shot HMACs (no cached key states).
std::string reference_signature(const signer& s, std::string_view secret, std::string_view date) {
    using ivschat::detail::as_string_view;
    using ivschat::detail::hmac_sha256;
    auto k = hmac_sha256("AWS4" + std::string(secret), date);
    k = hmac_sha256(as_string_view(k), s.options().region);
    k = hmac_sha256(as_string_view(k), s.options().service);
    k = hmac_sha256(as_string_view(k), "aws4_request");
    std::string hex(64, '\0');
    ivschat::detail::hex_encode(hmac_sha256(as_string_view(k), s.string_to_sign()), hex.data());
    return hex;
}

}  // namespace

TEST_CASE("tags path: an encoded ARN is encoded again in the canonical URI", "[sigv4]") {
    auto s = ivschat_signer();
    const header headers[] = {{"host", "ivschat.us-west-2.amazonaws.com"}};
    s.sign({.method = "GET",
            .path = "/tags/arn%3Aaws%3Aivschat%3Aus-west-2%3A123456789012%3Aroom%2FabcdEFGH1234",
            .headers = headers},
           example_creds, example_time);
    CHECK(s.canonical_request() ==
          "GET\n"
          "/tags/arn%253Aaws%253Aivschat%253Aus-west-2%253A123456789012%253Aroom%252FabcdEFGH1234\n"
          "\n"
          "host:ivschat.us-west-2.amazonaws.com\n"
          "x-amz-date:20150830T123600Z\n"
          "\n"
          "host;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(s.signature() == reference_signature(s, example_creds.secret_access_key, "20150830"));
}

TEST_CASE("repeated query keys (tagKeys) are sorted by key then value", "[sigv4]") {
    auto s = ivschat_signer();
    const header headers[] = {{"host", "ivschat.us-west-2.amazonaws.com"}};
    s.sign({.method = "DELETE", .path = "/tags/x", .query = "tagKeys=zeta&tagKeys=alpha%20one&tagKeys=mid", .headers = headers},
           example_creds, example_time);
    auto lines = std::string(s.canonical_request());
    CHECK(lines.find("\ntagKeys=alpha%20one&tagKeys=mid&tagKeys=zeta\n") != std::string::npos);
}

TEST_CASE("empty-body GET hashes the empty payload", "[sigv4]") {
    auto s = ivschat_signer();
    const header headers[] = {{"host", "h"}};
    s.sign({.method = "GET", .path = "/", .headers = headers}, example_creds, example_time);
    CHECK(s.canonical_request().ends_with("\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

TEST_CASE("a UTF-8 JSON body is hashed as bytes, and x-amz-content-sha256 when asked", "[sigv4]") {
    const std::string body = "{\"roomIdentifier\":\"r\",\"userId\":\"\xC3\xA9l\xC3\xA8ve \xE2\x9C\x93\"}";
    signer s{{.region = "us-west-2", .service = "ivschat", .sign_payload_header = true}};
    const header headers[] = {{"host", "h"}, {"Content-Type", "application/json"}};
    auto added = s.sign({.method = "POST", .path = "/CreateChatToken", .headers = headers, .payload = body},
                        example_creds, example_time);
    CHECK(added.x_amz_content_sha256 == sha256_hex(body));
    CHECK(s.canonical_request().ends_with("\ncontent-type;host;x-amz-content-sha256;x-amz-date\n" + sha256_hex(body)));
    CHECK(s.signature() == reference_signature(s, example_creds.secret_access_key, "20150830"));
}

TEST_CASE("a session token is a signed header", "[sigv4]") {
    auto s = ivschat_signer();
    ivschat::credentials creds = example_creds;
    creds.session_token = "FwoGZXIvYXdzEXAMPLE//token+with/slash=";
    const header headers[] = {{"host", "h"}};
    auto added = s.sign({.method = "POST", .path = "/GetRoom", .headers = headers, .payload = "{}"}, creds, example_time);
    CHECK(added.x_amz_security_token == creds.session_token);
    CHECK(s.canonical_request().find("\nx-amz-security-token:" + creds.session_token + "\n") != std::string::npos);
    CHECK(added.authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token,") != std::string_view::npos);
}

TEST_CASE("the Authorization header has the documented form", "[sigv4]") {
    auto s = ivschat_signer();
    const header headers[] = {{"host", "h"}};
    auto added = s.sign({.method = "POST", .path = "/ListRooms", .headers = headers, .payload = "{}"}, example_creds,
                        example_time);
    CHECK(added.x_amz_date == "20150830T123600Z");
    CHECK(added.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-west-2/ivschat/aws4_request, "
                                 "SignedHeaders=host;x-amz-date, Signature=" +
                                     std::string(s.signature()));
}

TEST_CASE("the signing key is derived once per secret and UTC day", "[sigv4]") {
    auto s = ivschat_signer();
    const header headers[] = {{"host", "h"}};
    const ivschat::sigv4::request req{.method = "POST", .path = "/CreateChatToken", .headers = headers, .payload = "{}"};
    s.sign(req, example_creds, example_time);
    s.sign(req, example_creds, example_time + 1h);
    s.sign(req, example_creds, example_time + 11h);  // 23:36, same day
    CHECK(s.signing_keys_derived() == 1);

    s.sign(req, example_creds, example_time + 12h);  // next day
    CHECK(s.signing_keys_derived() == 2);
    CHECK(s.signature() == reference_signature(s, example_creds.secret_access_key, "20150831"));

    ivschat::credentials rotated = example_creds;
    rotated.secret_access_key = "anotherSecretKeyEXAMPLE";
    s.sign(req, rotated, example_time + 12h);
    CHECK(s.signing_keys_derived() == 3);
    CHECK(s.signature() == reference_signature(s, rotated.secret_access_key, "20150831"));
}

TEST_CASE("the injected clock sets x-amz-date", "[sigv4]") {
    signer s{{.region = "us-west-2", .service = "ivschat", .clock = [] { return example_time + 5s; }}};
    const header headers[] = {{"host", "h"}};
    auto added = s.sign({.method = "GET", .path = "/", .headers = headers}, example_creds);
    CHECK(added.x_amz_date == "20150830T123605Z");
}

TEST_CASE("signing is repeatable with reused buffers", "[sigv4]") {
    auto s = ivschat_signer();
    const header headers[] = {{"host", "h"}, {"x-custom", "  a   b  "}};
    const std::string payload(5000, 'x');
    const ivschat::sigv4::request big{.method = "POST", .path = "/CreateRoom", .query = "b=2&a=1", .headers = headers,
                                      .payload = payload};
    const ivschat::sigv4::request small{.method = "GET", .path = "/", .headers = headers};
    s.sign(big, example_creds, example_time);
    const std::string first(s.signature());
    s.sign(small, example_creds, example_time);
    CHECK(s.canonical_request().find("x-custom:a b\n") != std::string::npos);
    s.sign(big, example_creds, example_time);
    CHECK(s.signature() == first);
}
