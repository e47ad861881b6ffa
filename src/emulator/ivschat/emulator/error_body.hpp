#pragma once

#include <ivschat/emulator/service_api.hpp>

#include "ivschat/serde/json_writer.hpp"

#include <string>
#include <string_view>

namespace ivschat::emulator {

/// Writes {"message": ...} and nothing else: the body of the errors the model
/// does not declare (authentication, serialization, routing, 503 faults).
void write_message_body(std::string_view message, std::string& body);

/// Writes one of the model's error shapes as the service does: the body is
/// the shape's JSON, the status and x-amzn-ErrorType come from the model.
template <class Error>
api_response write_error(const Error& error, std::string& body) {
    detail::write_json(error, body);
    return {detail::shape_info<Error>::http_status, detail::shape_info<Error>::name};
}

}  // namespace ivschat::emulator
