// The answers of the credentials sources: credential_process output, the
// container endpoint's and IMDS's JSON, and STS's XML (AssumeRole and
// AssumeRoleWithWebIdentity results, ErrorResponse).
//
// Input: a selector byte (0-2: the JSON formats, else STS XML), then the answer.
#include "fuzz_input.hpp"

#include "ivschat/credentials/credentials_parsers.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ivschat::detail;
    std::string_view rest = ivschat::fuzz::as_text(data, size);
    const std::uint8_t selector = ivschat::fuzz::take_byte(rest);
    if (selector < 3) {
        const auto format = static_cast<credentials_json_format>(selector);
        const parsed_credentials parsed = parse_credentials_json(rest, format);
        // Exactly one of credentials and a reason, and credentials are usable.
        if (parsed.creds.has_value() == !parsed.error.empty()) std::abort();
        if (parsed.creds && parsed.creds->empty()) std::abort();
        if (format == credentials_json_format::imds && parsed.creds && !parsed.creds->expiration) std::abort();
        return 0;
    }
    const sts_answer answer = parse_sts_credentials_xml(rest);
    // Credentials, a service error or a parse error: never credentials with an error.
    if (answer.creds && (!answer.parse_error.empty() || !answer.error_code.empty())) std::abort();
    if (answer.creds && answer.creds->empty()) std::abort();
    if (!answer.creds && answer.parse_error.empty() && answer.error_code.empty()) std::abort();
    return 0;
}
