// build/bin/ivschat as a subprocess against hostile servers: what the user
// sees on stderr, the exit code, and bounds on time and the child's peak RSS.
#include "support/hostile_server.hpp"
#include "support/resource_bounds.hpp"
#include "support/shell_command.hpp"

#include "cli/pagination.hpp"

#include <boost/json/parse.hpp>

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using ivschat::test::read_file;
using ivschat::test::shell_quote;
using ivschat::test::answer_each;
using ivschat::test::answer_once_and_close;
using ivschat::test::hostile_server;
using ivschat::test::hostile_server_options;
using namespace std::chrono_literals;

struct cli_result {
    int exit_code = -1;
    std::string out{};
    std::string err{};
    std::chrono::milliseconds elapsed{};
};

// Runs the CLI against `server` with a fresh environment; `timeout` kills a
// hung run so that a regression fails instead of stalling the suite.
cli_result run_cli(const hostile_server& server, const std::vector<std::string>& args) {
    static std::atomic<int> counter{0};
    const fs::path stem = fs::temp_directory_path() /
                          ("ivschat_cli_hostile_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    const fs::path ca = stem.string() + ".pem", out = stem.string() + ".out", err = stem.string() + ".err";
    std::ofstream(ca) << server.ca_pem();
    std::string command = "env -i PATH=/usr/bin:/bin HOME=/nonexistent AWS_CONFIG_FILE=/nonexistent "
                          "AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_REGION=us-west-2 AWS_MAX_ATTEMPTS=1 "
                          "AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret";
    command += " AWS_ENDPOINT_URL_IVSCHAT=" + shell_quote(server.url());
    command += " AWS_CA_BUNDLE=" + shell_quote(ca.string());
    command += " timeout 60 " + shell_quote(IVSCHAT_CLI_PATH);
    for (const auto& arg : args) command += " " + shell_quote(arg);
    command += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string());
    const auto started = std::chrono::steady_clock::now();
    const int status = std::system(command.c_str());
    cli_result result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err),
                      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)};
    for (const auto& path : {ca, out, err}) fs::remove(path);
    UNSCOPED_INFO("ivschat " << command << "\nexit " << result.exit_code << "\nstderr: " << result.err);
    return result;
}

// The largest peak RSS of any child that has ended, in KiB.
long children_peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return usage.ru_maxrss;
}

std::string http_response(std::string_view status_line, std::string_view body, std::string_view headers) {
    return "HTTP/1.1 " + std::string(status_line) + "\r\n" + std::string(headers) +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

const std::string room_arn = "arn:aws:ivschat:us-west-2:123456789012:room/abcdEFGH1234";

void check_bounded(const cli_result& r) {
    INFO("elapsed " << r.elapsed.count() << " ms; largest peak RSS of a child so far " << children_peak_rss_kib()
                    << " KiB");
    CHECK(r.elapsed < 30s);
    CHECK(children_peak_rss_kib() < 200 * 1024 * ivschat::test::sanitizer_memory_factor);
}

}  // namespace

TEST_CASE("cli hostile: an HTML error page is reported with its status and an excerpt", "[hostile][cli]") {
    hostile_server server(answer_each(
        http_response("502 Bad Gateway", "<html><body>upstream\r\ndown</body></html>", "Content-Type: text/html\r\n")));
    const auto r = run_cli(server, {"get-room", "--identifier", room_arn});
    CHECK(r.exit_code == 254);
    CHECK(r.err == "An error occurred (502) when calling the GetRoom operation: HTTP 502 Bad Gateway; body: "
                   "<html><body>upstream down</body></html>\n");
    check_bounded(r);
}

