// The JSON body of a successful response, read into the operation's response
// type by the deserializer the client uses (parse_json; unknown members
// ignored, unknown enum values kept, timestamps parsed). A document that
// reads must also write and read back to the same JSON (the emulator writes
// responses with write_json), so what the reader accepts is representable.
//
// Input: the first byte picks one of the 17 operations (modulo 17), the rest
// is the body.
#include "fuzz_input.hpp"

#include "ivschat/serde/json_reader.hpp"
#include "ivschat/serde/json_writer.hpp"

#include <ivschat/operations.hpp>

#include <boost/mp11/algorithm.hpp>

#include <array>
#include <cstdlib>
#include <string>

namespace {

template <class Request>
void parse_response(std::string_view body) {
    using response_type = typename ivschat::operation_traits<Request>::response;
    response_type response;
    ivschat::detail::error_info error;
    if (!ivschat::detail::parse_json(body, response, error)) {
        if (error.problem.empty()) std::abort();  // a failure always says why
        return;
    }
    std::string written;
    ivschat::detail::write_json(response, written);
    response_type again;
    if (!ivschat::detail::parse_json(written, again, error)) std::abort();
    std::string rewritten;
    ivschat::detail::write_json(again, rewritten);
    if (rewritten != written) std::abort();
}

using parse_function = void (*)(std::string_view);

const auto parsers = [] {
    std::array<parse_function, boost::mp11::mp_size<ivschat::all_operation_requests>::value> table{};
    std::size_t i = 0;
    boost::mp11::mp_for_each<ivschat::all_operation_requests>(
        [&](auto request) { table[i++] = &parse_response<decltype(request)>; });
    return table;
}();

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest = ivschat::fuzz::as_text(data, size);
    const std::uint8_t operation = ivschat::fuzz::take_byte(rest);
    parsers[operation % parsers.size()](rest);
    return 0;
}
