#pragma once

#include <ivschat/client.hpp>

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>
#include <sys/types.h>

namespace ivschat::bench {

/// ivschat-emulator --tls --port 0 as a child process: started by the
/// constructor (which reads its endpoint URL, "ca-bundle: PATH" and
/// "messaging: URL" lines),
/// stopped with SIGTERM and reaped by the destructor. Throws
/// std::runtime_error when it cannot start or does not print the three lines.
class emulator_process {
public:
    /// `extra_arguments` go to the emulator after the defaults (e.g. "--fault", "503=0.01").
    explicit emulator_process(const std::string& program, const std::vector<std::string>& extra_arguments = {});
    ~emulator_process();
    emulator_process(const emulator_process&) = delete;
    emulator_process& operator=(const emulator_process&) = delete;

    const std::string& endpoint_url() const noexcept { return endpoint_url_; }
    const std::string& ca_bundle() const noexcept { return ca_bundle_; }
    /// The Messaging WebSocket endpoint (wss://127.0.0.1:PORT).
    const std::string& messaging_url() const noexcept { return messaging_url_; }

    /// The key pair the emulator accepts by default (ivschat-emulator --help).
    static ivschat::credentials accepted_credentials();

private:
    pid_t pid_ = -1;
    std::string endpoint_url_{};
    std::string ca_bundle_{};
    std::string messaging_url_{};
};

/// Creates a room on the emulator for the calls that need one; returns its
/// ARN. Throws std::runtime_error when CreateRoom fails.
boost::asio::awaitable<std::string> create_bench_room(ivschat::client& chat);

}  // namespace ivschat::bench
