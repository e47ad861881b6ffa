#include <ivschat/emulator/chat_log_writer.hpp>

#include <ivschat/emulator/chat_log_records.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ivschat::emulator {

namespace {

// Past this many buffered bytes a flush happens at once: memory stays
// bounded when a room's events come faster than one second's worth.
constexpr std::size_t max_buffered_bytes = 16 * 1024 * 1024;

// Writes all of `data` with as few write(2) calls as the kernel allows (one
// for a regular file unless the disk fills or a signal interrupts).
bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const auto n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool write_file(const std::filesystem::path& file, int flags, std::string_view data) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    const int fd = ::open(file.c_str(), flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    const bool written = write_all(fd, data);
    return ::close(fd) == 0 && written;
}

}  // namespace

chat_log_writer::chat_log_writer(const service& svc, std::filesystem::path data_dir)
    : service_(svc), data_dir_(std::move(data_dir)) {}

chat_log_writer::batch& chat_log_writer::batch_for(const std::string& key, std::chrono::system_clock::time_point at) {
    auto [it, fresh] = batches_.try_emplace(key);
    if (fresh) it->second.first = at;
    return it->second;
}

void chat_log_writer::record(std::string_view room_arn, std::string_view type, std::string_view frame,
                             std::chrono::system_clock::time_point at) {
    const auto destinations = service_.log_destinations(room_arn);
    if (destinations.empty()) return;
    const auto& options = service_.options();
    const auto room_id = room_arn.substr(room_arn.rfind('/') + 1);
    const chat_log_scope scope{.account_id = options.account_id, .region = options.region, .room_id = room_id};
    const auto line = chat_log_record(type, frame, at);
    for (const auto& destination : destinations) {
        batch* b = nullptr;
        if (const auto* s3 = destination.s3()) {
            // One object per bucket, room and flush.
            b = &batch_for("s3://" + s3->bucket_name + "/" + std::string(room_id), at);
            b->bucket = s3->bucket_name;
            b->room_id = room_id;
        } else if (const auto* cloudwatch = destination.cloud_watch_logs()) {
            const auto file = cloudwatch_log_path(data_dir_, cloudwatch->log_group_name, scope);
            b = &batch_for(file.string(), at);
            b->file = file;
        } else if (const auto* firehose = destination.firehose()) {
            const auto file = firehose_log_path(data_dir_, firehose->delivery_stream_name);
            b = &batch_for(file.string(), at);
            b->file = file;
        } else {
            continue;
        }
        b->lines += line;
        ++b->records;
        ++buffered_records_;
        buffered_bytes_ += line.size();
    }
    if (buffered_bytes_ > max_buffered_bytes) flush();
}

bool chat_log_writer::write_batch(const batch& b) {
    if (b.bucket.empty()) return write_file(b.file, O_APPEND, b.lines);
    const auto& options = service_.options();
    char unique[17];
    std::snprintf(unique, sizeof unique, "%016llx", static_cast<unsigned long long>(rng_()));
    const auto object = s3_log_object_path(
        data_dir_, b.bucket, {.account_id = options.account_id, .region = options.region, .room_id = b.room_id},
        b.first, unique);
    // A reader sees the whole object or none of it.
    auto temporary = object;
    temporary.replace_filename("." + object.filename().string() + ".tmp");
    if (!write_file(temporary, O_TRUNC, gzip(b.lines))) return false;
    std::error_code ec;
    std::filesystem::rename(temporary, object, ec);
    return !ec;
}

chat_log_writer::flush_result chat_log_writer::flush() {
    flush_result result;
    for (const auto& [key, b] : batches_) {
        if (write_batch(b)) {
            result.records_written += b.records;
        } else {
            result.records_failed += b.records;
            std::fprintf(stderr, "ivschat-emulator: could not write %llu log records for %s: %s\n",
                         static_cast<unsigned long long>(b.records), key.c_str(), std::strerror(errno));
        }
    }
    batches_.clear();
    buffered_records_ = 0;
    buffered_bytes_ = 0;
    return result;
}

}  // namespace ivschat::emulator
