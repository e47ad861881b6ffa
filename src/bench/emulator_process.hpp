#pragma once

#include <string>
#include <sys/types.h>

namespace ivschat::bench {

/// ivschat-emulator --tls --port 0 as a child process: started by the
/// constructor (which reads its endpoint URL and "ca-bundle: PATH" lines),
/// stopped with SIGTERM and reaped by the destructor. Throws
/// std::runtime_error when it cannot start or does not print both lines.
class emulator_process {
public:
    explicit emulator_process(const std::string& program);
    ~emulator_process();
    emulator_process(const emulator_process&) = delete;
    emulator_process& operator=(const emulator_process&) = delete;

    const std::string& endpoint_url() const noexcept { return endpoint_url_; }
    const std::string& ca_bundle() const noexcept { return ca_bundle_; }

private:
    pid_t pid_ = -1;
    std::string endpoint_url_{};
    std::string ca_bundle_{};
};

}  // namespace ivschat::bench
