#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

/// Certificates for tests, the emulator and benchmarks, generated in memory
/// with OpenSSL 3 (EC P-256 keys, SHA-256 signatures). Nothing here is meant
/// to protect anything: keys live in process memory and are thrown away.
namespace ivschat::testing {

/// What a server certificate is issued for.
struct server_certificate_options {
    /// subjectAltName DNS entries; the first one is also the subject CN.
    std::vector<std::string> dns_names{"localhost"};
    /// subjectAltName IP entries (IPv4 or IPv6 text form).
    std::vector<std::string> ip_addresses{"127.0.0.1"};
    /// Validity starts this long from now: by default one hour in the past,
    /// to tolerate clock skew; a positive value makes a certificate that is
    /// not yet valid.
    std::chrono::seconds valid_from{-std::chrono::hours{1}};
    /// Validity ends this long from now; a negative value makes an expired
    /// certificate.
    std::chrono::seconds valid_for{std::chrono::hours{24}};
};

/// A server certificate and its key, with the CA that signed it, as PEM text
/// ready for asio::ssl::context::use_certificate_chain / use_private_key /
/// add_certificate_authority.
struct server_credentials {
    std::string ca_cert_pem{};
    std::string server_cert_pem{};
    std::string server_key_pem{};
};

/// A self-signed CA with its own fresh key. Two instances are unrelated: a
/// certificate issued by one does not verify against the other, which is
/// what "wrong certificate" tests need.
///
/// Construction generates a key and a certificate (about a millisecond).
/// Throws std::runtime_error with OpenSSL's reason if OpenSSL fails.
/// Thread safety: const members may be called concurrently.
class throwaway_ca {
public:
    explicit throwaway_ca(std::string common_name = "ivschat throwaway CA");
    ~throwaway_ca();
    throwaway_ca(throwaway_ca&&) noexcept;
    throwaway_ca& operator=(throwaway_ca&&) noexcept;

    /// The CA certificate, PEM.
    const std::string& cert_pem() const noexcept;

    /// A fresh key and a server certificate for it signed by this CA
    /// (serverAuth, SANs from `options`).
    server_credentials issue_server_certificate(const server_certificate_options& options = {}) const;

    /// Writes cert_pem() to `path` (a CA bundle file for clients that take a
    /// path). Throws std::runtime_error on I/O failure.
    void write_cert_pem(const std::filesystem::path& path) const;

private:
    struct state;
    std::unique_ptr<state> state_;
};

/// Shorthand: a fresh CA and a server certificate from it for `options`.
server_credentials make_server_credentials(const server_certificate_options& options = {});

}  // namespace ivschat::testing
