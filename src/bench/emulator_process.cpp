#include "emulator_process.hpp"

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

emulator_process::emulator_process(const std::string& program) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::string tls = "--tls", port = "--port", zero = "0";
    char* argv[] = {const_cast<char*>(program.c_str()), tls.data(), port.data(), zero.data(), nullptr};
    const int spawned = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (spawned != 0) {
        ::close(fds[0]);
        throw std::runtime_error("cannot start " + program + ": " + std::strerror(spawned));
    }
    std::FILE* out = ::fdopen(fds[0], "r");
    endpoint_url_ = read_line(out);
    const std::string ca_line = read_line(out);
    // The child keeps running; its later output (none expected) goes nowhere.
    std::fclose(out);
    constexpr std::string_view ca_prefix = "ca-bundle: ";
    if (endpoint_url_.rfind("https://", 0) != 0 || ca_line.rfind(ca_prefix, 0) != 0) {
        throw std::runtime_error(program + " did not print its URL and ca-bundle lines (got '" + endpoint_url_ +
                                 "', '" + ca_line + "')");
    }
    ca_bundle_ = ca_line.substr(ca_prefix.size());
}

emulator_process::~emulator_process() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace ivschat::bench
