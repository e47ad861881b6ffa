// Request bytes as the emulator reads them: Beast's request parser with the
// server's limits (ivschat::emulator::limit_request_parser), the bytes
// arriving in fragments, then answer_read: the control API (/_emulator/...,
// including the fault plan's JSON), SigV4 verification, routing, content-type
// checks, the 17 operations' request decoding (path, query, JSON body),
// validation and the service itself, and the response head. Pipelined
// requests are answered in turn while the connection would stay open.
//
// Random bytes never carry a valid signature, so a flag signs each parsed
// request with the emulator's accepted example key before it is answered:
// then the operations behind the authenticator are reached too.
//
// Input: byte 0: bit 0 signs the requests; bits 1-7, when not 0, set the
// body limit to that value * 16 bytes (else the server's 1 MiB). Byte 1 picks
// the fragment size (1..256 bytes per read). The rest is what the client sends.
#include "fragment_stream.hpp"
#include "fuzz_input.hpp"

#include <ivschat/emulator/request_reading.hpp>
#include <ivschat/emulator/server.hpp>
#include <ivschat/emulator/service.hpp>
#include <ivschat/emulator/service_api.hpp>

#include <ivschat/sigv4.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include <cstdlib>
#include <vector>

namespace {

namespace emulator = ivschat::emulator;
namespace http = boost::beast::http;

// A fixed clock: signatures and the skew check do not depend on when the fuzzer runs.
const auto now = std::chrono::sys_days{std::chrono::November / 26 / 2026} + std::chrono::hours(10);

// Replaces the request's X-Amz-Date and Authorization with a valid
// signature over all its other headers, as a client with the key would.
void sign(http::request<http::string_body>& request, ivschat::sigv4::signer& signer) {
    request.erase(http::field::authorization);
    request.erase("x-amz-date");
    std::vector<ivschat::sigv4::header> headers;
    for (const auto& field : request)
        headers.push_back({std::string_view(field.name_string().data(), field.name_string().size()),
                           std::string_view(field.value().data(), field.value().size())});
    const std::string_view target(request.target().data(), request.target().size());
    const auto question = target.find('?');
    const auto added = signer.sign(
        {.method = std::string_view(request.method_string().data(), request.method_string().size()),
         .path = target.substr(0, question),
         .query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1),
         .headers = headers,
         .payload = request.body()},
        emulator::example_credentials(), now);
    request.set("X-Amz-Date", added.x_amz_date);
    request.set(http::field::authorization, added.authorization);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest = ivschat::fuzz::as_text(data, size);
    const std::uint8_t flags = ivschat::fuzz::take_byte(rest);
    const bool signed_requests = (flags & 1) != 0;
    const std::size_t limit_units = flags >> 1;
    const std::size_t max_body_bytes = limit_units != 0 ? limit_units * 16 : emulator::server_options{}.max_body_bytes;
    const std::size_t fragment = std::size_t{ivschat::fuzz::take_byte(rest)} + 1;

    // A fresh emulator per input: every run starts from the same state.
    emulator::service service;
    emulator::service_api api(service);
    emulator::request_handler handler(api, {.keys = {emulator::example_credentials()}}, 1);
    ivschat::sigv4::signer signer({.region = "us-west-2", .service = "ivschat"});

    ivschat::fuzz::fragment_stream stream(rest, fragment);
    boost::beast::flat_buffer buffer;
    std::vector<ivschat::sigv4::header> headers;
    std::string out;
    for (int request = 0; request < 32; ++request) {
        emulator::request_parser parser;
        emulator::limit_request_parser(parser, max_body_bytes);
        boost::system::error_code ec;
        http::read(stream, buffer, parser, ec);
        if (!ec && signed_requests) sign(parser.get(), signer);
        const auto plan = emulator::answer_read(handler, ec, parser, max_body_bytes, headers, now, out);
        if (!plan) return 0;
        if (plan->bytes_to_send > out.size()) std::abort();
        if (plan->after != emulator::connection_action::reset) {
            // Every answer is a complete HTTP/1.1 response head.
            if (!out.starts_with("HTTP/1.1 ") || out.find("\r\n\r\n") == std::string::npos) std::abort();
        }
        if (plan->after != emulator::connection_action::keep_alive &&
            plan->after != emulator::connection_action::close_idle) {
            return 0;
        }
    }
    return 0;
}
