// Error responses: type resolution as the AWS SDKs do it, and the members.
#include "ivschat/serde/json_writer.hpp"
#include "ivschat/serde/printable_text.hpp"
#include "ivschat/serde/service_error.hpp"
#include "ivschat/serde/validation.hpp"

#include <ivschat/retry.hpp>

#include <catch2/catch.hpp>

namespace {

using namespace ivschat;

}  // namespace

TEST_CASE("error types are sanitized", "[error]") {
    CHECK(detail::sanitize_error_type("ValidationException") == "ValidationException");
    CHECK(detail::sanitize_error_type("aws.protocoltests.restjson#FooError") == "FooError");
    CHECK(detail::sanitize_error_type("ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/") ==
          "ValidationException");
    CHECK(detail::sanitize_error_type("com.amazon.ivschat#ThrottlingException:http://x/y") == "ThrottlingException");
    CHECK(detail::sanitize_error_type("") == "");
}

TEST_CASE("the header wins over the body", "[error]") {
    auto info = detail::parse_service_error(404, "ResourceNotFoundException:http://internal.amazon.com/", "req-1",
                                            R"({"__type":"ConflictException","message":"no room",)"
                                            R"("resourceId":"abcdEFGH1234","resourceType":"ROOM"})");
    CHECK(info.code == error::resource_not_found);
    CHECK(info.error_type == "ResourceNotFoundException");
    CHECK(info.message == "no room");
    CHECK(info.request_id == "req-1");
    CHECK(info.http_status == 404);
    CHECK(info.resource_id == "abcdEFGH1234");
    CHECK(info.resource_type == "ROOM");
}

TEST_CASE("without the header, __type then code then type", "[error]") {
    CHECK(detail::parse_service_error(429, "", "", R"({"__type":"com.amazon#ThrottlingException","code":"X"})").code ==
          error::throttling);
    CHECK(detail::parse_service_error(409, "", "", R"({"code":"ConflictException","type":"X"})").code == error::conflict);
    CHECK(detail::parse_service_error(403, "", "", R"({"type":"PendingVerification"})").code ==
          error::pending_verification);
    CHECK(detail::parse_service_error(403, "", "", R"({"Message":"denied","code":"AccessDeniedException"})").message ==
          "denied");
}

TEST_CASE("each modelled exception maps to its code", "[error]") {
    const std::pair<std::string_view, error> cases[] = {
        {"ValidationException", error::validation_exception},
        {"AccessDeniedException", error::access_denied},
        {"ResourceNotFoundException", error::resource_not_found},
        {"ConflictException", error::conflict},
        {"ServiceQuotaExceededException", error::service_quota_exceeded},
        {"ThrottlingException", error::throttling},
        {"PendingVerification", error::pending_verification},
        {"InternalServerException", error::internal_server},
        {"SomethingNewException", error::unknown_service_error},
        {"", error::unknown_service_error},
    };
    for (const auto& [type, code] : cases) {
        INFO(type);
        CHECK(detail::parse_service_error(400, type, "", "").code == code);
        CHECK(detail::error_from_type(type) == code);
    }
}

TEST_CASE("the emulator's error bodies read back with every member", "[error]") {
    validation_exception validation{
        .message = "1 validation error detected: Value at 'userId' failed to satisfy constraint: Member must not be null",
        .reason = validation_exception_reason::field_validation_failed,
        .field_list = {{.name = "userId", .message = "Member must not be null"}},
    };
    std::string body;
    detail::write_json(validation, body);
    CHECK(body == R"({"message":"1 validation error detected: Value at 'userId' failed to satisfy constraint: )"
                  R"(Member must not be null","reason":"FIELD_VALIDATION_FAILED",)"
                  R"("fieldList":[{"name":"userId","message":"Member must not be null"}]})");
    auto info = detail::parse_service_error(detail::shape_info<validation_exception>::http_status,
                                            detail::shape_info<validation_exception>::name, "r", body);
    CHECK(info.code == error::validation_exception);
    CHECK(info.http_status == 400);
    CHECK(info.reason == "FIELD_VALIDATION_FAILED");
    REQUIRE(info.field_list.size() == 1);
    CHECK(info.field_list[0].name == "userId");

    service_quota_exceeded_exception quota{.message = "too many rooms", .resource_id = "abc",
                                           .resource_type = resource_type::room, .limit = 50};
    detail::write_json(quota, body);
    CHECK(body == R"({"message":"too many rooms","resourceId":"abc","resourceType":"ROOM","limit":50})");
    info = detail::parse_service_error(402, "ServiceQuotaExceededException", "", body);
    CHECK(info.code == error::service_quota_exceeded);
    CHECK(info.limit == 50);
    CHECK(info.resource_type == "ROOM");
    STATIC_REQUIRE(detail::shape_info<service_quota_exceeded_exception>::http_status == 402);
    STATIC_REQUIRE(detail::shape_info<throttling_exception>::http_status == 429);
}

