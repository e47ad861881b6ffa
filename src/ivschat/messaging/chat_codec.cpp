#include "ivschat/messaging/chat_codec.hpp"

#include "ivschat/time_format.hpp"

#include <boost/json.hpp>

#include <array>
#include <cstddef>
#include <cstdio>
#include <random>

namespace ivschat::messaging {

namespace json = boost::json;

namespace {

// Reads the frame's fields; the first problem met is kept and later reads
// return defaults.
class reader {
public:
    explicit reader(const json::object& object) : object_(object) {}

    std::string string(std::string_view key, bool required) {
        const auto* v = object_.if_contains(key);
        if (!v || v->is_null()) {
            if (required) fail(std::string(key) + " is missing");
            return {};
        }
        if (!v->is_string()) {
            fail(std::string(key) + " is not a string");
            return {};
        }
        return std::string(v->get_string());
    }

    chat_attributes attributes(const json::object& holder) {
        chat_attributes out;
        const auto* v = holder.if_contains("Attributes");
        if (!v || v->is_null()) return out;
        if (!v->is_object()) {
            fail("Attributes is not an object");
            return out;
        }
        for (const auto& [key, value] : v->get_object()) {
            if (!value.is_string()) {
                fail("Attributes." + std::string(key) + " is not a string");
                return out;
            }
            out.emplace(std::string(key), std::string(value.get_string()));
        }
        return out;
    }

    chat_time send_time() {
        const auto text = string("SendTime", true);
        if (!problem_.empty()) return {};
        const auto parsed = detail::parse_iso8601(text);
        if (!parsed) {
            fail("SendTime is not an RFC 3339 time");
            return {};
        }
        return std::chrono::time_point_cast<std::chrono::nanoseconds>(*parsed);
    }

