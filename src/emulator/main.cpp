// ivschat-emulator: a local Amazon IVS Chat control-plane service.
//
// Prints the endpoint URL as the first line on stdout (and, with --tls and a
// generated certificate, "ca-bundle: <path>" as the second), then
// "messaging: ws://..." (wss:// with --tls), then serves until SIGINT or SIGTERM.
#include <ivschat/emulator/rate_quotas.hpp>
#include <ivschat/emulator/server.hpp>
#include <ivschat/version.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string_view>

namespace {

constexpr const char* usage = R"(usage: ivschat-emulator [options]

  --host ADDRESS            address to bind (default 127.0.0.1)
  --port N                  port to listen on; 0 picks a free one (default 0)
  --tls                     serve HTTPS; without --cert/--key a throwaway CA and a
                            certificate for 127.0.0.1 and localhost are generated
                            and the CA is written to a file (see --ca-bundle)
  --cert FILE --key FILE    PEM certificate chain and private key for --tls
  --ca-bundle FILE          where to write the generated CA (default: a new file
                            in the temporary directory, removed on exit)
  --region NAME             region of the emulated service (default us-west-2)
  --account-id ID           account of the ARNs (default 123456789012)
  --credentials KEY:SECRET[:SESSION_TOKEN]
                            accepted signing key; repeatable (default: the AWS
                            example pair AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY)
  --allowed-skew SECONDS    accepted distance of x-amz-date from the clock (default 900)
  --fault ACTION=PROBABILITY
                            apply ACTION to that share of requests; repeatable.
                            ACTION: 500 503 throttle reset delay:MS close truncate close-idle
  --max-rooms N             rooms quota (default 50000)
  --max-logging-configurations N
                            logging configurations quota (default 1000)
  --max-body-bytes N        largest accepted request body (default 1048576)
  --max-connections N       open connections at most; past it the oldest idle one
                            is closed, or the new one when none is idle (default
                            60000: 50,000 chat connections and more; raise
                            `ulimit -n` to match)
  --handshake-timeout SECONDS
                            TLS handshakes not done by then are closed (default 5)
  --max-unfinished-body-bytes N
                            request bodies still arriving, all connections
                            together; past it a request gets 503 (default 67108864)
  --seed N                  seed of ids and random faults (default: random)
  --version                 print "ivschat-emulator VERSION" and exit
  --chat-minute-seconds N   length of a minute of chat token time: the token's
                            one-minute validity and sessionDurationInMinutes
                            (default 60; shorter to test expiry quickly)
  --enforce-quotas          apply the service's quotas: per-operation rates
                            (CreateChatToken 200/s, SendEvent, DeleteMessage,
                            DisconnectUser 100/s, room operations 5/s, logging
                            configuration operations 3/s, tag operations 10/s;
                            429 ThrottlingException), 10 logging configurations
                            (unless --max-logging-configurations), 50,000 chat
                            connections
  --quota OPERATION=TPS     rate of one operation (repeatable); overrides
                            --enforce-quotas' rate, or alone limits only it
  --max-queued-frames N     frames queued for one chat connection before it is
                            closed as too slow (default 256)
  --review-handler LAMBDA_ARN=http://127.0.0.1:PORT/PATH
                            serve a room's message review handler (its
                            messageReviewHandler.uri) with a local HTTP handler:
                            every SEND_MESSAGE in the room is POSTed to it as the
                            Lambda's JSON event; no reply within 200 ms, an HTTP
                            error or an invalid reply applies the room's
                            fallbackResult (repeatable)
  --data-dir DIR            write the logging destinations of rooms' logging
                            configurations under DIR, flushed every second:
                            s3 as gzipped JSON-lines objects in
                            DIR/s3/<bucket>/AWSLogs/<account>/IVSChatLogs/1.0/<region>/room_<id>/YYYY/MM/DD/HH/,
                            cloudWatchLogs as JSON lines in
                            DIR/cloudwatch/<log group>/aws/IVSChatLogs/1.0/room_<id>,
                            firehose as JSON lines in DIR/firehose/<stream>
  --help                    this text

Control API (unsigned), on the same port: GET /_emulator/stats,
POST /_emulator/faults {"actions":[...],"probabilities":{...}}, DELETE /_emulator/faults,
POST /_emulator/reset, POST /_emulator/close-idle-connections. Requests other
than GET need Content-Type: application/json; requests with an Origin header
or a Host other than the emulator's address are refused.
Messaging WebSocket endpoint (the chat token as Sec-WebSocket-Protocol) on the same
port: printed as "messaging: ws://..." after the endpoint (and ca-bundle) lines.
)";

