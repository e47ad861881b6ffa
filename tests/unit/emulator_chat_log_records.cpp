// The logging destinations' records, file layout and gzip, without files.
#include <ivschat/emulator/chat_log_records.hpp>

#include <boost/beast/zlib/inflate_stream.hpp>
#include <boost/json.hpp>

#include <catch2/catch.hpp>

namespace {

namespace emulator = ivschat::emulator;
namespace json = boost::json;
namespace zlib = boost::beast::zlib;
using namespace std::chrono_literals;

// 2026-12-06T11:57:21.335308509Z
const auto at = std::chrono::system_clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 12 / 6)) +
                11h + 57min + 21s + 335308509ns;

std::uint32_t le32(std::string_view bytes) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    return v;
}

}  // namespace

TEST_CASE("chat logs: a record is the service's four fields, the frame as payload", "[emulator][logging]") {
    const std::string frame = R"({"Type":"EVENT","Id":"abc","EventName":"x"})";
    const auto line = emulator::chat_log_record("EVENT", frame, at);
    REQUIRE(line.back() == '\n');
    CHECK(line.find('\n') == line.size() - 1);
    CHECK(json::parse(line) == json::parse(R"({"event_timestamp":"2026-12-06T11:57:21.335Z","type":"EVENT",
        "version":"1.0","payload":{"Type":"EVENT","Id":"abc","EventName":"x"}})"));
}

TEST_CASE("chat logs: the s3, CloudWatch Logs and Firehose layout; names cannot leave the directory",
          "[emulator][logging]") {
    const emulator::chat_log_scope scope{.account_id = "123456789012", .region = "us-west-2", .room_id = "AbC123"};
    CHECK(emulator::s3_log_object_path("/d", "my-bucket", scope, at, "00ff") ==
          "/d/s3/my-bucket/AWSLogs/123456789012/IVSChatLogs/1.0/us-west-2/room_AbC123/2026/12/06/11/"
          "123456789012_IVSChatLogs_1.0_us-west-2_room_AbC123_20261206T115721Z_00ff.log.gz");
    CHECK(emulator::cloudwatch_log_path("/d", "/aws/ivs//chat", scope) ==
          "/d/cloudwatch/aws/ivs/chat/aws/IVSChatLogs/1.0/room_AbC123");
    CHECK(emulator::firehose_log_path("/d", "stream.1") == "/d/firehose/stream.1");
    CHECK(emulator::destination_path("..") == "%2E%2E");
    CHECK(emulator::destination_path("a/../b/./c...") == "a/%2E%2E/b/%2E/c...");
    CHECK(emulator::destination_path("...") == "%2E%2E%2E");
}

TEST_CASE("chat logs: gzip writes one RFC 1952 member that inflates back", "[emulator][logging]") {
    std::string text;
    for (int i = 0; i < 2000; ++i) text += R"({"event_timestamp":"2026-12-06T11:57:21.335Z","n":)" + std::to_string(i) + "}\n";
    for (const std::string& data : {text, std::string()}) {
        const auto member = emulator::gzip(data);
        REQUIRE(member.size() >= 18);
        CHECK(member.substr(0, 4) == std::string("\x1f\x8b\x08\x00", 4));
        CHECK(le32(member.substr(member.size() - 4)) == data.size());
        // The deflate data between the 10-byte header and the 8-byte trailer.
        zlib::inflate_stream inflate;
        inflate.reset(15);
        std::string out(data.size() + 16, '\0');
        zlib::z_params params;
        params.next_in = member.data() + 10;
        params.avail_in = member.size() - 18;
        params.next_out = out.data();
        params.avail_out = out.size();
        boost::system::error_code ec;
        inflate.write(params, zlib::Flush::finish, ec);
        CHECK(ec == zlib::error::end_of_stream);
        out.resize(params.total_out);
        CHECK(out == data);
    }
    CHECK(emulator::gzip(text).size() < text.size() / 5);
}
