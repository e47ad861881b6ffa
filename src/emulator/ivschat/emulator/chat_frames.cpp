#include <ivschat/emulator/chat_frames.hpp>

#include <boost/json.hpp>

#include <cstdio>
#include <ctime>

namespace ivschat::emulator {

namespace {

namespace json = boost::json;

chat_frame_error refuse(int code, const std::string& request_id, std::string message) {
    return chat_frame_error{.code = code, .request_id = request_id, .message = std::move(message)};
}

// A required string member: the string, or nullptr when absent or not a string.
const json::string* string_member(const json::object& o, std::string_view name) {
    auto it = o.find(name);
    return it == o.end() ? nullptr : it->value().if_string();
}

}  // namespace

json::object attributes_object(const std::map<std::string, std::string>& attributes) {
    json::object out;
    out.reserve(attributes.size());
    for (const auto& [name, value] : attributes) out.emplace(name, value);
    return out;
}

std::size_t code_points(std::string_view utf8) noexcept {
    std::size_t n = 0;
    for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

std::variant<chat_request, chat_frame_error> parse_chat_request(std::string_view frame) {
    json::error_code ec;
    json::monotonic_resource memory;
    const json::value doc = json::parse(frame, ec, &memory);
    if (ec) return refuse(400, "", "The request is not valid JSON: " + ec.message() + ".");
    const auto* object = doc.if_object();
    if (!object) return refuse(400, "", "The request must be a JSON object.");

    chat_request out;
    if (auto it = object->find("RequestId"); it != object->end()) {
        const auto* request_id = it->value().if_string();
        if (!request_id) return refuse(400, "", "RequestId must be a string.");
        out.request_id.assign(request_id->data(), request_id->size());
    }
    const auto* action = string_member(*object, "Action");
    if (!action) return refuse(400, out.request_id, "Action is required and must be a string.");

    const auto read_reason = [&]() -> std::optional<chat_frame_error> {
        auto it = object->find("Reason");
        if (it == object->end() || it->value().is_null()) return std::nullopt;
        const auto* reason = it->value().if_string();
        if (!reason) return refuse(400, out.request_id, "Reason must be a string.");
        if (code_points(*reason) > max_reason_length)
            return refuse(413, out.request_id,
                          "Reason must be at most " + std::to_string(max_reason_length) + " characters.");
        out.reason.assign(reason->data(), reason->size());
        return std::nullopt;
    };

    if (*action == "SEND_MESSAGE") {
        out.action = chat_action::send_message;
        const auto* content = string_member(*object, "Content");
        if (!content) return refuse(400, out.request_id, "Content is required and must be a string.");
        if (content->empty()) return refuse(400, out.request_id, "Content must not be empty.");
        out.content.assign(content->data(), content->size());
        if (auto it = object->find("Attributes"); it != object->end() && !it->value().is_null()) {
            const auto* attributes = it->value().if_object();
            if (!attributes) return refuse(400, out.request_id, "Attributes must be an object of strings.");
            std::size_t bytes = 0;
            for (const auto& [name, value] : *attributes) {
                const auto* text = value.if_string();
                if (!text) return refuse(400, out.request_id, "Attributes must be an object of strings.");
                bytes += name.size() + text->size();
                out.attributes.emplace(std::string(name), std::string(text->data(), text->size()));
            }
            if (bytes > max_message_attributes_bytes)
                return refuse(413, out.request_id,
                              "Attributes must total at most " + std::to_string(max_message_attributes_bytes) +
                                  " bytes.");
        }
        return out;
    }
    if (*action == "DELETE_MESSAGE") {
        out.action = chat_action::delete_message;
        const auto* id = string_member(*object, "Id");
        if (!id || id->empty()) return refuse(400, out.request_id, "Id is required and must be a message id.");
        out.id.assign(id->data(), id->size());
        if (auto e = read_reason()) return *e;
        return out;
    }
    if (*action == "DISCONNECT_USER") {
        out.action = chat_action::disconnect_user;
        const auto* user_id = string_member(*object, "UserId");
        if (!user_id || user_id->empty() || code_points(*user_id) > max_user_id_length)
            return refuse(400, out.request_id, "UserId is required and must be 1 to 128 characters.");
        out.user_id.assign(user_id->data(), user_id->size());
        if (auto e = read_reason()) return *e;
        return out;
    }
    return refuse(400, out.request_id, "Unknown Action: expected SEND_MESSAGE, DELETE_MESSAGE or DISCONNECT_USER.");
}

std::string format_send_time(std::chrono::system_clock::time_point t) {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
    const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(t - seconds).count();
    const std::time_t tt = std::chrono::system_clock::to_time_t(seconds);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char text[40];
    const int n = std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                                static_cast<long long>(nanoseconds));
    return std::string(text, static_cast<std::size_t>(n));
}

std::string message_frame(std::string_view id, std::string_view request_id, std::string_view content,
                          const std::map<std::string, std::string>& attributes,
                          std::chrono::system_clock::time_point send_time, const chat_sender& sender) {
    return json::serialize(json::object{
        {"Type", "MESSAGE"},
        {"Id", id},
        {"RequestId", request_id},
        {"Attributes", attributes_object(attributes)},
        {"Content", content},
        {"SendTime", format_send_time(send_time)},
        {"Sender", json::object{{"UserId", sender.user_id}, {"Attributes", attributes_object(sender.attributes)}}}});
}

std::string event_frame(std::string_view id, std::string_view request_id, std::string_view event_name,
                        const std::map<std::string, std::string>& attributes,
                        std::chrono::system_clock::time_point send_time) {
    return json::serialize(json::object{{"Type", "EVENT"},
                                        {"Id", id},
                                        {"RequestId", request_id},
                                        {"EventName", event_name},
                                        {"Attributes", attributes_object(attributes)},
                                        {"SendTime", format_send_time(send_time)}});
}

std::string error_frame(std::string_view id, std::string_view request_id, int code, std::string_view message) {
    return json::serialize(json::object{
        {"Type", "ERROR"}, {"Id", id}, {"RequestId", request_id}, {"ErrorCode", code}, {"ErrorMessage", message}});
}

}  // namespace ivschat::emulator
