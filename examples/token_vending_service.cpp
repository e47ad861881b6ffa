// A token-vending service, the shape of our users' backends: `GET
// /token?user=ID` answers a chat token for the room, from create_chat_token.
//
//   token_vending_service PORT ROOM_ARN [--threads N] [--quota TPS]
//                         [--rate-limiter redis://HOST:PORT[/PREFIX]]
//                         [--client per-thread|shared]
//   curl 'http://127.0.0.1:PORT/token?user=user-42'
//
// Configuration (region, endpoint, credentials) comes from the environment.
//
// It lives within the account's CreateChatToken quota: calls are paced, and
// a request that could not get a permit within its deadline is answered at
// once with 503 and Retry-After instead of being held. Several instances
// behind one account share the quota through Redis: start each with the
// same --rate-limiter URL (docs/pacing.md).
//
// Each thread runs its own io_context with its own client (pool.thread_safe
// = false: no strand) and its own listening socket on the port
// (SO_REUSEPORT: the kernel spreads connections over the threads). The
// clients share the process's permits, as clients of one account do.
// `--client shared` runs one io_context on every thread with one client
// instead (its pool behind a strand); benchmarks/token_vending_vs_nginx.sh
// compares the two.
#include <ivschat/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <sys/socket.h>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// A token request is answered within this, or with 503.
constexpr std::chrono::milliseconds request_deadline{1000};
// Requests of a well-behaved client are small; larger ones are refused.
constexpr std::size_t max_request_header_bytes = 8 * 1024;

struct settings {
    unsigned short port = 0;
    std::string room_arn;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::string rate_limiter;
    // CreateChatToken's quota, when not the documented one.
    std::optional<double> quota;
    // One client and io_context for all threads instead of one per thread.
    bool shared_client = false;
};

// An answer to one request: its status, JSON body and, for 503, Retry-After.
struct reply {
    http::status status = http::status::ok;
    std::string body;
    long long retry_after_seconds = 0;
};

// The response's bytes, into `out` (reused from request to request), sent
// with one write. Against beast's response message on a tcp_stream this
// served 9-62 % more requests per second at the same CPU per request
// (benchmarks/README.md, "Token vending against nginx").
void format_response(const reply& r, unsigned version, bool keep_alive, std::string& out) {
    out.assign(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
    out.append(std::to_string(static_cast<unsigned>(r.status))).append(" ").append(http::obsolete_reason(r.status));
    out.append("\r\nContent-Type: application/json\r\nContent-Length: ").append(std::to_string(r.body.size()));
    if (r.retry_after_seconds > 0) out.append("\r\nRetry-After: ").append(std::to_string(r.retry_after_seconds));
    if (keep_alive && version == 10) out.append("\r\nConnection: keep-alive");
    if (!keep_alive && version != 10) out.append("\r\nConnection: close");
    out.append("\r\n\r\n").append(r.body);
}

// The percent-decoded value of `user` in the request target's query.
std::optional<std::string> user_parameter(std::string_view target) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) return std::nullopt;
    auto found = parsed->params().find("user");
    if (found == parsed->params().end() || !(*found).has_value) return std::nullopt;
    return std::string((*found).value);
}

asio::awaitable<reply> answer(const http::request<http::empty_body>& request, ivschat::client& chat,
                              const std::string& room_arn, ivschat::diagnostics& diag) {
    const std::string_view target = request.target();
    if (target.substr(0, target.find('?')) != "/token")
        co_return reply{http::status::not_found, R"({"message":"only /token is served"})"};
    if (request.method() != http::verb::get) co_return reply{http::status::method_not_allowed, R"({"message":"only GET"})"};
    const auto user = user_parameter(target);
    if (!user || user->empty()) co_return reply{http::status::bad_request, R"({"message":"user is required"})"};

    ivschat::create_chat_token_request token_request{
        .room_identifier = room_arn,
        .user_id = *user,
        .capabilities = {ivschat::chat_token_capability::send_message},
    };
    auto [ec, token] = co_await chat.create_chat_token(std::move(token_request), diag, use_tuple);
    if (!ec) co_return reply{http::status::ok, R"({"token":")" + token.token.value_or("") + R"("})"};
    if (ec == ivschat::error::request_validation_failed)
        co_return reply{http::status::bad_request, R"({"message":"user must be 1 to 128 characters"})"};
    if (ec == ivschat::condition::quota_wait || ec == ivschat::condition::timeout) {
        // Retry-After in whole seconds, at least one.
        const auto wait = std::chrono::ceil<std::chrono::seconds>(diag.quota_available_in);
        co_return reply{http::status::service_unavailable, R"({"message":"try again later"})",
                        std::max<long long>(1, wait.count())};
    }
    std::cerr << "create_chat_token: " << (diag.error.error_type.empty() ? ec.message() : diag.error.error_type)
              << " request id " << diag.request_id << "\n";
    co_return reply{http::status::bad_gateway, R"({"message":"chat token unavailable"})"};
}

