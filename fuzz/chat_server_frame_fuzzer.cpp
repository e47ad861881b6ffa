// Server frames as the chat-room client decodes them (the library's
// Messaging codec): any text either decodes to a frame or gives a problem,
// never both; a decoded frame keeps the text it came from and its Id. Then
// the input as a client action line (the CLI's stdin path): a prepared
// action is JSON whose RequestId it reports.
#include "fuzz_input.hpp"

#include <ivschat/messaging/chat_codec.hpp>

#include <boost/json.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace messaging = ivschat::messaging;
    const auto text = ivschat::fuzz::as_text(data, size);
    const auto decoded = messaging::decode_frame(text);
    if (decoded.frame.has_value() == !decoded.problem.empty()) std::abort();
    if (decoded.frame) {
        if (ivschat::frame_json(*decoded.frame) != text) std::abort();
        if (boost::json::parse(text).as_object().at("Id").as_string() != ivschat::frame_id(*decoded.frame)) {
            std::abort();
        }
    }
    if (const auto action = messaging::prepare_action(text, "fresh")) {
        const auto object = boost::json::parse(action->text).as_object();
        if (object.at("RequestId").as_string() != action->request_id) std::abort();
    }
    return 0;
}
