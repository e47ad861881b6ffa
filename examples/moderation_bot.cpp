// A moderation bot: issues its own chat token (DELETE_MESSAGE and
// DISCONNECT_USER), joins a room, deletes every message containing a word
// of the list (case-insensitive) and disconnects a user after N offences.
// It logs what it does on stdout and runs until the room ends.
//
//   moderation_bot ROOM_ARN WORD[,WORD...] N [MESSAGING_ENDPOINT]
//
// Configuration (region, endpoint, credentials, CA bundle) comes from the
// environment, as for every client. Against the emulator:
//
//   build/bin/ivschat-emulator > /tmp/emu.out &
//   export AWS_ENDPOINT_URL_IVSCHAT=$(head -1 /tmp/emu.out)
//   ARN=$(build/bin/ivschat create-room --query arn --output text)
//   build/bin/moderation_bot $ARN spam,scam 2 $(sed -n 's/^messaging: //p' /tmp/emu.out)
#include <ivschat/chat_room.hpp>
#include <ivschat/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace asio = boost::asio;

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

std::vector<std::string> split_words(const std::string& list) {
    std::vector<std::string> words;
    std::size_t start = 0;
    while (start <= list.size()) {
        const auto comma = std::min(list.find(',', start), list.size());
        if (comma > start) words.push_back(lower(list.substr(start, comma - start)));
        start = comma + 1;
    }
    return words;
}

asio::awaitable<void> moderate(ivschat::chat_room& room, std::vector<std::string> words, int max_offences) {
    co_await room.async_connect();
    std::cout << "joined the room\n" << std::flush;
    std::map<std::string, int> offences;
    for (;;) {
        auto [ec, frame] = co_await room.async_receive(asio::as_tuple(asio::use_awaitable));
        if (ec == ivschat::chat_errc::frames_dropped) continue;
        if (ec) {
            std::cout << "left the room: " << ec.message() << '\n';
            co_return;
        }
        const auto* message = std::get_if<ivschat::chat_message>(&frame);
        if (!message) continue;
        const auto text = lower(message->content);
        const auto hit = std::find_if(words.begin(), words.end(),
                                      [&](const std::string& w) { return text.find(w) != std::string::npos; });
        if (hit == words.end()) continue;
        const auto& user = message->sender.user_id;
        auto [delete_ec, deleted] = co_await room.async_delete_message(
            message->id, "contains \"" + *hit + "\"", nullptr, asio::as_tuple(asio::use_awaitable));
        std::cout << "deleted message " << message->id << " from " << user << " (\"" << *hit << "\"): "
                  << (delete_ec ? delete_ec.message() : "ok") << '\n';
        if (++offences[user] < max_offences) continue;
        auto [kick_ec, kicked] = co_await room.async_disconnect_user(
            user, std::to_string(max_offences) + " offences", nullptr, asio::as_tuple(asio::use_awaitable));
        std::cout << "disconnected " << user << " after " << offences[user]
                  << " offences: " << (kick_ec ? kick_ec.message() : "ok") << '\n' << std::flush;
        offences.erase(user);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4 || argc > 5) {
        std::cerr << "usage: moderation_bot ROOM_ARN WORD[,WORD...] N [MESSAGING_ENDPOINT]\n";
        return 2;
    }
    const int max_offences = std::max(1, std::atoi(argv[3]));
    asio::io_context ioc;
    ivschat::client control(ioc.get_executor());
    ivschat::create_chat_token_request token_request;
    token_request.room_identifier = argv[1];
    token_request.user_id = "moderation-bot";
    token_request.capabilities = {ivschat::chat_token_capability::delete_message,
                                  ivschat::chat_token_capability::disconnect_user};
    ivschat::chat_room_options options;
    options.endpoint = argc == 5 ? argv[4] : control.config().region;
    if (control.config().ca_bundle) options.tls.ca_file = *control.config().ca_bundle;
    ivschat::chat_room room(ioc.get_executor(), options, ivschat::make_chat_token_provider(control, token_request));
    int exit_code = 0;
    asio::co_spawn(ioc, moderate(room, split_words(argv[2]), max_offences), [&](std::exception_ptr failure) {
        if (!failure) return;
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            std::cerr << "moderation_bot: " << e.what() << '\n';
            exit_code = 1;
        }
    });
    ioc.run();
    return exit_code;
}
