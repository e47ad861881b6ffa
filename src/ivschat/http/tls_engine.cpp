#include "ivschat/http/tls_engine.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/system/system_error.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstring>

namespace ivschat::http {

// OpenSSL's view of the engine's buffers: a BIO whose reads take from
// input() and whose writes append to output(). Writes never block; a read
// with nothing buffered asks to be retried, which OpenSSL reports as
// SSL_ERROR_WANT_READ.
struct tls_engine_bio {
    static tls_engine& engine(BIO* bio) { return *static_cast<tls_engine*>(BIO_get_data(bio)); }

    static int write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
        BIO_clear_retry_flags(bio);
        engine(bio).output_.append(data, size);
        *written = size;
        return 1;
    }

    static int read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
        BIO_clear_retry_flags(bio);
        auto& input = engine(bio).input_;
        if (input.size() == 0) {
            BIO_set_retry_read(bio);
            *read = 0;
            return 0;
        }
        const std::size_t n = std::min(size, input.size());
        std::memcpy(data, input.data().data(), n);
        input.consume(n);
        *read = n;
        return 1;
    }

    static long control(BIO* bio, int command, long, void*) {
        switch (command) {
        case BIO_CTRL_FLUSH:
            return 1;
        case BIO_CTRL_PENDING:
            return static_cast<long>(engine(bio).input_.size());
        default:
            return 0;
        }
    }

    static int create(BIO* bio) {
        BIO_set_init(bio, 1);
        return 1;
    }

    static const BIO_METHOD* method() {
        static BIO_METHOD* const m = [] {
            BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ivschat tls_engine");
            if (made == nullptr) return made;
            BIO_meth_set_write_ex(made, write);
            BIO_meth_set_read_ex(made, read);
            BIO_meth_set_ctrl(made, control);
            BIO_meth_set_create(made, create);
            return made;
        }();
        return m;
    }
};

namespace {

[[noreturn]] void throw_openssl_failure(const char* what) {
    throw boost::system::system_error(take_openssl_error(), what);
}

class certificate_error_category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "ivschat.certificate"; }

    std::string message(int value) const override {
        return std::string("certificate verify failed: ") + reason(value);
    }

private:
    static std::string reason(int value) {
        switch (value) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "the server's certificate has expired";
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "the server's certificate is not yet valid";
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return "the server's certificate does not name the host";
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
            return "the server's certificate has an unknown issuer";
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return "the server's certificate is self-signed and not trusted";
        default:
            return X509_verify_cert_error_string(value);
        }
    }
};

// OpenSSL says only "certificate verify failed"; the session's verify
// result says why.
boost::system::error_code verification_error(SSL* ssl, const boost::system::error_code& ec) {
    const long result = SSL_get_verify_result(ssl);
    const auto code = static_cast<unsigned long>(static_cast<unsigned>(ec.value()));
    const bool verify_failed = ec.category() == boost::asio::error::get_ssl_category() &&
                               ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED;
    if (!verify_failed || result == X509_V_OK) return ec;
    return {static_cast<int>(result), certificate_category()};
}

}  // namespace

const boost::system::error_category& certificate_category() noexcept {
    static const certificate_error_category category;
    return category;
}

tls_engine::tls_engine(SSL_CTX* ctx) : ssl_(SSL_new(ctx)) {
    if (ssl_ == nullptr) throw_openssl_failure("SSL_new");
    const BIO_METHOD* method = tls_engine_bio::method();
    BIO* bio = method != nullptr ? BIO_new(method) : nullptr;
    if (bio == nullptr) {
        SSL_free(ssl_);
        throw_openssl_failure("BIO_new");
    }
    BIO_set_data(bio, this);
    SSL_set_bio(ssl_, bio, bio);  // one BIO both ways: the session owns it
    SSL_set_connect_state(ssl_);
}

tls_engine::~tls_engine() { SSL_free(ssl_); }

tls_engine::status tls_engine::handshake(boost::system::error_code& ec) {
    return outcome(SSL_do_handshake(ssl_), ec);
}

tls_engine::status tls_engine::write(boost::asio::const_buffer plaintext, boost::system::error_code& ec) {
    std::size_t written = 0;
    switch (outcome(SSL_write_ex(ssl_, plaintext.data(), plaintext.size(), &written), ec)) {
    case status::done:
        return status::done;
    case status::closed:
        ec = boost::asio::ssl::error::stream_truncated;
        return status::failed;
    case status::want_input:
        // Only a session that has not finished its handshake waits here.
        ec = boost::asio::ssl::error::unspecified_system_error;
        return status::failed;
    case status::failed:
        break;
    }
    return status::failed;
}

tls_engine::status tls_engine::read(boost::asio::mutable_buffer out, std::size_t& n,
                                    boost::system::error_code& ec) {
    n = 0;
    return outcome(SSL_read_ex(ssl_, out.data(), out.size(), &n), ec);
}

// SSL_get_error() would trust whatever sits in the thread's error queue,
// which forces an ERR_clear_error() before every call (a thread-local lookup
// each time). A step that wants input is told by the session's own state
// instead, so the queue is read, and cleared, only after a failure. A fatal
// alert also marks the shutdown as received, but leaves its reason queued:
// only a shutdown without an error is the peer's close_notify.
tls_engine::status tls_engine::outcome(int ret, boost::system::error_code& ec) {
    if (ret > 0) return status::done;
    if (SSL_want_read(ssl_)) return status::want_input;
    if ((SSL_get_shutdown(ssl_) & SSL_RECEIVED_SHUTDOWN) != 0 && ERR_peek_error() == 0) return status::closed;
    ec = verification_error(ssl_, take_openssl_error());
    return status::failed;
}

boost::system::error_code expect_peer_name(SSL* ssl, const std::string& host, bool host_is_ip, bool verify_peer) {
    if (!host_is_ip && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) return take_openssl_error();
    if (!verify_peer) return {};
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int named = host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                 : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    return named == 1 ? boost::system::error_code{} : take_openssl_error();
}

boost::system::error_code take_openssl_error() noexcept {
    const auto code = static_cast<int>(ERR_peek_last_error());
    ERR_clear_error();
    return code != 0 ? boost::system::error_code(code, boost::asio::error::get_ssl_category())
                     : boost::system::error_code(boost::asio::ssl::error::unspecified_system_error);
}

}  // namespace ivschat::http
