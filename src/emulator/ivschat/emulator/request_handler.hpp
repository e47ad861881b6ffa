#pragma once

#include <ivschat/emulator/control_access.hpp>
#include <ivschat/emulator/fault_plan.hpp>
#include <ivschat/emulator/rate_quotas.hpp>
#include <ivschat/emulator/request_authenticator.hpp>
#include <ivschat/emulator/service_api.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ivschat::emulator {

/// What the connection does once a response is decided.
enum class connection_action : std::uint8_t {
    keep_alive,
    close,          ///< send the response (it says "Connection: close"), then close
    reset,          ///< send nothing, abort the connection (TCP RST)
    truncate_body,  ///< send `bytes_to_send` bytes of the response, then close
    close_idle,     ///< send the response, then close every idle connection
};

/// The decision for one request: the bytes to send and what happens around them.
struct response_plan {
    unsigned status = 200;
    connection_action after = connection_action::keep_alive;
    /// Wait this long before sending.
    std::chrono::milliseconds delay{};
    /// How many bytes of the serialized response to send (all of it unless truncated).
    std::size_t bytes_to_send = 0;
};

/// Counters reported by the control API.
struct server_counters {
    /// Distinct User-Agent values kept; requests with further ones count under other_user_agent.
    static constexpr std::size_t max_user_agents = 16;
    /// The key of requests without a User-Agent header.
    static constexpr std::string_view no_user_agent = "(none)";
    /// The key of requests whose User-Agent came after max_user_agents others.
    static constexpr std::string_view other_user_agent = "(other)";

    std::uint64_t requests = 0;
    std::uint64_t connections_accepted = 0;
    std::uint64_t auth_failures = 0;
    /// Indexed like service_api's operations.
    std::vector<std::uint64_t> requests_per_operation{};
    /// Service requests by User-Agent header, bounded as above.
    std::map<std::string, std::uint64_t, std::less<>> requests_per_user_agent{};

    /// Counts one service request that came with `user_agent` (nullopt: no header).
    void count_user_agent(std::optional<std::string_view> user_agent);
};

/// Everything between a parsed HTTP request and the bytes of its response,
/// without I/O: the control API (paths under /_emulator/), the fault plan,
/// SigV4 verification, routing, content-type checks, the service call, and
/// the response head (Date, x-amzn-RequestId, x-amzn-ErrorType,
/// Content-Length, Connection).
///
/// Control API (no signature needed; the emulator only serves local tests;
/// refused from web pages and for other hosts, see control_access.hpp):
/// - GET  /_emulator/stats     counters as JSON, requests by User-Agent included
/// - POST /_emulator/faults    {"actions":["500","delay:200",...],
///                              "probabilities":{"503":0.1,...}} queues/sets faults
/// - DELETE /_emulator/faults  clears queued faults and probabilities
/// - POST /_emulator/reset     forgets all rooms, logging configurations,
///                              faults and counters
/// - POST /_emulator/close-idle-connections  closes idle keep-alive connections
///
/// Not safe for concurrent use: the server calls it from one strand.
class request_handler {
public:
    request_handler(service_api& api, authenticator_options auth, std::uint64_t seed);

    /// One request, as received. `keep_alive` is whether the client allows the
    /// connection to stay open. Writes the whole HTTP response to `out`.
    response_plan handle(const received_request& request, bool keep_alive,
                         std::chrono::system_clock::time_point now, std::string& out);

    /// A response for a request that could not be parsed (status and message),
    /// which always closes the connection.
    response_plan reject(unsigned status, std::string_view type, std::string_view message,
                         std::chrono::system_clock::time_point now, std::string& out);

    /// Limits authenticated requests per operation (429 ThrottlingException
    /// with resourceId = the operation's name, resourceType ROOM, limit = its
    /// rate). Off unless set.
    void enforce_rates(rate_quotas quotas) { quotas_.emplace(std::move(quotas)); }

    fault_plan& faults() noexcept { return faults_; }
    server_counters& counters() noexcept { return counters_; }
    /// Adds "messaging" (what `report` returns) to GET /_emulator/stats, and
    /// has POST /_emulator/reset call `reset`.
    void set_messaging_stats(std::function<boost::json::object()> report, std::function<void()> reset) {
        messaging_report_ = std::move(report);
        messaging_reset_ = std::move(reset);
    }
    /// Where the server listens: the only Host the control API answers.
    void set_control_address(control_address address) { control_address_ = std::move(address); }

private:
    response_plan control(const received_request& request, std::string& body, unsigned& status,
                          std::string_view& error_type);
    void write_head(unsigned status, std::string_view error_type, bool close, std::size_t body_size,
                    std::chrono::system_clock::time_point now, std::string& out);

    service_api& api_;
    request_authenticator authenticator_;
    fault_plan faults_;
    std::optional<rate_quotas> quotas_;
    server_counters counters_;
    std::string body_;
    std::uint64_t request_id_prefix_;
    std::uint64_t request_id_counter_ = 0;
    std::chrono::sys_seconds date_second_{};
    std::string date_text_;
    control_address control_address_{};
    std::function<boost::json::object()> messaging_report_;
    std::function<void()> messaging_reset_;
};

}  // namespace ivschat::emulator
