// Quickstart: create a logging configuration and a room, issue a chat token,
// send an event, list, tag, and clean up. Configuration comes from the
// environment like the AWS CLI's: AWS_REGION, AWS_ENDPOINT_URL_IVSCHAT (e.g.
// the local ivschat-emulator), AWS_CA_BUNDLE, credentials from the default
// chain.
#include <ivschat/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <iostream>

namespace asio = boost::asio;

asio::awaitable<void> quickstart(ivschat::client& chat) {
    // g++ 12 mishandles temporaries inside a co_await expression: requests
    // are named first, then moved into the call (no copy).
    ivschat::create_logging_configuration_request logging{
        .name = "quickstart-logs",
        .destination_configuration = ivschat::cloud_watch_logs_destination_configuration{.log_group_name = "/ivschat/quickstart"},
    };
    auto config = co_await chat.create_logging_configuration(std::move(logging));
    std::cout << "logging configuration " << config.arn.value() << "\n";

    ivschat::create_room_request lobby{
        .name = "lobby",
        .maximum_message_length = 500,
        .logging_configuration_identifiers = {config.arn.value()},
    };
    auto room = co_await chat.create_room(std::move(lobby));
    std::cout << "room " << room.arn.value() << "\n";

    ivschat::create_chat_token_request token_request{
        .room_identifier = room.arn.value(),
        .user_id = "user-42",
        .capabilities = {ivschat::chat_token_capability::send_message},
        .session_duration_in_minutes = 30,
        .attributes = {{"displayName", "Ada"}},
    };
    auto token = co_await chat.create_chat_token(std::move(token_request));
    // The token is a credential: show only that it exists.
    // Printing the response redacts the token itself.
    std::cout << "chat token issued: " << token << "\n";

    ivschat::send_event_request event{.room_identifier = room.arn.value(), .event_name = "app:welcome",
                                            .attributes = {{"text", "hello"}}};
    auto sent = co_await chat.send_event(std::move(event));
    std::cout << "event " << sent.id.value_or("") << "\n";

    ivschat::tag_resource_request tag{.resource_arn = room.arn.value(), .tags = {{"env", "quickstart"}}};
    co_await chat.tag_resource(std::move(tag));
    ivschat::list_rooms_request by_name{.name = "lobby"};
    auto rooms = co_await chat.list_rooms(std::move(by_name));
    std::cout << "rooms named lobby: " << rooms.rooms.size() << "\n";

    // "Not found" without exceptions: as_tuple, and the diagnostics overload for the details.
    ivschat::diagnostics diag;
    ivschat::get_room_request missing{.identifier = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA"};
    auto [ec, ignored] = co_await chat.get_room(std::move(missing), diag, asio::as_tuple(asio::use_awaitable));
    std::cout << "get_room on a missing room: " << diag.error.error_type << " (request id " << diag.request_id << ")\n";

    ivschat::delete_room_request remove_room{.identifier = room.arn.value()};
    co_await chat.delete_room(std::move(remove_room));
    ivschat::delete_logging_configuration_request remove_config{.identifier = config.arn.value()};
    co_await chat.delete_logging_configuration(std::move(remove_config));
    std::cout << "cleaned up\n";
}

int main() {
    asio::io_context ioc;
    try {
        ivschat::client chat{ioc.get_executor()};
        asio::co_spawn(ioc, quickstart(chat), [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
        ioc.run();
    } catch (const ivschat::error_with_diagnostics& e) {
        // Every failed call throws this one type: the code, and what the service or the client said.
        const auto& diag = e.diagnostics();
        std::cerr << "quickstart: " << e.what() << " (request id "
                  << (diag.request_id.empty() ? "none" : diag.request_id) << ")\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "quickstart: " << e.what() << "\n";
        return 1;
    }
}
