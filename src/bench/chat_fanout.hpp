#pragma once

#include <ivschat/client.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ivschat::bench {

/// Which side of the fan-out this process runs.
enum class fanout_role {
    both,     ///< receivers here, senders on a second thread of this process
    receive,  ///< receivers only; the senders are another process
    send,     ///< senders only; the receivers are another process
};

/// ivschat-bench --operation chat-fanout's settings (benchmarks/README.md).
struct chat_fanout_options {
    fanout_role role = fanout_role::both;
    std::size_t rooms = 1;
    std::size_t receivers_per_room = 100;
    std::size_t senders_per_room = 1;
    /// Messages per second per room, shared by the room's senders.
    double rate_per_room = 50;
    /// Sending time; the messages per room are rate * duration unless given.
    double duration_s = 10;
    std::optional<std::size_t> messages_per_room{};
    /// Content length of each message (the header's length at least).
    std::size_t message_bytes = 100;
    /// Rooms to use; empty: create `rooms` rooms.
    std::vector<std::string> room_arns{};
    /// ws:// or wss:// URL of the Messaging endpoint.
    std::string messaging_endpoint{};
    /// PEM CAs for a wss:// endpoint.
    std::string ca_bundle{};
    /// chat_room_options::thread_safe of every room.
    bool thread_safe = true;
};

/// Runs the fan-out and prints its JSON line on stdout; returns the exit
/// status (0, or 1 when a message was lost or duplicated or anything failed).
int run_chat_fanout(const client_options& control, const chat_fanout_options& options, const char* version);

}  // namespace ivschat::bench
