#include <ivschat/config.hpp>

#include "ivschat/config/config_text.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>

namespace ivschat {
namespace {

[[noreturn]] void reject(std::string_view url, std::string_view why) {
    throw config_error("invalid endpoint URL \"" + std::string(url) + "\": " + std::string(why));
}

}  // namespace

endpoint_url parse_endpoint_url(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) reject(url, "not an absolute URL such as https://host:port/path (" + parsed.error().message() + ")");
    const boost::urls::url_view& u = *parsed;

    endpoint_url out;
    out.url = std::string(url);
    out.scheme = detail::ascii_lower(u.scheme());
    if (out.scheme != "https" && out.scheme != "http") reject(url, "the scheme must be https or http");
    if (!u.has_authority() || u.encoded_host().empty()) reject(url, "it has no host");
    if (u.has_userinfo()) reject(url, "user information (user@) is not allowed");
    if (u.has_query()) reject(url, "a query (?...) is not allowed");
    if (u.has_fragment()) reject(url, "a fragment (#...) is not allowed");

    switch (u.host_type()) {
        case boost::urls::host_type::name:
            if (u.encoded_host().find('%') != boost::urls::string_view::npos)
                reject(url, "percent-encoded host names are not supported");
            out.host = std::string(u.encoded_host());
            out.host_header = out.host;
            break;
        case boost::urls::host_type::ipv4:
            out.host = std::string(u.encoded_host());
            out.host_header = out.host;
            break;
        case boost::urls::host_type::ipv6:
            out.host = u.host_address();
            out.host_header = "[" + out.host + "]";
            break;
        default: reject(url, "the host is not a name or an IP address");
    }

    std::uint16_t default_port = out.scheme == "https" ? 443 : 80;
    out.port = default_port;
    if (u.has_port()) {
        // "https://host:/" names no port: a typo, not a request for the default.
        if (u.port().empty()) reject(url, "the port after ':' is empty");
        if (u.port_number() == 0) reject(url, "the port must be from 1 to 65535");
        out.port = u.port_number();
    }
    if (out.port != default_port) out.host_header += ":" + std::to_string(out.port);

    out.path = std::string(u.encoded_path());
    while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
    return out;
}

bool is_valid_region(std::string_view region) noexcept {
    if (region.empty() || region.size() > 63 || region.front() == '-' || region.back() == '-') return false;
    return std::all_of(region.begin(), region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    });
}

}  // namespace ivschat
