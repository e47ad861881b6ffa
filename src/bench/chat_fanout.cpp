// ivschat-bench --operation chat-fanout: senders send numbered, timestamped
// messages into rooms at a fixed rate; receivers (ivschat::chat_room, one
// connection each) count every message once, the duplicates, and the send
// to receive latency. Each sender ends with a marker carrying how many of
// its messages the room accepted, so a receiving process knows what it
// should have got without talking to the sending one. Fields of the JSON
// line: benchmarks/README.md.
#include "chat_fanout.hpp"

#include "bench_statistics.hpp"

#include <ivschat/chat_room.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace ivschat::bench {

namespace {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Connections opened (or closed) at once: the emulator and the token
// calls are not flooded, the run does not wait on one at a time.
constexpr std::size_t connect_width = 50;
// A receiving run ends this long after the last delivery when not every
// end marker arrived.
constexpr auto quiet_limit = std::chrono::seconds(10);

constexpr std::string_view message_tag = "fanout";
constexpr std::string_view end_tag = "fanout-end";

std::int64_t unix_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// "fanout SENDER NUMBER SEND_NS " padded with 'x' to `bytes`.
std::string message_content(std::size_t sender, std::size_t number, std::size_t bytes) {
    std::string text = std::string(message_tag) + ' ' + std::to_string(sender) + ' ' + std::to_string(number) + ' ' +
                       std::to_string(unix_ns()) + ' ';
    if (text.size() < bytes) text.append(bytes - text.size(), 'x');
    return text;
}

// "fanout-end SENDER ACCEPTED": the sender's last message.
std::string end_content(std::size_t sender, std::size_t accepted) {
    return std::string(end_tag) + ' ' + std::to_string(sender) + ' ' + std::to_string(accepted);
}

struct parsed_content {
    bool end = false;
    std::size_t sender = 0;
    std::size_t number = 0;  // the message's number, or the accepted count of an end marker
    std::int64_t send_ns = 0;
};

// Reads the next space-separated decimal number of `text` into `value`.
template <class Number>
bool next_number(std::string_view& text, Number& value) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{}) return false;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    return true;
}

std::optional<parsed_content> parse_content(std::string_view text) {
    parsed_content out;
    const auto space = text.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    const auto tag = text.substr(0, space);
    text.remove_prefix(space + 1);
    if (tag == end_tag) {
        out.end = true;
        if (!next_number(text, out.sender) || !next_number(text, out.number)) return std::nullopt;
        return out;
    }
    if (tag != message_tag) return std::nullopt;
    if (!next_number(text, out.sender) || !next_number(text, out.number) || !next_number(text, out.send_ns))
        return std::nullopt;
    return out;
}

long rss_kb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

// User and system CPU seconds: the process's (from /proc/self/stat, as the
// JavaScript peer reads it) or the calling thread's (getrusage).
struct cpu_times {
    double user_s = 0;
    double system_s = 0;
};