TEST_CASE("odd error bodies keep what can be read", "[error]") {
    auto html = detail::parse_service_error(502, "", "rid", "<html>Bad Gateway</html>");
    CHECK(html.code == error::unknown_service_error);
    CHECK(html.http_status == 502);
    CHECK(html.request_id == "rid");
    CHECK(html.error_type == "502");
    CHECK(html.message == "HTTP 502 Bad Gateway; body: <html>Bad Gateway</html>");

    auto wrong_types = detail::parse_service_error(
        400, "", "", R"({"__type":5,"code":"ValidationException","message":["x"],"limit":"9","fieldList":{}})");
    CHECK(wrong_types.code == error::validation_exception);
    CHECK(wrong_types.message.rfind("HTTP 400 Bad Request; body: {\"__type\":5,", 0) == 0);
    CHECK_FALSE(wrong_types.limit.has_value());
    CHECK(wrong_types.field_list.empty());

    CHECK(detail::parse_service_error(500, "", "", "").code == error::unknown_service_error);
    CHECK(detail::parse_service_error(500, "", "", "[1,2]").code == error::unknown_service_error);
}

TEST_CASE("errors that are not JSON say the status, the reason and a sanitised excerpt", "[error]") {
    auto xml = detail::parse_service_error(403, "", "", "<?xml version=\"1.0\"?>\r\n<Error>\n  <Code>Denied</Code>\n</Error>\n");
    CHECK(xml.code == error::unknown_service_error);
    CHECK(xml.error_type == "403");
    CHECK(xml.message == "HTTP 403 Forbidden; body: <?xml version=\"1.0\"?> <Error> <Code>Denied</Code> </Error>");
    CHECK(detail::parse_service_error(301, "", "", "").message == "HTTP 301 Moved Permanently (empty body)");
    CHECK(detail::parse_service_error(999, "", "", "", "Odd\x1b[2J").message == "HTTP 999 Odd\\u001b[2J (empty body)");
    auto long_page = detail::parse_service_error(500, "", "", std::string(5000, 'x'));
    CHECK(long_page.message == "HTTP 500 Internal Server Error; body: " + std::string(200, 'x') + "...");
}

TEST_CASE("server-supplied text is escaped before it reaches a message", "[error]") {
    auto info = detail::parse_service_error(
        400, "Bad\x1b]0;x\x07Type", "", "{\"message\":\"line\\r\\nForged: \\u001b[2J \\u009b31m caf\\u00e9 \\u007f\"}");
    CHECK(info.message == "line\\r\\nForged: \\u001b[2J \\u009b31m caf\u00e9 \\u007f");
    CHECK(info.error_type == "Bad\\u001b]0;x\\u0007Type");
    CHECK(detail::escape_control_characters("tab\there \xff\xc2") == "tab\\there \\xff\\xc2");
    CHECK(detail::escape_control_characters("\xf0\x9f\x98\x80 \xc2\xa0") == "\xf0\x9f\x98\x80 \xc2\xa0");
    CHECK(detail::body_excerpt("  a \t\r\n b  ", 10) == "a b");
    CHECK(detail::body_excerpt("\xc3\xa9\xc3\xa9\xc3\xa9", 2) == "\xc3\xa9\xc3\xa9...");
}

TEST_CASE("error codes", "[error]") {
    boost::system::error_code ec = error::throttling;
    CHECK(ec.category().name() == std::string("ivschat"));
    CHECK(ec == error::throttling);
    CHECK(ec != error::conflict);
    CHECK(!ec.message().empty());
    CHECK(is_service_error(error::unknown_service_error));
    CHECK_FALSE(is_service_error(error::timeout));
    CHECK(is_service_error(ec));
    CHECK_FALSE(is_service_error(boost::system::error_code(error::request_validation_failed)));
}

TEST_CASE("the retry classification and the service error read an error type alike", "[error]") {
    for (std::string_view raw : {"ThrottlingException", "ThrottlingException:http://internal.amazon.com/coral/a#b",
                                 "com.amazonaws.ivschat#ThrottlingException", "a#b#ThrottlingException",
                                 "ns#ThrottlingException:http://x"}) {
        CAPTURE(raw);
        CHECK(is_throttling_error_code(raw) ==
              (detail::error_from_type(detail::sanitize_error_type(raw)) == error::throttling));
    }
}
