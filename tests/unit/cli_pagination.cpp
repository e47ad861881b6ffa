// The CLI's pagination (src/cli/pagination.hpp), without I/O: pages merged,
// --max-items truncation and the NextToken it prints (the AWS CLI's format),
// --starting-token, and a repeated nextToken.
#include "cli/pagination.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

namespace {

namespace json = boost::json;
using namespace ivschat::cli;

json::object page(std::string_view items, std::optional<std::string> next) {
    json::object p;
    p["rooms"] = json::parse(items);
    if (next) p["nextToken"] = *next;
    return p;
}

}  // namespace

TEST_CASE("cli pagination: pages merge into one list without nextToken", "[cli][pagination]") {
    page_collector pages(std::nullopt, {});
    CHECK_FALSE(pages.first_token());
    CHECK(pages.add(page("[1, 2]", "t1"), std::nullopt) == std::optional<std::string>("t1"));
    CHECK(pages.add(page("[3]", std::nullopt), "t1") == std::nullopt);
    CHECK(std::move(pages).result() == json::parse(R"({"rooms": [1, 2, 3]})"));
}

TEST_CASE("cli pagination: --max-items stops fetching and prints where to resume", "[cli][pagination]") {
    page_collector pages(3, {});
    CHECK(pages.add(page(R"(["a", "b"])", "t1"), std::nullopt) == std::optional<std::string>("t1"));
    CHECK(pages.add(page(R"(["c", "d"])", "t2"), "t1") == std::nullopt);  // no third request
    const json::value result = std::move(pages).result();
    CHECK(result.at("rooms") == json::parse(R"(["a", "b", "c"])"));
    const resume_point resume = decode_resume_token(result.at("NextToken").as_string());
    CHECK(resume.next_token == std::optional<std::string>("t1"));  // the page "c" came from
    CHECK(resume.skip_items == 1);

    page_collector resumed(std::nullopt, resume);
    CHECK(resumed.first_token() == std::optional<std::string>("t1"));
    CHECK(resumed.add(page(R"(["c", "d"])", std::nullopt), "t1") == std::nullopt);
    CHECK(std::move(resumed).result() == json::parse(R"({"rooms": ["d"]})"));
}

TEST_CASE("cli pagination: --max-items on a page boundary resumes at the next page", "[cli][pagination]") {
    page_collector pages(2, {});
    CHECK(pages.add(page(R"(["a", "b"])", "t1"), std::nullopt) == std::nullopt);
    const json::value result = std::move(pages).result();
    const resume_point resume = decode_resume_token(result.at("NextToken").as_string());
    CHECK(resume.next_token == std::optional<std::string>("t1"));
    CHECK(resume.skip_items == 0);

    page_collector last(5, {});
    CHECK(last.add(page(R"(["a", "b"])", std::nullopt), std::nullopt) == std::nullopt);
    CHECK_FALSE(std::move(last).result().as_object().contains("NextToken"));  // nothing left to resume
}

TEST_CASE("cli pagination: a repeated nextToken stops the listing", "[cli][pagination]") {
    page_collector pages(std::nullopt, {});
    CHECK(pages.add(page("[1]", "same"), std::nullopt) == std::optional<std::string>("same"));
    CHECK_THROWS_AS(pages.add(page("[2]", "same"), "same"), pagination_error);

    page_collector cycle(std::nullopt, {});
    CHECK(cycle.add(page("[]", "a"), std::nullopt));
    CHECK(cycle.add(page("[]", "b"), "a"));
    CHECK_THROWS_WITH(cycle.add(page("[]", "a"), "b"), Catch::Contains("same nextToken twice"));
}

TEST_CASE("cli pagination: the NextToken is the AWS CLI's", "[cli][pagination]") {
    // base64 of {"nextToken":"abc","boto_truncate_amount":2}, as botocore's TokenEncoder writes it.
    CHECK(encode_resume_token({"abc", 2}) == "eyJuZXh0VG9rZW4iOiJhYmMiLCJib3RvX3RydW5jYXRlX2Ftb3VudCI6Mn0=");
    const resume_point point = decode_resume_token("eyJuZXh0VG9rZW4iOiJhYmMiLCJib3RvX3RydW5jYXRlX2Ftb3VudCI6Mn0=");
    CHECK(point.next_token == std::optional<std::string>("abc"));
    CHECK(point.skip_items == 2);
    for (const std::string padded : {"", "a", "ab", "abc", "abcd"}) {
        const resume_point round = decode_resume_token(encode_resume_token({padded, 7}));
        CHECK(round.next_token == std::optional<std::string>(padded));
        CHECK(round.skip_items == 7);
    }
    CHECK_THROWS_AS(decode_resume_token("not base64!"), std::invalid_argument);
    CHECK_THROWS_AS(decode_resume_token("WzFd"), std::invalid_argument);  // [1]
    CHECK_THROWS_AS(decode_resume_token("e30"), std::invalid_argument);   // length not a multiple of 4
}