cpu_times process_cpu() {
    std::ifstream stat("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the command name (which may hold spaces): state is the 3rd
    // field, utime the 14th and stime the 15th.
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    unsigned long long user_ticks = 0, system_ticks = 0;
    for (int index = 3; fields >> field; ++index) {
        if (index == 14) user_ticks = std::stoull(field);
        if (index == 15) {
            system_ticks = std::stoull(field);
            break;
        }
    }
    const auto ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return {static_cast<double>(user_ticks) / ticks, static_cast<double>(system_ticks) / ticks};
}

cpu_times thread_cpu() {
    rusage usage{};
    ::getrusage(RUSAGE_THREAD, &usage);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

// (No coroutine lambdas inside coroutines below: g++ 12 rejects them.)
template <class Task>
asio::awaitable<void> bounded_worker(Task& task, std::size_t& next, std::size_t count) {
    while (next < count) co_await task(next++);
}

// Runs task(i) (returning an awaitable) for every i below `count`, at most
// `width` at a time.
template <class Task>
asio::awaitable<void> run_bounded(std::size_t count, std::size_t width, Task task) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer all_done(executor, clock_type::time_point::max());
    std::size_t next = 0;
    std::size_t running = std::min(width, count);
    const std::size_t workers = running;
    for (std::size_t i = 0; i < workers; ++i) {
        asio::co_spawn(executor, bounded_worker(task, next, count), [&](std::exception_ptr) {
            if (--running == 0) all_done.cancel();
        });
    }
    while (running > 0) co_await all_done.async_wait(use_tuple);
}

asio::awaitable<void> sleep_until(clock_type::time_point when) {
    asio::steady_timer timer(co_await asio::this_coro::executor, when);
    co_await timer.async_wait(use_tuple);
}

std::size_t messages_per_room(const chat_fanout_options& o) {
    if (o.messages_per_room) return *o.messages_per_room;
    return static_cast<std::size_t>(o.rate_per_room * o.duration_s + 0.5);
}

chat_room_options room_options(const chat_fanout_options& o) {
    chat_room_options out;
    out.endpoint = o.messaging_endpoint;
    out.tls.ca_file = o.ca_bundle;
    out.thread_safe = o.thread_safe;
    return out;
}

// One connection per user, all on this thread's io_context.
struct member {
    std::unique_ptr<chat_room> room;
    std::size_t room_index = 0;
    std::size_t index_in_room = 0;
};

// Who connects and how: user "<prefix>-ROOM-INDEX" with `capabilities`.
struct member_plan {
    client& control;
    const chat_fanout_options& o;
    const std::vector<std::string>& arns;
    std::size_t per_room;
    std::string prefix;
    std::vector<chat_token_capability> capabilities;
    std::string first_error{};
};

asio::awaitable<void> connect_member(member_plan& plan, member& m, std::size_t i) {
    m.room_index = i / plan.per_room;
    m.index_in_room = i % plan.per_room;
    create_chat_token_request request{.room_identifier = plan.arns[m.room_index],
                                      .user_id = plan.prefix + "-" + std::to_string(m.room_index) + "-" +
                                                 std::to_string(m.index_in_room),
                                      .capabilities = plan.capabilities};
    m.room = std::make_unique<chat_room>(co_await asio::this_coro::executor, room_options(plan.o),
                                         make_chat_token_provider(plan.control, request));
    auto [ec] = co_await m.room->async_connect(use_tuple);
    if (ec && plan.first_error.empty()) plan.first_error = request.user_id + " could not connect: " + ec.message();
}

// Opens plan.per_room connections to each room; returns the first failure.
asio::awaitable<std::string> connect_members(member_plan plan, std::vector<member>& out) {
    out.resize(plan.arns.size() * plan.per_room);
    co_await run_bounded(out.size(), connect_width, [&](std::size_t i) { return connect_member(plan, out[i], i); });
    co_return plan.first_error;
}

asio::awaitable<void> close_members(std::vector<member>& members) {
    co_await run_bounded(members.size(), connect_width,
                         [&](std::size_t i) { return members[i].room->async_close(use_tuple); });
}

// ---- senders ----

struct send_tally {
    std::vector<std::vector<std::size_t>> accepted{};  // [room][sender]
    std::size_t refused = 0;                           // ERROR 429: the room's rate
    std::size_t errors = 0;
    std::string first_error{};
    double wall_s = 0;

    std::size_t accepted_total() const {
        std::size_t sum = 0;
        for (const auto& room : accepted)
            for (auto n : room) sum += n;
        return sum;
    }
    void fail(std::string what) {
        ++errors;
        if (first_error.empty()) first_error = std::move(what);
    }
};

asio::awaitable<void> send_one(member& sender, std::size_t number, const chat_fanout_options& o, send_tally& t,
                               std::size_t& in_flight) {
    auto content = message_content(sender.index_in_room, number, o.message_bytes);
    auto [ec, message] = co_await sender.room->async_send_message(std::move(content), {}, nullptr, use_tuple);
    if (!ec) {
        ++t.accepted[sender.room_index][sender.index_in_room];
    } else if (ec == chat_errc::rate_exceeded) {
        ++t.refused;
    } else {
        t.fail("send: " + ec.message());
    }
    --in_flight;
}

// The end marker, again after a 429 (the room's rate may be used up).
asio::awaitable<void> send_end(member& sender, send_tally& t) {
    const auto accepted = t.accepted[sender.room_index][sender.index_in_room];
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto [ec, message] = co_await sender.room->async_send_message(end_content(sender.index_in_room, accepted), {},
                                                                      nullptr, use_tuple);
        if (!ec) co_return;
        if (ec != chat_errc::rate_exceeded) break;
        co_await sleep_until(clock_type::now() + std::chrono::milliseconds(50));
    }
    t.fail("the end marker of a sender was not accepted");
}

