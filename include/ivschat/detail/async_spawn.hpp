#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <exception>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace ivschat::detail {

template <class T>
struct is_error_code_tuple : std::false_type {};
template <class... T>
struct is_error_code_tuple<std::tuple<boost::system::error_code, T...>> : std::true_type {};

/// The cancellation signal of one spawned operation, shared by the
/// operation and any cancellation still on its way to the operation's
/// executor, so that neither outlives it.
struct spawn_cancellation {
    boost::asio::cancellation_signal signal;
};

/// Installed in the caller's cancellation slot: carries a cancellation over
/// to the operation's executor (strand), where the operation runs.
/// (Asio 1.81's co_spawn does the same with a pointer that dangles when the
/// operation completes before the dispatched cancellation runs.)
template <class Executor>
struct forward_cancellation {
    std::shared_ptr<spawn_cancellation> state;
    Executor ex;

    void operator()(boost::asio::cancellation_type type) {
        boost::asio::dispatch(ex, [state = state, type] { state->signal.emit(type); });
    }
};

/// Runs an awaitable on `ex` as an Asio asynchronous operation for any
/// completion token: one returning error_code or std::tuple<error_code, T...>
/// completes with void(error_code) or void(error_code, T...); one returning T
/// completes with void(std::exception_ptr, T), like co_spawn. The
/// completion handler's executor and allocator are forwarded to co_spawn;
/// cancellation reaches the coroutine through forward_cancellation.
template <class Handler>
struct spawned_completion {
    Handler handler;
    std::shared_ptr<spawn_cancellation> cancellation{};

    template <class... Values>
    void operator()(std::exception_ptr failure, std::tuple<Values...> values) {
        // These coroutines report failures as error codes; only allocation
        // failure can escape them.
        if (failure) std::rethrow_exception(failure);
        std::apply([this](auto&&... v) { std::move(handler)(std::move(v)...); }, std::move(values));
    }

    void operator()(std::exception_ptr failure, boost::system::error_code ec) {
        if (failure) std::rethrow_exception(failure);
        std::move(handler)(ec);
    }

    /// For signature void(std::exception_ptr, T): the failure is the result.
    template <class Value>
    void operator()(std::exception_ptr failure, Value value) {
        std::move(handler)(std::move(failure), std::move(value));
    }
};

template <class Signature, class Executor, class Awaitable, class Token>
auto spawn_operation(const Executor& ex, Awaitable operation, Token&& token) {
    return boost::asio::async_initiate<Token, Signature>(
        [ex](auto handler, Awaitable op) {
            using handler_type = decltype(handler);
            auto slot = boost::asio::get_associated_cancellation_slot(handler);
            if (!slot.is_connected()) {
                boost::asio::co_spawn(ex, std::move(op), spawned_completion<handler_type>{std::move(handler)});
                return;
            }
            auto state = std::allocate_shared<spawn_cancellation>(boost::asio::recycling_allocator<void>());
            const auto inner_slot = state->signal.slot();
            slot.template emplace<forward_cancellation<Executor>>(forward_cancellation<Executor>{state, ex});
            boost::asio::co_spawn(
                ex, std::move(op),
                boost::asio::bind_cancellation_slot(
                    inner_slot, spawned_completion<handler_type>{std::move(handler), std::move(state)}));
        },
        token, std::move(operation));
}

/// A coroutine that already runs on `ex` awaits `operation` inline: no
/// second coroutine thread, no completion posted back. The operation may
/// change this_coro::throw_if_cancelled; the caller's setting is restored.
/// Any other caller gets it spawned on `ex`.
template <class Signature, class Executor, class Awaitable, class Token>
auto await_on(Executor ex, Awaitable operation, Token token)
    -> boost::asio::awaitable<typename Awaitable::value_type> {
    if (co_await boost::asio::this_coro::executor != ex) {
        co_return co_await spawn_operation<Signature>(ex, std::move(operation), token);
    }
    const bool throw_if_cancelled = co_await boost::asio::this_coro::throw_if_cancelled();
    std::exception_ptr failure;
    try {
        auto result = co_await std::move(operation);
        co_await boost::asio::this_coro::throw_if_cancelled(throw_if_cancelled);
        co_return result;
    } catch (...) {
        failure = std::current_exception();
    }
    co_await boost::asio::this_coro::throw_if_cancelled(throw_if_cancelled);
    std::rethrow_exception(failure);
}

/// Runs `operation` on `ex` as an asynchronous operation with completion
/// signature `Signature`, for any completion token (see spawned_completion).
/// Where a coroutine awaits the operation's own result type (use_awaitable
/// for an awaitable of T completing with (exception_ptr, T); as_tuple of
/// use_awaitable for an awaitable of tuple<error_code, T...>), it goes
/// through await_on.
template <class Signature, class Executor, class Awaitable, class Token>
auto async_spawn(const Executor& ex, Awaitable operation, Token&& token) {
    using token_type = std::decay_t<Token>;
    using value_type = typename Awaitable::value_type;
    using use_awaitable_type = boost::asio::use_awaitable_t<Executor>;
    constexpr bool throwing = std::is_same_v<token_type, use_awaitable_type> &&
                              std::is_same_v<Signature, void(std::exception_ptr, value_type)>;
    constexpr bool as_tuple = std::is_same_v<token_type, boost::asio::as_tuple_t<use_awaitable_type>> &&
                              is_error_code_tuple<value_type>::value;
    if constexpr (throwing || as_tuple) {
        return await_on<Signature>(ex, std::move(operation), token);
    } else {
        return spawn_operation<Signature>(ex, std::move(operation), std::forward<Token>(token));
    }
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