asio::awaitable<void> serve(tcp::socket socket, ivschat::client& chat, const std::string& room_arn) {
    boost::beast::flat_buffer buffer(max_request_header_bytes);
    std::string response;
    // Reused by the connection's requests (each call clears it): kept out
    // of answer()'s coroutine frame, which stays small enough for malloc's
    // per-thread cache.
    ivschat::diagnostics diag;
    for (;;) {
        http::request_parser<http::empty_body> parser;
        parser.header_limit(max_request_header_bytes);
        auto [read_error, ignored] = co_await http::async_read(socket, buffer, parser, use_tuple);
        if (read_error) co_return;
        const auto& request = parser.get();
        const bool keep_alive = request.keep_alive();
        const auto answered = co_await answer(request, chat, room_arn, diag);
        format_response(answered, request.version(), keep_alive, response);
        auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(response), use_tuple);
        if (write_error || !keep_alive) co_return;
    }
}

asio::awaitable<void> listen(tcp::acceptor& acceptor, ivschat::client& chat, const std::string& room_arn) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec) co_return;
        asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), chat, room_arn), asio::detached);
    }
}

tcp::acceptor reuse_port_acceptor(asio::io_context& ioc, unsigned short port) {
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint endpoint{asio::ip::make_address("127.0.0.1"), port};
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    return acceptor;
}

settings parse_settings(int argc, char** argv) {
    if (argc < 3) throw std::invalid_argument("usage");
    settings s;
    s.port = static_cast<unsigned short>(std::stoi(argv[1]));
    s.room_arn = argv[2];
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (flag == "--threads") s.threads = static_cast<unsigned>(std::stoul(argv[i + 1]));
        else if (flag == "--rate-limiter") s.rate_limiter = argv[i + 1];
        else if (flag == "--quota") s.quota = std::stod(argv[i + 1]);
        else if (flag == "--client" && argv[i + 1] == std::string_view("shared")) s.shared_client = true;
        else if (flag == "--client" && argv[i + 1] == std::string_view("per-thread")) s.shared_client = false;
        else throw std::invalid_argument("usage");
    }
    if (argc % 2 == 0 || s.threads == 0) throw std::invalid_argument("usage");
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    try {
        s = parse_settings(argc, argv);
    } catch (const std::exception&) {
        std::cerr << "usage: token_vending_service PORT ROOM_ARN [--threads N] [--quota TPS] [--rate-limiter URL]"
                     " [--client per-thread|shared]\n";
        return 2;
    }
    try {
        ivschat::pacing_options pacing{.mode = ivschat::pacing_mode::on, .rate_limiter = s.rate_limiter};
        if (s.quota) pacing.quotas["CreateChatToken"] = *s.quota;
        // One io_context, client and socket per thread, or one of each for all threads.
        const unsigned lanes = s.shared_client ? 1 : s.threads;
        std::vector<std::unique_ptr<asio::io_context>> contexts;
        std::vector<ivschat::client> clients;
        std::vector<tcp::acceptor> acceptors;
        for (unsigned i = 0; i < lanes; ++i) {
            auto& ioc = *contexts.emplace_back(std::make_unique<asio::io_context>(static_cast<int>(s.threads / lanes)));
            clients.emplace_back(ioc.get_executor(),
                                 ivschat::client_options{.pool = {.thread_safe = s.shared_client && s.threads > 1},
                                                         .call_timeout = request_deadline,
                                                         .pacing = pacing});
            // Port 0 picks one port for the first socket; the others share it.
            acceptors.push_back(reuse_port_acceptor(ioc, i == 0 ? s.port : acceptors.front().local_endpoint().port()));
        }
        for (unsigned i = 0; i < lanes; ++i)
            asio::co_spawn(*contexts[i], listen(acceptors[i], clients[i], s.room_arn), asio::detached);
        std::cout << "listening on http://127.0.0.1:" << acceptors.front().local_endpoint().port() << "\n" << std::flush;
        std::vector<std::thread> threads;
        for (unsigned i = 1; i < s.threads; ++i) threads.emplace_back([&ioc = *contexts[i % lanes]] { ioc.run(); });
        contexts.front()->run();
        for (auto& t : threads) t.join();
    } catch (const std::exception& e) {
        std::cerr << "token_vending_service: " << e.what() << "\n";
        return 1;
    }
}
