#include <ivschat/emulator/request_reading.hpp>

#include <boost/beast/http/error.hpp>

#include <string_view>

namespace ivschat::emulator {

namespace http = boost::beast::http;

void limit_request_parser(request_parser& parser, std::size_t max_body_bytes) {
    parser.body_limit(max_body_bytes);
    parser.header_limit(request_header_limit);
}

std::optional<response_plan> answer_read(request_handler& handler, const boost::system::error_code& read_error,
                                         const request_parser& parser, std::size_t max_body_bytes,
                                         std::vector<sigv4::header>& headers,
                                         std::chrono::system_clock::time_point now, std::string& out) {
    if (read_error == http::error::body_limit) {
        return handler.reject(413, "ValidationException",
                              "The request body exceeds the limit of " + std::to_string(max_body_bytes) + " bytes.",
                              now, out);
    }
    if (read_error == http::error::header_limit) {
        return handler.reject(431, "ValidationException", "The request headers are too large.", now, out);
    }
    if (read_error) {
        // A parse error after some bytes arrived deserves an answer; an end
        // of stream, a timeout or a closed socket does not.
        const bool malformed = read_error.category() == make_error_code(http::error::end_of_stream).category() &&
                               read_error != http::error::end_of_stream && read_error != http::error::partial_message;
        if (!malformed) return std::nullopt;
        return handler.reject(400, "SerializationException", "Malformed HTTP request: " + read_error.message(), now,
                              out);
    }
    const auto& request = parser.get();
    headers.clear();
    for (const auto& field : request)
        headers.push_back({std::string_view(field.name_string().data(), field.name_string().size()),
                           std::string_view(field.value().data(), field.value().size())});
    const std::string_view target(request.target().data(), request.target().size());
    const auto question = target.find('?');
    const received_request received{
        .method = std::string_view(request.method_string().data(), request.method_string().size()),
        .target = target,
        .path = target.substr(0, question),
        .query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1),
        .headers = headers,
        .payload = request.body()};
    return handler.handle(received, request.keep_alive(), now, out);
}

}  // namespace ivschat::emulator
