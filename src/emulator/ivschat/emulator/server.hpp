#pragma once

#include <ivschat/credentials.hpp>
#include <ivschat/emulator/connection_limits.hpp>
#include <ivschat/emulator/chat_room_registry.hpp>
#include <ivschat/emulator/fault_plan.hpp>
#include <ivschat/emulator/message_review.hpp>
#include <ivschat/emulator/service.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ivschat::emulator {

struct server_state;

/// The documented AWS example key pair, accepted when no credentials are given.
credentials example_credentials();

/// Parses "ACCESS_KEY:SECRET[:SESSION_TOKEN]"; nullopt when malformed.
std::optional<credentials> parse_credentials(std::string_view text);

/// Settings of a server.
struct server_options {
    /// Address to bind; 127.0.0.1 unless asked otherwise.
    std::string host = "127.0.0.1";
    /// 0 picks a free port.
    std::uint16_t port = 0;
    /// Serve HTTPS. Without cert_file/key_file a throwaway CA and a server
    /// certificate for 127.0.0.1 and localhost are generated and the CA is
    /// written to ca_bundle_path (or a fresh file in the temp directory).
    bool tls = false;
    std::filesystem::path cert_file{};
    std::filesystem::path key_file{};
    std::filesystem::path ca_bundle_path{};
    /// Keys whose signatures are accepted; empty means example_credentials().
    std::vector<credentials> keys{};
    std::chrono::seconds allowed_skew = std::chrono::minutes(15);
    /// The server's clock runs this far ahead of the system clock (negative:
    /// behind), for the signature time check and the Date header: how tests
    /// make a client's clock look skewed.
    std::chrono::seconds clock_offset{};
    /// Requests with a larger body are refused with 413 (the largest valid
    /// request is a few tens of kilobytes).
    std::size_t max_body_bytes = 1024 * 1024;
    /// Keep-alive connections idle for longer are closed.
    std::chrono::seconds idle_timeout = std::chrono::seconds(60);
    /// Open connections at most (handshaking, reading, answering or idle).
    /// A connection past the cap closes the oldest idle one, or is closed at
    /// once when none is idle. The default leaves room for the 50,000 chat
    /// connections the Messaging API is meant to carry plus control-plane
    /// clients; the process's RLIMIT_NOFILE must be raised to match.
    std::size_t max_connections = 60000;
    /// A TLS handshake not finished in this long is closed (checked once a
    /// second): a connection that never handshakes holds about 90 KB.
    std::chrono::seconds handshake_timeout = std::chrono::seconds(5);
    /// Bytes of request bodies that have not arrived in full, all
    /// connections together (each request reserves its Content-Length, or
    /// max_body_bytes when chunked, until it is answered). A request that
    /// does not fit is answered 503 and its connection closed.
    std::size_t max_unfinished_body_bytes = 64 * 1024 * 1024;
    /// Region, account, quotas and the chat token key.
    service_options service{};
    /// Per-operation request rates (429 ThrottlingException beyond them):
    /// the service's quotas (default_operation_rates()) when enforce_quotas,
    /// then operation_rates, which override them or, alone, limit only the
    /// operations they name.
    bool enforce_quotas = false;
    std::vector<std::pair<std::string, double>> operation_rates{};
    /// Limits of the Messaging WebSocket endpoint.
    messaging_options messaging{};
    /// The local HTTP handlers that stand for rooms' message review Lambda
    /// functions (`--review-handler`). A room whose handler ARN has none here
    /// gets its fallbackResult, as when a Lambda cannot be invoked.
    std::vector<review_handler_route> review_handlers{};
    /// How long a review handler has to answer before the room's
    /// fallbackResult applies (the service's fixed 200 ms).
    std::chrono::milliseconds review_timeout{200};
    /// With a directory, rooms' logging configurations write their records
    /// under it (chat_log_writer; `--data-dir`); empty: logging is off.
    std::filesystem::path data_dir{};
    /// Faults applied at random: (action, probability).
    std::vector<std::pair<fault_action, double>> random_faults{};
    /// Seed of the fault plan's random draws and of generated ids.
    std::uint64_t seed = 0;
};

/// The emulator as an in-process HTTP(S) server: binds, listens and serves
/// on the given io_context. Every handler runs on one strand, so the
/// io_context may be run by one thread (the fast case) or several.
///
/// Lifetime: the server must outlive the io_context's run() or be stopped
/// first; stop() (or destruction) closes the listener and every connection.
/// Thread safety: start(), stop() and the accessors must be called from the
/// thread running the io_context or while it is not running.
class server {
public:
    /// Binds and listens (throws boost::system::system_error on failure, or
    /// std::runtime_error when a certificate cannot be loaded).
    server(boost::asio::io_context& ioc, server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Starts accepting connections.
    void start();
    /// Closes the listener and every connection; pending handlers complete.
    void stop();

    /// "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
    std::string endpoint() const;
    /// The Messaging WebSocket endpoint on the same port: "ws://127.0.0.1:PORT"
    /// or "wss://127.0.0.1:PORT" (WebSocket upgrades go to it).
    std::string messaging_endpoint() const;
    std::uint16_t port() const;
    /// The CA bundle written for a generated certificate; empty otherwise.
    const std::filesystem::path& ca_bundle() const;

    /// Direct access for in-process tests.
    service& state();
    fault_plan& faults();
    /// What the connection limits did so far; call as the accessors above.
    connection_limits::counters limit_counters() const;
    /// Open connections now.
    std::size_t open_connections() const;
    chat_room_registry& messaging();

private:
    std::shared_ptr<server_state> impl_;
};

}  // namespace ivschat::emulator
