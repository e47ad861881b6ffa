#pragma once

#include <ivschat/client.hpp>
#include <ivschat/emulator/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <catch2/catch.hpp>

#include <exception>
#include <functional>

namespace ivschat::test {

// An in-process emulator on 127.0.0.1 (TLS with a throwaway CA by default)
// and client options that target it with the example credentials and
// nothing read from the process environment.
struct emulator_fixture {
    boost::asio::io_context ioc;
    emulator::server server;

    explicit emulator_fixture(emulator::server_options options = {.tls = true}) : server(ioc, std::move(options)) {
        server.start();
    }

    client_options options() const {
        client_options o;
        o.region = "us-west-2";
        o.endpoint_url = server.endpoint();
        o.credentials = emulator::example_credentials();
        if (!server.ca_bundle().empty()) o.ca_bundle = server.ca_bundle().string();
        o.environment = environment::from_map({});
        return o;
    }

    // Runs `body` as a coroutine on the io_context until it completes, then
    // stops the server; rethrows what the coroutine threw.
    void run(std::function<boost::asio::awaitable<void>()> body) {
        std::exception_ptr failure;
        boost::asio::co_spawn(ioc, body(), [&](std::exception_ptr e) {
            failure = e;
            server.stop();
        });
        ioc.run();
        ioc.restart();
        if (failure) std::rethrow_exception(failure);
    }
};

}  // namespace ivschat::test
