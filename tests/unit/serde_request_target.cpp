// rest-json URI and query bindings: /tags/{resourceArn} and ?tagKeys=.
#include "ivschat/serde/request_target.hpp"

#include <catch2/catch.hpp>

namespace {

using namespace ivschat;

const std::string room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234";
const std::string encoded_arn = "arn%3Aaws%3Aivschat%3Aus-west-2%3A123456789012%3Aroom%2FabcdEFGH1234";

template <class Request>
std::string target_of(const Request& request) {
    std::string out = "stale";
    detail::write_request_target(request, out);
    return out;
}

}  // namespace

TEST_CASE("body operations post to their name", "[serde]") {
    CHECK(target_of(create_chat_token_request{.room_identifier = room_arn}) == "/CreateChatToken");
    CHECK(target_of(delete_room_request{}) == "/DeleteRoom");
}

TEST_CASE("the resource ARN is percent-encoded into one path segment", "[serde]") {
    CHECK(target_of(list_tags_for_resource_request{.resource_arn = room_arn}) == "/tags/" + encoded_arn);
    CHECK(target_of(tag_resource_request{.resource_arn = room_arn, .tags = {{"a", "b"}}}) == "/tags/" + encoded_arn);
}

TEST_CASE("tag keys are repeated query parameters", "[serde]") {
    CHECK(target_of(untag_resource_request{.resource_arn = room_arn, .tag_keys = {"team", "a b&c=d/é"}}) ==
          "/tags/" + encoded_arn + "?tagKeys=team&tagKeys=a%20b%26c%3Dd%2F%C3%A9");
    CHECK(target_of(untag_resource_request{.resource_arn = room_arn}) == "/tags/" + encoded_arn);
}

TEST_CASE("the emulator reads targets back", "[serde]") {
    untag_resource_request untag;
    REQUIRE(detail::read_request_target("/tags/" + encoded_arn + "?tagKeys=team&x=1&tagKeys=a%20b&tagKeys=", untag));
    CHECK(untag.resource_arn == room_arn);
    CHECK(untag.tag_keys == std::vector<std::string>{"team", "a b", ""});

    // A '/' that the caller did not encode still yields the whole ARN.
    list_tags_for_resource_request list;
    REQUIRE(detail::read_request_target("/tags/" + room_arn, list));
    CHECK(list.resource_arn == room_arn);

    create_room_request create;
    CHECK(detail::read_request_target("/CreateRoom", create));
    CHECK(detail::read_request_target("/CreateRoom?ignored=1", create));
}

TEST_CASE("targets of other operations do not match", "[serde]") {
    list_tags_for_resource_request list;
    CHECK_FALSE(detail::read_request_target("/tags/", list));
    CHECK_FALSE(detail::read_request_target("/tags", list));
    CHECK_FALSE(detail::read_request_target("/tag/x", list));
    CHECK_FALSE(detail::read_request_target("/CreateRoom", list));
    CHECK(list.resource_arn.empty());
    create_room_request create;
    CHECK_FALSE(detail::read_request_target("/CreateRoomX", create));
    CHECK_FALSE(detail::read_request_target("/CreateRoo", create));
    CHECK_FALSE(detail::read_request_target("", create));
    CHECK_FALSE(detail::read_request_target("/GetRoom", create));
}

TEST_CASE("routing by method and target finds exactly one operation", "[serde]") {
    struct probe {
        boost::beast::http::verb method;
        std::string target;
        std::string_view expected;
    };
    const probe probes[] = {
        {boost::beast::http::verb::post, "/CreateChatToken", "CreateChatToken"},
        {boost::beast::http::verb::get, "/tags/" + encoded_arn, "ListTagsForResource"},
        {boost::beast::http::verb::post, "/tags/" + encoded_arn, "TagResource"},
        {boost::beast::http::verb::delete_, "/tags/" + encoded_arn + "?tagKeys=a", "UntagResource"},
        {boost::beast::http::verb::get, "/CreateChatToken", ""},
        {boost::beast::http::verb::post, "/Nope", ""},
    };
    for (const probe& p : probes) {
        INFO(p.target);
        std::vector<std::string_view> matches;
        boost::mp11::mp_for_each<all_operation_requests>([&](auto request) {
            using traits = operation_traits<decltype(request)>;
            if (traits::method == p.method && detail::read_request_target(p.target, request))
                matches.push_back(traits::name);
        });
        if (p.expected.empty())
            CHECK(matches.empty());
        else
            CHECK(matches == std::vector<std::string_view>{p.expected});
    }
}
