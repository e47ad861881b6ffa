#pragma once

#include <openssl/sha.h>

#include <array>
#include <cstddef>
#include <string_view>

namespace ivschat::detail {

using sha256_digest = std::array<unsigned char, 32>;

// Incremental SHA-256 over OpenSSL's low-level context: a plain struct that
// copies by value, which is what lets hmac_sha256_key keep precomputed HMAC
// states. (The EVP equivalent costs a provider dispatch and a heap context
// per use; signing measures about twice as slow with it.)
class sha256 {
public:
    sha256() noexcept;
    void update(std::string_view data) noexcept;
    void update(const unsigned char* data, std::size_t size) noexcept;
    sha256_digest finish() noexcept;

    static sha256_digest of(std::string_view data) noexcept;

private:
    SHA256_CTX ctx_;
};

// HMAC-SHA256 with the inner and outer states absorbed once per key, so a MAC
// costs the message's compression rounds plus two, and no allocation.
class hmac_sha256_key {
public:
    hmac_sha256_key() noexcept = default;
    explicit hmac_sha256_key(std::string_view key) noexcept;

    sha256_digest mac(std::string_view message) const noexcept;

private:
    sha256 inner_;
    sha256 outer_;
};

// One-shot HMAC-SHA256 for key derivation (not on the per-request path).
sha256_digest hmac_sha256(std::string_view key, std::string_view message) noexcept;

inline std::string_view as_string_view(const sha256_digest& d) noexcept {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

// Writes the 64 lowercase hex digits of `d` to `out`.
void hex_encode(const sha256_digest& d, char* out) noexcept;

}  // namespace ivschat::detail
