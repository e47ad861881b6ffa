#pragma once

#include <ivschat/client.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <string>
#include <unordered_set>

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
/// A service that hands out a token it has handed out before would lead the
/// walk in a circle: next_page() then throws client_exception with
/// error::malformed_response, "the same next token was received twice" (the
/// AWS CLI's words). A service that keeps issuing new tokens is bounded by
/// the caller, who decides how many pages to fetch; the paginator keeps only
/// the tokens it has seen, never the pages.
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

    /// Fetches the next page; throws as the operation does, and as above
    /// for a repeated token.
    boost::asio::awaitable<response_type> next_page() {
        auto page = co_await client_->call(request_);
        done_ = !page.next_token || page.next_token->empty();
        if (!done_ && !tokens_seen_.insert(*page.next_token).second) {
            done_ = true;
            const std::string message = "the same next token was received twice";
            diagnostics diag;
            diag.client_message = message;
            throw client_exception(make_error_code(error::malformed_response), message, std::move(diag));
        }
        request_.next_token = page.next_token;
        co_return page;
    }

private:
    client* client_;
    Request request_;
    std::unordered_set<std::string> tokens_seen_;
    bool done_ = false;
};

}  // namespace ivschat
