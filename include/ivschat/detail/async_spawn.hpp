#pragma once

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/system/error_code.hpp>

#include <exception>
#include <tuple>
#include <utility>

namespace ivschat::detail {

/// Runs an awaitable returning error_code or std::tuple<error_code, T...> on
/// `ex` as an Asio asynchronous operation with completion signature
/// void(error_code) or void(error_code, T...), for any completion token. The completion handler's
/// executor, allocator and cancellation slot are forwarded to co_spawn, which
/// delivers cancellation to the coroutine through `ex`.
template <class Handler>
struct spawned_completion {
    Handler handler;

    template <class... Values>
    void operator()(std::exception_ptr failure, std::tuple<Values...> values) {
        // The coroutines run this way report failures as error codes; only
        // allocation failure can escape them.
        if (failure) std::rethrow_exception(failure);
        std::apply([this](auto&&... v) { std::move(handler)(std::move(v)...); }, std::move(values));
    }

    void operator()(std::exception_ptr failure, boost::system::error_code ec) {
        if (failure) std::rethrow_exception(failure);
        std::move(handler)(ec);
    }
};

template <class Signature, class Executor, class Awaitable, class Token>
auto async_spawn(const Executor& ex, Awaitable operation, Token&& token) {
    return boost::asio::async_initiate<Token, Signature>(
        [ex](auto handler, Awaitable op) {
            boost::asio::co_spawn(ex, std::move(op),
                                  spawned_completion<decltype(handler)>{std::move(handler)});
        },
        token, std::move(operation));
}

}  // namespace ivschat::detail

// Associations (executor, allocator, cancellation slot) of a spawned
// completion are those of the handler it wraps.
template <template <class, class> class Associator, class Handler, class DefaultCandidate>
struct boost::asio::associator<Associator, ivschat::detail::spawned_completion<Handler>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
    static typename Associator<Handler, DefaultCandidate>::type get(
        const ivschat::detail::spawned_completion<Handler>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.handler);
    }
    static auto get(const ivschat::detail::spawned_completion<Handler>& h,
                    const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
        return Associator<Handler, DefaultCandidate>::get(h.handler, c);
    }
};