asio::awaitable<void> run_senders(client& control, const chat_fanout_options& o, const std::vector<std::string>& arns,
                                  send_tally& t) {
    std::vector<member> senders;
    member_plan plan{control, o, arns, o.senders_per_room, "sender", {chat_token_capability::send_message}};
    const auto connect_error = co_await connect_members(std::move(plan), senders);
    if (!connect_error.empty()) {
        t.fail(connect_error);
        co_return;
    }
    t.accepted.assign(arns.size(), std::vector<std::size_t>(o.senders_per_room, 0));
    // Message i of room r leaves at (i * rooms + r) / (rate * rooms) seconds:
    // every room at its rate, the rooms interleaved; sender i % S sends it.
    const std::size_t per_room = messages_per_room(o);
    const double interval_s = 1.0 / (o.rate_per_room * static_cast<double>(arns.size()));
    std::size_t in_flight = 0;
    const auto start = clock_type::now();
    auto executor = co_await asio::this_coro::executor;
    for (std::size_t event = 0; event < per_room * arns.size(); ++event) {
        const auto due = start + std::chrono::duration_cast<clock_type::duration>(
                                     std::chrono::duration<double>(static_cast<double>(event) * interval_s));
        if (due > clock_type::now()) co_await sleep_until(due);
        const std::size_t room = event % arns.size();
        const std::size_t number = event / arns.size();
        auto& sender = senders[room * o.senders_per_room + number % o.senders_per_room];
        ++in_flight;
        asio::co_spawn(executor, send_one(sender, number / o.senders_per_room, o, t, in_flight), asio::detached);
    }
    while (in_flight > 0) co_await sleep_until(clock_type::now() + std::chrono::milliseconds(10));
    t.wall_s = std::chrono::duration<double>(clock_type::now() - start).count();
    co_await run_bounded(senders.size(), senders.size(), [&](std::size_t i) { return send_end(senders[i], t); });
    co_await close_members(senders);
}

// ---- receivers ----

struct receiver_state {
    std::vector<std::vector<std::uint8_t>> seen{};        // [sender][number]: times received
    std::vector<std::optional<std::size_t>> accepted{};   // [sender]: from the end marker
    std::size_t ends = 0;
};

struct receive_tally {
    std::size_t delivered = 0;
    std::size_t duplicated = 0;
    std::size_t finished = 0;  // receivers with every end marker
    std::size_t errors = 0;
    std::string first_error{};
    std::vector<double> latencies_ms{};
    std::optional<clock_type::time_point> first_delivery{};
    clock_type::time_point last_delivery{};
    bool stopping = false;

    void fail(std::string what) {
        ++errors;
        if (first_error.empty()) first_error = std::move(what);
    }
};

void count_message(const chat_message& message, std::size_t senders, receiver_state& r, receive_tally& t) {
    const auto content = parse_content(message.content);
    if (!content || content->sender >= senders) return;  // not the benchmark's
    if (content->end) {
        if (r.accepted[content->sender]) return;
        r.accepted[content->sender] = content->number;
        if (++r.ends == senders) ++t.finished;
        return;
    }
    auto& seen = r.seen[content->sender];
    if (content->number >= seen.size()) seen.resize(content->number + 1, 0);
    if (seen[content->number]++ > 0) {
        ++t.duplicated;
        return;
    }
    ++t.delivered;
    const auto now = clock_type::now();
    if (!t.first_delivery) t.first_delivery = now;
    t.last_delivery = now;
    t.latencies_ms.push_back(static_cast<double>(unix_ns() - content->send_ns) / 1e6);
}

