#include <ivschat/emulator/service.hpp>

#include "ivschat/crypto/sha256.hpp"
#include "ivschat/serde/shape_traits.hpp"
#include "ivschat/time_format.hpp"

#include <boost/describe/members.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>

namespace ivschat::emulator {

namespace {

namespace json = boost::json;
using time_point = std::chrono::system_clock::time_point;

// Defaults documented in the service model (CreateRoom, CreateChatToken).
constexpr std::int32_t default_message_rate = 10;
constexpr std::int32_t default_message_length = 500;
constexpr std::int32_t default_session_minutes = 60;
constexpr std::size_t default_page_size = 50;
constexpr std::size_t max_tags = 50;
// A token must be used to connect within a minute of its issue, as the service's tokens.
constexpr int token_validity_minutes = 1;
const resource_type logging_configuration_type{"LOGGING_CONFIGURATION"};

time_point to_millis(time_point t) { return std::chrono::floor<std::chrono::milliseconds>(t); }

validation_exception field_error(std::string_view field, std::string message) {
    validation_exception e;
    e.message = message;
    e.reason = validation_exception_reason::field_validation_failed;
    e.field_list.push_back({.name = std::string(field), .message = std::move(message)});
    return e;
}

std::string base64(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> unbase64(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::string out(3 * text.size() / 4, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t size = static_cast<std::size_t>(n);
    if (text.ends_with("==")) size -= 2;
    else if (text.ends_with("=")) size -= 1;
    out.resize(size);
    return out;
}

// The pagination cursor: the (update time, id) of the last item returned.
std::string encode_cursor(time_point update_time, std::string_view id) {
    return base64(std::to_string(update_time.time_since_epoch().count()) + ":" + std::string(id));
}

struct cursor {
    time_point::rep update_time;
    std::string id;
};

std::optional<cursor> decode_cursor(std::string_view token) {
    auto text = unbase64(token);
    if (!text) return std::nullopt;
    auto colon = text->find(':');
    if (colon == std::string::npos) return std::nullopt;
    cursor c{};
    auto [end, ec] = std::from_chars(text->data(), text->data() + colon, c.update_time);
    if (ec != std::errc{} || end != text->data() + colon) return std::nullopt;
    c.id = text->substr(colon + 1);
    if (c.id.size() != 12) return std::nullopt;
    return c;
}

// Sorts newest update first, then by id, and cuts one page after the cursor.
template <class Record>
std::optional<service_error> paginate(std::vector<const Record*>& items, const std::optional<std::string>& next_token,
                                      const std::optional<std::int32_t>& max_results, std::size_t& first,
                                      std::size_t& last, std::optional<std::string>& next) {
    auto newer_first = [](const Record* a, const Record* b) {
        return *a->update_time != *b->update_time ? *a->update_time > *b->update_time : *a->id < *b->id;
    };
    std::sort(items.begin(), items.end(), newer_first);
    first = 0;
    if (next_token && !next_token->empty()) {
        auto c = decode_cursor(*next_token);
        if (!c) return field_error("nextToken", "The pagination token is not valid.");
        const time_point t{time_point::duration(c->update_time)};
        first = static_cast<std::size_t>(
            std::find_if(items.begin(), items.end(), [&](const Record* r) {
                return *r->update_time < t || (*r->update_time == t && *r->id > c->id);
            }) -
            items.begin());
    }
    const std::size_t page = max_results ? static_cast<std::size_t>(std::max(*max_results, 1)) : default_page_size;
    last = std::min(items.size(), first + page);
    if (last < items.size()) next = encode_cursor(*items[last - 1]->update_time, *items[last - 1]->id);
    return std::nullopt;
}

// One member of copy_members: as is when the types allow, otherwise (an
// enumeration with another value set) by its wire value. A function of its
// own: clang 14 instantiates the discarded branch of this `if constexpr`
// when it sits in copy_members' nested generic lambdas.
template <class Target, class Source>
void copy_member(Target& target, const Source& source) {
    if constexpr (std::is_assignable_v<Target&, const Source&>) {
        target = source;
    } else {
        static_assert(detail::wire_enum_type<typename Target::value_type>);
        if (source) target = typename Target::value_type{source->value()};
    }
}

// The members of `from` that `To` has too (by name), as the model describes
// them: a stored room becomes a CreateRoomResponse or a RoomSummary, a stored
// logging configuration any of its response shapes. Enumerations with other
// value sets (the state) convert by their wire value.
template <class To, class From>
To copy_members(const From& from) {
    namespace describe = boost::describe;
    To to;
    boost::mp11::mp_for_each<describe::describe_members<To, describe::mod_public>>([&](auto to_member) {
        boost::mp11::mp_for_each<describe::describe_members<From, describe::mod_public>>([&](auto from_member) {
            constexpr bool same_name =
                std::string_view(decltype(to_member)::name) == std::string_view(decltype(from_member)::name);
            if constexpr (same_name) copy_member(to.*to_member.pointer, from.*from_member.pointer);
        });
    });
    return to;
}

// A room's message review handler as stored: the URI "" removes it, and the
// fallback result defaults to ALLOW.
std::optional<message_review_handler> stored_handler(const message_review_handler& h) {
    if (!h.uri || h.uri->empty()) return std::nullopt;
    message_review_handler out = h;
    if (!out.fallback_result) out.fallback_result = fallback_result::allow;
    return out;
}

}  // namespace

service::service(service_options options)
    : options_(std::move(options)),
      room_arn_prefix_("arn:aws:ivschat:" + options_.region + ":" + options_.account_id + ":room/"),
      logging_configuration_arn_prefix_("arn:aws:ivschat:" + options_.region + ":" + options_.account_id +
                                        ":logging-configuration/"),
      rng_(options_.seed ? options_.seed : std::random_device{}()) {
    if (options_.chat_token_key.empty()) {
        options_.chat_token_key.resize(32);
        RAND_bytes(reinterpret_cast<unsigned char*>(options_.chat_token_key.data()), 32);
    }
}

std::string service::new_id() {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string id(12, '\0');
    do {
        for (char& c : id) c = alphabet[rng_() % 62];
    } while (rooms_.contains(id) || logging_configurations_.contains(id));
    return id;
}

get_room_response* service::find_room(std::string_view arn) {
    if (!arn.starts_with(room_arn_prefix_)) return nullptr;
    auto it = rooms_.find(std::string(arn.substr(room_arn_prefix_.size())));
    return it == rooms_.end() ? nullptr : &it->second;
}

get_logging_configuration_response* service::find_logging_configuration(std::string_view arn) {
    if (!arn.starts_with(logging_configuration_arn_prefix_)) return nullptr;
    auto it = logging_configurations_.find(std::string(arn.substr(logging_configuration_arn_prefix_.size())));
    return it == logging_configurations_.end() ? nullptr : &it->second;
}

std::map<std::string, std::string>* service::find_tags(std::string_view arn) {
    if (auto* room = find_room(arn)) return &room->tags;
    if (auto* config = find_logging_configuration(arn)) return &config->tags;
    return nullptr;
}

namespace {

// The id part of an ARN ("…/abc123") for error bodies; ResourceId is alphanumeric.
std::string id_of(std::string_view arn) {
    auto slash = arn.rfind('/');
    std::string id(slash == std::string_view::npos ? arn : arn.substr(slash + 1));
    std::erase_if(id, [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); });
    return id;
}

service_error room_not_found(std::string_view arn) {
    return resource_not_found_exception{.message = "Room not found: " + std::string(arn),
                                        .resource_id = id_of(arn),
                                        .resource_type = resource_type::room};
}

service_error logging_configuration_not_found(std::string_view arn) {
    return resource_not_found_exception{.message = "Logging configuration not found: " + std::string(arn),
                                        .resource_id = id_of(arn),
                                        .resource_type = logging_configuration_type};
}

}  // namespace

std::optional<service_error> service::check_logging_configurations(const std::vector<std::string>& arns) {
    for (const auto& arn : arns)
        if (!find_logging_configuration(arn)) return logging_configuration_not_found(arn);
    return std::nullopt;
}

// Rooms.

outcome<create_room_response> service::handle(const create_room_request& r, time_point now) {
    if (rooms_.size() >= options_.max_rooms)
        return service_quota_exceeded_exception{
            .message = "Rooms per account quota exceeded (" + std::to_string(options_.max_rooms) + ").",
            .resource_id = options_.account_id,
            .resource_type = resource_type::room,
            .limit = static_cast<std::int32_t>(options_.max_rooms)};
    if (auto e = check_logging_configurations(r.logging_configuration_identifiers)) return *e;
    const auto id = new_id();
    get_room_response room;
    room.arn = room_arn_prefix_ + id;
    room.id = id;
    room.name = r.name.value_or("");
    room.create_time = room.update_time = to_millis(now);
    room.maximum_message_rate_per_second = r.maximum_message_rate_per_second.value_or(default_message_rate);
    room.maximum_message_length = r.maximum_message_length.value_or(default_message_length);
    if (r.message_review_handler) room.message_review_handler = stored_handler(*r.message_review_handler);
    room.tags = r.tags;
    room.logging_configuration_identifiers = r.logging_configuration_identifiers;
    auto& stored = rooms_.emplace(id, std::move(room)).first->second;
    return copy_members<create_room_response>(stored);
}

outcome<get_room_response> service::handle(const get_room_request& r, time_point) {
    auto* room = find_room(r.identifier);
    if (!room) return room_not_found(r.identifier);
    return *room;
}

outcome<update_room_response> service::handle(const update_room_request& r, time_point now) {
    auto* room = find_room(r.identifier);
    if (!room) return room_not_found(r.identifier);
    if (r.logging_configuration_identifiers)
        if (auto e = check_logging_configurations(*r.logging_configuration_identifiers)) return *e;
    if (r.name) room->name = *r.name;
    if (r.maximum_message_rate_per_second) room->maximum_message_rate_per_second = r.maximum_message_rate_per_second;
    if (r.maximum_message_length) room->maximum_message_length = r.maximum_message_length;
    if (r.message_review_handler) room->message_review_handler = stored_handler(*r.message_review_handler);
    if (r.logging_configuration_identifiers)
        room->logging_configuration_identifiers = *r.logging_configuration_identifiers;
    room->update_time = std::max(to_millis(now), *room->update_time);
    return copy_members<update_room_response>(*room);
}

outcome<delete_room_response> service::handle(const delete_room_request& r, time_point) {
    auto* room = find_room(r.identifier);
    if (!room) return room_not_found(r.identifier);
    const std::string arn = *room->arn;
    rooms_.erase(*room->id);
    if (listener_) listener_->on_room_deleted(arn);
    return delete_room_response{};
}

outcome<list_rooms_response> service::handle(const list_rooms_request& r, time_point) {
    std::vector<const get_room_response*> matching;
    for (const auto& [id, room] : rooms_) {
        if (r.name && !r.name->empty() && room.name != r.name) continue;
        if (r.message_review_handler_uri && !r.message_review_handler_uri->empty() &&
            (!room.message_review_handler || room.message_review_handler->uri != r.message_review_handler_uri))
            continue;
        if (r.logging_configuration_identifier) {
            const auto& ids = room.logging_configuration_identifiers;
            if (std::find(ids.begin(), ids.end(), *r.logging_configuration_identifier) == ids.end()) continue;
        }
        matching.push_back(&room);
    }
    list_rooms_response out;
    std::size_t first = 0, last = 0;
    if (auto e = paginate(matching, r.next_token, r.max_results, first, last, out.next_token)) return *e;
    out.rooms.reserve(last - first);
    for (std::size_t i = first; i < last; ++i) out.rooms.push_back(copy_members<room_summary>(*matching[i]));
    return out;
}

// Logging configurations.

outcome<create_logging_configuration_response> service::handle(const create_logging_configuration_request& r,
                                                               time_point now) {
    if (logging_configurations_.size() >= options_.max_logging_configurations)
        return service_quota_exceeded_exception{
            .message = "Logging configurations per account quota exceeded (" +
                       std::to_string(options_.max_logging_configurations) + ").",
            .resource_id = options_.account_id,
            .resource_type = logging_configuration_type,
            .limit = static_cast<std::int32_t>(options_.max_logging_configurations)};
    const auto id = new_id();
    get_logging_configuration_response config;
    config.arn = logging_configuration_arn_prefix_ + id;
    config.id = id;
    config.name = r.name.value_or("");
    config.create_time = config.update_time = to_millis(now);
    config.destination_configuration = r.destination_configuration;
    config.state = logging_configuration_state::active;
    config.tags = r.tags;
    auto& stored = logging_configurations_.emplace(id, std::move(config)).first->second;
    return copy_members<create_logging_configuration_response>(stored);
}

outcome<get_logging_configuration_response> service::handle(const get_logging_configuration_request& r, time_point) {
    auto* config = find_logging_configuration(r.identifier);
    if (!config) return logging_configuration_not_found(r.identifier);
    return *config;
}

outcome<update_logging_configuration_response> service::handle(const update_logging_configuration_request& r,
                                                               time_point now) {
    auto* config = find_logging_configuration(r.identifier);
    if (!config) return logging_configuration_not_found(r.identifier);
    if (r.name) config->name = *r.name;
    if (r.destination_configuration) config->destination_configuration = *r.destination_configuration;
    config->update_time = std::max(to_millis(now), *config->update_time);
    return copy_members<update_logging_configuration_response>(*config);
}

outcome<delete_logging_configuration_response> service::handle(const delete_logging_configuration_request& r,
                                                               time_point) {
    auto* config = find_logging_configuration(r.identifier);
    if (!config) return logging_configuration_not_found(r.identifier);
    for (const auto& [id, room] : rooms_) {
        const auto& ids = room.logging_configuration_identifiers;
        if (std::find(ids.begin(), ids.end(), r.identifier) != ids.end())
            return conflict_exception{.message = "The logging configuration is attached to room " + *room.arn +
                                                 "; detach it first.",
                                      .resource_id = *config->id,
                                      .resource_type = logging_configuration_type};
    }
    logging_configurations_.erase(*config->id);
    return delete_logging_configuration_response{};
}

outcome<list_logging_configurations_response> service::handle(const list_logging_configurations_request& r,
                                                               time_point) {
    std::vector<const get_logging_configuration_response*> all;
    all.reserve(logging_configurations_.size());
    for (const auto& [id, config] : logging_configurations_) all.push_back(&config);
    list_logging_configurations_response out;
    std::size_t first = 0, last = 0;
    if (auto e = paginate(all, r.next_token, r.max_results, first, last, out.next_token)) return *e;
    out.logging_configurations.reserve(last - first);
    for (std::size_t i = first; i < last; ++i)
        out.logging_configurations.push_back(copy_members<logging_configuration_summary>(*all[i]));
    return out;
}

// Tokens and messaging.

room_event delete_message_event(std::string id, std::string_view message_id, std::string_view reason,
                                time_point send_time) {
    return room_event{.id = std::move(id),
                      .name = "aws:DELETE_MESSAGE",
                      .attributes = {{"MessageId", std::string(message_id)},
                                     {"MessageID", std::string(message_id)},
                                     {"Reason", std::string(reason)}},
                      .send_time = send_time};
}

room_event disconnect_user_event(std::string id, std::string_view user_id, std::string_view reason,
                                 time_point send_time) {
    return room_event{.id = std::move(id),
                      .name = "aws:DISCONNECT_USER",
                      .attributes = {{"UserId", std::string(user_id)}, {"Reason", std::string(reason)}},
                      .send_time = send_time};
}

outcome<create_chat_token_response> service::handle(const create_chat_token_request& r, time_point now) {
    if (!find_room(r.room_identifier)) return room_not_found(r.room_identifier);
    chat_token_claims claims;
    claims.room_arn = r.room_identifier;
    claims.user_id = r.user_id;
    for (const auto& c : r.capabilities) claims.capabilities.emplace_back(c.value());
    claims.attributes.insert(r.attributes.begin(), r.attributes.end());
    claims.issued_at = to_millis(now);
    claims.session_expiration_time =
        claims.issued_at + r.session_duration_in_minutes.value_or(default_session_minutes) * options_.chat_minute;
    claims.token_expiration_time =
        std::min<time_point>(claims.issued_at + token_validity_minutes * options_.chat_minute,
                             claims.session_expiration_time);
    create_chat_token_response out;
    out.token = seal_chat_token(options_.chat_token_key, claims);
    out.token_expiration_time = claims.token_expiration_time;
    out.session_expiration_time = claims.session_expiration_time;
    return out;
}

std::optional<chat_token_claims> service::decode_chat_token(std::string_view token) const {
    return open_chat_token(options_.chat_token_key, token);
}

std::optional<room_message_limits> service::message_limits(std::string_view room_arn) const {
    if (!room_arn.starts_with(room_arn_prefix_)) return std::nullopt;
    auto it = rooms_.find(std::string(room_arn.substr(room_arn_prefix_.size())));
    if (it == rooms_.end()) return std::nullopt;
    room_message_limits limits{
        .maximum_message_rate_per_second = it->second.maximum_message_rate_per_second.value_or(default_message_rate),
        .maximum_message_length = it->second.maximum_message_length.value_or(default_message_length)};
    if (const auto& handler = it->second.message_review_handler) {
        limits.review_handler_uri = handler->uri.value_or("");
        limits.review_fallback_allows = handler->fallback_result.value_or(fallback_result::allow) == fallback_result::allow;
    }
    return limits;
}

std::vector<destination_configuration> service::log_destinations(std::string_view room_arn) const {
    std::vector<destination_configuration> out;
    if (!room_arn.starts_with(room_arn_prefix_)) return out;
    auto room = rooms_.find(std::string(room_arn.substr(room_arn_prefix_.size())));
    if (room == rooms_.end()) return out;
    for (const auto& arn : room->second.logging_configuration_identifiers) {
        if (!arn.starts_with(logging_configuration_arn_prefix_)) continue;
        auto config = logging_configurations_.find(arn.substr(logging_configuration_arn_prefix_.size()));
        if (config != logging_configurations_.end() && config->second.destination_configuration)
            out.push_back(*config->second.destination_configuration);
    }
    return out;
}

outcome<send_event_response> service::handle(const send_event_request& r, time_point now) {
    if (!find_room(r.room_identifier)) return room_not_found(r.room_identifier);
    send_event_response out{.id = new_id()};
    if (listener_)
        listener_->on_event(r.room_identifier,
                            room_event{.id = *out.id, .name = r.event_name, .attributes = r.attributes, .send_time = now});
    return out;
}

outcome<delete_message_response> service::handle(const delete_message_request& r, time_point now) {
    if (!find_room(r.room_identifier)) return room_not_found(r.room_identifier);
    // The id of the aws:DELETE_MESSAGE event sent to the room's clients.
    delete_message_response out{.id = new_id()};
    if (listener_)
        listener_->on_event(r.room_identifier, delete_message_event(*out.id, r.id, r.reason.value_or(""), now));
    return out;
}

outcome<disconnect_user_response> service::handle(const disconnect_user_request& r, time_point now) {
    if (!find_room(r.room_identifier)) return room_not_found(r.room_identifier);
    if (listener_) {
        listener_->on_event(r.room_identifier, disconnect_user_event(new_id(), r.user_id, r.reason.value_or(""), now));
        listener_->on_disconnect_user(r.room_identifier, r.user_id);
    }
    return disconnect_user_response{};
}

// Tags.

namespace {

service_error tagged_resource_not_found(std::string_view arn) {
    return arn.find(":logging-configuration/") != std::string_view::npos ? logging_configuration_not_found(arn)
                                                                          : room_not_found(arn);
}

}  // namespace

outcome<tag_resource_response> service::handle(const tag_resource_request& r, time_point) {
    auto* tags = find_tags(r.resource_arn);
    if (!tags) return tagged_resource_not_found(r.resource_arn);
    auto merged = *tags;
    for (const auto& [key, value] : r.tags) merged[key] = value;
    if (merged.size() > max_tags)
        return field_error("tags", "A resource can have at most 50 tags; this request would leave " +
                                       std::to_string(merged.size()) + ".");
    *tags = std::move(merged);
    return tag_resource_response{};
}

outcome<untag_resource_response> service::handle(const untag_resource_request& r, time_point) {
    auto* tags = find_tags(r.resource_arn);
    if (!tags) return tagged_resource_not_found(r.resource_arn);
    for (const auto& key : r.tag_keys) tags->erase(key);
    return untag_resource_response{};
}

outcome<list_tags_for_resource_response> service::handle(const list_tags_for_resource_request& r, time_point) {
    auto* tags = find_tags(r.resource_arn);
    if (!tags) return tagged_resource_not_found(r.resource_arn);
    return list_tags_for_resource_response{.tags = *tags};
}

void service::reset() {
    if (listener_)
        for (const auto& [id, room] : rooms_) listener_->on_room_deleted(*room.arn);
    rooms_.clear();
    logging_configurations_.clear();
}

}  // namespace ivschat::emulator
