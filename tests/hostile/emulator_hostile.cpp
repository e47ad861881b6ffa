// The emulator against hostile clients: running out of file descriptors (a
// subprocess started with a low RLIMIT_NOFILE), the connection cap, TLS
// handshakes that never come, unfinished request bodies, and web pages
// reaching for the control API, and the attacks that already held before
// issue 16 (slowloris, TE+CL smuggling, oversized headers, deep JSON, path
// tricks). Real sockets on 127.0.0.1; each case bounds time and memory.
#include "support/resource_bounds.hpp"

#include <ivschat/emulator/server.hpp>
#include <ivschat/sigv4.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
namespace emu = ivschat::emulator;

// An in-process emulator on its own thread.
class emulator_thread {
public:
    explicit emulator_thread(emu::server_options options) : server_(ioc_, std::move(options)) {
        server_.start();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~emulator_thread() {
        asio::post(ioc_, [this] { server_.stop(); });
        thread_.join();
    }
    std::uint16_t port() const { return server_.port(); }
    emu::connection_limits::counters counters() {
        return asio::post(ioc_, asio::use_future([this] { return server_.limit_counters(); })).get();
    }
    std::size_t open_connections() {
        return asio::post(ioc_, asio::use_future([this] { return server_.open_connections(); })).get();
    }

private:
    asio::io_context ioc_;
    emu::server server_;
    std::thread thread_;
};

// A blocking client socket. Its reads end when the server closes it, which
// every case bounds on the server's side (ctest's timeout bounds the rest).
std::unique_ptr<tcp::socket> connect_to(asio::io_context& ioc, std::uint16_t port) {
    auto socket = std::make_unique<tcp::socket>(ioc);
    socket->connect({asio::ip::make_address("127.0.0.1"), port});
    return socket;
}

// Everything the server sends until it closes.
std::string read_until_close(tcp::socket& socket) {
    std::string got;
    char chunk[4096];
    for (;;) {
        boost::system::error_code ec;
        const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
        got.append(chunk, n);
        if (ec) return got;
    }
}

std::string send_and_read(std::uint16_t port, const std::string& request) {
    asio::io_context ioc;
    auto socket = connect_to(ioc, port);
    asio::write(*socket, asio::buffer(request));
    return read_until_close(*socket);
}

// Polls `done` every 5 ms for up to 10 s: the server's side of a connect or
// close happens on its own thread, a little after the client's.
template <class Condition>
bool wait_until(Condition done) {
    for (int i = 0; i < 2000; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(5ms);
    }
    return done();
}

std::string status_line(const std::string& response) { return response.substr(0, response.find("\r\n")); }

std::size_t count_responses(const std::string& received) {
    std::size_t count = 0;
    for (auto at = received.find("HTTP/1.1 "); at != std::string::npos; at = received.find("HTTP/1.1 ", at + 1)) ++count;
    return count;
}

std::string control_request(std::uint16_t port, std::string_view method, std::string_view path,
                            std::string_view extra_headers) {
    return std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nConnection: close\r\n" + std::string(extra_headers) + "Content-Length: 2\r\n\r\n{}";
}

// CPU time (user + system) a process has used, from /proc.
std::chrono::milliseconds cpu_time(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    long ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i)
        if (i == 14 || i == 15) ticks += std::stol(field);
    return std::chrono::milliseconds(ticks * 1000 / ::sysconf(_SC_CLK_TCK));
}

