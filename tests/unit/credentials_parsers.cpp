// The parsers of the credentials sources' answers: the JSON of
// credential_process, the container endpoint and IMDS; the XML of STS.
#include "ivschat/credentials/credentials_parsers.hpp"
#include "ivschat/time_format.hpp"

#include <catch2/catch.hpp>

namespace {

using ivschat::detail::credentials_json_format;
using ivschat::detail::parse_credentials_json;
using ivschat::detail::parse_sts_credentials_xml;

std::string error_of(std::string_view text, credentials_json_format format) {
    auto parsed = parse_credentials_json(text, format);
    CHECK_FALSE(parsed.creds);
    return parsed.error;
}

// An answer as STS sends it (API reference example, shortened).
std::string sts_answer(std::string_view action, std::string_view credentials_xml) {
    return "<" + std::string(action) + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <" +
           std::string(action) + "Result>\n    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>"
           "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\n    <Credentials>" +
           std::string(credentials_xml) + "</Credentials>\n  </" + std::string(action) +
           "Result>\n  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>"
           "</ResponseMetadata>\n</" + std::string(action) + "Response>\n";
}

const std::string good_credentials =
    "<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>"
    "<SessionToken>AQoDYXdzEPT//////////wEXAMPLE</SessionToken><Expiration>2019-11-09T13:34:41Z</Expiration>";

}  // namespace

TEST_CASE("credentials JSON: credential_process, container and IMDS answers") {
    auto process = parse_credentials_json(
        R"({"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "SECRET", "SessionToken": "TOKEN",
            "Expiration": "2030-01-02T03:04:05Z", "Extra": [1, 2]})",
        credentials_json_format::process);
    REQUIRE(process.creds);
    CHECK(process.creds->access_key_id == "AKID");
    CHECK(process.creds->secret_access_key == "SECRET");
    CHECK(process.creds->session_token == "TOKEN");
    CHECK(process.creds->expiration == ivschat::detail::parse_iso8601("2030-01-02T03:04:05Z"));

    auto long_term = parse_credentials_json(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"})",
                                            credentials_json_format::process);
    REQUIRE(long_term.creds);
    CHECK(long_term.creds->session_token.empty());
    CHECK_FALSE(long_term.creds->expiration);

    // The container endpoint's form (ECS task role): "Token", no Version.
    auto container = parse_credentials_json(
        R"({"AccessKeyId":"ASIA","Expiration":"2030-01-02T03:04:05.123Z","RoleArn":"arn:aws:iam::1:role/r",
            "SecretAccessKey":"S","Token":"T"})",
        credentials_json_format::container);
    REQUIRE(container.creds);
    CHECK(container.creds->session_token == "T");

    // IMDS: Code, LastUpdated, Type.
    auto imds = parse_credentials_json(
        R"({"Code":"Success","LastUpdated":"2030-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIA",
            "SecretAccessKey":"S","Token":"T","Expiration":"2030-01-02T00:00:00Z"})",
        credentials_json_format::imds);
    REQUIRE(imds.creds);
    CHECK(imds.creds->access_key_id == "ASIA");
}

TEST_CASE("credentials JSON: malformed answers give a sentence, never a secret") {
    using enum credentials_json_format;
    CHECK(error_of("", process).rfind("the answer is not valid JSON", 0) == 0);
    CHECK(error_of("{\"Version\":1,", process).rfind("the answer is not valid JSON", 0) == 0);
    CHECK(error_of("[1]", container) == "the answer is not a JSON object");
    CHECK(error_of(R"({"AccessKeyId":"A","SecretAccessKey":"S"})", process) ==
          "the member \"Version\" is missing (it must be 1)");
    CHECK(error_of(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":"S"})", process) == "the member \"Version\" is not 1");
    CHECK(error_of(R"({"Version":"1","AccessKeyId":"A","SecretAccessKey":"S"})", process) == "the member \"Version\" is not 1");
    CHECK(error_of(R"({"Version":1,"SecretAccessKey":"S"})", process) == "the member \"AccessKeyId\" is missing or empty");
    CHECK(error_of(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":""})", process) ==
          "the member \"SecretAccessKey\" is missing or empty");
    CHECK(error_of(R"({"Version":1,"AccessKeyId":7,"SecretAccessKey":"S"})", process) ==
          "the member \"AccessKeyId\" is not a string");
    CHECK(error_of(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Expiration":"soon"})", process) ==
          "the member \"Expiration\" is not an ISO 8601 time");
    CHECK(error_of(R"({"Code":"AssumeRoleUnauthorizedAccess","AccessKeyId":"A","SecretAccessKey":"S"})", imds) ==
          "the answer's Code is \"AssumeRoleUnauthorizedAccess\", not \"Success\"");
    CHECK(error_of(R"({"Code":"Success","AccessKeyId":"A","SecretAccessKey":"S","Token":"T"})", imds) ==
          "the member \"Expiration\" is missing");
    // Bounded: size and depth.
    CHECK(error_of(std::string(70 * 1024, ' ') + "{}", container) == "the answer is larger than 65536 bytes");
    CHECK(error_of(std::string(1000, '[') + std::string(1000, ']'), container).rfind("the answer is not valid JSON", 0) == 0);
    for (const char* text : {R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","SessionToken":5})",
                             R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"TOPSECRET","Expiration":"TOPSECRET"})"})
        CHECK(error_of(text, process).find("TOPSECRET") == std::string::npos);
}

