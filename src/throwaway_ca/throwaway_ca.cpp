#include <ivschat/throwaway_ca.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <stdexcept>

namespace ivschat::testing {
namespace {

template <auto Free>
struct openssl_deleter {
    template <class T>
    void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO_free>>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BN_free>>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, openssl_deleter<X509_EXTENSION_free>>;

[[noreturn]] void fail(const char* what) {
    char reason[256] = "no OpenSSL reason";
    if (auto code = ERR_get_error(); code != 0) ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    throw std::runtime_error(std::string("throwaway_ca: ") + what + ": " + reason);
}

template <class T>
T* check(T* p, const char* what) {
    if (p == nullptr) fail(what);
    return p;
}

void check(int rc, const char* what) {
    if (rc <= 0) fail(what);
}

pkey_ptr generate_key() {
    return pkey_ptr{check(EVP_EC_gen("P-256"), "EVP_EC_gen")};
}

template <class Write>
std::string to_pem(Write write, const char* what) {
    bio_ptr bio{check(BIO_new(BIO_s_mem()), "BIO_new")};
    check(write(bio.get()), what);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string cert_to_pem(X509* cert) {
    return to_pem([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); }, "PEM_write_bio_X509");
}

std::string key_to_pem(EVP_PKEY* key) {
    return to_pem(
        [key](BIO* bio) {
            return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
        },
        "PEM_write_bio_PrivateKey");
}

void set_common_name(X509_NAME* name, const std::string& common_name) {
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                     -1, -1, 0),
          "X509_NAME_add_entry_by_txt");
}

// A certificate skeleton: v3, random 159-bit serial, validity, public key.
x509_ptr new_certificate(EVP_PKEY* subject_key, std::chrono::seconds valid_from, std::chrono::seconds valid_for) {
    x509_ptr cert{check(X509_new(), "X509_new")};
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
    bignum_ptr serial{check(BN_new(), "BN_new")};
    check(BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
    check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())),
          "BN_to_ASN1_INTEGER");
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(valid_from.count())),
          "X509_gmtime_adj");
    check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(valid_for.count())),
          "X509_gmtime_adj");
    check(X509_set_pubkey(cert.get(), subject_key), "X509_set_pubkey");
    return cert;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    extension_ptr ext{check(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()),
                            "X509V3_EXT_conf_nid")};
    check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

std::string subject_alt_names(const server_certificate_options& options) {
    std::string names;
    const auto append = [&names](const char* kind, const std::string& value) {
        if (!names.empty()) names += ',';
        names += kind;
        names += value;
    };
    for (const auto& dns : options.dns_names) append("DNS:", dns);
    for (const auto& ip : options.ip_addresses) append("IP:", ip);
    return names;
}

}  // namespace

struct throwaway_ca::state {
    pkey_ptr key;
    x509_ptr cert;
    std::string cert_pem;
};

throwaway_ca::throwaway_ca(std::string common_name) : state_(std::make_unique<state>()) {
    state_->key = generate_key();
    state_->cert = new_certificate(state_->key.get(), -std::chrono::hours{1}, std::chrono::hours{24 * 30});
    X509* cert = state_->cert.get();
    set_common_name(X509_get_subject_name(cert), common_name);
    check(X509_set_issuer_name(cert, X509_get_subject_name(cert)), "X509_set_issuer_name");
    add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert, cert, NID_subject_key_identifier, "hash");
    check(X509_sign(cert, state_->key.get(), EVP_sha256()), "X509_sign");
    state_->cert_pem = cert_to_pem(cert);
}

throwaway_ca::~throwaway_ca() = default;
throwaway_ca::throwaway_ca(throwaway_ca&&) noexcept = default;
throwaway_ca& throwaway_ca::operator=(throwaway_ca&&) noexcept = default;

const std::string& throwaway_ca::cert_pem() const noexcept {
    return state_->cert_pem;
}

server_credentials throwaway_ca::issue_server_certificate(
    const server_certificate_options& options) const {
    pkey_ptr key = generate_key();
    x509_ptr cert = new_certificate(key.get(), options.valid_from, options.valid_for);
    X509* ca_cert = state_->cert.get();
    set_common_name(X509_get_subject_name(cert.get()),
                    options.dns_names.empty() ? std::string("ivschat test server")
                                              : options.dns_names.front());
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert)),
          "X509_set_issuer_name");
    add_extension(cert.get(), ca_cert, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ca_cert, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), ca_cert, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), ca_cert, NID_authority_key_identifier, "keyid:always");
    if (const auto names = subject_alt_names(options); !names.empty()) {
        add_extension(cert.get(), ca_cert, NID_subject_alt_name, names);
    }
    check(X509_sign(cert.get(), state_->key.get(), EVP_sha256()), "X509_sign");
    return {state_->cert_pem, cert_to_pem(cert.get()), key_to_pem(key.get())};
}

void throwaway_ca::write_cert_pem(const std::filesystem::path& path) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << state_->cert_pem;
    out.close();
    if (!out) throw std::runtime_error("throwaway_ca: cannot write " + path.string());
}

server_credentials make_server_credentials(const server_certificate_options& options) {
    return throwaway_ca{}.issue_server_certificate(options);
}

}  // namespace ivschat::testing
