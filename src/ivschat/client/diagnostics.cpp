#include <ivschat/diagnostics.hpp>

namespace ivschat {

namespace {

// what(): the service's message for its errors, the client's sentence
// otherwise, then the code's message; the code's message alone when there
// is no sentence.
boost::system::system_error with_sentence(const boost::system::error_code& ec, const diagnostics& diag) {
    const std::string& sentence = is_service_error(ec) && !diag.error.message.empty() ? diag.error.message
                                                                                        : diag.client_message;
    if (sentence.empty()) return boost::system::system_error(ec);
    return boost::system::system_error(ec, sentence);
}

}  // namespace

error_with_diagnostics::error_with_diagnostics(boost::system::error_code ec, ivschat::diagnostics diag)
    : boost::system::system_error(with_sentence(ec, diag)), diagnostics_(std::move(diag)) {}

void diagnostics::clear() noexcept {
    request_id.clear();
    amz_cf_id.clear();
    amz_id_2.clear();
    http_status = 0;
    attempts.clear();
    backoff_time = {};
    pacing_time = {};
    pacing_fallback = false;
    quota_available_in = {};
    connection_wait_time = {};
    error = {};
    client_message.clear();
    invalid_fields.clear();
}

}  // namespace ivschat