asio::awaitable<void> receive_all(member& m, std::size_t senders, receiver_state& r, receive_tally& t) {
    for (;;) {
        auto [ec, frame] = co_await m.room->async_receive(use_tuple);
        if (ec == chat_errc::frames_dropped) {
            t.fail("a receiver's queue overflowed");
            continue;
        }
        if (ec) {
            if (!t.stopping) t.fail("receive: " + ec.message());
            co_return;
        }
        if (const auto* message = std::get_if<chat_message>(&frame)) count_message(*message, senders, r, t);
    }
}

// Waits until every receiver has every end marker, or nothing arrived for
// quiet_limit after the first delivery, or `deadline`.
asio::awaitable<void> wait_for_end(const receive_tally& t, std::size_t receivers, clock_type::time_point deadline) {
    while (t.finished < receivers && clock_type::now() < deadline) {
        if (t.first_delivery && clock_type::now() - t.last_delivery > quiet_limit) break;
        co_await sleep_until(clock_type::now() + std::chrono::milliseconds(20));
    }
}

struct receive_report {
    std::size_t messages_sent = 0;  // per the end markers, all rooms
    std::size_t expected = 0;       // deliveries the end markers promise
    std::size_t lost = 0;
    std::size_t reconnects = 0;
};

// What was lost: per room and sender, the accepted count any receiver of the
// room learnt from the end marker, minus the distinct messages each receiver got.
receive_report account(const std::vector<member>& members, const std::vector<receiver_state>& states,
                       std::size_t rooms, std::size_t senders, receive_tally& t) {
    receive_report out;
    std::vector<std::vector<std::optional<std::size_t>>> accepted(rooms,
                                                                  std::vector<std::optional<std::size_t>>(senders));
    for (std::size_t i = 0; i < members.size(); ++i) {
        for (std::size_t s = 0; s < senders; ++s) {
            if (states[i].accepted[s]) accepted[members[i].room_index][s] = states[i].accepted[s];
        }
    }
    for (std::size_t room = 0; room < rooms; ++room) {
        for (std::size_t s = 0; s < senders; ++s) {
            if (!accepted[room][s]) t.fail("no receiver of room " + std::to_string(room) + " got an end marker");
            out.messages_sent += accepted[room][s].value_or(0);
        }
    }
    for (std::size_t i = 0; i < members.size(); ++i) {
        for (std::size_t s = 0; s < senders; ++s) {
            const auto promised = accepted[members[i].room_index][s].value_or(0);
            const auto& seen = states[i].seen[s];
            const auto got = static_cast<std::size_t>(std::count_if(seen.begin(), seen.end(), [](auto n) { return n > 0; }));
            out.expected += promised;
            if (got < promised) out.lost += promised - got;
        }
        out.reconnects += members[i].room->connections_opened() - 1;
    }
    return out;
}

const char* role_name(fanout_role role) {
    switch (role) {
        case fanout_role::both: return "both";
        case fanout_role::receive: return "receive";
        case fanout_role::send: return "send";
    }
    return "";
}

// The JSON line of --role send.
int print_send_result(const chat_fanout_options& o, const send_tally& t, const char* version) {
    if (!t.first_error.empty()) std::cerr << "ivschat-bench: " << t.first_error << '\n';
    const auto sent = t.accepted_total();
    std::printf("{\"client\":\"ivschat-cpp\",\"version\":\"%s\",\"operation\":\"chat-fanout\",\"role\":\"send\","
                "\"rooms\":%zu,\"senders_per_room\":%zu,\"rate_per_room\":%.1f,\"message_bytes\":%zu,"
                "\"messages_sent\":%zu,\"refused\":%zu,\"errors\":%zu,\"wall_s\":%.3f,\"sent_per_s\":%.1f}\n",
                version, o.rooms, o.senders_per_room, o.rate_per_room, o.message_bytes, sent, t.refused, t.errors,
                t.wall_s, t.wall_s > 0 ? static_cast<double>(sent) / t.wall_s : 0.0);
    std::fflush(stdout);
    return t.errors > 0 ? 1 : 0;
}

