// The Messaging WebSocket endpoint over real sockets, with a Beast websocket
// client: the handshake and its refusals, every action and error, the control
// plane's events, DeleteRoom, session expiry, frame limits, a slow client.
#include "emulator_chat_client.hpp"

using namespace emulator_test;

TEST_CASE("messaging: the upgrade echoes the token and refuses missing, forged, reused and expired ones",
          "[emulator][messaging]") {
    chat_fixture f({.service = {.chat_minute = 1s}});
    CHECK(f.emulator.on_server([](auto& s) { return s.messaging_endpoint(); }) ==
          "ws://127.0.0.1:" + std::to_string(f.emulator.port()));
    const auto token = f.token("alice");
    auto alice = f.connect(token);

    const auto refused = [&](const std::string& t) {
        chat_client c;
        auto result = c.open(f.emulator.port(), t);
        CHECK_FALSE(result.accepted);
        return result;
    };
    auto reused = refused(token);
    CHECK(reused.status == 401);
    CHECK(reused.body == "chat token already used\n");
    CHECK(refused("").body == "missing chat token (Sec-WebSocket-Protocol)\n");
    auto forged = f.token("mallory");
    forged[forged.size() - 5] = forged[forged.size() - 5] == 'A' ? 'B' : 'A';
    auto forged_result = refused(forged);
    CHECK(forged_result.status == 401);
    CHECK(forged_result.body == "invalid chat token\n");

    // A token outlives its room only to be refused with 404.
    const auto other_room = f.create_room({});
    const auto orphan = f.token("bob", {}, 60, other_room);
    REQUIRE(call(f.control, "DeleteRoom", {{"identifier", other_room}}).status == 204);
    CHECK(refused(orphan).status == 404);

    // One chat minute lasts a second here: the token is valid for one.
    const auto late = f.token("carol");
    std::this_thread::sleep_for(1200ms);
    auto expired = refused(late);
    CHECK(expired.status == 401);
    CHECK(expired.body == "chat token expired\n");
    alice->close();
    CHECK(f.emulator.on_server([](auto& s) { return s.messaging().counters().upgrades_refused; }) == 5);
}

TEST_CASE("messaging: wss on the control plane's certificate", "[emulator][messaging]") {
    chat_fixture f({.tls = true});
    CHECK(f.emulator.on_server([](auto& s) { return s.messaging_endpoint(); }).starts_with("wss://127.0.0.1:"));
    const auto token = f.token("u", {"SEND_MESSAGE"});
    asio::ssl::context ssl(asio::ssl::context::tls_client);
    ssl.load_verify_file(f.emulator.ca_bundle().string());
    ssl.set_verify_mode(asio::ssl::verify_peer);
    basic_chat_client<asio::ssl::stream<tcp::socket>> c(ssl);
    const auto opened = c.open(f.emulator.port(), token);
    REQUIRE(opened.accepted);
    CHECK(opened.protocol == token);
    c.send(R"({"Action":"SEND_MESSAGE","RequestId":"t","Content":"over TLS"})");
    auto message = c.expect_frame();
    CHECK(str(message, "Content") == "over TLS");
    c.close();
}

