#pragma once

#include <ivschat/emulator/chat_token.hpp>
#include <ivschat/model.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace ivschat::emulator {

/// What the emulated account looks like and the limits it enforces.
struct service_options {
    std::string region = "us-west-2";
    std::string account_id = "123456789012";
    /// Rooms per account and region; CreateRoom beyond it answers
    /// ServiceQuotaExceededException. 50,000 is the AWS default quota.
    std::size_t max_rooms = 50'000;
    /// Logging configurations per account and region (an emulator limit).
    std::size_t max_logging_configurations = 1'000;
    /// The key chat tokens are sealed with (HMAC-SHA256); empty: a random one.
    std::string chat_token_key{};
    /// Seeds the generator of resource and message ids (0: random).
    std::uint64_t seed = 0;
    /// How long a minute of chat token time lasts: the token's validity (one
    /// minute) and sessionDurationInMinutes are counted in it. Shorter than a
    /// minute only to test expiry quickly.
    std::chrono::milliseconds chat_minute = std::chrono::minutes(1);
};

/// An EVENT for a room's chat connections, caused by the control plane.
struct room_event {
    std::string id{};
    std::string name{};
    std::map<std::string, std::string> attributes{};
    std::chrono::system_clock::time_point send_time{};
};

/// The aws:DELETE_MESSAGE event: attributes MessageId, MessageID (the
/// deprecated spelling the JS SDK reads) and Reason.
room_event delete_message_event(std::string id, std::string_view message_id, std::string_view reason,
                                std::chrono::system_clock::time_point send_time);
/// The aws:DISCONNECT_USER event: attributes UserId and Reason.
room_event disconnect_user_event(std::string id, std::string_view user_id, std::string_view reason,
                                 std::chrono::system_clock::time_point send_time);

/// Receives what the control plane does to a room's chat connections
/// (SendEvent, DeleteMessage, DisconnectUser, DeleteRoom): the Messaging
/// endpoint delivers it.
class room_listener {
public:
    virtual ~room_listener() = default;
    virtual void on_event(std::string_view room_arn, const room_event& event) = 0;
    /// After the aws:DISCONNECT_USER event: the user's connections end.
    virtual void on_disconnect_user(std::string_view room_arn, std::string_view user_id) = 0;
    virtual void on_room_deleted(std::string_view room_arn) = 0;
};

/// What a room applies to SEND_MESSAGE, as the room is now: its limits and
/// its message review handler.
struct room_message_limits {
    std::int32_t maximum_message_rate_per_second = 0;
    std::int32_t maximum_message_length = 0;
    /// The handler's Lambda ARN; empty when the room has none.
    std::string review_handler_uri{};
    /// The handler's fallbackResult is ALLOW (the default).
    bool review_fallback_allows = true;
};

/// An error the service answers with: one of the model's error shapes.
using service_error = std::variant<validation_exception, resource_not_found_exception, conflict_exception,
                                   service_quota_exceeded_exception>;

/// A response or the service's error.
template <class Response>
using outcome = std::variant<Response, service_error>;

/// The state and semantics of Amazon IVS Chat for one account and region,
/// in memory and without I/O: typed requests in, typed responses or the
/// service's errors out. Requests are expected to have passed the model's
/// validation already; the service checks what the model cannot (existence,
/// references, quotas, tag counts after a merge, pagination tokens).
///
/// Ordering: ListRooms and ListLoggingConfigurations return the newest
/// update first (then by id); nextToken is opaque and resumes after the last
/// item returned.
///
/// Not safe for concurrent use.
class service {
public:
    explicit service(service_options options = {});

    outcome<create_room_response> handle(const create_room_request& r, std::chrono::system_clock::time_point now);
    outcome<get_room_response> handle(const get_room_request& r, std::chrono::system_clock::time_point now);
    outcome<update_room_response> handle(const update_room_request& r, std::chrono::system_clock::time_point now);
    outcome<delete_room_response> handle(const delete_room_request& r, std::chrono::system_clock::time_point now);
    outcome<list_rooms_response> handle(const list_rooms_request& r, std::chrono::system_clock::time_point now);

    outcome<create_logging_configuration_response> handle(const create_logging_configuration_request& r,
                                                           std::chrono::system_clock::time_point now);
    outcome<get_logging_configuration_response> handle(const get_logging_configuration_request& r,
                                                       std::chrono::system_clock::time_point now);
    outcome<update_logging_configuration_response> handle(const update_logging_configuration_request& r,
                                                          std::chrono::system_clock::time_point now);
    outcome<delete_logging_configuration_response> handle(const delete_logging_configuration_request& r,
                                                          std::chrono::system_clock::time_point now);
    outcome<list_logging_configurations_response> handle(const list_logging_configurations_request& r,
                                                          std::chrono::system_clock::time_point now);

    outcome<create_chat_token_response> handle(const create_chat_token_request& r,
                                               std::chrono::system_clock::time_point now);
    outcome<send_event_response> handle(const send_event_request& r, std::chrono::system_clock::time_point now);
    outcome<delete_message_response> handle(const delete_message_request& r, std::chrono::system_clock::time_point now);
    outcome<disconnect_user_response> handle(const disconnect_user_request& r,
                                             std::chrono::system_clock::time_point now);

    outcome<tag_resource_response> handle(const tag_resource_request& r, std::chrono::system_clock::time_point now);
    outcome<untag_resource_response> handle(const untag_resource_request& r, std::chrono::system_clock::time_point now);
    outcome<list_tags_for_resource_response> handle(const list_tags_for_resource_request& r,
                                                    std::chrono::system_clock::time_point now);

    /// Reads back a token issued by this service (same key); nullopt when the
    /// token is malformed or its seal does not verify.
    std::optional<chat_token_claims> decode_chat_token(std::string_view token) const;

    /// Forgets every room and logging configuration (telling the listener
    /// that each room is gone).
    void reset();

    /// Where SendEvent, DeleteMessage, DisconnectUser and DeleteRoom are
    /// reported (nullptr: nowhere). The listener must outlive the service or
    /// be removed first.
    void set_room_listener(room_listener* listener) noexcept { listener_ = listener; }
    /// The room's current message limits; nullopt when there is no such room.
    std::optional<room_message_limits> message_limits(std::string_view room_arn) const;
    /// Where a room's logging configurations send its messages and events;
    /// empty when it has none (or there is no such room).
    std::vector<destination_configuration> log_destinations(std::string_view room_arn) const;
    /// A fresh 12-character alphanumeric id (messages, events, errors).
    std::string new_message_id() { return new_id(); }

    std::size_t room_count() const noexcept { return rooms_.size(); }
    std::size_t logging_configuration_count() const noexcept { return logging_configurations_.size(); }
    const service_options& options() const noexcept { return options_; }

private:
    std::string new_id();
    get_room_response* find_room(std::string_view arn);
    get_logging_configuration_response* find_logging_configuration(std::string_view arn);
    std::map<std::string, std::string>* find_tags(std::string_view arn);
    std::optional<service_error> check_logging_configurations(const std::vector<std::string>& arns);

    service_options options_;
    std::string room_arn_prefix_;
    std::string logging_configuration_arn_prefix_;
    std::mt19937_64 rng_;
    std::unordered_map<std::string, get_room_response> rooms_;  // by id
    std::unordered_map<std::string, get_logging_configuration_response> logging_configurations_;  // by id
    room_listener* listener_ = nullptr;
};

}  // namespace ivschat::emulator