struct room_set {
    std::vector<std::string> arns{};
    std::string error{};
};

asio::awaitable<room_set> prepare_rooms(client& control, const chat_fanout_options& o) {
    room_set out;
    out.arns = o.room_arns;
    for (std::size_t i = out.arns.size(); i < o.rooms; ++i) {
        // The highest rate a room allows: the benchmark's rate is its own setting.
        create_room_request request{.name = "fanout-" + std::to_string(i), .maximum_message_rate_per_second = 100};
        diagnostics diag;
        auto [ec, room] = co_await control.create_room(std::move(request), diag, use_tuple);
        if (ec || !room.arn) {
            out.error = "CreateRoom failed: " + ec.message();
            co_return out;
        }
        out.arns.push_back(*room.arn);
    }
    co_return out;
}

struct fanout_run {
    const chat_fanout_options& o;
    const client_options& control_options;
    const char* version;
    int status = 0;
};

asio::awaitable<void> run_fanout(client& control, fanout_run& run) {
    const auto& o = run.o;
    const auto rooms = co_await prepare_rooms(control, o);
    if (!rooms.error.empty()) {
        std::cerr << "ivschat-bench: " << rooms.error << '\n';
        run.status = 1;
        co_return;
    }
    if (o.role == fanout_role::send) {
        send_tally sent;
        co_await run_senders(control, o, rooms.arns, sent);
        run.status = print_send_result(o, sent, run.version);
        co_return;
    }
    // One CreateChatToken first: the client's pool and TLS state are not
    // counted as the receivers' memory.
    create_chat_token_request warm_up{.room_identifier = rooms.arns.front(), .user_id = "warm-up"};
    diagnostics diag;
    auto [warm_ec, warm_token] = co_await control.create_chat_token(std::move(warm_up), diag, use_tuple);
    if (warm_ec) {
        std::cerr << "ivschat-bench: CreateChatToken failed: " << warm_ec.message() << '\n';
        run.status = 1;
        co_return;
    }

    const long rss_before = rss_kb();
    std::vector<member> receivers;
    member_plan plan{control, o, rooms.arns, o.receivers_per_room, "receiver", {}};
    const auto connect_error = co_await connect_members(std::move(plan), receivers);
    const long rss_connected = rss_kb();
    receive_tally t;
    if (!connect_error.empty()) t.fail(connect_error);
    std::vector<receiver_state> states(receivers.size());
    for (auto& s : states) {
        s.seen.resize(o.senders_per_room);
        s.accepted.resize(o.senders_per_room);
    }
    t.latencies_ms.reserve(receivers.size() * messages_per_room(o));
    auto executor = co_await asio::this_coro::executor;
    for (std::size_t i = 0; i < receivers.size(); ++i) {
        if (receivers[i].room->state() == chat_state::connected)
            asio::co_spawn(executor, receive_all(receivers[i], o.senders_per_room, states[i], t), asio::detached);
    }

    const bool own_senders = o.role == fanout_role::both;
    const auto cpu_before = own_senders ? thread_cpu() : process_cpu();
    const auto ready = clock_type::now();
    std::cerr << "chat-fanout: ready, " << receivers.size() << " receivers connected" << std::endl;

    send_tally sent;
    std::thread sending;
    if (own_senders) {
        sending = std::thread([&] {
            asio::io_context sender_io(1);
            client sender_control(sender_io.get_executor(), run.control_options);
            asio::co_spawn(sender_io, run_senders(sender_control, o, rooms.arns, sent),
                           [&](std::exception_ptr) { sender_io.stop(); });
            sender_io.run();
        });
    }
    const auto allowance = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double>(o.duration_s + 120.0));
    co_await wait_for_end(t, receivers.size(), ready + allowance);
    const auto cpu_after = own_senders ? thread_cpu() : process_cpu();
    const long rss_end = rss_kb();
    if (sending.joinable()) sending.join();

    t.stopping = true;
    const auto report = account(receivers, states, rooms.arns.size(), o.senders_per_room, t);
    co_await close_members(receivers);
    if (own_senders && !sent.first_error.empty()) t.fail(sent.first_error);

    auto& latencies = t.latencies_ms;
    std::sort(latencies.begin(), latencies.end());
    const double wall_s =
        t.first_delivery ? std::chrono::duration<double>(t.last_delivery - *t.first_delivery).count() : 0.0;
    const double cpu_s = (cpu_after.user_s - cpu_before.user_s) + (cpu_after.system_s - cpu_before.system_s);
    const auto connections = receivers.size();
    const std::size_t errors = t.errors + (own_senders ? sent.errors : 0);
    std::printf(
        "{\"client\":\"ivschat-cpp\",\"version\":\"%s\",\"operation\":\"chat-fanout\",\"role\":\"%s\","
        "\"rooms\":%zu,\"receivers_per_room\":%zu,\"senders_per_room\":%zu,\"rate_per_room\":%.1f,"
        "\"message_bytes\":%zu,\"thread_safe\":%s,\"connections\":%zu,\"messages_sent\":%zu,\"refused\":%zu,\"expected\":%zu,"
        "\"delivered\":%zu,\"lost\":%zu,\"duplicated\":%zu,\"wall_s\":%.3f,\"delivered_per_s\":%.1f,"
        "\"cpu_scope\":\"%s\",\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,\"cpu_us_per_delivered\":%.3f,"
        "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"rss_before_kb\":%ld,\"rss_connected_kb\":%ld,"
        "\"bytes_per_connection\":%.0f,\"rss_end_kb\":%ld,\"reconnects\":%zu,\"errors\":%zu}\n",
        run.version, role_name(o.role), rooms.arns.size(), o.receivers_per_room, o.senders_per_room,
        o.rate_per_room, o.message_bytes, o.thread_safe ? "true" : "false", connections, report.messages_sent, own_senders ? sent.refused : 0,
        report.expected, t.delivered, report.lost, t.duplicated, wall_s,
        wall_s > 0 ? static_cast<double>(t.delivered) / wall_s : 0.0, own_senders ? "thread" : "process",
        cpu_after.user_s - cpu_before.user_s, cpu_after.system_s - cpu_before.system_s,
        t.delivered ? cpu_s * 1e6 / static_cast<double>(t.delivered) : 0.0, percentile(latencies, 0.50),
        percentile(latencies, 0.99), latencies.empty() ? 0.0 : latencies.back(), rss_before, rss_connected,
        connections ? static_cast<double>(rss_connected - rss_before) * 1024.0 / static_cast<double>(connections) : 0.0,
        rss_end, report.reconnects, errors);
    std::fflush(stdout);
    if (!t.first_error.empty()) std::cerr << "ivschat-bench: " << t.first_error << '\n';
    run.status = errors > 0 || report.lost > 0 || t.duplicated > 0 || t.delivered == 0 ? 1 : 0;
}

}  // namespace

int run_chat_fanout(const client_options& control_options, const chat_fanout_options& o, const char* version) {
    // One connection per receiver: lift the descriptor limit to the hard one.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    asio::io_context io(1);
    client control(io.get_executor(), control_options);
    fanout_run run{o, control_options, version};
    asio::co_spawn(io, run_fanout(control, run), [&](std::exception_ptr failure) {
        if (failure) {
            try {
                std::rethrow_exception(failure);
            } catch (const std::exception& e) {
                std::cerr << "ivschat-bench: " << e.what() << '\n';
            }
            run.status = 1;
        }
        // The client's pool timers may still be pending: the run is over.
        io.stop();
    });
    io.run();
    return run.status;
}

}  // namespace ivschat::bench
