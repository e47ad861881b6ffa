#pragma once

#include <ivschat/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace ivschat {

/// Walks the pages of a list operation (list_rooms_request,
/// list_logging_configurations_request) by following nextToken.
///
///   ivschat::paginator pages{chat, ivschat::list_rooms_request{.max_results = 50}};
///   while (!pages.done()) {
///       auto page = co_await pages.next_page();
///       for (auto& room : page.rooms) ...
///   }
///
/// Lifetime: the client must outlive the paginator. Thread safety: one
/// paginator, one coroutine at a time.
template <class Request>
class paginator {
public:
    /// The response of one page.
    using response_type = typename operation_traits<Request>::response;

    /// Pages through the answers to `first` with `chat`, which must outlive the paginator.
    paginator(client& chat, Request first) : client_(&chat), request_(std::move(first)) {}

    /// True once the last page has been fetched.
    bool done() const noexcept { return done_; }

    /// Fetches the next page; throws as the operation does.
    boost::asio::awaitable<response_type> next_page() {
        auto page = co_await client_->call(request_);
        request_.next_token = page.next_token;
        done_ = !page.next_token || page.next_token->empty();
        co_return page;
    }

private:
    client* client_;
    Request request_;
    bool done_ = false;
};

}  // namespace ivschat
