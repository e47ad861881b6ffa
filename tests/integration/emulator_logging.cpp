// Logging destinations over real sockets and real files (--data-dir): a
// room with s3, cloudWatchLogs and firehose configurations records every
// MESSAGE and EVENT from both APIs (gzip objects checked with gzip(1)); a
// reader tailing a file sees whole records only; kill -9 loses at most the
// last second.
#include "emulator_chat_client.hpp"

#include <support/child_process.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace emulator_test;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the temporary one, removed afterwards.
struct temp_dir {
    fs::path path = fs::temp_directory_path() /
                    ("ivschat-logging-" + std::to_string(::getpid()) + "-" +
                     std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    temp_dir() { fs::create_directories(path); }
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The lines of a JSON-lines text, parsed; the text must end with a newline.
std::vector<json::object> records(const std::string& text) {
    std::vector<json::object> out;
    if (text.empty()) return out;
    REQUIRE(text.back() == '\n');
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line).as_object());
    return out;
}

/// Output of a shell command and its exit status.
std::pair<std::string, int> run(const std::string& command) {
    std::FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    return {out, ::pclose(pipe)};
}

/// Every record of the s3 objects under `room_dir`, oldest object first,
/// each object checked and unpacked by gzip(1).
std::vector<json::object> s3_records(const fs::path& room_dir, std::vector<fs::path>* objects = nullptr) {
    std::vector<fs::path> found;
    if (fs::exists(room_dir))
        for (const auto& entry : fs::recursive_directory_iterator(room_dir))
            if (entry.is_regular_file()) found.push_back(entry.path());
    std::sort(found.begin(), found.end());
    std::vector<json::object> out;
    for (const auto& object : found) {
        INFO(object);
        CHECK(run("gzip -t '" + object.string() + "' 2>&1").second == 0);
        auto [text, status] = run("gzip -dc '" + object.string() + "'");
        REQUIRE(status == 0);
        for (auto& r : records(text)) out.push_back(std::move(r));
    }
    if (objects) *objects = found;
    return out;
}