TEST_CASE("STS XML: AssumeRole and AssumeRoleWithWebIdentity answers") {
    for (const char* action : {"AssumeRole", "AssumeRoleWithWebIdentity"}) {
        INFO(action);
        auto answer = parse_sts_credentials_xml("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
                                                sts_answer(action, good_credentials));
        REQUIRE(answer.parse_error.empty());
        REQUIRE(answer.creds);
        CHECK(answer.creds->access_key_id == "ASIAIOSFODNN7EXAMPLE");
        CHECK(answer.creds->secret_access_key == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
        CHECK(answer.creds->session_token == "AQoDYXdzEPT//////////wEXAMPLE");
        CHECK(answer.creds->expiration == ivschat::detail::parse_iso8601("2019-11-09T13:34:41Z"));
    }
    // Entities, character references, CDATA and comments.
    auto escaped = parse_sts_credentials_xml(sts_answer(
        "AssumeRole",
        "<AccessKeyId>A&amp;B&#65;&#x42;</AccessKeyId><!-- a comment --><SecretAccessKey><![CDATA[S<&>]]></SecretAccessKey>"
        "<SessionToken>T&lt;&gt;&quot;&apos;&#xE9;</SessionToken><Expiration>2019-11-09T13:34:41Z</Expiration>"));
    REQUIRE(escaped.creds);
    CHECK(escaped.creds->access_key_id == "A&BAB");
    CHECK(escaped.creds->secret_access_key == "S<&>");
    CHECK(escaped.creds->session_token == "T<>\"'\xC3\xA9");
}

TEST_CASE("STS XML: the ErrorResponse's Code and Message") {
    auto answer = parse_sts_credentials_xml(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
        "  <Error>\n    <Type>Sender</Type>\n    <Code>InvalidIdentityToken</Code>\n"
        "    <Message>Couldn&apos;t retrieve verification key from your identity provider</Message>\n  </Error>\n"
        "  <RequestId>4b1a8f83-8f3f-4b5b-9ad4-0b1e1f1b5a3c</RequestId>\n</ErrorResponse>\n");
    CHECK_FALSE(answer.creds);
    CHECK(answer.error_code == "InvalidIdentityToken");
    CHECK(answer.error_message == "Couldn't retrieve verification key from your identity provider");
}

TEST_CASE("STS XML: malformed answers are errors, never crashes") {
    auto error_of_xml = [](std::string_view xml) {
        auto answer = parse_sts_credentials_xml(xml);
        CHECK_FALSE(answer.creds);
        return answer.parse_error;
    };
    CHECK(error_of_xml("") == "the answer is not well-formed XML: no XML element");
    CHECK(error_of_xml("<a><b></a>") == "the answer is not well-formed XML: the closing tag </a> does not match the open element");
    CHECK(error_of_xml("<a>") == "the answer is not well-formed XML: the element <a> is not closed");
    CHECK(error_of_xml("<a x=\"1></a>") == "the answer is not well-formed XML: an unterminated attribute value");
    CHECK(error_of_xml("<a>&bogus;</a>") == "the answer is not well-formed XML: an unknown character reference");
    CHECK(error_of_xml("<a>&#0;</a>") == "the answer is not well-formed XML: an unknown character reference");
    CHECK(error_of_xml("<a>&#x110000;</a>") == "the answer is not well-formed XML: an unknown character reference");
    CHECK(error_of_xml("<a>&amp</a>") == "the answer is not well-formed XML: an unterminated character reference");
    CHECK(error_of_xml("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>") ==
          "the answer is not well-formed XML: a DOCTYPE or other declaration, which STS never sends");
    CHECK(error_of_xml("<a/><b/>") == "the answer is not well-formed XML: more than one root element");
    CHECK(error_of_xml("text<a/>") == "the answer is not well-formed XML: text outside the root element");
    CHECK(error_of_xml("<a><!-- open") == "the answer is not well-formed XML: an unterminated comment");
    CHECK(error_of_xml("<a><![CDATA[x") == "the answer is not well-formed XML: an unterminated CDATA section");
    CHECK(error_of_xml("< a/>") == "the answer is not well-formed XML: a '<' not followed by an element name");
    CHECK(error_of_xml(std::string(100, '<')).rfind("the answer is not well-formed XML", 0) == 0);
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "<a>";
    CHECK(error_of_xml(deep) == "the answer is not well-formed XML: elements nested deeper than 16");
    CHECK(error_of_xml(std::string(70 * 1024, ' ')) == "the answer is larger than 65536 bytes");
    // Well-formed but not an answer.
    CHECK(error_of_xml("<html><body>Service Unavailable</body></html>") ==
          "the answer has no Credentials with AccessKeyId and SecretAccessKey");
    CHECK(error_of_xml(sts_answer("AssumeRole", "<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
                                                "<Expiration>2019-11-09T13:34:41Z</Expiration>")) ==
          "the answer's Credentials have no SessionToken");
    CHECK(error_of_xml(sts_answer("AssumeRole", "<AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
                                                "<SessionToken>T</SessionToken><Expiration>later</Expiration>")) ==
          "the answer's Credentials have no ISO 8601 Expiration");
    // Credentials outside a *Result are not taken.
    CHECK(error_of_xml("<X><Credentials>" + good_credentials + "</Credentials></X>") ==
          "the answer has no Credentials with AccessKeyId and SecretAccessKey");
}
