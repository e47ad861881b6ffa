#pragma once

#include "ivschat/serde/json_reader.hpp"

#include <catch2/catch.hpp>

#include <string_view>

namespace ivschat::test {

/// `json` read into a T; fails the test (showing the document and the error) when it does not read.
template <class T>
T read_ok(std::string_view json) {
    T out{};
    detail::error_info error;
    INFO(json);
    bool ok = detail::parse_json(json, out, error);
    INFO(error.message());
    REQUIRE(ok);
    return out;
}

}  // namespace ivschat::test
