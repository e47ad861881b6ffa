// The SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, which
// cannot copy a keyed state as cheaply; see sha256.hpp.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "ivschat/crypto/sha256.hpp"

#include <cstring>

namespace ivschat::detail {

sha256::sha256() noexcept { SHA256_Init(&ctx_); }

void sha256::update(std::string_view data) noexcept { SHA256_Update(&ctx_, data.data(), data.size()); }

void sha256::update(const unsigned char* data, std::size_t size) noexcept { SHA256_Update(&ctx_, data, size); }

sha256_digest sha256::finish() noexcept {
    sha256_digest d;
    SHA256_Final(d.data(), &ctx_);
    return d;
}

sha256_digest sha256::of(std::string_view data) noexcept {
    sha256 h;
    h.update(data);
    return h.finish();
}

hmac_sha256_key::hmac_sha256_key(std::string_view key) noexcept {
    constexpr std::size_t block = 64;
    unsigned char k[block] = {};
    if (key.size() > block) {
        auto d = sha256::of(key);
        std::memcpy(k, d.data(), d.size());
    } else {
        std::memcpy(k, key.data(), key.size());
    }
    unsigned char pad[block];
    for (std::size_t i = 0; i < block; ++i) pad[i] = k[i] ^ 0x36;
    inner_.update(pad, block);
    for (std::size_t i = 0; i < block; ++i) pad[i] = k[i] ^ 0x5c;
    outer_.update(pad, block);
}

sha256_digest hmac_sha256_key::mac(std::string_view message) const noexcept {
    sha256 inner = inner_;
    inner.update(message);
    auto inner_digest = inner.finish();
    sha256 outer = outer_;
    outer.update(inner_digest.data(), inner_digest.size());
    return outer.finish();
}

sha256_digest hmac_sha256(std::string_view key, std::string_view message) noexcept {
    return hmac_sha256_key{key}.mac(message);
}

void hex_encode(const sha256_digest& d, char* out) noexcept {
    constexpr char digits[] = "0123456789abcdef";
    for (unsigned char b : d) {
        *out++ = digits[b >> 4];
        *out++ = digits[b & 0xf];
    }
}

}  // namespace ivschat::detail
