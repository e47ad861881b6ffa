#include <ivschat/sigv4.hpp>

#include "ivschat/crypto/sha256.hpp"
#include "ivschat/percent_encoding.hpp"
#include "ivschat/time_format.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ivschat::sigv4 {

namespace {

using detail::sha256;
using detail::sha256_digest;

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
// SHA-256 of the empty string: the payload hash of every bodiless request.
constexpr std::string_view empty_payload_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Appends `value` trimmed, with each inner run of whitespace written as one space.
void append_trimmed(std::string& out, std::string_view value) {
    bool pending_space = false;
    bool any = false;
    for (char c : value) {
        if (is_space(c)) {
            pending_space = any;
            continue;
        }
        if (pending_space) out.push_back(' ');
        pending_space = false;
        any = true;
        out.push_back(c);
    }
}

// True when the path needs dot-segment removal or slash collapsing.
bool needs_normalizing(std::string_view path) noexcept {
    if (path.empty() || path.front() != '/') return true;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        if (path[i] == '/' && (path[i + 1] == '/' || path[i + 1] == '.')) return true;
    }
    return false;
}

// A header while canonicalizing: its lowercase name and trimmed value live in
// the signer's text buffer at these offsets (offsets, since the buffer grows).
struct header_entry {
    std::uint32_t name_offset, name_size, value_offset, value_size;
};

// A query parameter, encoded, at these offsets in the query buffer.
struct query_entry {
    std::uint32_t key_offset, key_size, value_offset, value_size;
};

}  // namespace

struct signer::state {
    signer_options options;
    std::size_t keys_derived = 0;

    // Signing key cache: valid for `cached_secret` on `cached_date`.
    std::string cached_secret;
    char cached_date[8] = {};
    detail::hmac_sha256_key signing_key;

    // "yyyymmdd/region/service/aws4_request", rebuilt when the date changes.
    std::string scope;
    std::string scope_suffix;  // "/region/service/aws4_request"

    // x-amz-date of the last signature, reformatted only when the second changes.
    detail::sys_seconds last_time{};
    char amz_date[16] = {};

    // Reused buffers.
    std::string header_text;
    std::vector<header_entry> headers;
    std::string query_text;
    std::string decoded;
    std::vector<query_entry> query;
    std::string normalized_path;
    std::string signed_header_names;
    std::string canonical;
    std::string to_sign;
    std::string authorization;
    std::string token;
    char payload_hash[64] = {};
    char signature_hex[64] = {};

    explicit state(signer_options o) : options(std::move(o)) {
        scope_suffix = "/" + options.region + "/" + options.service + "/aws4_request";
        format_time(detail::sys_seconds{});
    }

    void format_time(detail::sys_seconds t) {
        last_time = t;
        detail::format_amz_date(t, amz_date);
    }

    std::string_view header_name(const header_entry& e) const {
        return std::string_view(header_text).substr(e.name_offset, e.name_size);
    }
    std::string_view header_value(const header_entry& e) const {
        return std::string_view(header_text).substr(e.value_offset, e.value_size);
    }

    void add_header(std::string_view name, std::string_view value) {
        header_entry e;
        e.name_offset = static_cast<std::uint32_t>(header_text.size());
        for (char c : name) header_text.push_back(to_lower(c));
        e.name_size = static_cast<std::uint32_t>(header_text.size() - e.name_offset);
        e.value_offset = static_cast<std::uint32_t>(header_text.size());
        append_trimmed(header_text, value);
        e.value_size = static_cast<std::uint32_t>(header_text.size() - e.value_offset);
        // Insertion keeps the list sorted by name and, for a repeated name,
        // in the order given (the values join in that order).
        auto pos = std::upper_bound(headers.begin(), headers.end(), header_name(e),
                                    [this](std::string_view n, const header_entry& x) { return n < header_name(x); });
        headers.insert(pos, e);
    }

