#pragma once

#include <ivschat/export.hpp>
#include <ivschat/credentials_options.hpp>
#include <ivschat/refreshing_credentials_provider.hpp>

#include <chrono>
#include <cstddef>
#include <string>

namespace ivschat {

/// The `credential_process` of a profile: runs `command` through
/// `/bin/sh -c`, as aws-sdk-go-v2 (processcreds executeCommand: "sh", "-c")
/// and the AWS CLI on POSIX do, without blocking the event loop (pipes read
/// on the executor, a timer, the process group killed on timeout), and
/// parses the JSON it prints: {"Version": 1, "AccessKeyId", "SecretAccessKey",
/// "SessionToken", "Expiration"}. Credentials with an Expiration are fetched
/// again before it (refreshing_credentials_provider); without one they are
/// kept.
///
/// Errors (code `unavailable`): the process cannot start, times out, prints
/// too much or exits non-zero (the message has its status and the start of
/// its stderr); its output is not the JSON above. The command itself never
/// appears in messages, as it may carry secrets.
class IVSCHAT_API process_credentials_provider final : public refreshing_credentials_provider {
public:
    /// `profile_name` names the source in messages.
    process_credentials_provider(std::string command, std::string profile_name,
                                 process_credentials_options options = {});

    std::string name() const override { return "credential_process of profile \"" + profile_name_ + "\""; }

private:
    boost::asio::awaitable<credentials> fetch(boost::asio::any_io_executor executor) override;

    std::string command_;
    std::string profile_name_;
    process_credentials_options options_;
};

}  // namespace ivschat
