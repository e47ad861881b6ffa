#pragma once
// Runs a shell command as a child process without blocking the event loop:
// its stdout and stderr are read through pipes on the executor, a timer
// bounds its life (the whole process group is killed when it runs out), and
// the output kept is bounded.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace ivschat::detail {

struct child_process_result {
    /// Empty when the process ran to its end; otherwise why it did not
    /// (could not start, timed out and was killed, too much output).
    std::string failure{};
    /// The exit status, or 128 + signal number when a signal ended it.
    int exit_status = 0;
    /// stdout in full (at most max_output bytes).
    std::string out{};
    /// The first bytes of stderr (at most 4 KiB).
    std::string err{};
};

/// Runs `/bin/sh -c command` with stdin from /dev/null, in its own process
/// group, within `timeout`. More than `max_output` bytes on stdout kill it.
boost::asio::awaitable<child_process_result> run_shell_command(boost::asio::any_io_executor executor,
                                                               const std::string& command,
                                                               std::chrono::milliseconds timeout,
                                                               std::size_t max_output);

}  // namespace ivschat::detail
