#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>

#include <openssl/ssl.h>

#include <cstddef>
#include <string>

namespace ivschat::http {

/// The TLS side of one client connection, without I/O: OpenSSL reads the
/// ciphertext that arrived from input() and appends what must be sent to
/// output(); the connection moves those bytes over its socket.
///
/// Why not asio::ssl::stream: it keeps four 17 KB buffers per connection
/// (its own two and a BIO pair's) and copies every byte through them. Here
/// ciphertext is copied once, between the socket's bytes and OpenSSL, and a
/// connection holds only what is in flight (about 100 KB less per pooled
/// connection; see benchmarks/README.md).
class tls_engine {
public:
    enum class status {
        done,        ///< the step completed
        want_input,  ///< more ciphertext is needed: read the socket into input()
        closed,      ///< the peer sent close_notify (a fatal alert is `failed`)
        failed,      ///< a TLS error, reported in the error_code
    };

    /// A client session on `ctx` (which keeps its settings: verification,
    /// protocol versions, session callbacks). Throws
    /// boost::system::system_error if OpenSSL cannot allocate it.
    explicit tls_engine(SSL_CTX* ctx);
    ~tls_engine();
    tls_engine(const tls_engine&) = delete;
    tls_engine& operator=(const tls_engine&) = delete;

    SSL* native_handle() noexcept { return ssl_; }

    /// Ciphertext received and not consumed yet: the socket reads into
    /// input().prepare(n) and commits what arrived.
    boost::beast::flat_buffer& input() noexcept { return input_; }
    const boost::beast::flat_buffer& input() const noexcept { return input_; }
    /// Ciphertext to send, in order: the caller writes it, then clears it.
    std::string& output() noexcept { return output_; }
    const std::string& output() const noexcept { return output_; }

    /// One step of the client handshake.
    status handshake(boost::system::error_code& ec);
    /// Encrypts all of `plaintext` into output(): done, or failed (after the
    /// peer's close_notify: asio::ssl::error::stream_truncated).
    status write(boost::asio::const_buffer plaintext, boost::system::error_code& ec);
    /// Decrypts up to out.size() bytes into `out`, setting `n`. A TLS 1.3
    /// record that is not application data (a session ticket, a key update)
    /// may leave something in output() to send.
    status read(boost::asio::mutable_buffer out, std::size_t& n, boost::system::error_code& ec);

private:
    friend struct tls_engine_bio;

    status outcome(int ret, boost::system::error_code& ec);

    SSL* ssl_;
    boost::beast::flat_buffer input_;
    std::string output_;
};

/// The category of a failed certificate verification, named
/// "ivschat.certificate": the value is OpenSSL's X509_V_ERR_* code, the
/// message says why ("certificate verify failed: the server's certificate
/// has expired", ... not yet valid, ... does not name the host, ... unknown
/// issuer, ... self-signed). A handshake that fails verification reports
/// this instead of OpenSSL's generic "certificate verify failed".
const boost::system::error_category& certificate_category() noexcept;

/// Sends `host` in SNI (unless it is an IP address) and, when verifying,
/// makes the certificate check require it: the DNS name or IP address the
/// certificate must name, with no partial wildcards.
boost::system::error_code expect_peer_name(SSL* ssl, const std::string& host, bool host_is_ip, bool verify_peer);

/// The latest error in this thread's OpenSSL error queue, in asio's SSL
/// category, and an empty queue afterwards. Never success: when OpenSSL
/// failed without saying why, asio::ssl::error::unspecified_system_error.
boost::system::error_code take_openssl_error() noexcept;

}  // namespace ivschat::http