template <class Predicate>
bool eventually(Predicate ready) {
    const auto deadline = std::chrono::steady_clock::now() + step_timeout;
    while (!ready()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

std::string create_logging_configuration(client& control, json::object destination) {
    auto created = call(control, "CreateLoggingConfiguration", {{"destinationConfiguration", destination}});
    REQUIRE(created.status == 200);
    return str(created.json, "arn");
}

std::string room_id(const std::string& arn) { return arn.substr(arn.rfind('/') + 1); }

void check_record(const json::object& record, std::string_view type, const json::object& frame) {
    INFO(json::serialize(record));
    CHECK(record.size() == 4);
    CHECK(record.at("type").as_string() == type);
    CHECK(record.at("version") == "1.0");
    const std::string timestamp(record.at("event_timestamp").as_string());
    CHECK(std::regex_match(timestamp, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    CHECK(record.at("payload") == frame);
}

}  // namespace

TEST_CASE("logging: s3, cloudWatchLogs and firehose record the room's messages and events", "[emulator][logging]") {
    temp_dir data;
    chat_fixture f({.data_dir = data.path});
    const auto s3 = create_logging_configuration(f.control, {{"s3", {{"bucketName", "chat-logs"}}}});
    const auto cloudwatch = create_logging_configuration(f.control, {{"cloudWatchLogs", {{"logGroupName", "/ivs/chat"}}}});
    const auto firehose =
        create_logging_configuration(f.control, {{"firehose", {{"deliveryStreamName", "chat-stream"}}}});
    const auto room = f.create_room({{"loggingConfigurationIdentifiers", {s3, cloudwatch, firehose}}});
    auto alice = f.connect(f.token("alice", {"SEND_MESSAGE", "DELETE_MESSAGE"}, 60, room));

    alice->send(R"({"Action":"SEND_MESSAGE","RequestId":"m1","Content":"hello","Attributes":{"k":"v"}})");
    const auto message = alice->expect_frame();
    alice->send(R"({"Action":"DELETE_MESSAGE","RequestId":"d1","Id":")" + str(message, "Id") + R"("})");
    const auto deleted = alice->expect_frame();
    REQUIRE(call(f.control, "SendEvent", {{"roomIdentifier", room}, {"eventName", "app:poll"}}).status == 200);
    const auto event = alice->expect_frame();
    // ERROR frames are not logged.
    alice->send(R"({"Action":"NOPE","RequestId":"x"})");
    alice->expect_error(400, "x");

    const auto cloudwatch_file =
        data.path / "cloudwatch" / "ivs" / "chat" / "aws" / "IVSChatLogs" / "1.0" / ("room_" + room_id(room));
    const auto firehose_file = data.path / "firehose" / "chat-stream";
    const auto s3_room_dir = data.path / "s3" / "chat-logs" / "AWSLogs" / "123456789012" / "IVSChatLogs" / "1.0" /
                             "us-west-2" / ("room_" + room_id(room));
    REQUIRE(eventually([&] { return records(read_file(cloudwatch_file)).size() == 3; }));
    REQUIRE(eventually([&] { return records(read_file(firehose_file)).size() == 3; }));
    REQUIRE(eventually([&] { return s3_records(s3_room_dir).size() == 3; }));

    std::vector<fs::path> objects;
    const auto in_s3 = s3_records(s3_room_dir, &objects);
    for (const auto& logged : {records(read_file(cloudwatch_file)), records(read_file(firehose_file)), in_s3}) {
        check_record(logged[0], "MESSAGE", message);
        check_record(logged[1], "EVENT", deleted);
        check_record(logged[2], "EVENT", event);
    }
    const std::regex object_name("123456789012_IVSChatLogs_1\\.0_us-west-2_room_" + room_id(room) +
                                 R"(_\d{8}T\d{6}Z_[0-9a-f]{16}\.log\.gz)");
    for (const auto& object : objects) {
        INFO(object);
        CHECK(std::regex_match(object.filename().string(), object_name));
        // .../room_<id>/YYYY/MM/DD/HH/<name>
        CHECK(object.parent_path().parent_path().parent_path().parent_path().parent_path() == s3_room_dir);
    }

    const auto counted = messaging_stats(f);
    CHECK(counted.at("messagesSent") == 1);
    CHECK(counted.at("eventsSent") == 2);
    CHECK(counted.at("logRecordsWritten") == 9);
    CHECK(counted.at("errors") == json::object{{"400", 1}});
    CHECK(counted.at("connectionsOpen") == 1);

    // POST /_emulator/reset zeroes them, except the connections accepted.
    REQUIRE(f.control.send(http::verb::post, "/_emulator/reset", "{}", {.sign = false}).status == 200);
    const auto after_reset = messaging_stats(f);
    CHECK(after_reset.at("connectionsAccepted") == 1);
    CHECK(after_reset.at("messagesSent") == 0);
    CHECK(after_reset.at("logRecordsWritten") == 0);
    CHECK(after_reset.at("errors") == json::object{});
}

TEST_CASE("logging: a reader tailing a log file only ever sees whole records", "[emulator][logging]") {
    temp_dir data;
    chat_fixture f({.data_dir = data.path});
    const auto firehose = create_logging_configuration(f.control, {{"firehose", {{"deliveryStreamName", "tail"}}}});
    const auto room =
        f.create_room({{"loggingConfigurationIdentifiers", {firehose}}, {"maximumMessageRatePerSecond", 100}});
    auto alice = f.connect(f.token("alice", {"SEND_MESSAGE"}, 60, room));
    const auto file = data.path / "firehose" / "tail";

    std::atomic<bool> done = false;
    std::size_t torn_reads = 0;
    std::size_t reads = 0;
    std::thread tail([&] {
        std::string seen;
        while (!done) {
            const auto text = read_file(file);
            if (text.size() > seen.size()) {
                ++reads;
                // A read can land inside the kernel's copy of a batch (see
                // docs/emulator.md); a record is torn only if the file stays cut.
                if (text.back() != '\n') {
                    std::this_thread::sleep_for(100ms);
                    const auto again = read_file(file);
                    if (again.size() == text.size()) ++torn_reads;
                }
                seen = text;
            }
            std::this_thread::sleep_for(1ms);
        }
    });
    // About three flushes' worth of messages of different lengths.
    constexpr int messages = 60;
    for (int i = 0; i < messages; ++i) {
        alice->send(json::serialize(json::object{{"Action", "SEND_MESSAGE"}, {"Content", std::string(1 + i * 7 % 400, 'x')}}));
        alice->expect_frame();
        std::this_thread::sleep_for(50ms);
    }
    REQUIRE(eventually([&] { return records(read_file(file)).size() == messages; }));
    done = true;
    tail.join();
    INFO(reads << " reads of a grown file");
    CHECK(reads >= 2);
    CHECK(torn_reads == 0);
}

TEST_CASE("logging: kill -9 loses at most the records of the last second", "[emulator][logging]") {
    temp_dir data;
    ivschat::test::child_process emulator({IVSCHAT_EMULATOR_PATH, "--data-dir", data.path.string()});
    const auto endpoint = emulator.line();
    client control(endpoint_port(endpoint));
    const auto firehose = create_logging_configuration(control, {{"firehose", {{"deliveryStreamName", "kill"}}}});
    auto created = call(control, "CreateRoom", {{"loggingConfigurationIdentifiers", {firehose}}});
    REQUIRE(created.status == 200);
    const auto room = str(created.json, "arn");

    // SendEvent for 2.5 s (half a flush period off the emulator's start);
    // each event's id and when its 200 arrived.
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> acknowledged;
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < 2500ms) {
        auto sent = call(control, "SendEvent", {{"roomIdentifier", room}, {"eventName", "tick"}});
        REQUIRE(sent.status == 200);
        acknowledged.emplace_back(str(sent.json, "id"), std::chrono::steady_clock::now());
        std::this_thread::sleep_for(10ms);
    }
    const auto killed_at = std::chrono::steady_clock::now();
    emulator.stop(SIGKILL);

    // Whole records only, in order, a prefix of what was acknowledged.
    const auto logged = records(read_file(data.path / "firehose" / "kill"));
    REQUIRE(logged.size() <= acknowledged.size());
    for (std::size_t i = 0; i < logged.size(); ++i)
        REQUIRE(logged[i].at("payload").at("Id").as_string() == acknowledged[i].first);
    const auto lost_window = logged.size() == acknowledged.size()
                                 ? 0ms
                                 : std::chrono::duration_cast<std::chrono::milliseconds>(
                                       killed_at - acknowledged[logged.size()].second);
    INFO(acknowledged.size() << " events acknowledged, " << logged.size() << " logged; the first lost one was "
                             << lost_window.count() << " ms before the kill");
    // Flushed every second: what was acknowledged more than about a second
    // before the kill is on disk (a loaded machine gets some slack).
    CHECK(lost_window < 2s);
    CHECK(logged.size() > 0);
    std::printf("kill -9: %zu of %zu acknowledged events on disk; the lost ones were acknowledged in the last %lld ms\n",
                logged.size(), acknowledged.size(), static_cast<long long>(lost_window.count()));
}
