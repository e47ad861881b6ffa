#include "ivschat/chat_frames.hpp"

namespace ivschat {

namespace {

class chat_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ivschat.chat"; }
    std::string message(int value) const override {
        switch (static_cast<chat_errc>(value)) {
            case chat_errc::bad_request: return "400: malformed or invalid request";
            case chat_errc::unauthorized: return "401: the connection expired or the chat token is missing";
            case chat_errc::forbidden: return "403: the chat token lacks the capability";
            case chat_errc::not_found: return "404: room not found";
            case chat_errc::not_acceptable: return "406: rejected by the message review handler";
            case chat_errc::payload_too_large: return "413: a field is too large";
            case chat_errc::rate_exceeded: return "429: the room's message rate is exceeded";
            case chat_errc::server_error: return "500: server error";
            case chat_errc::unknown_service_error: return "an ERROR frame with an unknown ErrorCode";
            case chat_errc::not_connected: return "the chat room is not connected";
            case chat_errc::connection_lost: return "the connection was lost before the reply";
            case chat_errc::request_timeout: return "no reply to the request in time";
            case chat_errc::closed: return "the chat room is closed";
            case chat_errc::token_fetch_failed: return "the chat token provider failed";
            case chat_errc::upgrade_refused: return "the server refused the WebSocket upgrade";
            case chat_errc::bad_endpoint: return "the messaging endpoint is not a ws:// or wss:// URL";
            case chat_errc::frames_dropped: return "the receive queue overflowed: frames were dropped";
            case chat_errc::receive_pending: return "another receive is waiting";
            case chat_errc::duplicate_request_id: return "a pending request has the same RequestId";
            case chat_errc::invalid_request: return "the action is not a JSON object with an Action";
        }
        return "unknown chat error";
    }
};

template <class Member>
const std::string& visit_member(const chat_frame& frame, Member member) noexcept {
    return std::visit([member](const auto& f) -> const std::string& { return member(f); }, frame);
}

}  // namespace

const boost::system::error_category& chat_category() noexcept {
    static const chat_category_impl category;
    return category;
}

const std::string& frame_id(const chat_frame& frame) noexcept {
    return visit_member(frame, [](const auto& f) -> const std::string& { return f.id; });
}
const std::string& frame_request_id(const chat_frame& frame) noexcept {
    return visit_member(frame, [](const auto& f) -> const std::string& { return f.request_id; });
}
const std::string& frame_json(const chat_frame& frame) noexcept {
    return visit_member(frame, [](const auto& f) -> const std::string& { return f.json; });
}

boost::system::error_code to_error_code(const chat_error& error) noexcept {
    switch (error.error_code) {
        case 400: case 401: case 403: case 404: case 406: case 413: case 429: case 500:
            return make_error_code(static_cast<chat_errc>(error.error_code));
        default: return make_error_code(chat_errc::unknown_service_error);
    }
}

}  // namespace ivschat
