#pragma once

#include <ivschat/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <string>
#include <tuple>
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
/// next_page() is an asynchronous operation like the client's: completion
/// signature `void(boost::system::error_code, Response)`, an optional
/// `diagnostics&`, and with the default token a failure throws
/// error_with_diagnostics. A service that hands out a token it has handed
/// out before would lead the walk in a circle: next_page() then fails with
/// error::malformed_response and the client message "the same next token was
/// received twice" (the AWS CLI's words), and done() becomes true. A service
/// that keeps issuing new tokens is bounded by the caller, who decides how
/// many pages to fetch; the paginator keeps only the tokens it has seen,
/// never the pages.
///
/// Lifetime: the client must outlive the paginator, and the paginator its
/// next_page() operations. Thread safety: one paginator, one next_page() at
/// a time.
template <class Request>
class paginator {
public:
    /// The response of one page.
    using response_type = typename operation_traits<Request>::response;

    /// Pages through the answers to `first` with `chat`, which must outlive the paginator.
    paginator(client& chat, Request first) : client_(&chat), request_(std::move(first)) {}

    /// True once the last page has been fetched (or the walk went in a circle).
    bool done() const noexcept { return done_; }

    /// Fetches the next page.
    template <class Token = boost::asio::use_awaitable_t<>>
    auto next_page(Token&& token = {}) {
        return start(nullptr, std::forward<Token>(token));
    }
    /// Fetches the next page, filling `diag`, which must live until the operation completes.
    template <class Token = boost::asio::use_awaitable_t<>>
    auto next_page(diagnostics& diag, Token&& token = {}) {
        return start(&diag, std::forward<Token>(token));
    }

private:
    template <class Token>
    auto start(diagnostics* diag, Token&& token) {
        if constexpr (detail::throws_with_diagnostics<Token>) {
            return detail::async_spawn<void(std::exception_ptr, response_type)>(
                client_->get_executor(), fetch_or_throw(diag), std::forward<Token>(token));
        } else {
            return detail::async_spawn<void(boost::system::error_code, response_type)>(
                client_->get_executor(), fetch(diag), std::forward<Token>(token));
        }
    }

    boost::asio::awaitable<std::tuple<boost::system::error_code, response_type>> fetch(diagnostics* caller_diag) {
        diagnostics own_diag;
        diagnostics& diag = caller_diag ? *caller_diag : own_diag;
        auto [ec, page] = co_await client_->call(request_, diag, boost::asio::as_tuple(boost::asio::use_awaitable));
        if (ec) co_return std::tuple{ec, std::move(page)};
        done_ = !page.next_token || page.next_token->empty();
        if (!done_ && !tokens_seen_.insert(*page.next_token).second) {
            done_ = true;
            diag.client_message = "the same next token was received twice";
            co_return std::tuple{make_error_code(error::malformed_response), std::move(page)};
        }
        request_.next_token = page.next_token;
        co_return std::tuple{ec, std::move(page)};
    }

    boost::asio::awaitable<response_type> fetch_or_throw(diagnostics* caller_diag) {
        diagnostics own_diag;
        diagnostics& diag = caller_diag ? *caller_diag : own_diag;
        auto [ec, page] = co_await fetch(&diag);
        if (ec) throw error_with_diagnostics(ec, diag);
        co_return std::move(page);
    }

    client* client_;
    Request request_;
    std::unordered_set<std::string> tokens_seen_;
    bool done_ = false;
};

}  // namespace ivschat