    void append_canonical_uri(std::string_view path) {
        if (options.normalize_path && needs_normalizing(path)) {
            normalize(path);
            path = normalized_path;
        }
        detail::percent_encode(path, canonical, /*keep_slash=*/true);
    }

    // Removes "." and ".." segments and empty segments (repeated '/'),
    // keeping a trailing '/'.
    void normalize(std::string_view path) {
        normalized_path.clear();
        std::size_t pos = 0;
        while (pos <= path.size()) {
            std::size_t end = path.find('/', pos);
            if (end == std::string_view::npos) end = path.size();
            std::string_view segment = path.substr(pos, end - pos);
            if (segment == "..") {
                auto slash = normalized_path.rfind('/');
                normalized_path.resize(slash == std::string::npos ? 0 : slash);
            } else if (!segment.empty() && segment != ".") {
                normalized_path.push_back('/');
                normalized_path.append(segment);
            }
            pos = end + 1;
        }
        bool trailing = !path.empty() && (path.back() == '/' || path.ends_with("/.") || path.ends_with("/.."));
        if (normalized_path.empty() || trailing) normalized_path.push_back('/');
    }

    std::string_view query_key(const query_entry& e) const {
        return std::string_view(query_text).substr(e.key_offset, e.key_size);
    }
    std::string_view query_value(const query_entry& e) const {
        return std::string_view(query_text).substr(e.value_offset, e.value_size);
    }

    void append_encoded(std::string_view raw) {
        decoded.clear();
        detail::percent_decode(raw, decoded);
        detail::percent_encode(decoded, query_text);
    }

    void append_canonical_query(std::string_view raw) {
        if (raw.empty()) return;
        query_text.clear();
        query.clear();
        std::size_t pos = 0;
        while (pos <= raw.size()) {
            std::size_t end = raw.find('&', pos);
            if (end == std::string_view::npos) end = raw.size();
            std::string_view param = raw.substr(pos, end - pos);
            pos = end + 1;
            if (param.empty()) continue;
            auto eq = param.find('=');
            query_entry e;
            e.key_offset = static_cast<std::uint32_t>(query_text.size());
            append_encoded(param.substr(0, eq));
            e.key_size = static_cast<std::uint32_t>(query_text.size() - e.key_offset);
            e.value_offset = static_cast<std::uint32_t>(query_text.size());
            if (eq != std::string_view::npos) append_encoded(param.substr(eq + 1));
            e.value_size = static_cast<std::uint32_t>(query_text.size() - e.value_offset);
            query.push_back(e);
        }
        std::sort(query.begin(), query.end(), [this](const query_entry& a, const query_entry& b) {
            auto ka = query_key(a), kb = query_key(b);
            return ka != kb ? ka < kb : query_value(a) < query_value(b);
        });
        for (std::size_t i = 0; i < query.size(); ++i) {
            if (i) canonical.push_back('&');
            canonical.append(query_key(query[i]));
            canonical.push_back('=');
            canonical.append(query_value(query[i]));
        }
    }

    // kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
    void derive_key(std::string_view secret) {
        std::string seed = "AWS4";
        seed.append(secret);
        auto k_date = detail::hmac_sha256(seed, std::string_view(amz_date, 8));
        auto k_region = detail::hmac_sha256(detail::as_string_view(k_date), options.region);
        auto k_service = detail::hmac_sha256(detail::as_string_view(k_region), options.service);
        auto k_signing = detail::hmac_sha256(detail::as_string_view(k_service), "aws4_request");
        signing_key = detail::hmac_sha256_key{detail::as_string_view(k_signing)};
        cached_secret.assign(secret);
        std::copy_n(amz_date, 8, cached_date);
        scope.assign(amz_date, 8);
        scope.append(scope_suffix);
        ++keys_derived;
    }

