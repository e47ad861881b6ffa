// Client frames as the emulator's Messaging endpoint handles them, without
// sockets: parse_chat_request (JSON, UTF-8, the three actions' fields and
// sizes), then chat_room_registry's capability, room-length and room-rate
// checks and the MESSAGE / EVENT / ERROR frames it broadcasts. Every frame a
// connection receives must be a JSON object with a known Type; a frame
// failing that aborts.
//
// Input: byte 0: bits 0-2 the sender's capabilities (SEND_MESSAGE,
// DELETE_MESSAGE, DISCONNECT_USER); byte 1: the room's maximumMessageLength
// (1 + byte % 500) and maximumMessageRatePerSecond (1 + byte % 100); then one
// client frame per line.
#include "fuzz_input.hpp"

#include <ivschat/emulator/chat_room_registry.hpp>

#include <boost/json.hpp>

#include <cstdlib>

namespace {

namespace emulator = ivschat::emulator;
namespace json = boost::json;

struct checking_connection final : emulator::chat_connection {
    using chat_connection::chat_connection;
    void deliver(std::shared_ptr<const std::string> frame) override {
        json::error_code ec;
        const auto doc = json::parse(*frame, ec);
        if (ec || !doc.is_object()) std::abort();
        const auto* type = doc.as_object().if_contains("Type");
        if (!type || !type->is_string()) std::abort();
        const auto& t = type->get_string();
        if (t != "MESSAGE" && t != "EVENT" && t != "ERROR") std::abort();
    }
    void end(std::uint16_t, std::string_view) override { begin_ending(); }
    void abort() override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto rest = ivschat::fuzz::as_text(data, size);
    const auto capability_bits = ivschat::fuzz::take_byte(rest);
    const auto limits = ivschat::fuzz::take_byte(rest);

    emulator::service svc({.seed = 1});
    emulator::chat_room_registry registry(svc, {});
    const auto now = std::chrono::system_clock::now();
    const auto room = *std::get<ivschat::create_room_response>(
                           svc.handle(ivschat::create_room_request{.maximum_message_rate_per_second = 1 + limits % 100,
                                                                   .maximum_message_length = 1 + limits % 500},
                                      now))
                           .arn;
    std::vector<ivschat::chat_token_capability> capabilities;
    if (capability_bits & 1) capabilities.push_back(ivschat::chat_token_capability::send_message);
    if (capability_bits & 2) capabilities.push_back(ivschat::chat_token_capability::delete_message);
    if (capability_bits & 4) capabilities.push_back(ivschat::chat_token_capability::disconnect_user);
    const auto token = std::get<ivschat::create_chat_token_response>(
        svc.handle(ivschat::create_chat_token_request{.room_identifier = room,
                                                      .user_id = "fuzz",
                                                      .capabilities = std::move(capabilities),
                                                      .attributes = {{"a", "b"}}},
                   now));
    auto admitted = registry.admit(*token.token);
    if (!std::holds_alternative<emulator::chat_token_claims>(admitted)) std::abort();
    checking_connection sender(std::get<emulator::chat_token_claims>(std::move(admitted)));
    checking_connection watcher(sender.claims());
    registry.join(sender);
    registry.join(watcher);
    while (!rest.empty() && !sender.ending()) registry.handle_frame(sender, ivschat::fuzz::take_line(rest));
    registry.leave(sender);
    registry.leave(watcher);
    return 0;
}
