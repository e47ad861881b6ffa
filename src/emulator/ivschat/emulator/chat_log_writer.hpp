#pragma once

#include <ivschat/emulator/chat_room_registry.hpp>
#include <ivschat/emulator/service.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <string>

namespace ivschat::emulator {

/// The logging destinations as files under a data directory (`--data-dir`):
/// every MESSAGE and EVENT a room delivers becomes a log record for each of
/// the room's logging configurations, kept in memory and written by flush()
/// (the server calls it every second and when it stops):
/// - cloudWatchLogs and firehose: appended to one file per log stream or
///   delivery stream, whole lines in one write(2) per file and flush
///   (O_APPEND), so a reader never sees part of a record;
/// - s3: one new gzip object per room and bucket and flush, written under a
///   temporary name and renamed into place.
///
/// Not safe for concurrent use: the server calls it from its strand.
class chat_log_writer final : public chat_log_sink {
public:
    chat_log_writer(const service& svc, std::filesystem::path data_dir);

    void record(std::string_view room_arn, std::string_view type, std::string_view frame,
                std::chrono::system_clock::time_point at) override;

    /// What one flush did.
    struct flush_result {
        std::uint64_t records_written = 0;
        /// Records lost to a file that could not be written (reported on stderr).
        std::uint64_t records_failed = 0;
    };
    /// Writes every buffered record.
    flush_result flush();
    /// Records waiting for the next flush.
    std::size_t buffered_records() const noexcept { return buffered_records_; }

private:
    /// The records of one file (or, for s3, of one object to create).
    struct batch {
        /// For s3: the bucket and room of the object; empty for a file.
        std::string bucket{};
        std::string room_id{};
        /// Otherwise the file the lines are appended to.
        std::filesystem::path file{};
        std::chrono::system_clock::time_point first{};
        std::string lines{};
        std::uint64_t records = 0;
    };

    batch& batch_for(const std::string& key, std::chrono::system_clock::time_point at);
    bool write_batch(const batch& b);

    const service& service_;
    std::filesystem::path data_dir_;
    /// By file path, or "s3://<bucket>/<room id>".
    std::map<std::string, batch> batches_;
    std::size_t buffered_records_ = 0;
    std::size_t buffered_bytes_ = 0;
    std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace ivschat::emulator
