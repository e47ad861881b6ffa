#pragma once

#include <ivschat/emulator/chat_room_registry.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>

namespace ivschat::emulator {

/// The server's connection types (one strand for everything).
using chat_plain_stream =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::strand<boost::asio::io_context::executor_type>>;
using chat_tls_stream = boost::asio::ssl::stream<chat_plain_stream>;

/// Takes over a connection whose HTTP request is a WebSocket upgrade: checks
/// the chat token it carries as Sec-WebSocket-Protocol (a refusal is an HTTP
/// 4xx with a short text reason, then the connection closes), completes the
/// handshake echoing the token, joins the token's room and serves the
/// Messaging API until either side closes. The session keeps `registry`
/// (and what owns it) alive while it runs.
void start_chat_session(std::shared_ptr<chat_room_registry> registry, chat_plain_stream stream,
                        boost::beast::http::request<boost::beast::http::string_body> upgrade);
void start_chat_session(std::shared_ptr<chat_room_registry> registry, chat_tls_stream stream,
                        boost::beast::http::request<boost::beast::http::string_body> upgrade);

}  // namespace ivschat::emulator
