#include "ivschat/percent_encoding.hpp"

#include <catch2/catch.hpp>

using ivschat::detail::percent_decode;
using ivschat::detail::percent_encode;

TEST_CASE("percent encoding keeps only unreserved characters", "[uri]") {
    std::string out;
    percent_encode("arn:aws:ivschat:us-west-2:123:room/Ab-_.~ \xE1\x88\xB4%+", out);
    CHECK(out == "arn%3Aaws%3Aivschat%3Aus-west-2%3A123%3Aroom%2FAb-_.~%20%E1%88%B4%25%2B");
    out.clear();
    percent_encode("/a b/c", out, /*keep_slash=*/true);
    CHECK(out == "/a%20b/c");
}

TEST_CASE("percent decoding leaves malformed escapes as they are", "[uri]") {
    std::string out;
    percent_decode("a%3Ab%2fc%zz%4%", out);
    CHECK(out == "a:b/c%zz%4%");
    out.clear();
    percent_decode("x+y", out);
    CHECK(out == "x+y");
}