    void fail(std::string problem) {
        if (problem_.empty()) problem_ = std::move(problem);
    }
    const std::string& problem() const { return problem_; }

private:
    const json::object& object_;
    std::string problem_{};
};

std::string attribute(const chat_attributes& attributes, std::string_view key) {
    const auto it = attributes.find(std::string(key));
    return it == attributes.end() ? std::string() : it->second;
}

template <class Frame>
decoded_frame finish(reader& r, Frame frame, std::string_view text) {
    if (!r.problem().empty()) return {std::nullopt, r.problem()};
    frame.json = std::string(text);
    return {chat_frame(std::move(frame)), {}};
}

}  // namespace

decoded_frame decode_frame(std::string_view text) {
    json::error_code ec;
    json::parse_options options;
    options.max_depth = 16;
    // The document lives only while its fields are copied out: a stack
    // arena holds a frame of the service's size without touching the heap.
    alignas(std::max_align_t) unsigned char arena_space[4096];
    json::monotonic_resource arena(arena_space, sizeof arena_space);
    const auto doc = json::parse(text, ec, &arena, options);
    if (ec) return {std::nullopt, "not JSON: " + ec.message()};
    if (!doc.is_object()) return {std::nullopt, "not a JSON object"};
    const auto& object = doc.get_object();
    reader r(object);
    const auto type = r.string("Type", true);
    const auto id = r.string("Id", true);
    const auto request_id = r.string("RequestId", false);
    if (!r.problem().empty()) return {std::nullopt, r.problem()};
    if (type == "MESSAGE") {
        chat_message m{.id = id, .request_id = request_id};
        m.content = r.string("Content", true);
        m.attributes = r.attributes(object);
        m.send_time = r.send_time();
        const auto* sender = object.if_contains("Sender");
        if (!sender || !sender->is_object()) {
            r.fail("Sender is missing or not an object");
        } else {
            reader s(sender->get_object());
            m.sender.user_id = s.string("UserId", true);
            m.sender.attributes = s.attributes(sender->get_object());
            if (!s.problem().empty()) r.fail("Sender." + s.problem());
        }
        return finish(r, std::move(m), text);
    }
    if (type == "EVENT") {
        const auto name = r.string("EventName", true);
        auto attributes = r.attributes(object);
        const auto send_time = r.send_time();
        if (name == "aws:DELETE_MESSAGE") {
            auto message_id = attribute(attributes, "MessageId");
            if (message_id.empty()) message_id = attribute(attributes, "MessageID");
            chat_deleted_message d{.id = id, .request_id = request_id, .message_id = std::move(message_id),
                                   .reason = attribute(attributes, "Reason"), .attributes = std::move(attributes),
                                   .send_time = send_time};
            return finish(r, std::move(d), text);
        }
        if (name == "aws:DISCONNECT_USER") {
            chat_user_disconnected d{.id = id, .request_id = request_id, .user_id = attribute(attributes, "UserId"),
                                     .reason = attribute(attributes, "Reason"), .attributes = std::move(attributes),
                                     .send_time = send_time};
            return finish(r, std::move(d), text);
        }
        chat_event e{.id = id, .request_id = request_id, .event_name = name, .attributes = std::move(attributes),
                     .send_time = send_time};
        return finish(r, std::move(e), text);
    }
    if (type == "ERROR") {
        chat_error e{.id = id, .request_id = request_id};
        const auto* code = object.if_contains("ErrorCode");
        if (!code || !code->is_int64() || code->get_int64() < 0 || code->get_int64() > 999) {
            r.fail("ErrorCode is missing or not an integer from 0 to 999");
        } else {
            e.error_code = static_cast<int>(code->get_int64());
        }
        e.error_message = r.string("ErrorMessage", false);
        return finish(r, std::move(e), text);
    }
    return {std::nullopt, "unknown Type"};
}

namespace {

std::string serialize_action(std::string_view action, std::string_view request_id, json::object fields) {
    json::object out;
    out["Action"] = action;
    out["RequestId"] = request_id;
    for (auto& [key, value] : fields) out[key] = std::move(value);
    return json::serialize(out);
}

}  // namespace

std::string encode_send_message(std::string_view request_id, std::string_view content,
                                const chat_attributes& attributes) {
    json::object fields{{"Content", content}};
    if (!attributes.empty()) {
        json::object a;
        for (const auto& [key, value] : attributes) a[key] = value;
        fields["Attributes"] = std::move(a);
    }
    return serialize_action("SEND_MESSAGE", request_id, std::move(fields));
}

std::string encode_delete_message(std::string_view request_id, std::string_view message_id, std::string_view reason) {
    json::object fields{{"Id", message_id}};
    if (!reason.empty()) fields["Reason"] = reason;
    return serialize_action("DELETE_MESSAGE", request_id, std::move(fields));
}

std::string encode_disconnect_user(std::string_view request_id, std::string_view user_id, std::string_view reason) {
    json::object fields{{"UserId", user_id}};
    if (!reason.empty()) fields["Reason"] = reason;
    return serialize_action("DISCONNECT_USER", request_id, std::move(fields));
}

std::optional<prepared_action> prepare_action(std::string_view text, std::string_view fresh_request_id) {
    json::error_code ec;
    auto doc = json::parse(text, ec);
    if (ec || !doc.is_object()) return std::nullopt;
    auto& object = doc.get_object();
    const auto* action = object.if_contains("Action");
    if (!action || !action->is_string()) return std::nullopt;
    const auto* request_id = object.if_contains("RequestId");
    if (!request_id || !request_id->is_string() || request_id->get_string().empty()) {
        object["RequestId"] = fresh_request_id;
    }
    return prepared_action{json::serialize(object), std::string(object.at("RequestId").get_string())};
}

std::string make_request_id() {
    // Request ids only need to be unique among one room's pending requests;
    // a thread-local generator seeded once from the OS is enough.
    thread_local std::mt19937_64 generator{std::random_device{}()};
    const auto high = generator();
    const auto low = generator();
    std::array<char, 37> out{};
    std::snprintf(out.data(), out.size(), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                  static_cast<unsigned>((high >> 16) & 0xffff), static_cast<unsigned>(high & 0xfff),
                  static_cast<unsigned>(0x8000 | (low >> 48 & 0x3fff)),
                  static_cast<unsigned long long>(low & 0xffffffffffffULL));
    return std::string(out.data(), 36);
}

}  // namespace ivschat::messaging
