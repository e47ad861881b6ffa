#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace ivschat::emulator {

/// The logging destinations' records and file layout, without I/O.

/// One log record and its newline: {"event_timestamp": "<UTC, ms>Z", "type":
/// "MESSAGE"|"EVENT", "version": "1.0", "payload": <the frame>}.
std::string chat_log_record(std::string_view type, std::string_view frame, std::chrono::system_clock::time_point at);

/// The account, region and room a record belongs to.
struct chat_log_scope {
    std::string_view account_id;
    std::string_view region;
    std::string_view room_id;
};

/// A destination name as a path below a directory: its '/'-separated parts
/// (empty ones dropped), a part made only of dots with each '.' written as
/// "%2E", so that no name leaves the directory.
std::filesystem::path destination_path(std::string_view name);

/// DIR/s3/<bucket>/AWSLogs/<account>/IVSChatLogs/1.0/<region>/room_<id>/YYYY/MM/DD/HH/
/// <account>_IVSChatLogs_1.0_<region>_room_<id>_YYYYMMDDTHHMMSSZ_<unique>.log.gz,
/// the date that of `at` (UTC).
std::filesystem::path s3_log_object_path(const std::filesystem::path& data_dir, std::string_view bucket,
                                         const chat_log_scope& scope, std::chrono::system_clock::time_point at,
                                         std::string_view unique);
/// DIR/cloudwatch/<log group>/aws/IVSChatLogs/1.0/room_<id>: the log stream.
std::filesystem::path cloudwatch_log_path(const std::filesystem::path& data_dir, std::string_view log_group,
                                          const chat_log_scope& scope);
/// DIR/firehose/<delivery stream>.
std::filesystem::path firehose_log_path(const std::filesystem::path& data_dir, std::string_view delivery_stream);

/// `data` as one gzip member (RFC 1952: header, deflate, CRC-32, size).
std::string gzip(std::string_view data);

}  // namespace ivschat::emulator
