// Mutated documents: the reader, the error parser and the validator must
// give an answer (success or a clear error) for any input, never crash
// (run under ASan in the asan preset).
#include "ivschat/operations.hpp"
#include "ivschat/serde/json_reader.hpp"
#include "ivschat/serde/json_writer.hpp"
#include "ivschat/serde/request_target.hpp"
#include "ivschat/serde/service_error.hpp"
#include "ivschat/serde/validation.hpp"

#include <catch2/catch.hpp>

#include <boost/mp11/algorithm.hpp>

#include <random>

namespace {

using namespace ivschat;

const std::string seeds[] = {
    R"({"token":"v1:abc","tokenExpirationTime":"2024-01-02T03:04:05.678Z","sessionExpirationTime":"2024-01-02T04:04:05Z"})",
    R"({"rooms":[{"arn":"arn:aws:ivschat:us-west-2:1:room/a","id":"abcdEFGH1234","name":"n","messageReviewHandler":)"
    R"({"uri":"u","fallbackResult":"ALLOW"},"createTime":"2024-01-02T03:04:05Z","tags":{"a":"b"},)"
    R"("loggingConfigurationIdentifiers":["x","y"]}],"nextToken":"t"})",
    R"({"loggingConfigurations":[{"destinationConfiguration":{"s3":{"bucketName":"b"}},"state":"ACTIVE",)"
    R"("tags":{}},{"destinationConfiguration":{"firehose":{"deliveryStreamName":"f"}}}]})",
    R"({"roomIdentifier":"arn:aws:ivschat:us-west-2:1:room/a","userId":"u","capabilities":["SEND_MESSAGE"],)"
    R"("sessionDurationInMinutes":60,"attributes":{"k":"v"}})",
    R"({"message":"m","reason":"FIELD_VALIDATION_FAILED","fieldList":[{"name":"n","message":"m"}],"limit":5,)"
    R"("resourceId":"r","resourceType":"ROOM","__type":"ValidationException"})",
};

std::string mutate(std::string s, std::mt19937& rng) {
    const char tokens[] = "{}[]\",:0123456789.eE-+tfnul\\ \x00\xff\xc3";
    std::size_t edits = 1 + rng() % 4;
    for (std::size_t e = 0; e < edits && !s.empty(); ++e) {
        std::size_t at = rng() % s.size();
        switch (rng() % 5) {
            case 0: s[at] = tokens[rng() % (sizeof tokens - 1)]; break;
            case 1: s.erase(at, 1 + rng() % 8); break;
            case 2: s.insert(at, 1, tokens[rng() % (sizeof tokens - 1)]); break;
            case 3: s.resize(at); break;
            case 4: s.insert(at, s.substr(rng() % s.size(), rng() % 16)); break;
        }
    }
    return s;
}

template <class T>
void read_and_validate(std::string_view text, std::size_t& accepted) {
    T out{};
    detail::error_info error;
    if (detail::parse_json(text, out, error)) {
        ++accepted;
        (void)detail::validate(out);
        std::string again;
        detail::write_json(out, again);
        T back{};
        CHECK(detail::parse_json(again, back, error));
    } else {
        CHECK_FALSE(error.problem.empty());
    }
}

}  // namespace

TEST_CASE("mutated JSON gives results or errors for every model type", "[serde]") {
    std::mt19937 rng(5);
    std::size_t accepted = 0, total = 0;
    for (int round = 0; round < 400; ++round) {
        const std::string text = mutate(seeds[rng() % std::size(seeds)], rng);
        boost::mp11::mp_for_each<all_operation_requests>([&](auto request) {
            using request_type = decltype(request);
            read_and_validate<request_type>(text, accepted);
            read_and_validate<typename operation_traits<request_type>::response>(text, accepted);
            total += 2;
        });
        read_and_validate<validation_exception>(text, accepted);
        (void)detail::parse_service_error(400, "", "", text);
    }
    // Both outcomes occur: the mutations are neither all fatal nor all harmless.
    CHECK(accepted > 0);
    CHECK(accepted < total);
}

TEST_CASE("mutated request targets read back to what they wrote", "[serde]") {
    std::mt19937 rng(11);
    const std::string seed = "/tags/arn%3Aaws%3Aivschat%3Aus-west-2%3A1%3Aroom%2Fa?tagKeys=a&tagKeys=%2";
    std::size_t matched = 0;
    for (int round = 0; round < 2000; ++round) {
        const std::string target = mutate(seed, rng);
        INFO(target);
        boost::mp11::mp_for_each<all_operation_requests>([&](auto request) {
            if (!detail::read_request_target(target, request)) return;
            ++matched;
            // Whatever was read, written again, reads the same.
            std::string written;
            detail::write_request_target(request, written);
            decltype(request) back{};
            REQUIRE(detail::read_request_target(written, back));
            CHECK(back == request);
        });
    }
    CHECK(matched > 0);
}