TEST_CASE("messaging: actions, broadcasts and errors on the wire", "[emulator][messaging]") {
    chat_fixture f;
    REQUIRE(call(f.control, "UpdateRoom", {{"identifier", f.room}, {"maximumMessageLength", 8}}).status == 200);
    auto mod = f.connect(f.token("mod", {"SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"}));
    auto bob = f.connect(f.token("bob", {"SEND_MESSAGE"}));
    auto viewer = f.connect(f.token("viewer"));

    bob->send(R"({"Action":"SEND_MESSAGE","RequestId":"r1","Content":"hi all","Attributes":{"k":"v"}})");
    std::string message_id;
    for (auto* c : {mod.get(), bob.get(), viewer.get()}) {
        auto m = c->expect_frame();
        CHECK(str(m, "Type") == "MESSAGE");
        CHECK(str(m, "RequestId") == "r1");
        CHECK(str(m, "Content") == "hi all");
        CHECK(m.at("Attributes") == json::object{{"k", "v"}});
        CHECK(m.at("Sender") == json::object{{"UserId", "bob"}, {"Attributes", json::object{{"color", "blue"}}}});
        message_id = str(m, "Id");
        CHECK(message_id.size() == 12);
        CHECK(str(m, "SendTime").size() == 30);
    }

    // Errors go to the sender only; the connection stays up after each.
    bob->send(R"({"Action":"SEND_MESSAGE","RequestId":"long","Content":"123456789"})");
    bob->expect_error(400, "long");
    bob->send("{not json");
    bob->expect_error(400, "");
    bob->send("{\"Action\":\"SEND_MESSAGE\",\"Content\":\"\xc3\x28\"}", false);  // invalid UTF-8, binary frame
    bob->expect_error(400, "");
    bob->send(json::serialize(json::object{{"Action", "SEND_MESSAGE"}, {"RequestId", "big"}, {"Content", "x"},
                                           {"Attributes", {{"a", std::string(2000, 'a')}}}}));
    bob->expect_error(413, "big");
    bob->send(R"({"Action":"DELETE_MESSAGE","RequestId":"no","Id":"AAAAAAAAAAAA"})");
    bob->expect_error(403, "no");
    viewer->send(R"({"Action":"SEND_MESSAGE","RequestId":"v","Content":"hi"})");
    viewer->expect_error(403, "v");

    mod->send(R"({"Action":"DELETE_MESSAGE","RequestId":"d1","Id":")" + message_id + R"(","Reason":"spam"})");
    for (auto* c : {mod.get(), bob.get(), viewer.get()}) {
        auto e = c->expect_frame();
        CHECK(str(e, "EventName") == "aws:DELETE_MESSAGE");
        CHECK(str(e, "RequestId") == "d1");
        CHECK(e.at("Attributes") == json::object{{"MessageId", message_id}, {"MessageID", message_id}, {"Reason", "spam"}});
    }

    mod->send(R"({"Action":"DISCONNECT_USER","RequestId":"k1","UserId":"bob","Reason":"rude"})");
    for (auto* c : {mod.get(), viewer.get()}) CHECK(str(c->expect_frame(), "EventName") == "aws:DISCONNECT_USER");
    auto last = bob->read_to_end();
    REQUIRE(last.size() == 1);
    CHECK(last[0].at("Attributes") == json::object{{"UserId", "bob"}, {"Reason", "rude"}});
    CHECK(bob->close_code() == 1000);

    // Errors left the connections up: the viewer is still answered.
    viewer->send(R"({"Action":"SEND_MESSAGE","Content":"ok"})");
    viewer->expect_error(403, "");
    mod->close();
}

TEST_CASE("messaging: invalid UTF-8 in a text frame closes with 1007, an oversized message with 1009",
          "[emulator][messaging]") {
    chat_fixture f({.messaging = {.max_client_message_bytes = 1024}});
    auto a = f.connect(f.token("a", {"SEND_MESSAGE"}));
    auto b = f.connect(f.token("b", {"SEND_MESSAGE"}));
    a->send("{\"Action\":\"SEND_MESSAGE\",\"Content\":\"\xff\"}");
    CHECK(a->read_to_end().empty());
    CHECK(a->close_code() == 1007);
    b->send(std::string(2000, ' ') + "{}");
    CHECK(b->read_to_end().empty());
    // The close frame races the server's close of a socket with unread bytes
    // (then the peer sees a reset): when it arrives, it says 1009.
    CHECK((b->close_code() == 1009 || b->close_code() == 0));
}

TEST_CASE("messaging: the room's rate counts every client; UpdateRoom applies to the next message",
          "[emulator][messaging]") {
    chat_fixture f;
    REQUIRE(call(f.control, "UpdateRoom", {{"identifier", f.room}, {"maximumMessageRatePerSecond", 2}}).status == 200);
    auto a = f.connect(f.token("a", {"SEND_MESSAGE"}));
    auto b = f.connect(f.token("b", {"SEND_MESSAGE"}));
    // Each send waits for its broadcast, so the server sees them in this
    // order even though they travel on two connections.
    a->send(R"({"Action":"SEND_MESSAGE","RequestId":"1","Content":"one"})");
    CHECK(str(a->expect_frame(), "RequestId") == "1");
    b->send(R"({"Action":"SEND_MESSAGE","RequestId":"2","Content":"two"})");
    CHECK(str(a->expect_frame(), "RequestId") == "2");
    a->send(R"({"Action":"SEND_MESSAGE","RequestId":"3","Content":"three"})");
    a->expect_error(429, "3");
    REQUIRE(call(f.control, "UpdateRoom", {{"identifier", f.room}, {"maximumMessageLength", 2}}).status == 200);
    std::this_thread::sleep_for(1100ms);  // a fresh rate window
    b->send(R"({"Action":"SEND_MESSAGE","RequestId":"4","Content":"abc"})");
    b->expect_frame();  // "one"
    b->expect_frame();  // "two"
    b->expect_error(400, "4");
}

