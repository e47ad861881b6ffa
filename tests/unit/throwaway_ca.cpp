#include <ivschat/throwaway_ca.hpp>

#include <catch2/catch.hpp>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace {

using ivschat::testing::server_certificate_options;
using ivschat::testing::throwaway_ca;

struct x509_free_deleter {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
using x509_ptr = std::unique_ptr<X509, x509_free_deleter>;

x509_ptr parse_cert(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free};
    return x509_ptr{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
}

std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> parse_key(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free};
    return {PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free};
}

// X509_verify_cert of `leaf` against `anchor` for TLS server use; returns the
// verification error (X509_V_OK on success).
int verify(X509* leaf, X509* anchor) {
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store{X509_STORE_new(), &X509_STORE_free};
    X509_STORE_add_cert(store.get(), anchor);
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx{X509_STORE_CTX_new(), &X509_STORE_CTX_free};
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    X509_verify_cert(ctx.get());
    return X509_STORE_CTX_get_error(ctx.get());
}

}  // namespace

TEST_CASE("throwaway_ca: server certificate verifies against its CA with default SANs") {
    const throwaway_ca ca;
    const auto creds = ca.issue_server_certificate();
    REQUIRE(creds.ca_cert_pem == ca.cert_pem());
    const auto ca_cert = parse_cert(creds.ca_cert_pem);
    const auto leaf = parse_cert(creds.server_cert_pem);
    const auto key = parse_key(creds.server_key_pem);
    REQUIRE(ca_cert);
    REQUIRE(leaf);
    REQUIRE(key);

    CHECK(verify(leaf.get(), ca_cert.get()) == X509_V_OK);
    CHECK(X509_check_private_key(leaf.get(), key.get()) == 1);
    CHECK(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0) == 1);
    CHECK(X509_check_host(leaf.get(), "example.com", 0, 0, nullptr) == 0);
    CHECK(X509_check_ip_asc(leaf.get(), "127.0.0.2", 0) == 0);
    CHECK(X509_check_ca(ca_cert.get()) == 1);
    CHECK(X509_check_ca(leaf.get()) == 0);
}

TEST_CASE("throwaway_ca: custom DNS names and IPs become SANs") {
    const throwaway_ca ca;
    const auto creds = ca.issue_server_certificate(
        {.dns_names = {"ivschat.test", "*.wild.test"}, .ip_addresses = {"::1", "10.1.2.3"}});
    const auto leaf = parse_cert(creds.server_cert_pem);
    REQUIRE(leaf);
    CHECK(X509_check_host(leaf.get(), "ivschat.test", 0, 0, nullptr) == 1);
    CHECK(X509_check_host(leaf.get(), "a.wild.test", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "::1", 0) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "10.1.2.3", 0) == 1);
    CHECK(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr) == 0);
}

TEST_CASE("throwaway_ca: a certificate does not verify against an unrelated CA") {
    const throwaway_ca ca;
    const throwaway_ca other;
    REQUIRE(ca.cert_pem() != other.cert_pem());
    const auto creds = ca.issue_server_certificate();
    const auto leaf = parse_cert(creds.server_cert_pem);
    const auto other_cert = parse_cert(other.cert_pem());
    CHECK(verify(leaf.get(), other_cert.get()) != X509_V_OK);
}

TEST_CASE("throwaway_ca: write_cert_pem writes the CA certificate") {
    const throwaway_ca ca;
    const auto path = std::filesystem::temp_directory_path() / "ivschat_throwaway_ca_test.pem";
    ca.write_cert_pem(path);
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    CHECK(content.str() == ca.cert_pem());
    std::filesystem::remove(path);
    CHECK_THROWS_AS(ca.write_cert_pem("/nonexistent-dir/ca.pem"), std::runtime_error);
}

TEST_CASE("throwaway_ca: make_server_credentials issues from a fresh CA") {
    const auto a = ivschat::testing::make_server_credentials();
    const auto b = ivschat::testing::make_server_credentials();
    CHECK(a.ca_cert_pem != b.ca_cert_pem);
    const auto leaf = parse_cert(a.server_cert_pem);
    const auto ca_cert = parse_cert(a.ca_cert_pem);
    CHECK(verify(leaf.get(), ca_cert.get()) == X509_V_OK);
}