    signed_headers sign(const request& req, const credentials& creds, std::chrono::system_clock::time_point now) {
        auto t = std::chrono::floor<std::chrono::seconds>(now);
        if (t != last_time) format_time(t);
        const std::string_view date_time(amz_date, 16);
        if (cached_secret != creds.secret_access_key || !std::equal(cached_date, cached_date + 8, amz_date) ||
            keys_derived == 0)
            derive_key(creds.secret_access_key);

        std::string_view payload_digest = empty_payload_hash;
        if (!req.payload.empty()) {
            detail::hex_encode(sha256::of(req.payload), payload_hash);
            payload_digest = std::string_view(payload_hash, 64);
        }
        const bool signs_token = !creds.session_token.empty() && !options.omit_session_token;

        header_text.clear();
        headers.clear();
        for (const header& h : req.headers) add_header(h.name, h.value);
        add_header("x-amz-date", date_time);
        if (signs_token) add_header("x-amz-security-token", creds.session_token);
        if (options.sign_payload_header) add_header("x-amz-content-sha256", payload_digest);

        signed_header_names.clear();
        for (std::size_t i = 0; i < headers.size(); ++i) {
            if (i && header_name(headers[i]) == header_name(headers[i - 1])) continue;
            if (!signed_header_names.empty()) signed_header_names.push_back(';');
            signed_header_names.append(header_name(headers[i]));
        }

        canonical.clear();
        canonical.append(req.method);
        canonical.push_back('\n');
        append_canonical_uri(req.path);
        canonical.push_back('\n');
        append_canonical_query(req.query);
        canonical.push_back('\n');
        for (std::size_t i = 0; i < headers.size(); ++i) {
            bool repeated = i && header_name(headers[i]) == header_name(headers[i - 1]);
            if (repeated) {
                canonical.push_back(',');
            } else {
                if (i) canonical.push_back('\n');
                canonical.append(header_name(headers[i]));
                canonical.push_back(':');
            }
            canonical.append(header_value(headers[i]));
        }
        canonical.append("\n\n");
        canonical.append(signed_header_names);
        canonical.push_back('\n');
        canonical.append(payload_digest);

        char canonical_hash[64];
        detail::hex_encode(sha256::of(canonical), canonical_hash);
        to_sign.clear();
        to_sign.append(algorithm);
        to_sign.push_back('\n');
        to_sign.append(date_time);
        to_sign.push_back('\n');
        to_sign.append(scope);
        to_sign.push_back('\n');
        to_sign.append(canonical_hash, 64);

        detail::hex_encode(signing_key.mac(to_sign), signature_hex);

        authorization.clear();
        authorization.append(algorithm);
        authorization.append(" Credential=");
        authorization.append(creds.access_key_id);
        authorization.push_back('/');
        authorization.append(scope);
        authorization.append(", SignedHeaders=");
        authorization.append(signed_header_names);
        authorization.append(", Signature=");
        authorization.append(signature_hex, 64);

        signed_headers out;
        out.x_amz_date = date_time;
        out.x_amz_security_token = creds.session_token;
        if (options.sign_payload_header) out.x_amz_content_sha256 = payload_digest;
        out.authorization = authorization;
        return out;
    }
};

signer::signer(signer_options options) : state_(std::make_unique<state>(std::move(options))) {}
signer::~signer() = default;
signer::signer(signer&&) noexcept = default;
signer& signer::operator=(signer&&) noexcept = default;

signed_headers signer::sign(const request& req, const credentials& creds) {
    return state_->sign(req, creds, state_->options.clock());
}

signed_headers signer::sign(const request& req, const credentials& creds, std::chrono::system_clock::time_point now) {
    return state_->sign(req, creds, now);
}

std::string_view signer::canonical_request() const noexcept { return state_->canonical; }
std::string_view signer::string_to_sign() const noexcept { return state_->to_sign; }
std::string_view signer::signature() const noexcept { return {state_->signature_hex, 64}; }
std::size_t signer::signing_keys_derived() const noexcept { return state_->keys_derived; }
const signer_options& signer::options() const noexcept { return state_->options; }

}  // namespace ivschat::sigv4
