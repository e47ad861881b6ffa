#include <ivschat/emulator/chat_log_records.hpp>

#include <ivschat/emulator/chat_frames.hpp>

#include <boost/beast/zlib/deflate_stream.hpp>
#include <boost/crc.hpp>

#include <ctime>
#include <stdexcept>

namespace ivschat::emulator {

namespace {

namespace zlib = boost::beast::zlib;

void append_le32(std::string& out, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::tm utc(std::chrono::system_clock::time_point at) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}

std::string formatted(const char* format, const std::tm& tm) {
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, format, &tm));
}

}  // namespace

std::string chat_log_record(std::string_view type, std::string_view frame, std::chrono::system_clock::time_point at) {
    // format_send_time's nanoseconds cut to milliseconds.
    const auto timestamp = format_send_time(std::chrono::floor<std::chrono::milliseconds>(at));
    std::string out;
    out.reserve(frame.size() + 96);
    out.append(R"({"event_timestamp":")").append(timestamp, 0, timestamp.size() - 7).append(R"(Z","type":")");
    out.append(type).append(R"(","version":"1.0","payload":)").append(frame).append("}\n");
    return out;
}

std::filesystem::path destination_path(std::string_view name) {
    std::filesystem::path out;
    while (!name.empty()) {
        const auto slash = name.find('/');
        const auto part = name.substr(0, slash);
        name = slash == std::string_view::npos ? std::string_view{} : name.substr(slash + 1);
        if (part.empty()) continue;
        if (part.find_first_not_of('.') != std::string_view::npos) {
            out /= std::string(part);
        } else {
            std::string escaped;
            for (std::size_t i = 0; i < part.size(); ++i) escaped += "%2E";
            out /= escaped;
        }
    }
    return out;
}

std::filesystem::path s3_log_object_path(const std::filesystem::path& data_dir, std::string_view bucket,
                                         const chat_log_scope& scope, std::chrono::system_clock::time_point at,
                                         std::string_view unique) {
    const auto tm = utc(at);
    const std::string room = "room_" + std::string(scope.room_id);
    const std::string name = std::string(scope.account_id) + "_IVSChatLogs_1.0_" + std::string(scope.region) + "_" +
                             room + "_" + formatted("%Y%m%dT%H%M%SZ", tm) + "_" + std::string(unique) + ".log.gz";
    return data_dir / "s3" / destination_path(bucket) / "AWSLogs" / std::string(scope.account_id) / "IVSChatLogs" /
           "1.0" / std::string(scope.region) / room / formatted("%Y/%m/%d/%H", tm) / name;
}

std::filesystem::path cloudwatch_log_path(const std::filesystem::path& data_dir, std::string_view log_group,
                                          const chat_log_scope& scope) {
    return data_dir / "cloudwatch" / destination_path(log_group) / "aws" / "IVSChatLogs" / "1.0" /
           ("room_" + std::string(scope.room_id));
}

std::filesystem::path firehose_log_path(const std::filesystem::path& data_dir, std::string_view delivery_stream) {
    return data_dir / "firehose" / destination_path(delivery_stream);
}

std::string gzip(std::string_view data) {
    // ID1 ID2, CM deflate, no flags, no mtime, no extra flags, OS unix.
    std::string out{'\x1f', '\x8b', '\x08', '\0', '\0', '\0', '\0', '\0', '\0', '\x03'};
    const std::size_t header = out.size();
    zlib::deflate_stream deflate;
    deflate.reset(6, 15, 8, zlib::Strategy::normal);
    out.resize(header + deflate.upper_bound(data.size()));
    zlib::z_params params;
    params.next_in = data.data();
    params.avail_in = data.size();
    params.next_out = out.data() + header;
    params.avail_out = out.size() - header;
    boost::system::error_code ec;
    // upper_bound makes one call enough: it ends with end_of_stream.
    deflate.write(params, zlib::Flush::finish, ec);
    if (ec && ec != zlib::error::end_of_stream) throw std::runtime_error("deflate failed: " + ec.message());
    out.resize(header + params.total_out);
    boost::crc_32_type crc;
    crc.process_bytes(data.data(), data.size());
    append_le32(out, crc.checksum());
    append_le32(out, static_cast<std::uint32_t>(data.size()));
    return out;
}

}  // namespace ivschat::emulator
