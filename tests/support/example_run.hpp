#pragma once
// Runs one of the examples (build/bin/<name>) to its end against an
// in-process emulator on its own thread, configured through the environment
// as a user would (AWS_ENDPOINT_URL_IVSCHAT, AWS_CA_BUNDLE, AWS_REGION, keys).

#include "support/child_process.hpp"
#include "support/emulator_fixture.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <cstdlib>
#include <filesystem>
#include <thread>

namespace ivschat::test {

struct example_result {
    std::vector<std::string> lines;
    int exit_status = -1;
};

inline example_result run_example(const std::string& name, bool with_stderr = false) {
    emulator_fixture emulator;
    const auto options = emulator.options();
    auto work = boost::asio::make_work_guard(emulator.ioc);
    std::thread emulator_thread([&] { emulator.ioc.run(); });
    ::setenv("AWS_ENDPOINT_URL_IVSCHAT", options.endpoint_url->c_str(), 1);
    ::setenv("AWS_CA_BUNDLE", options.ca_bundle->c_str(), 1);
    ::setenv("AWS_REGION", "us-west-2", 1);
    ::setenv("AWS_ACCESS_KEY_ID", options.credentials->access_key_id.c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", options.credentials->secret_access_key.c_str(), 1);
    const auto program =
        std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path() / "bin" / name;
    example_result result;
    {
        child_process child({program.string()}, with_stderr);
        for (auto line = child.line(); !line.empty(); line = child.line()) result.lines.push_back(line);
        result.exit_status = child.wait();
    }
    work.reset();
    boost::asio::post(emulator.ioc, [&] { emulator.server.stop(); });
    emulator_thread.join();
    return result;
}

}  // namespace ivschat::test