TEST_CASE("messaging: SendEvent, DeleteMessage, DisconnectUser and DeleteRoom reach connected clients",
          "[emulator][messaging]") {
    chat_fixture f;
    auto a = f.connect(f.token("a"));
    auto b = f.connect(f.token("b"));
    auto sent = call(f.control, "SendEvent", {{"roomIdentifier", f.room}, {"eventName", "poll"}, {"attributes", {{"q", "1"}}}});
    REQUIRE(sent.status == 200);
    auto deleted = call(f.control, "DeleteMessage", {{"roomIdentifier", f.room}, {"id", "AbCdEf123456"}, {"reason", "r"}});
    REQUIRE(deleted.status == 200);
    REQUIRE(call(f.control, "DisconnectUser", {{"roomIdentifier", f.room}, {"userId", "b"}}).status == 200);
    for (auto* c : {a.get(), b.get()}) {
        auto poll = c->expect_frame();
        CHECK(str(poll, "Id") == str(sent.json, "id"));
        CHECK(str(poll, "EventName") == "poll");
        CHECK(str(poll, "RequestId") == "");
        auto del = c->expect_frame();
        CHECK(str(del, "Id") == str(deleted.json, "id"));
        CHECK(del.at("Attributes") == json::object{{"MessageId", "AbCdEf123456"}, {"MessageID", "AbCdEf123456"}, {"Reason", "r"}});
        auto kick = c->expect_frame();
        CHECK(kick.at("Attributes") == json::object{{"UserId", "b"}, {"Reason", ""}});
    }
    CHECK(b->read_to_end().empty());
    CHECK(b->close_code() == 1000);

    REQUIRE(call(f.control, "DeleteRoom", {{"identifier", f.room}}).status == 204);
    CHECK(a->read_to_end().empty());
    CHECK(a->close_code() == 1000);
    CHECK(a->close_reason() == "room deleted");
    CHECK(settled_connection_count(f.emulator, 0) == 0);
}

TEST_CASE("messaging: a session ends at its expiry with ERROR 401, then a close", "[emulator][messaging]") {
    // One chat minute lasts a second: a one-minute session ends after about a second.
    chat_fixture f({.service = {.chat_minute = 1s}});
    auto brief = f.connect(f.token("brief", {}, 1));
    auto lasting = f.connect(f.token("lasting", {}, 180));
    auto frames = brief->read_to_end();
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].at("ErrorCode") == 401);
    CHECK(brief->close_code() == 1000);
    CHECK(brief->close_reason() == "session expired");
    REQUIRE(call(f.control, "SendEvent", {{"roomIdentifier", f.room}, {"eventName", "still-here"}}).status == 200);
    CHECK(str(lasting->expect_frame(), "EventName") == "still-here");
}

TEST_CASE("messaging: a client that stops reading is disconnected; the room's broadcast goes on",
          "[emulator][messaging]") {
    chat_fixture f({.messaging = {.max_queued_frames = 8, .close_timeout = 1s}});
    auto fast = f.connect(f.token("fast"));
    chat_client slow;
    REQUIRE(slow.open(f.emulator.port(), f.token("slow"), 4096).accepted);
    const std::string filler(900, 'x');
    int sent = 0;
    for (; sent < 20000; ++sent) {
        REQUIRE(call(f.control, "SendEvent",
                     {{"roomIdentifier", f.room}, {"eventName", "flood"}, {"attributes", {{"f", filler}}}})
                    .status == 200);
        // The fast client keeps up (frames are read as they come).
        CHECK(str(fast->expect_frame(), "EventName") == "flood");
        if (sent % 16 == 0 &&
            f.emulator.on_server([](auto& s) { return s.messaging().counters().slow_clients_disconnected; }) > 0)
            break;
    }
    REQUIRE(sent < 20000);
    const auto frames = slow.read_to_end();
    CHECK(frames.size() < static_cast<std::size_t>(sent));
    INFO(frames.size() << " of " << sent);
    CHECK((slow.close_code() == 1008 || slow.close_code() == 0));
    CHECK(settled_connection_count(f.emulator, 1) == 1);
}

TEST_CASE("messaging: upgrades beyond the connection quota are refused with 429", "[emulator][messaging][quotas]") {
    chat_fixture f({.messaging = {.max_connections = 2}});
    auto a = f.connect(f.token("a"));
    auto b = f.connect(f.token("b"));
    chat_client third;
    const auto refused = third.open(f.emulator.port(), f.token("c"));
    CHECK_FALSE(refused.accepted);
    CHECK(refused.status == 429);
    CHECK(refused.body == "too many chat connections (2)\n");
    b->close();
    REQUIRE(settled_connection_count(f.emulator, 1) == 1);
    auto c = f.connect(f.token("c"));
}