template <class Int>
bool parse_number(std::string_view text, Int& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

[[noreturn]] void fail(const std::string& message) {
    std::cerr << "ivschat-emulator: " << message << "\n(--help for usage)\n";
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    namespace emu = ivschat::emulator;
    emu::server_options options;
    bool generated_ca_path = true;
    bool explicit_logging_quota = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::fputs(usage, stdout);
            return 0;
        }
        if (flag == "--version") {
            std::fputs("ivschat-emulator " IVSCHAT_VERSION_STRING "\n", stdout);
            return 0;
        }
        if (flag == "--tls") {
            options.tls = true;
            continue;
        }
        if (flag == "--enforce-quotas") {
            options.enforce_quotas = true;
            continue;
        }
        static constexpr std::string_view flags_with_value[] = {
            "--host",        "--port",       "--cert",        "--key",       "--ca-bundle",
            "--region",      "--account-id", "--credentials", "--allowed-skew", "--fault",
            "--max-rooms",   "--max-logging-configurations", "--max-body-bytes", "--seed",
            "--max-connections", "--handshake-timeout", "--max-unfinished-body-bytes",
            "--chat-minute-seconds", "--max-queued-frames", "--quota", "--review-handler", "--data-dir"};
        if (std::find(std::begin(flags_with_value), std::end(flags_with_value), flag) == std::end(flags_with_value))
            fail("unknown option " + std::string(flag));
        if (i + 1 >= argc) fail("missing value after " + std::string(flag));
        const std::string_view value = argv[++i];
        const auto bad_value = [&] { fail("bad value for " + std::string(flag) + ": " + std::string(value)); };
        if (flag == "--host") {
            options.host = value;
        } else if (flag == "--port") {
            if (!parse_number(value, options.port)) bad_value();
        } else if (flag == "--cert") {
            options.cert_file = value;
        } else if (flag == "--key") {
            options.key_file = value;
        } else if (flag == "--ca-bundle") {
            options.ca_bundle_path = value;
            generated_ca_path = false;
        } else if (flag == "--region") {
            options.service.region = value;
        } else if (flag == "--account-id") {
            options.service.account_id = value;
        } else if (flag == "--credentials") {
            auto creds = emu::parse_credentials(value);
            if (!creds) bad_value();
            options.keys.push_back(std::move(*creds));
        } else if (flag == "--allowed-skew") {
            long long seconds = 0;
            if (!parse_number(value, seconds) || seconds < 0) bad_value();
            options.allowed_skew = std::chrono::seconds(seconds);
        } else if (flag == "--fault") {
            auto eq = value.rfind('=');
            auto action = emu::parse_fault_action(value.substr(0, eq));
            double probability = 0;
            if (!action || eq == std::string_view::npos) bad_value();
            try {
                std::size_t used = 0;
                probability = std::stod(std::string(value.substr(eq + 1)), &used);
                if (used != value.size() - eq - 1 || probability < 0 || probability > 1) bad_value();
            } catch (const std::exception&) {
                bad_value();
            }
            options.random_faults.emplace_back(*action, probability);
        } else if (flag == "--max-rooms") {
            if (!parse_number(value, options.service.max_rooms)) bad_value();
        } else if (flag == "--max-logging-configurations") {
            if (!parse_number(value, options.service.max_logging_configurations)) bad_value();
            explicit_logging_quota = true;
        } else if (flag == "--max-body-bytes") {
            if (!parse_number(value, options.max_body_bytes)) bad_value();
        } else if (flag == "--max-connections") {
            if (!parse_number(value, options.max_connections) || options.max_connections == 0) bad_value();
        } else if (flag == "--handshake-timeout") {
            long long seconds = 0;
            if (!parse_number(value, seconds) || seconds <= 0) bad_value();
            options.handshake_timeout = std::chrono::seconds(seconds);
        } else if (flag == "--max-unfinished-body-bytes") {
            if (!parse_number(value, options.max_unfinished_body_bytes)) bad_value();
        } else if (flag == "--chat-minute-seconds") {
            long long seconds = 0;
            if (!parse_number(value, seconds) || seconds < 1 || seconds > 60) bad_value();
            options.service.chat_minute = std::chrono::seconds(seconds);
        } else if (flag == "--quota") {
            auto rate = emu::parse_operation_rate(value);
            const auto known = emu::default_operation_rates();
            if (!rate || std::none_of(known.begin(), known.end(), [&](const auto& k) { return k.first == rate->first; }))
                bad_value();
            options.operation_rates.push_back(std::move(*rate));
        } else if (flag == "--max-queued-frames") {
            if (!parse_number(value, options.messaging.max_queued_frames) || options.messaging.max_queued_frames == 0)
                bad_value();
        } else if (flag == "--review-handler") {
            auto route = emu::parse_review_handler_route(value);
            if (!route) bad_value();
            options.review_handlers.push_back(std::move(*route));
        } else if (flag == "--data-dir") {
            if (value.empty()) bad_value();
            options.data_dir = value;
        } else if (flag == "--seed") {
            if (!parse_number(value, options.seed)) bad_value();
            options.service.seed = options.seed;
        }
    }

    if (options.enforce_quotas) {
        // The account quotas of the IVS Chat User Guide's "Service Quotas" page.
        if (!explicit_logging_quota) options.service.max_logging_configurations = 10;
        options.messaging.max_connections = 50'000;
    }

    try {
        boost::asio::io_context ioc(1);
        emu::server server(ioc, options);
        server.start();
        std::printf("%s\n", server.endpoint().c_str());
        if (!server.ca_bundle().empty()) std::printf("ca-bundle: %s\n", server.ca_bundle().c_str());
        std::printf("messaging: %s\n", server.messaging_endpoint().c_str());
        std::fflush(stdout);

        boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code& ec, int) {
            if (!ec) server.stop();
        });
        ioc.run();
        if (generated_ca_path && !server.ca_bundle().empty()) {
            std::error_code ignored;
            std::filesystem::remove(server.ca_bundle(), ignored);
        }
    } catch (const std::exception& e) {
        std::cerr << "ivschat-emulator: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
