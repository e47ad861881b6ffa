#pragma once

#include <ivschat/client.hpp>
#include <ivschat/model.hpp>

#include <optional>
#include <string>

namespace ivschat::cli {

/// `ivschat chat` (docs/cli.md): joins a room, prints every frame received
/// as one JSON line on stdout, sends stdin's lines; returns the exit code.
/// Without `token` it calls CreateChatToken with `request`; without
/// `messaging_endpoint` it connects to the region's endpoint.
int run_chat(const create_chat_token_request& request, const std::optional<std::string>& messaging_endpoint,
             const std::optional<std::string>& token, const client_options& options);

}  // namespace ivschat::cli
