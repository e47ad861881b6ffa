// Every request and response type: write it, read it back, get the same value.
#include "ivschat/operations.hpp"
#include "ivschat/serde/json_writer.hpp"
#include "ivschat/serde/request_target.hpp"

#include "serde_read.hpp"

#include <catch2/catch.hpp>

#include <boost/core/type_name.hpp>
#include <boost/mp11/algorithm.hpp>

namespace {

using namespace ivschat;
using namespace std::chrono_literals;

// Fills every member with a distinct, non-default value; `variant` selects
// the union alternative and list lengths so that several shapes get covered.
template <class T>
void fill(T& value, int& counter, std::size_t variant);

template <class T>
void fill_structure(T& value, int& counter, std::size_t variant) {
    detail::for_each_member<T>([&](auto descriptor, const detail::member_info&) {
        fill(value.*descriptor.pointer, counter, variant);
    });
}

template <class T>
void fill(T& value, int& counter, std::size_t variant) {
    ++counter;
    if constexpr (std::is_same_v<T, std::string>) {
        // Quotes, backslashes, control characters and UTF-8 exercise escaping.
        value = "v" + std::to_string(counter) + (counter % 3 == 0 ? "\"\\\n\t\x01/é😀" : "");
    } else if constexpr (std::is_same_v<T, std::int32_t>) {
        value = counter;
    } else if constexpr (std::is_same_v<T, detail::time_point>) {
        value = detail::time_point{std::chrono::sys_days{std::chrono::year{2024} / 1 / 2} + counter * 1s +
                                   (counter % 2 ? 678ms : 0ms)};
    } else if constexpr (detail::is_optional_v<T>) {
        fill(value.emplace(), counter, variant);
    } else if constexpr (detail::wire_enum_type<T>) {
        value = counter % 4 == 0 ? T{"NOT_IN_THE_MODEL"} : T{T::wire_values[counter % std::size(T::wire_values)]};
    } else if constexpr (detail::is_vector_v<T>) {
        value.resize(1 + variant % 3);
        for (auto& element : value) fill(element, counter, variant);
    } else if constexpr (detail::is_string_map_v<T>) {
        for (std::size_t i = 0; i < 1 + variant % 3; ++i) {
            std::string n = std::to_string(++counter);
            value["k" + n + "\"é"] = "v" + n;
        }
    } else if constexpr (detail::union_type<T>) {
        boost::mp11::mp_with_index<std::variant_size_v<typename T::variant_type> - 1>(variant % 3, [&](auto i) {
            fill(value.value().template emplace<i + 1>(), counter, variant);
        });
    } else {
        fill_structure(value, counter, variant);
    }
}

}  // namespace

TEST_CASE("every request survives body + request target round trip", "[serde]") {
    boost::mp11::mp_for_each<all_operation_requests>([](auto empty) {
        using request_type = decltype(empty);
        using traits = operation_traits<request_type>;
        for (std::size_t variant = 0; variant < 3; ++variant) {
            INFO(traits::name << " variant " << variant);
            request_type request{};
            int counter = 0;
            fill(request, counter, variant);
            std::string body, target;
            detail::write_json_body(request, body);
            detail::write_request_target(request, target);
            INFO(body << " " << target);

            request_type back{};
            if (traits::has_body) {
                detail::error_info error;
                REQUIRE(detail::parse_json(body, back, error));
            } else {
                CHECK(body.empty());
            }
            REQUIRE(detail::read_request_target(target, back));
            CHECK(back == request);
        }
    });
}

TEST_CASE("every response survives a round trip", "[serde]") {
    boost::mp11::mp_for_each<all_operation_requests>([](auto empty) {
        using response_type = typename operation_traits<decltype(empty)>::response;
        for (std::size_t variant = 0; variant < 3; ++variant) {
            INFO(boost::core::type_name<response_type>() << " variant " << variant);
            response_type response{};
            int counter = 0;
            fill(response, counter, variant);
            std::string json;
            detail::write_json(response, json);
            CHECK(test::read_ok<response_type>(json) == response);
        }
    });
}

TEST_CASE("error shapes survive a round trip", "[serde]") {
    using error_shapes =
        boost::mp11::mp_list<access_denied_exception, conflict_exception, internal_server_exception, pending_verification,
                             resource_not_found_exception, service_quota_exceeded_exception, throttling_exception,
                             validation_exception>;
    boost::mp11::mp_for_each<error_shapes>([](auto empty) {
        using shape = decltype(empty);
        shape value{};
        int counter = 0;
        fill(value, counter, 2);
        std::string json;
        detail::write_json(value, json);
        CHECK(test::read_ok<shape>(json) == value);
    });
}
