#include <ivschat/emulator/request_authenticator.hpp>

#include "ivschat/time_format.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace ivschat::emulator {

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view incomplete = "IncompleteSignatureException";
constexpr std::string_view invalid = "InvalidSignatureException";
constexpr std::string_view unrecognized = "UnrecognizedClientException";

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The three components of "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...".
struct authorization_fields {
    std::string_view credential, signed_headers, signature;
};

authorization_fields parse_authorization_fields(std::string_view params) {
    authorization_fields f;
    while (!params.empty()) {
        auto comma = params.find(',');
        auto part = trim(params.substr(0, comma));
        params = comma == std::string_view::npos ? std::string_view{} : params.substr(comma + 1);
        auto eq = part.find('=');
        if (eq == std::string_view::npos) continue;
        auto key = part.substr(0, eq), value = part.substr(eq + 1);
        if (key == "Credential") f.credential = value;
        else if (key == "SignedHeaders") f.signed_headers = value;
        else if (key == "Signature") f.signature = value;
    }
    return f;
}

std::string amz_date_text(std::chrono::system_clock::time_point t) {
    char text[16];
    detail::format_amz_date(std::chrono::floor<std::chrono::seconds>(t), text);
    return {text, 16};
}

std::string skew_text(std::chrono::seconds skew) {
    auto minutes = skew.count() / 60;
    return minutes * 60 == skew.count() ? std::to_string(minutes) + " min." : std::to_string(skew.count()) + " sec.";
}

}  // namespace

request_authenticator::request_authenticator(authenticator_options options)
    : options_(std::move(options)), signer_(sigv4::signer_options{.region = options_.region, .service = options_.service}) {}

std::optional<auth_failure> request_authenticator::verify(const received_request& request,
                                                          std::chrono::system_clock::time_point now) {
    auto header = [&](std::string_view name) -> std::optional<std::string_view> {
        for (const auto& h : request.headers)
            if (iequals(h.name, name)) return h.value;
        return std::nullopt;
    };

    auto authorization = header("authorization");
    if (!authorization) return auth_failure{403, "MissingAuthenticationTokenException", "Missing Authentication Token"};
    std::string_view auth = trim(*authorization);
    auto fail = [&](std::string_view type, std::string message) {
        return auth_failure{403, type, std::move(message)};
    };
    if (!auth.starts_with(algorithm) || (auth.size() > algorithm.size() && auth[algorithm.size()] != ' '))
        return fail(incomplete, "Authorization header requires the 'AWS4-HMAC-SHA256' algorithm. Authorization=" +
                                    std::string(auth.substr(0, auth.find(' '))));

    auto fields = parse_authorization_fields(auth.substr(algorithm.size()));
    std::string missing;
    if (fields.credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
    if (fields.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
    if (fields.signed_headers.empty()) missing += "Authorization header requires 'SignedHeaders' parameter. ";
    auto amz_date = header("x-amz-date");
    if (!amz_date)
        missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    if (!missing.empty()) return fail(incomplete, missing + "Authorization=" + std::string(algorithm));

    // Credential=AKID/yyyymmdd/region/service/aws4_request
    std::string_view scope[5];
    {
        std::string_view rest = fields.credential;
        std::size_t n = 0;
        while (n < 5) {
            auto slash = rest.find('/');
            scope[n++] = rest.substr(0, slash);
            if (slash == std::string_view::npos) break;
            rest = rest.substr(slash + 1);
        }
        if (n != 5 || rest.find('/') != std::string_view::npos)
            return fail(incomplete, "Credential should have exactly 5 parts separated by '/': \"" +
                                        std::string(fields.credential) + "\".");
    }
    auto date = detail::parse_amz_date(trim(*amz_date));
    if (!date)
        return fail(incomplete, "Date must be in ISO-8601 'basic format'. Got '" + std::string(*amz_date) +
                                    "'. See http://en.wikipedia.org/wiki/ISO_8601");
    if (scope[1] != trim(*amz_date).substr(0, 8))
        return fail(invalid, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                                 std::string(scope[1]) + "' != '" + std::string(trim(*amz_date).substr(0, 8)) + "', from '" +
                                 std::string(trim(*amz_date)) + "'.");
    if (scope[2] != options_.region) return fail(invalid, "Credential should be scoped to a valid region. ");
    if (scope[3] != options_.service)
        return fail(invalid, "Credential should be scoped to correct service: '" + options_.service + "'. ");
    if (scope[4] != "aws4_request")
        return fail(invalid, "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                                 std::string(scope[4]) + "'. ");

    const credentials* key = nullptr;
    for (const auto& k : options_.keys)
        if (k.access_key_id == scope[0]) key = &k;
    if (!key) return fail(unrecognized, "The security token included in the request is invalid.");

    // Skew is checked after the key so that an unknown key is reported as such
    // whatever the clock says, as AWS does.
    const auto skew = options_.allowed_skew;
    if (*date + skew < now)
        return fail(invalid, "Signature expired: " + std::string(trim(*amz_date)) + " is now earlier than " +
                                 amz_date_text(now - skew) + " (" + amz_date_text(now) + " - " + skew_text(skew) + ")");
    if (*date - skew > now)
        return fail(invalid, "Signature not yet current: " + std::string(trim(*amz_date)) + " is still later than " +
                                 amz_date_text(now + skew) + " (" + amz_date_text(now) + " + " + skew_text(skew) + ")");

    // The signed headers, minus the two the signer adds itself.
    signed_.clear();
    bool host_signed = false;
    std::optional<std::string_view> token;
    for (std::string_view names = fields.signed_headers; !names.empty();) {
        auto semi = names.find(';');
        auto name = names.substr(0, semi);
        names = semi == std::string_view::npos ? std::string_view{} : names.substr(semi + 1);
        if (name == "host") host_signed = true;
        if (name == "x-amz-date") continue;
        if (name == "x-amz-security-token") {
            token = header(name).value_or(std::string_view{});
            continue;
        }
        for (const auto& h : request.headers)
            if (iequals(h.name, name)) signed_.push_back(h);
    }
    if (!host_signed)
        return fail(incomplete, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    const std::string_view expected_token = key->session_token;
    if (!constant_time_equal(token.value_or(header("x-amz-security-token").value_or(std::string_view{})), expected_token))
        return fail(unrecognized, "The security token included in the request is invalid.");

    credentials& creds = scratch_;
    creds.access_key_id = key->access_key_id;
    creds.secret_access_key = key->secret_access_key;
    creds.session_token.assign(token.value_or(std::string_view{}));
    signer_.sign(sigv4::request{.method = request.method,
                                .path = request.path,
                                .query = request.query,
                                .headers = signed_,
                                .payload = request.payload},
                 creds, *date);
    if (!constant_time_equal(signer_.signature(), fields.signature))
        return fail(invalid,
                    "The request signature we calculated does not match the signature you provided. Check your AWS "
                    "Secret Access Key and signing method. Consult the service documentation for details.");
    return std::nullopt;
}

}  // namespace ivschat::emulator
