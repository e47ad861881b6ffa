#include "ivschat/credentials/child_process.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ivschat::detail {

namespace asio = boost::asio;
using boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::size_t max_stderr = 4096;

// Both ends close-on-exec: the child gets only the dup2'd copies.
bool make_pipe(std::array<int, 2>& fds) { return ::pipe2(fds.data(), O_CLOEXEC) == 0; }

struct spawned {
    pid_t pid = -1;
    int out = -1;
    int err = -1;
    std::string failure{};
};

spawned spawn_shell(const std::string& command) {
    spawned s;
    std::array<int, 2> out{-1, -1}, err{-1, -1};
    if (!make_pipe(out) || !make_pipe(err)) {
        s.failure = std::string("could not create a pipe: ") + std::strerror(errno);
        for (int fd : {out[0], out[1], err[0], err[1]})
            if (fd >= 0) ::close(fd);
        return s;
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    // Its own process group, so that a timeout kills what the shell started too.
    posix_spawnattr_setpgroup(&attributes, 0);
    // Default signal dispositions and an empty mask, whatever the parent set.
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    int rc = ::posix_spawn(&s.pid, "/bin/sh", &actions, &attributes, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        s.failure = std::string("could not start /bin/sh: ") + std::strerror(rc);
        ::close(out[0]);
        ::close(err[0]);
        s.pid = -1;
        return s;
    }
    s.out = out[0];
    s.err = err[0];
    return s;
}

// Reads a pipe to its end, keeping at most `keep` bytes. With a process
// group to kill, more than `keep` bytes kill it and set `overflowed`.
asio::awaitable<void> drain(asio::posix::stream_descriptor& pipe, std::string& into, std::size_t keep,
                            pid_t kill_on_overflow, bool& overflowed) {
    std::array<char, 4096> buffer;
    for (;;) {
        auto [ec, n] = co_await pipe.async_read_some(asio::buffer(buffer), use_tuple);
        if (ec) co_return;
        const std::size_t room = keep - std::min(keep, into.size());
        into.append(buffer.data(), std::min(n, room));
        if (n > room && kill_on_overflow > 0) {
            overflowed = true;
            ::kill(-kill_on_overflow, SIGKILL);
            co_return;
        }
    }
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

asio::awaitable<child_process_result> run_shell_command(asio::any_io_executor executor, const std::string& command,
                                                        std::chrono::milliseconds timeout, std::size_t max_output) {
    using namespace asio::experimental::awaitable_operators;
    child_process_result result;
    spawned child = spawn_shell(command);
    if (!child.failure.empty()) {
        result.failure = std::move(child.failure);
        co_return result;
    }
    asio::posix::stream_descriptor out(executor, child.out), err(executor, child.err);
    asio::steady_timer deadline(executor, timeout);
    bool overflowed = false, ignored = false;
    auto reading = co_await ((drain(out, result.out, max_output, child.pid, overflowed) &&
                              drain(err, result.err, max_stderr, -1, ignored)) ||
                             deadline.async_wait(use_tuple));
    out.close();
    err.close();
    const bool timed_out = reading.index() == 1;
    if (timed_out) ::kill(-child.pid, SIGKILL);
    if (timed_out) result.failure = "did not finish within " + std::to_string(timeout.count()) + " ms and was killed";
    else if (overflowed) result.failure = "wrote more than " + std::to_string(max_output) + " bytes and was killed";
    // The pipes closed: the process has ended or is about to; poll for its
    // status (no SIGCHLD handler, which belongs to the application).
    asio::steady_timer poll(executor);
    for (auto wait = std::chrono::milliseconds{1};;) {
        int status = 0;
        pid_t r = ::waitpid(child.pid, &status, WNOHANG);
        if (r == child.pid) {
            result.exit_status = decode_status(status);
            break;
        }
        if (r < 0 && errno != EINTR) {
            if (result.failure.empty()) result.failure = std::string("could not wait for it: ") + std::strerror(errno);
            break;
        }
        if (r == 0 && std::chrono::steady_clock::now() > deadline.expiry()) {
            // Closed its output but kept running past the timeout.
            ::kill(-child.pid, SIGKILL);
            if (result.failure.empty())
                result.failure = "did not finish within " + std::to_string(timeout.count()) + " ms and was killed";
        }
        poll.expires_after(wait);
        co_await poll.async_wait(use_tuple);
        wait = std::min(wait * 2, std::chrono::milliseconds{50});
    }
    co_return result;
}

}  // namespace ivschat::detail
