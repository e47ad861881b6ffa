#pragma once
// Parsers for the answers credentials sources give: the JSON of
// credential_process, the container endpoint and IMDS, and the XML of STS.
// Plain functions of a string, no I/O, so that tests and fuzz targets call
// them directly. Bad input gives an error sentence, never a crash; input is
// bounded (max_credentials_answer_size) and nesting depth is limited.

#include <ivschat/credentials.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ivschat::detail {

/// Larger answers are refused: real ones are a few kilobytes.
inline constexpr std::size_t max_credentials_answer_size = 64 * 1024;

/// Which source's JSON: they share AccessKeyId, SecretAccessKey and
/// Expiration, and differ in the rest.
enum class credentials_json_format {
    /// credential_process: "Version": 1 required, "SessionToken" optional.
    process,
    /// Container endpoint and IMDS: "Token" optional; "Code", when present,
    /// must be "Success"; "Expiration" required for IMDS.
    container,
    imds,
};

/// Either credentials or the sentence saying what is wrong with the answer
/// (never quoting a secret).
struct parsed_credentials {
    std::optional<credentials> creds{};
    std::string error{};
};

/// Parses one JSON object with the fields of `format`. Unknown members are
/// ignored; AccessKeyId and SecretAccessKey must be non-empty strings;
/// Expiration is ISO 8601 (RFC 3339).
parsed_credentials parse_credentials_json(std::string_view text, credentials_json_format format);

/// What an STS Query-protocol answer says: the Credentials element of an
/// AssumeRoleResult / AssumeRoleWithWebIdentityResult, or the Code and
/// Message of an ErrorResponse.
struct sts_answer {
    std::optional<credentials> creds{};
    /// The service's error code and message, from an <ErrorResponse>.
    std::string error_code{};
    std::string error_message{};
    /// Why the text is not a usable answer (malformed XML, missing element).
    std::string parse_error{};
};

/// Parses the XML of an STS answer with a small bounded parser: elements,
/// attributes (skipped), character references and the five predefined
/// entities, comments, CDATA and the XML declaration; a DOCTYPE is refused.
sts_answer parse_sts_credentials_xml(std::string_view xml);

}  // namespace ivschat::detail