TEST_CASE("cli hostile: terminal control sequences from the server are not printed raw", "[hostile][cli]") {
    hostile_server server(answer_each(http_response("400 Bad Request", R"({"message":"\u001b[2J\r\nForged line"})",
                                                    "x-amzn-ErrorType: ValidationException\r\n")));
    const auto r = run_cli(server, {"get-room", "--identifier", room_arn});
    CHECK(r.exit_code == 254);
    CHECK(r.err.find('\x1b') == std::string::npos);
    CHECK(r.err.find('\r') == std::string::npos);
    CHECK(r.err.rfind("An error occurred (ValidationException) when calling the GetRoom operation: "
                      "\\u001b[2J\\r\\nForged line\n",
                      0) == 0);
    check_bounded(r);
}

TEST_CASE("cli hostile: failures name the operation once", "[hostile][cli]") {
    hostile_server server(answer_once_and_close("not http at all\r\n\r\n"));
    const auto r = run_cli(server, {"get-room", "--identifier", room_arn});
    CHECK(r.exit_code == 255);
    CHECK(r.err == "An error occurred when calling the GetRoom operation: the response is not valid HTTP/1.1\n");
    check_bounded(r);
}

TEST_CASE("cli hostile: an expired certificate says so", "[hostile][cli][tls]") {
    hostile_server server(
        answer_each(http_response("200 OK", "{}", "")),
        hostile_server_options{.tls = true,
                               .certificate = ivschat::testing::server_certificate_options{.valid_for = -std::chrono::minutes{5}}});
    const auto r = run_cli(server, {"get-room", "--identifier", room_arn});
    CHECK(r.exit_code == 255);
    CHECK(r.err == "An error occurred when calling the GetRoom operation: certificate verify failed: the server's "
                   "certificate has expired\n");
    CHECK(server.requests_read() == 0);
    check_bounded(r);
}

TEST_CASE("cli hostile: a valid ListRooms page over 1 MiB is printed", "[hostile][cli]") {
    std::string value;
    for (int i = 0; i < 256; ++i) value += "\u00e9";
    std::string body = R"({"rooms":[)";
    for (int r = 0; r < 50; ++r) {
        body += std::string(r > 0 ? "," : "") + R"({"arn":")" + room_arn + R"(","tags":{)";
        for (int t = 0; t < 50; ++t) body += (t > 0 ? ",\"k" : "\"k") + std::to_string(t) + "\":\"" + value + "\"";
        body += "}}";
    }
    body += "]}";
    REQUIRE(body.size() > 1024 * 1024);
    hostile_server server(answer_each(http_response("200 OK", body, "Content-Type: application/json\r\n")));
    const auto r = run_cli(server, {"list-rooms"});
    CHECK(r.exit_code == 0);
    check_bounded(r);
}

// The original report: a server that answers every page with a new
// nextToken drove `ivschat list-rooms` to 840 MB in 20 s, printing nothing.
// A new token each time defeats the repeated-token check, and the CLI has no
// other bound on a listing: like the AWS CLI (botocore's paginator follows
// tokens until the service stops sending one), it cannot tell an endless
// listing from a long one, and holds the merged items to print them as one
// result. --max-items is the bound: the CLI stops requesting once it has N
// items, prints them with a NextToken to resume from, and exits 0.
TEST_CASE("cli hostile: endless new nextTokens stop at --max-items", "[hostile][cli]") {
    constexpr int rooms_per_page = 50;
    auto pages_sent = std::make_shared<std::atomic<int>>(0);
    hostile_server server([pages_sent](ivschat::test::hostile_session& s) -> asio::awaitable<void> {
        for (;;) {
            const bool got = co_await s.read_request();
            if (!got) co_return;
            const int page = ++*pages_sent;
            std::string body = R"({"rooms":[)";
            for (int r = 0; r < rooms_per_page; ++r) {
                const std::string id = "p" + std::to_string(page) + "r" + std::to_string(r);
                body += std::string(r > 0 ? "," : "") + R"({"arn":")" + room_arn + R"(","id":")" + id +
                        R"(","name":")" + id + R"(","tags":{"team":"chat"}})";
            }
            body += R"(],"nextToken":"token-)" + std::to_string(page) + "\"}";
            const bool sent = co_await s.send(http_response("200 OK", body, "Content-Type: application/json\r\n"));
            if (!sent) co_return;
        }
    });
    // 1234 items: 24 full pages and 34 items of the 25th.
    const auto r = run_cli(server, {"list-rooms", "--max-items", "1234"});
    CHECK(r.exit_code == 0);
    CHECK(server.requests_read() == 25);
    const boost::json::value printed = boost::json::parse(r.out);
    const auto& rooms = printed.at("rooms").as_array();
    REQUIRE(rooms.size() == 1234);
    CHECK(rooms.front().at("id") == "p1r0");
    CHECK(rooms.back().at("id") == "p25r33");
    // Resumes on the 25th page (fetched with token-24), past its 34 printed items.
    const auto resume = ivschat::cli::decode_resume_token(printed.at("NextToken").as_string());
    CHECK(resume.next_token == "token-24");
    CHECK(resume.skip_items == 34);
    check_bounded(r);
}
