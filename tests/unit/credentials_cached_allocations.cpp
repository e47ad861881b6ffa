// The hot path of signing: reading cached credentials allocates nothing.
// This executable replaces the global operator new to count allocations.
// GCC cannot see that the replaced new and delete below pair malloc with free.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#include <ivschat/config.hpp>
#include <ivschat/credentials_provider.hpp>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<long> allocations{0};

void* counted_allocation(std::size_t size, std::size_t alignment) {
    ++allocations;
    size = size ? size : 1;
    if (alignment > alignof(std::max_align_t)) size = (size + alignment - 1) / alignment * alignment;
    void* p = alignment > alignof(std::max_align_t) ? std::aligned_alloc(alignment, size) : std::malloc(size);
    if (!p) throw std::bad_alloc();
    return p;
}

}  // namespace

// Every replaceable form, so that all allocations pair with free() (ASan checks the pairing).
void* operator new(std::size_t n) { return counted_allocation(n, 0); }
void* operator new[](std::size_t n) { return counted_allocation(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_allocation(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_allocation(n, static_cast<std::size_t>(a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return counted_allocation(n, 0);
    } catch (...) {
        return nullptr;
    }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

TEST_CASE("cached() of a static provider and of an answered chain allocates nothing") {
    ivschat::static_credentials_provider fixed(
        {.access_key_id = "AKID", .secret_access_key = "S", .session_token = "T", .expiration = {}});
    ivschat::profile_set set;
    set.merge_file("[default]\naws_access_key_id = P\naws_secret_access_key = S\n",
                   ivschat::profile_file_kind::credentials, "credentials");
    auto chain = ivschat::make_default_credentials_chain(ivschat::environment::from_map({}), set, "default");
    boost::asio::io_context ioc;
    ivschat::async_get_credentials(*chain, ioc.get_executor(), [](std::exception_ptr, auto) {});
    ioc.run();

    long before = allocations.load();
    std::size_t seen = 0;
    for (int i = 0; i < 10000; ++i) {
        auto a = fixed.cached();
        auto b = chain->cached();
        seen += a->access_key_id.size() + b->access_key_id.size();
    }
    CHECK(allocations.load() == before);
    CHECK(seen == 10000 * 5);
}
