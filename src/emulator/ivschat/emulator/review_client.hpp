#pragma once

#include <ivschat/emulator/message_review.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

namespace ivschat::emulator {

/// The HTTP side of message review: POSTs a review request to a local
/// handler (one connection per review) and reads its reply, every step
/// asynchronous on the server's strand and the whole exchange bounded by
/// one deadline (the service's 200 ms).
///
/// Not safe for concurrent use: call it from the strand.
class review_client {
public:
    using strand_type = boost::asio::strand<boost::asio::io_context::executor_type>;
    /// The reply's body when the handler answered 2xx in time; nullopt on a
    /// timeout, a connection or protocol error, or another status.
    using callback = std::function<void(std::optional<std::string>)>;

    review_client(strand_type strand, std::chrono::milliseconds timeout);
    ~review_client();
    review_client(const review_client&) = delete;
    review_client& operator=(const review_client&) = delete;

    /// Starts one exchange; `done` runs once on the strand, never inside post().
    void post(const review_handler_route& route, std::string body, callback done);
    /// Ends every exchange under way (each calls back with nullopt).
    void cancel_all();
    std::size_t in_flight() const noexcept { return exchanges_->size(); }

    class exchange;

private:
    strand_type strand_;
    std::chrono::milliseconds timeout_;
    /// The exchanges under way; shared with them, since one may finish after
    /// the client is gone.
    std::shared_ptr<std::unordered_set<exchange*>> exchanges_ = std::make_shared<std::unordered_set<exchange*>>();
};

}  // namespace ivschat::emulator
