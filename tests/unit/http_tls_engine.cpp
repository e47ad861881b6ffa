// The sans-io TLS engine against an OpenSSL server session in memory: no
// sockets, so every byte boundary and every failure can be chosen.
#include "ivschat/http/tls_engine.hpp"

#include <ivschat/throwaway_ca.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using ivschat::http::tls_engine;
using status = tls_engine::status;

asio::ssl::context client_context(const std::string& ca_pem) {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    ctx.add_certificate_authority(asio::buffer(ca_pem));
    return ctx;
}

// An OpenSSL server session whose ciphertext goes through two memory BIOs.
class memory_server {
public:
    explicit memory_server(const ivschat::testing::server_credentials& credentials)
        : ctx_(asio::ssl::context::tls_server) {
        ctx_.use_certificate_chain(asio::buffer(credentials.server_cert_pem));
        ctx_.use_private_key(asio::buffer(credentials.server_key_pem), asio::ssl::context::pem);
        ssl_.reset(SSL_new(ctx_.native_handle()));
        from_client_ = BIO_new(BIO_s_mem());
        to_client_ = BIO_new(BIO_s_mem());
        SSL_set_bio(ssl_.get(), from_client_, to_client_);
        SSL_set_accept_state(ssl_.get());
    }

    SSL* ssl() { return ssl_.get(); }

    void receive(std::string& ciphertext) {
        if (!ciphertext.empty()) BIO_write(from_client_, ciphertext.data(), static_cast<int>(ciphertext.size()));
        ciphertext.clear();
    }

    std::string take_output() {
        std::string out(static_cast<std::size_t>(BIO_pending(to_client_)), '\0');
        if (!out.empty()) BIO_read(to_client_, out.data(), static_cast<int>(out.size()));
        return out;
    }

    void step_handshake() { SSL_do_handshake(ssl_.get()); }

    std::string read_plaintext() {
        std::string text(4096, '\0');
        std::size_t n = 0;
        if (SSL_read_ex(ssl_.get(), text.data(), text.size(), &n) != 1) n = 0;
        text.resize(n);
        return text;
    }

    void write_plaintext(const std::string& text) {
        std::size_t n = 0;
        REQUIRE(SSL_write_ex(ssl_.get(), text.data(), text.size(), &n) == 1);
    }

private:
    asio::ssl::context ctx_;
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl_{nullptr, &SSL_free};
    BIO* from_client_;
    BIO* to_client_;
};

void deliver(tls_engine& client, const std::string& ciphertext) {
    auto space = client.input().prepare(ciphertext.size());
    asio::buffer_copy(space, asio::buffer(ciphertext));
    client.input().commit(ciphertext.size());
}

// Runs the handshake to completion, moving bytes both ways; returns the
// client's last status.
status handshake(tls_engine& client, memory_server& server, error_code& ec) {
    for (int round = 0; round < 10; ++round) {
        const status step = client.handshake(ec);
        server.receive(client.output());
        server.step_handshake();
        deliver(client, server.take_output());
        if (step != status::want_input) return step;
    }
    FAIL("the handshake did not finish in 10 rounds");
    return status::failed;
}

// Decrypts everything buffered in the client, one read at a time.
std::string read_all(tls_engine& client, status& last) {
    std::string text;
    for (;;) {
        char chunk[512];
        std::size_t n = 0;
        error_code ec;
        last = client.read(asio::buffer(chunk), n, ec);
        if (last != status::done) return text;
        text.append(chunk, n);
    }
}

struct connected_pair {
    ivschat::testing::server_credentials credentials = ivschat::testing::make_server_credentials();
    asio::ssl::context ctx = client_context(credentials.ca_cert_pem);
    memory_server server{credentials};
    tls_engine client{ctx.native_handle()};

    connected_pair() {
        X509_VERIFY_PARAM_set1_host(SSL_get0_param(client.native_handle()), "localhost", 0);
        error_code ec;
        REQUIRE(handshake(client, server, ec) == status::done);
        REQUIRE_FALSE(ec);
    }
};

}  // namespace

TEST_CASE("tls_engine: handshake, then a request and its response") {
    connected_pair pair;
    error_code ec;
    const std::string request = "POST /CreateChatToken HTTP/1.1\r\n\r\n";
    REQUIRE(pair.client.write(asio::buffer(request), ec) == status::done);
    pair.server.receive(pair.client.output());
    CHECK(pair.server.read_plaintext() == request);

    pair.server.write_plaintext("HTTP/1.1 200 OK\r\n\r\n");
    deliver(pair.client, pair.server.take_output());
    status last{};
    // TLS 1.3 session tickets come first; the engine consumes them silently.
    CHECK(read_all(pair.client, last) == "HTTP/1.1 200 OK\r\n\r\n");
    CHECK(last == status::want_input);
    CHECK(pair.client.input().size() == 0);
}