// build/bin/ivschat-emulator in a child process with RLIMIT_NOFILE lowered to
// `max_files`; its endpoint is the first line it prints.
class emulator_process {
public:
    explicit emulator_process(rlim_t max_files) {
        int out[2];
        REQUIRE(::pipe(out) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            const rlimit limit{max_files, max_files};
            ::setrlimit(RLIMIT_NOFILE, &limit);
            ::dup2(out[1], STDOUT_FILENO);
            ::close(out[0]);
            ::close(out[1]);
            ::execl(IVSCHAT_EMULATOR_PATH, IVSCHAT_EMULATOR_PATH, "--port", "0", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(out[1]);
        FILE* lines = ::fdopen(out[0], "r");
        char line[256] = {};
        REQUIRE(std::fgets(line, sizeof line, lines) != nullptr);
        std::fclose(lines);
        const std::string endpoint(line);
        port_ = static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
    }
    ~emulator_process() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    pid_t pid() const { return pid_; }
    std::uint16_t port() const { return port_; }

private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace

// Release builds only: the sanitizer runtimes cannot work without a free
// descriptor. UBSan's vptr check proves the vtable readable through a pipe
// and, when the pipe cannot be made, reports every virtual call as "invalid
// vptr" (a ten-line program with its descriptors used up shows the same);
// LeakSanitizer cannot open /proc at exit. Its suppressions file is read
// lazily, so it cannot be told either.
#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("emulator hostile: out of file descriptors, it backs off and recovers", "[hostile][emulator]") {
    emulator_process emulator(64);
    asio::io_context ioc;
    std::vector<std::unique_ptr<tcp::socket>> hogs;
    // Far more connections than descriptors: the kernel queues the rest.
    for (int i = 0; i < 150; ++i) hogs.push_back(connect_to(ioc, emulator.port()));
    std::this_thread::sleep_for(300ms);
    const auto before = cpu_time(emulator.pid());
    std::this_thread::sleep_for(2s);
    const auto spent = cpu_time(emulator.pid()) - before;
    INFO("emulator CPU over 2 s with its descriptors exhausted: " << spent.count() << " ms");
    // A spinning accept loop burns the whole 2 s; backing off costs little.
    CHECK(spent < 1000ms);
    // Idle connections are shed to make room: a new client is answered.
    const auto cost = ivschat::test::measure([&] {
        const auto reply = send_and_read(emulator.port(), control_request(emulator.port(), "GET", "/_emulator/stats", ""));
        CHECK(status_line(reply) == "HTTP/1.1 200 OK");
    });
    CHECK(cost.elapsed < 20s);
}
#endif

TEST_CASE("emulator hostile: past the connection cap the oldest idle connection goes, or the new one",
          "[hostile][emulator]") {
    emulator_thread emulator({.max_connections = 4});
    asio::io_context ioc;
    // Three connections in the middle of a request (not idle), one idle.
    std::vector<std::unique_ptr<tcp::socket>> busy;
    for (int i = 0; i < 3; ++i) {
        busy.push_back(connect_to(ioc, emulator.port()));
        asio::write(*busy.back(), asio::buffer(std::string_view("POST /ListRooms HTTP/1.1\r\nHost: x\r\n")));
    }
    auto idle = connect_to(ioc, emulator.port());
    REQUIRE(wait_until([&] { return emulator.open_connections() == 4; }));
    // Let the server read the partial requests before anyone is shed.
    std::this_thread::sleep_for(200ms);
    // The fifth is served; the idle one was closed for it.
    auto fifth = connect_to(ioc, emulator.port());
    CHECK(read_until_close(*idle).empty());
    asio::write(*fifth, asio::buffer(control_request(emulator.port(), "GET", "/_emulator/stats", "")));
    CHECK(status_line(read_until_close(*fifth)) == "HTTP/1.1 200 OK");
    // Four busy connections: a new one is closed at once.
    auto another = connect_to(ioc, emulator.port());
    asio::write(*another, asio::buffer(std::string_view("POST /ListRooms HTTP/1.1\r\n")));
    REQUIRE(wait_until([&] { return emulator.open_connections() == 4; }));
    std::this_thread::sleep_for(200ms);
    auto refused = connect_to(ioc, emulator.port());
    CHECK(read_until_close(*refused).empty());
    const auto counters = emulator.counters();
    INFO("open " << emulator.open_connections() << ", shed " << counters.idle_connections_shed << ", refused "
                 << counters.connections_refused);
    CHECK(counters.idle_connections_shed >= 1);
    CHECK(counters.connections_refused >= 1);
}

TEST_CASE("emulator hostile: a TLS handshake that never comes is closed promptly", "[hostile][emulator][tls]") {
    emulator_thread emulator({.tls = true, .handshake_timeout = 1s});
    asio::io_context ioc;
    std::vector<std::unique_ptr<tcp::socket>> silent;
    for (int i = 0; i < 50; ++i) silent.push_back(connect_to(ioc, emulator.port()));
    const auto cost = ivschat::test::measure([&] {
        for (auto& s : silent) CHECK(read_until_close(*s).empty());
    });
    // One second of timeout plus the once-a-second sweep, with room to spare.
    CHECK(cost.elapsed < 8s);
    CHECK(wait_until([&] { return emulator.open_connections() == 0; }));
}

TEST_CASE("emulator hostile: unfinished request bodies share a bounded budget", "[hostile][emulator]") {
    constexpr std::size_t budget = 8 * 1024 * 1024;
    emulator_thread emulator({.max_body_bytes = 1024 * 1024, .max_unfinished_body_bytes = budget});
    asio::io_context ioc;
    const std::string head = "POST /CreateRoom HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             "Content-Length: 1048576\r\n\r\n";
    std::vector<std::unique_ptr<tcp::socket>> holders;
    std::size_t refused = 0;
    const auto cost = ivschat::test::measure([&] {
        for (int i = 0; i < 100; ++i) {
            holders.push_back(connect_to(ioc, emulator.port()));
            asio::write(*holders.back(), asio::buffer(head + " "));
        }
        REQUIRE(wait_until([&] { return emulator.counters().bodies_refused == 92; }));
        for (auto& h : holders) {
            // A refused request has its 503 already; a held one has nothing yet.
            boost::system::error_code ec;
            h->non_blocking(true, ec);
            char reply[64];
            const std::size_t n = h->read_some(asio::buffer(reply), ec);
            if (n > 0 && std::string_view(reply, n).starts_with("HTTP/1.1 503")) ++refused;
        }
    });
    // Eight 1 MiB bodies fit the budget; the other 92 are refused.
    CHECK(refused == 92);
    CHECK(cost.elapsed < 60s);
    CHECK(cost.peak_rss_growth_kib < 64 * 1024 * ivschat::test::sanitizer_memory_factor);
}

TEST_CASE("emulator hostile: the control API refuses web pages and other hosts", "[hostile][emulator]") {
    emulator_thread emulator({});
    const auto port = emulator.port();
    const std::string json = "Content-Type: application/json\r\n";
    CHECK(status_line(send_and_read(port, control_request(port, "POST", "/_emulator/reset", json))) == "HTTP/1.1 200 OK");
    const auto from_page =
        send_and_read(port, control_request(port, "POST", "/_emulator/reset", json + "Origin: https://evil.example\r\n"));
    CHECK(status_line(from_page) == "HTTP/1.1 403 Forbidden");
    CHECK(from_page.find("x-amzn-ErrorType: AccessDeniedException") != std::string::npos);
    CHECK(status_line(send_and_read(port, control_request(port, "POST", "/_emulator/faults",
                                                     "Content-Type: text/plain\r\n"))) ==
          "HTTP/1.1 415 Unsupported Media Type");
    std::string rebound = control_request(port, "POST", "/_emulator/reset", json);
    rebound.replace(rebound.find("127.0.0.1"), 9, "evil.example");
    CHECK(status_line(send_and_read(port, rebound)) == "HTTP/1.1 403 Forbidden");
}


namespace {

std::string host_of(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// A control request body that queues a connection reset: what an attack
// that reached the control API would do.
const std::string reset_fault = R"({"actions":["reset"]})";
const std::string reset_fault_length = "Content-Length: " + std::to_string(reset_fault.size()) + "\r\n";

// After each attack the emulator still answers a plain request, and no fault
// was queued by a request it should have refused.
void check_still_serving(std::uint16_t port) {
    const auto reply = send_and_read(port, control_request(port, "GET", "/_emulator/stats", ""));
    CHECK(status_line(reply) == "HTTP/1.1 200 OK");
    CHECK(reply.find("\"faultsQueued\":0") != std::string::npos);
}

// A request signed with the emulator's default key, as an SDK would send it.
std::string signed_request(std::uint16_t port, std::string_view path, std::string_view body) {
    const std::string host = host_of(port);
    ivschat::sigv4::signer signer({.region = "us-west-2", .service = "ivschat"});
    const std::vector<ivschat::sigv4::header> to_sign{{"Host", host}, {"Content-Type", "application/json"}};
    const auto added = signer.sign({.method = "POST", .path = path, .headers = to_sign, .payload = body},
                                   emu::example_credentials());
    return "POST " + std::string(path) + " HTTP/1.1\r\nHost: " + host +
           "\r\nContent-Type: application/json\r\nConnection: close\r\nX-Amz-Date: " + std::string(added.x_amz_date) +
           "\r\nAuthorization: " + std::string(added.authorization) +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// Growth of the test process's peak RSS that a case may cost: the
// in-process emulator serving a few connections needs a few MiB; parsing
// 100,000 levels of JSON or buffering an endless header would take far more.
constexpr long case_memory_kib = 64 * 1024 * ivschat::test::sanitizer_memory_factor;

// Each of these attacks is answered in well under a second; 20 s leaves room
// for a loaded 2-core machine and the sanitizers, and is still far from the
// 30 s request and 60 s idle timeouts a stuck connection would wait for.
void check_case_bounds(const ivschat::test::resource_use& cost) {
    INFO("elapsed " << cost.elapsed.count() << " ms, peak RSS growth " << cost.peak_rss_growth_kib << " KiB");
    CHECK(cost.elapsed < 20s);
    CHECK(cost.peak_rss_growth_kib < case_memory_kib);
}

}  // namespace

TEST_CASE("emulator hostile: a slowloris header, one byte at a time, is cut at the idle timeout",
          "[hostile][emulator]") {
    // A request whose header is still arriving counts as an idle connection
    // until the header is complete (src/emulator/ivschat/emulator/server.cpp),
    // so the keep-alive idle timeout bounds it; 2 s here instead of 60 s.
    emulator_thread emulator({.idle_timeout = 2s});
    const auto port = emulator.port();
    const std::string request = "POST /_emulator/faults HTTP/1.1\r\nHost: " + host_of(port) +
                                "\r\nContent-Type: application/json\r\nX-Pad: " + std::string(4000, 'a') +
                                "\r\n" + reset_fault_length + "\r\n" + reset_fault;
    asio::io_context ioc;
    auto socket = connect_to(ioc, port);
    std::size_t sent = 0;
    const auto cost = ivschat::test::measure([&] {
        // 20 ms a byte: the whole request would take over 80 s.
        const auto give_up = std::chrono::steady_clock::now() + 60s;
        while (sent < request.size() && std::chrono::steady_clock::now() < give_up) {
            boost::system::error_code ec;
            asio::write(*socket, asio::buffer(request.data() + sent, 1), ec);
            if (ec) break;
            ++sent;
            std::this_thread::sleep_for(20ms);
        }
    });
    INFO("bytes sent before the emulator closed: " << sent << ", after " << cost.elapsed.count() << " ms");
    CHECK(sent < request.size() / 2);
    // 2 s of idle timeout plus the once-a-second sweep, with room to spare.
    check_case_bounds(cost);
    CHECK(read_until_close(*socket).empty());
    CHECK(wait_until([&] { return emulator.open_connections() == 0; }));
    check_still_serving(port);
}

TEST_CASE("emulator hostile: Transfer-Encoding with Content-Length is refused, nothing is smuggled",
          "[hostile][emulator]") {
    emulator_thread emulator({});
    const auto port = emulator.port();
    // A front end honouring Content-Length would see one request; one
    // honouring Transfer-Encoding would see a second one queueing a fault.
    const std::string smuggled = "POST /_emulator/faults HTTP/1.1\r\nHost: " + host_of(port) +
                                 "\r\nContent-Type: application/json\r\n" + reset_fault_length + "\r\n" + reset_fault;
    const std::string head = "POST /_emulator/faults HTTP/1.1\r\nHost: " + host_of(port) +
                             "\r\nContent-Type: application/json\r\n";
    const std::string chunked = "Transfer-Encoding: chunked\r\n";
    const std::string length = "Content-Length: " + std::to_string(5 + smuggled.size()) + "\r\n";
    const auto cost = ivschat::test::measure([&] {
        // Either order of the two headers; Beast names the second one.
        const auto te_first = send_and_read(port, head + chunked + length + "\r\n0\r\n\r\n" + smuggled);
        CHECK(status_line(te_first) == "HTTP/1.1 400 Bad Request");
        CHECK(te_first.find("Malformed HTTP request: bad Content-Length") != std::string::npos);
        CHECK(count_responses(te_first) == 1);
        const auto cl_first = send_and_read(port, head + length + chunked + "\r\n0\r\n\r\n" + smuggled);
        CHECK(status_line(cl_first) == "HTTP/1.1 400 Bad Request");
        CHECK(cl_first.find("Malformed HTTP request: bad Transfer-Encoding") != std::string::npos);
        CHECK(count_responses(cl_first) == 1);
        CHECK(cl_first.find("Connection: close") != std::string::npos);
    });
    check_case_bounds(cost);
    check_still_serving(port);
}

TEST_CASE("emulator hostile: headers over 16 KiB are refused with 431", "[hostile][emulator]") {
    emulator_thread emulator({});
    const auto port = emulator.port();
    const auto cost = ivschat::test::measure([&] {
        // Just over the limit, in one write: the emulator reads all of it
        // before answering, so its close does not reset the reply away.
        const auto reply = send_and_read(port, "GET /_emulator/stats HTTP/1.1\r\nHost: " + host_of(port) +
                                                   "\r\nX-Pad: " + std::string(17 * 1024, 'a') + "\r\n\r\n");
        CHECK(status_line(reply) == "HTTP/1.1 431 Request Header Fields Too Large");
        CHECK(reply.find("x-amzn-ErrorType: ValidationException") != std::string::npos);
        CHECK(count_responses(reply) == 1);
    });
    check_case_bounds(cost);
    check_still_serving(port);
}

TEST_CASE("emulator hostile: JSON nested 100,000 deep is refused without exhausting the stack",
          "[hostile][emulator]") {
    emulator_thread emulator({});
    const auto port = emulator.port();
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const std::string deep_object = R"({"name":)" + deep + "}";
    const auto cost = ivschat::test::measure([&] {
        // A signed API request: the model's reader stops at its depth limit.
        const auto api = send_and_read(port, signed_request(port, "/CreateRoom", deep_object));
        CHECK(status_line(api) == "HTTP/1.1 400 Bad Request");
        CHECK(api.find("x-amzn-ErrorType: SerializationException") != std::string::npos);
        CHECK(api.find("malformed JSON: too deep") != std::string::npos);
        // The control API's own parse (unsigned).
        const auto control = send_and_read(
            port, "POST /_emulator/faults HTTP/1.1\r\nHost: " + host_of(port) +
                      "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                      std::to_string(deep.size()) + "\r\n\r\n" + deep);
        CHECK(status_line(control) == "HTTP/1.1 400 Bad Request");
        CHECK(control.find("x-amzn-ErrorType: ValidationException") != std::string::npos);
    });
    check_case_bounds(cost);
    check_still_serving(port);
    // The signed path is live: the same request with a plain body succeeds.
    CHECK(status_line(send_and_read(port, signed_request(port, "/CreateRoom", R"({"name":"lobby"})"))) ==
          "HTTP/1.1 200 OK");
}

TEST_CASE("emulator hostile: dot segments, encoded slashes and absolute-form targets reach no control command",
          "[hostile][emulator]") {
    emulator_thread emulator({});
    const auto port = emulator.port();
    // The control API matches the target as received, never normalised:
    // inside its prefix an unknown command is 404; outside, the request
    // needs a signature (403).
    const std::vector<std::pair<std::string, std::string>> cases{
        {"/_emulator/../_emulator/faults", "HTTP/1.1 404 Not Found"},
        {"/_emulator/faults/..", "HTTP/1.1 404 Not Found"},
        {"/_emulator/%66aults", "HTTP/1.1 404 Not Found"},
        {"/CreateRoom/../_emulator/faults", "HTTP/1.1 403 Forbidden"},
        {"/x/..%2F_emulator/faults", "HTTP/1.1 403 Forbidden"},
        {"/_emulator%2Ffaults", "HTTP/1.1 403 Forbidden"},
        {"/%5Femulator/faults", "HTTP/1.1 403 Forbidden"},
        {"//_emulator/faults", "HTTP/1.1 403 Forbidden"},
        {"http://" + host_of(port) + "/_emulator/faults", "HTTP/1.1 403 Forbidden"},
        {"http://evil.example/_emulator/faults", "HTTP/1.1 403 Forbidden"},
        {"*", "HTTP/1.1 403 Forbidden"},
    };
    const auto cost = ivschat::test::measure([&] {
        for (const auto& [target, status] : cases) {
            INFO(target);
            const auto reply = send_and_read(
                port, "POST " + target + " HTTP/1.1\r\nHost: " + host_of(port) +
                          "\r\nContent-Type: application/json\r\nConnection: close\r\n" + reset_fault_length +
                          "\r\n" + reset_fault);
            CHECK(status_line(reply) == status);
        }
    });
    check_case_bounds(cost);
    // Had any of them reached the faults command, a reset would be queued.
    check_still_serving(port);
}
