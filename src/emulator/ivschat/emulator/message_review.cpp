#include <ivschat/emulator/message_review.hpp>

#include <ivschat/emulator/chat_frames.hpp>

#include <ivschat/config.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/json.hpp>

namespace ivschat::emulator {

namespace json = boost::json;

std::optional<review_handler_route> parse_review_handler_route(std::string_view text) {
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    review_handler_route out;
    out.lambda_arn = text.substr(0, equals);
    // The model's pattern for a handler uri, minus the empty value.
    constexpr std::string_view prefix = "arn:aws:lambda:";
    if (!out.lambda_arn.starts_with(prefix) || out.lambda_arn.find(":function:") == std::string::npos ||
        out.lambda_arn.size() > 170)
        return std::nullopt;
    endpoint_url url;
    try {
        url = parse_endpoint_url(text.substr(equals + 1));
    } catch (const config_error&) {
        return std::nullopt;
    }
    if (url.scheme != "http") return std::nullopt;
    if (url.host == "localhost") url.host = "127.0.0.1";
    boost::system::error_code ec;
    boost::asio::ip::make_address(url.host, ec);
    if (ec) return std::nullopt;
    out.address = url.host;
    out.port = url.port;
    out.target = url.path.empty() ? "/" : url.path;
    return out;
}

std::string review_request_body(const review_subject& subject) {
    return json::serialize(json::object{{"Content", subject.content},
                                        {"MessageId", subject.message_id},
                                        {"RoomArn", subject.room_arn},
                                        {"Attributes", attributes_object(subject.attributes)},
                                        {"Sender", json::object{{"UserId", subject.sender_user_id},
                                                                {"Attributes", attributes_object(subject.sender_attributes)},
                                                                {"Ip", subject.sender_ip}}}});
}

std::optional<review_reply> parse_review_reply(std::string_view body, std::size_t maximum_message_length) {
    json::error_code ec;
    const json::value doc = json::parse(body, ec);
    const auto* object = ec ? nullptr : doc.if_object();
    if (!object) return std::nullopt;
    const auto* result = object->if_contains("ReviewResult");
    if (!result || !result->is_string()) return std::nullopt;
    review_reply out;
    if (result->get_string() == "ALLOW") out.allow = true;
    else if (result->get_string() != "DENY") return std::nullopt;
    if (const auto* content = object->if_contains("Content"); content && !content->is_null()) {
        if (!content->is_string() || content->get_string().empty() ||
            code_points(content->get_string()) > maximum_message_length)
            return std::nullopt;
        out.content.emplace(content->get_string());
    }
    if (const auto* attributes = object->if_contains("Attributes"); attributes && !attributes->is_null()) {
        if (!attributes->is_object()) return std::nullopt;
        std::size_t bytes = 0;
        auto& replaced = out.attributes.emplace();
        for (const auto& [name, value] : attributes->get_object()) {
            if (!value.is_string()) return std::nullopt;
            bytes += name.size() + value.get_string().size();
            replaced.emplace(std::string(name), std::string(value.get_string()));
        }
        if (bytes > max_message_attributes_bytes) return std::nullopt;
    }
    return out;
}

}  // namespace ivschat::emulator