TEST_CASE("tls_engine: records arriving one byte at a time") {
    connected_pair pair;
    const std::string body(3000, 'x');
    pair.server.write_plaintext(body);
    const std::string ciphertext = pair.server.take_output();
    std::string text;
    for (char byte : ciphertext) {
        deliver(pair.client, std::string(1, byte));
        status last{};
        text += read_all(pair.client, last);
        REQUIRE(last == status::want_input);
    }
    CHECK(text == body);
}

TEST_CASE("tls_engine: the server's close_notify reads as closed") {
    connected_pair pair;
    SSL_shutdown(pair.server.ssl());
    deliver(pair.client, pair.server.take_output());
    status last{};
    CHECK(read_all(pair.client, last).empty());
    CHECK(last == status::closed);
}

TEST_CASE("tls_engine: a fatal alert from the server fails the read, unlike close_notify") {
    connected_pair pair;
    error_code ec;
    REQUIRE(pair.client.write(asio::buffer(std::string("POST / HTTP/1.1\r\n\r\n")), ec) == status::done);
    // A flipped byte in the record: the server's decryption fails and it
    // answers with a fatal bad_record_mac alert.
    pair.client.output().back() ^= 0x01;
    pair.server.receive(pair.client.output());
    CHECK(pair.server.read_plaintext().empty());
    ERR_clear_error();  // the server's failure, on this same thread
    deliver(pair.client, pair.server.take_output());
    char chunk[64];
    std::size_t n = 0;
    CHECK(pair.client.read(asio::buffer(chunk), n, ec) == status::failed);
    CHECK(ec.category() == asio::error::get_ssl_category());
    CHECK(ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_SSLV3_ALERT_BAD_RECORD_MAC);
    CHECK(ERR_peek_error() == 0);
    // Nothing is sent after the session failed.
    CHECK(pair.client.write(asio::buffer(std::string("more")), ec) == status::failed);
}

TEST_CASE("tls_engine: garbage instead of a record fails with OpenSSL's reason and a clean error queue") {
    connected_pair pair;
    deliver(pair.client, std::string("HTTP/1.1 400 Bad Request\r\n\r\n"));
    char chunk[64];
    std::size_t n = 0;
    error_code ec;
    CHECK(pair.client.read(asio::buffer(chunk), n, ec) == status::failed);
    CHECK(ec.category() == asio::error::get_ssl_category());
    CHECK(ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_WRONG_VERSION_NUMBER);
    CHECK(ERR_peek_error() == 0);
}

TEST_CASE("tls_engine: an error left in the thread's queue by other code does not fail a read") {
    connected_pair pair;
    // Any failed OpenSSL call leaves an entry behind.
    CHECK(BIO_new_file("/nonexistent/ivschat", "r") == nullptr);
    REQUIRE(ERR_peek_error() != 0);
    char chunk[64];
    std::size_t n = 0;
    error_code ec;
    CHECK(pair.client.read(asio::buffer(chunk), n, ec) == status::want_input);
    CHECK_FALSE(ec);
    ERR_clear_error();
}

TEST_CASE("tls_engine: a certificate from another CA or for another name fails the handshake") {
    const auto credentials = ivschat::testing::make_server_credentials();
    const bool wrong_ca = GENERATE(true, false);
    const ivschat::testing::throwaway_ca other_ca;
    auto ctx = client_context(wrong_ca ? other_ca.cert_pem() : credentials.ca_cert_pem);
    memory_server server(credentials);
    tls_engine client(ctx.native_handle());
    X509_VERIFY_PARAM_set1_host(SSL_get0_param(client.native_handle()),
                                wrong_ca ? "localhost" : "chat.example.com", 0);
    error_code ec;
    CHECK(handshake(client, server, ec) == status::failed);
    CHECK(ec.category() == ivschat::http::certificate_category());
    CHECK(ec.value() == (wrong_ca ? X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY : X509_V_ERR_HOSTNAME_MISMATCH));
    CHECK(ec.message() == (wrong_ca ? "certificate verify failed: the server's certificate has an unknown issuer"
                                    : "certificate verify failed: the server's certificate does not name the host"));
}
