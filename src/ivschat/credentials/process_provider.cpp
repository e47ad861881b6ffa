#include <ivschat/process_credentials_provider.hpp>

#include "ivschat/credentials/child_process.hpp"
#include "ivschat/credentials/credentials_parsers.hpp"
#include "ivschat/credentials/url_fetch.hpp"

namespace ivschat {

process_credentials_provider::process_credentials_provider(std::string command, std::string profile_name,
                                                           process_credentials_options options)
    : refreshing_credentials_provider(options.refresh),
      command_(std::move(command)),
      profile_name_(std::move(profile_name)),
      options_(std::move(options)) {}

boost::asio::awaitable<credentials> process_credentials_provider::fetch(boost::asio::any_io_executor executor) {
    auto fail = [this](const std::string& why) { return credentials_error(credentials_errc::unavailable, name() + ": " + why); };
    auto run = co_await detail::run_shell_command(executor, command_, options_.timeout, options_.max_output);
    if (!run.failure.empty()) throw fail("the process " + run.failure);
    if (run.exit_status != 0) {
        std::string message = "the process exited with status " + std::to_string(run.exit_status);
        auto err = detail::body_excerpt(run.err);
        while (!err.empty() && err.back() == ' ') err.pop_back();
        throw fail(err.empty() ? message : message + ": " + err);
    }
    auto parsed = detail::parse_credentials_json(run.out, detail::credentials_json_format::process);
    if (!parsed.creds) throw fail("its output is not credentials: " + parsed.error);
    co_return std::move(*parsed.creds);
}

}  // namespace ivschat
