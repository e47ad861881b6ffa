#pragma once

#include "ivschat/error.hpp"

#include <string_view>

namespace ivschat::detail {

/// The error type as the AWS SDKs resolve it: the part after a '#'
/// namespace prefix and before a ':' suffix
/// ("aws.protocoltests.restjson#FooError:http://..." -> "FooError").
/// Rule from smithy-go protocol/restjson SanitizeErrorCode.
std::string_view sanitize_error_type(std::string_view type) noexcept;

/// The ivschat::error of a sanitized error type; unknown_service_error for
/// a type the model does not declare (or none).
error error_from_type(std::string_view type) noexcept;

/// Everything an error response says: the type from the x-amzn-ErrorType
/// header, else from the body's `__type`, `code` or `type` member (in that
/// order), sanitized; `message` (or `Message`), and the modelled members
/// (reason, fieldList, resourceId, resourceType, limit). A body that is not
/// JSON, or members of the wrong JSON type, are tolerated: what can be read
/// is kept. The error type and message have their control characters
/// escaped (escape_control_characters). With no type, the type is the status
/// ("502"), as the AWS SDKs fall back; with no message, the message says
/// "HTTP <status> <reason>" (`reason_phrase` only for a status without a
/// standard one) and a short excerpt of the body. Never throws for any input
/// but std::bad_alloc.
service_error_info parse_service_error(unsigned http_status, std::string_view error_type_header,
                                       std::string_view request_id, std::string_view body,
                                       std::string_view reason_phrase = {});

// For the emulator: the exact error body of an exception is
// write_json(shape, body) with one of the model's error shapes
// (resource_not_found_exception{...}); its x-amzn-ErrorType is
// shape_info<Shape>::name and its status shape_info<Shape>::http_status.

}  // namespace ivschat::detail
