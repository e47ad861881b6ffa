#include <ivschat/emulator/chat_room_registry.hpp>

#include <ivschat/emulator/chat_frames.hpp>
#include <ivschat/emulator/message_review.hpp>

#include <algorithm>

namespace ivschat::emulator {

namespace {

using time_point = std::chrono::system_clock::time_point;

constexpr std::uint16_t normal_closure = 1000;

}  // namespace

bool chat_connection::has_capability(std::string_view capability) const {
    return std::find(claims_.capabilities.begin(), claims_.capabilities.end(), capability) !=
           claims_.capabilities.end();
}

chat_room_registry::chat_room_registry(service& svc, messaging_options options, std::chrono::seconds clock_offset)
    : service_(svc), options_(options), clock_offset_(clock_offset) {
    service_.set_room_listener(this);
}

chat_room_registry::~chat_room_registry() { service_.set_room_listener(nullptr); }

time_point chat_room_registry::now() const { return std::chrono::system_clock::now() + clock_offset_; }

std::variant<chat_token_claims, upgrade_refusal> chat_room_registry::admit(std::string_view token) {
    const auto refuse_upgrade = [&](unsigned status, std::string reason) {
        ++counters_.upgrades_refused;
        return upgrade_refusal{.status = status, .reason = std::move(reason)};
    };
    if (token.empty()) return refuse_upgrade(401, "missing chat token (Sec-WebSocket-Protocol)");
    auto claims = service_.decode_chat_token(token);
    if (!claims) return refuse_upgrade(401, "invalid chat token");
    const auto at = now();
    if (at > claims->token_expiration_time) return refuse_upgrade(401, "chat token expired");
    const auto [used, fresh] = used_tokens_.try_emplace(std::string(chat_token_seal(token)), claims->token_expiration_time);
    if (!fresh) return refuse_upgrade(401, "chat token already used");
    if (!service_.message_limits(claims->room_arn)) return refuse_upgrade(404, "room not found");
    if (options_.max_connections && connection_count_ >= options_.max_connections)
        return refuse_upgrade(429, "too many chat connections (" + std::to_string(options_.max_connections) + ")");
    return std::move(*claims);
}

void chat_room_registry::join(chat_connection& connection) {
    rooms_[connection.claims().room_arn].connections.push_back(&connection);
    ++connection_count_;
    ++counters_.connections_accepted;
}

void chat_room_registry::leave(chat_connection& connection) {
    auto it = rooms_.find(connection.claims().room_arn);
    if (it == rooms_.end()) return;
    auto& members = it->second.connections;
    auto member = std::find(members.begin(), members.end(), &connection);
    if (member == members.end()) return;
    *member = members.back();
    members.pop_back();
    --connection_count_;
    if (members.empty()) rooms_.erase(it);
    // Its messages under review still reach the room; a denial reaches nobody.
    if (auto pending = pending_.find(connection.claims().room_arn); pending != pending_.end())
        for (auto& message : pending->second)
            if (message.sender == &connection) message.sender = nullptr;
}

std::size_t chat_room_registry::pending_reviews(std::string_view room_arn) const {
    auto it = pending_.find(std::string(room_arn));
    return it == pending_.end() ? 0 : it->second.size();
}

void chat_room_registry::refuse(chat_connection& to, std::string_view request_id, int code, std::string_view message) {
    ++counters_.errors[code];
    to.deliver(std::make_shared<const std::string>(error_frame(service_.new_message_id(), request_id, code, message)));
}

void chat_room_registry::broadcast(std::string_view room_arn, std::string_view type, std::string frame) {
    // Logged even when nobody is connected: the room sent it.
    if (log_sink_) log_sink_->record(room_arn, type, frame, now());
    auto it = rooms_.find(std::string(room_arn));
    if (it == rooms_.end()) return;
    // One buffer shared by every connection's queue.
    const auto shared = std::make_shared<const std::string>(std::move(frame));
    for (auto* connection : it->second.connections) connection->deliver(shared);
    counters_.frames_delivered += it->second.connections.size();
}

void chat_room_registry::broadcast_event(std::string_view room_arn, std::string_view request_id,
                                         const room_event& event) {
    ++counters_.events_sent;
    broadcast(room_arn, "EVENT", event_frame(event.id, request_id, event.name, event.attributes, event.send_time));
}

void chat_room_registry::end_user(std::string_view room_arn, std::string_view user_id) {
    auto it = rooms_.find(std::string(room_arn));
    if (it == rooms_.end()) return;
    for (auto* connection : it->second.connections)
        if (connection->claims().user_id == user_id) connection->end(normal_closure, "disconnected by a moderator");
}

bool chat_room_registry::accept_message(room& r, std::int32_t rate, time_point at) {
    // A sliding one-second window over the whole room.
    auto& recent = r.recent_messages;
    recent.erase(recent.begin(), std::find_if(recent.begin(), recent.end(),
                                              [&](time_point t) { return at - t < std::chrono::seconds(1); }));
    if (recent.size() >= static_cast<std::size_t>(rate)) return false;
    recent.push_back(at);
    return true;
}

void chat_room_registry::handle_frame(chat_connection& from, std::string_view frame) {
    auto parsed = parse_chat_request(frame);
    if (auto* error = std::get_if<chat_frame_error>(&parsed))
        return refuse(from, error->request_id, error->code, error->message);
    const auto& request = std::get<chat_request>(parsed);
    const auto& room_arn = from.claims().room_arn;
    const auto at = now();
    switch (request.action) {
        case chat_action::send_message: {
            if (!from.has_capability("SEND_MESSAGE"))
                return refuse(from, request.request_id, 403, "The token does not allow SEND_MESSAGE.");
            const auto limits = service_.message_limits(room_arn);
            if (!limits) return refuse(from, request.request_id, 404, "The room does not exist.");
            if (code_points(request.content) > static_cast<std::size_t>(limits->maximum_message_length))
                return refuse(from, request.request_id, 400,
                              "Content must be at most " + std::to_string(limits->maximum_message_length) +
                                  " characters.");
            if (pending_reviews(room_arn) >= options_.max_pending_reviews)
                return refuse(from, request.request_id, 429, "Too many messages of this room are awaiting review.");
            if (!accept_message(rooms_[room_arn], limits->maximum_message_rate_per_second, at))
                return refuse(from, request.request_id, 429,
                              "The room's rate of " + std::to_string(limits->maximum_message_rate_per_second) +
                                  " messages per second is exceeded.");
            ++counters_.messages_sent;
            return send_message(from, request, room_arn, *limits);
        }
        case chat_action::delete_message:
            if (!from.has_capability("DELETE_MESSAGE"))
                return refuse(from, request.request_id, 403, "The token does not allow DELETE_MESSAGE.");
            if (!service_.message_limits(room_arn))
                return refuse(from, request.request_id, 404, "The room does not exist.");
            return broadcast_event(room_arn, request.request_id,
                                   delete_message_event(service_.new_message_id(), request.id, request.reason, at));
        case chat_action::disconnect_user:
            if (!from.has_capability("DISCONNECT_USER"))
                return refuse(from, request.request_id, 403, "The token does not allow DISCONNECT_USER.");
            if (!service_.message_limits(room_arn))
                return refuse(from, request.request_id, 404, "The room does not exist.");
            broadcast_event(room_arn, request.request_id,
                            disconnect_user_event(service_.new_message_id(), request.user_id, request.reason, at));
            return end_user(room_arn, request.user_id);
    }
}

void chat_room_registry::send_message(chat_connection& from, const chat_request& request, std::string_view room_arn,
                                      const room_message_limits& limits) {
    pending_message message{.ticket = ++next_ticket_,
                            .sender = &from,
                            .id = service_.new_message_id(),
                            .request_id = request.request_id,
                            .content = request.content,
                            .attributes = request.attributes,
                            .sender_user_id = from.claims().user_id,
                            .sender_attributes = from.claims().attributes,
                            .decided = limits.review_handler_uri.empty(),
                            .allowed = true,
                            .fallback_allows = limits.review_fallback_allows,
                            .maximum_message_length = static_cast<std::size_t>(limits.maximum_message_length)};
    const std::string room(room_arn);
    auto queue = pending_.find(room);
    if (message.decided && queue == pending_.end()) return deliver_message(room_arn, message);
    if (queue == pending_.end()) queue = pending_.emplace(room, std::deque<pending_message>{}).first;
    queue->second.push_back(std::move(message));
    if (limits.review_handler_uri.empty()) return;
    const auto& queued = queue->second.back();
    auto body = review_request_body({.message_id = queued.id,
                                     .room_arn = room_arn,
                                     .content = queued.content,
                                     .attributes = queued.attributes,
                                     .sender_user_id = queued.sender_user_id,
                                     .sender_attributes = queued.sender_attributes,
                                     .sender_ip = from.remote_ip()});
    if (!reviewer_) return on_review(room, queued.ticket, std::nullopt);
    reviewer_->review(limits.review_handler_uri, std::move(body),
                      [this, room, ticket = queued.ticket](const std::optional<std::string>& reply) {
                          on_review(room, ticket, reply);
                      });
}

void chat_room_registry::on_review(const std::string& room_arn, std::uint64_t ticket,
                                   const std::optional<std::string>& reply) {
    auto queue = pending_.find(room_arn);
    if (queue == pending_.end()) return;  // the room was deleted meanwhile
    auto message = std::find_if(queue->second.begin(), queue->second.end(),
                                [&](const pending_message& m) { return m.ticket == ticket; });
    if (message == queue->second.end()) return;
    auto verdict = reply ? parse_review_reply(*reply, message->maximum_message_length) : std::nullopt;
    message->decided = true;
    if (!verdict) {
        ++counters_.reviews_fallback;
        message->allowed = message->fallback_allows;
    } else {
        ++(verdict->allow ? counters_.reviews_allowed : counters_.reviews_denied);
        message->allowed = verdict->allow;
        if (verdict->content) message->content = std::move(*verdict->content);
        if (verdict->attributes) message->attributes = std::move(*verdict->attributes);
    }
    deliver_reviewed(room_arn);
}

void chat_room_registry::deliver_reviewed(const std::string& room_arn) {
    auto queue = pending_.find(room_arn);
    while (queue != pending_.end() && !queue->second.empty() && queue->second.front().decided) {
        const auto message = std::move(queue->second.front());
        queue->second.pop_front();
        if (queue->second.empty()) pending_.erase(queue);
        if (message.allowed) {
            deliver_message(room_arn, message);
        } else if (message.sender) {
            refuse(*message.sender, message.request_id, 406, "The message was denied by the room's review handler.");
        }
        queue = pending_.find(room_arn);
    }
}

void chat_room_registry::deliver_message(std::string_view room_arn, const pending_message& message) {
    broadcast(room_arn, "MESSAGE",
              message_frame(message.id, message.request_id, message.content, message.attributes, now(),
                            {message.sender_user_id, message.sender_attributes}));
}

boost::json::object chat_room_registry::stats() const {
    boost::json::object errors;
    for (const auto& [code, count] : counters_.errors) errors[std::to_string(code)] = count;
    return boost::json::object{
        {"connectionsOpen", connection_count_},
        {"connectionsAccepted", counters_.connections_accepted},
        {"upgradesRefused", counters_.upgrades_refused},
        {"messagesSent", counters_.messages_sent},
        {"eventsSent", counters_.events_sent},
        {"framesDelivered", counters_.frames_delivered},
        {"slowClientsDisconnected", counters_.slow_clients_disconnected},
        {"errors", std::move(errors)},
        {"reviews", boost::json::object{{"allowed", counters_.reviews_allowed},
                                        {"denied", counters_.reviews_denied},
                                        {"fallback", counters_.reviews_fallback}}},
        {"logRecordsWritten", counters_.log_records_written}};
}

void chat_room_registry::reset_counters() {
    const auto accepted = counters_.connections_accepted;
    counters_ = {};
    counters_.connections_accepted = accepted;
}

void chat_room_registry::sweep(std::chrono::steady_clock::time_point steady_now) {
    const auto at = now();
    for (auto& [arn, r] : rooms_) {
        for (auto* connection : r.connections) {
            if (connection->ending()) {
                if (steady_now - *connection->ending_since() > options_.close_timeout) connection->abort();
            } else if (at >= connection->claims().session_expiration_time) {
                refuse(*connection, "", 401, "The chat session has expired.");
                connection->end(normal_closure, "session expired");
            }
        }
    }
    std::erase_if(used_tokens_, [&](const auto& entry) { return entry.second < at; });
}

void chat_room_registry::close_all() {
    for (auto& [arn, r] : rooms_)
        for (auto* connection : r.connections) connection->abort();
}

void chat_room_registry::on_event(std::string_view room_arn, const room_event& event) {
    broadcast_event(room_arn, "", event);
}

void chat_room_registry::on_disconnect_user(std::string_view room_arn, std::string_view user_id) {
    end_user(room_arn, user_id);
}

void chat_room_registry::on_room_deleted(std::string_view room_arn) {
    pending_.erase(std::string(room_arn));
    auto it = rooms_.find(std::string(room_arn));
    if (it == rooms_.end()) return;
    for (auto* connection : it->second.connections) connection->end(normal_closure, "room deleted");
}

}  // namespace ivschat::emulator
