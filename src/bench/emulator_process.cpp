#include "emulator_process.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ivschat::bench {

namespace {

std::string read_line(std::FILE* stream) {
    std::string line;
    for (int c = std::fgetc(stream); c != EOF && c != '\n'; c = std::fgetc(stream)) line.push_back(static_cast<char>(c));
    return line;
}

}  // namespace

emulator_process::emulator_process(const std::string& program, const std::vector<std::string>& extra_arguments) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::vector<std::string> arguments{program, "--tls", "--port", "0"};
    arguments.insert(arguments.end(), extra_arguments.begin(), extra_arguments.end());
    std::vector<char*> argv;
    for (auto& argument : arguments) argv.push_back(argument.data());
    argv.push_back(nullptr);
    const int spawned = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (spawned != 0) {
        ::close(fds[0]);
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(spawned));
    }
    std::FILE* out = ::fdopen(fds[0], "r");
    endpoint_url_ = read_line(out);
    const std::string ca_line = read_line(out);
    const std::string messaging_line = read_line(out);
    // The child keeps running; its later output (none expected) goes nowhere.
    std::fclose(out);
    constexpr std::string_view ca_prefix = "ca-bundle: ";
    constexpr std::string_view messaging_prefix = "messaging: ";
    if (endpoint_url_.rfind("https://", 0) != 0 || ca_line.rfind(ca_prefix, 0) != 0 ||
        messaging_line.rfind(messaging_prefix, 0) != 0) {
        throw std::runtime_error(program + " did not print its URL, ca-bundle and messaging lines (got '" +
                                 endpoint_url_ + "', '" + ca_line + "', '" + messaging_line + "')");
    }
    ca_bundle_ = ca_line.substr(ca_prefix.size());
    messaging_url_ = messaging_line.substr(messaging_prefix.size());
}

emulator_process::~emulator_process() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
}

ivschat::credentials emulator_process::accepted_credentials() {
    return {.access_key_id = "AKIDEXAMPLE",
            .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            .session_token = {},
            .expiration = {}};
}

boost::asio::awaitable<std::string> create_bench_room(ivschat::client& chat) {
    ivschat::diagnostics diag;
    ivschat::create_room_request request{.name = "bench-room"};
    auto [ec, response] = co_await chat.create_room(std::move(request), diag,
                                                    boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec || !response.arn) {
        throw std::runtime_error("CreateRoom on the emulator failed: " +
                                 (ec ? ec.message() : std::string("no arn in the response")));
    }
    co_return *response.arn;
}

}  // namespace ivschat::bench
