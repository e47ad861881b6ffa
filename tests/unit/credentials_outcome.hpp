#pragma once
// Runs one async_get of a credentials provider to its completion and keeps
// what it gave: the credentials, or the error's code and message.

#include <ivschat/credentials_provider.hpp>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <system_error>

namespace ivschat::test {

struct credentials_outcome {
    std::shared_ptr<const credentials> creds{};
    std::string error{};
    std::error_code code{};
};

/// Runs `ioc` (which may also run the test's servers) until the get completes.
inline credentials_outcome get_credentials(boost::asio::io_context& ioc, credentials_provider& p) {
    credentials_outcome out;
    bool done = false;
    async_get_credentials(p, ioc.get_executor(), [&](std::exception_ptr e, std::shared_ptr<const credentials> c) {
        done = true;
        out.creds = std::move(c);
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const credentials_error& x) {
            out.error = x.what();
            out.code = x.code();
        }
    });
    ioc.restart();  // after a run that ran out of work
    while (!done && ioc.run_one()) {
    }
    REQUIRE(done);
    return out;
}

}  // namespace ivschat::test
