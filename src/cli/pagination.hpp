#pragma once

// The AWS CLI's pagination of list operations, without I/O: pages are
// merged into one result, --max-items truncates it and prints the NextToken
// to resume with (--starting-token), and a repeated nextToken stops the loop.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ivschat::cli {

/// Where a listing resumes: the service's nextToken for the page to fetch
/// (none: the first page) and how many of that page's items were printed
/// already. The AWS CLI's NextToken carries both as base64 of
/// {"nextToken": "...", "boto_truncate_amount": n}, and so does ours.
struct resume_point {
    std::optional<std::string> next_token{};
    std::uint64_t skip_items = 0;
};

/// The NextToken text for `point`.
std::string encode_resume_token(const resume_point& point);

/// Reads a NextToken (the --starting-token value); throws
/// std::invalid_argument when it is not one.
resume_point decode_resume_token(std::string_view token);

/// The service answered with a nextToken it had answered before.
class pagination_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Collects the pages of one listing. Memory holds the items printed, at
/// most --max-items of them, plus one page.
class page_collector {
public:
    page_collector(std::optional<std::uint64_t> max_items, resume_point start);

    /// The nextToken to send with the first request.
    const std::optional<std::string>& first_token() const noexcept { return start_.next_token; }

    /// Adds a page (the response as JSON, its list member holding the
    /// items) fetched with `request_token`. Returns the token to fetch the
    /// next page with, or nothing when the listing is complete or
    /// truncated. Throws pagination_error when the page's nextToken was
    /// seen before.
    std::optional<std::string> add(boost::json::object page, const std::optional<std::string>& request_token);

    /// The merged result: the items under their member name, and
    /// "NextToken" when --max-items truncated the listing.
    boost::json::value result() &&;

private:
    std::optional<std::uint64_t> max_items_;
    resume_point start_;
    bool first_page_ = true;
    std::uint64_t items_ = 0;
    boost::json::object merged_{};
    std::optional<std::string> resume_token_{};
    std::set<std::string, std::less<>> seen_tokens_{};
};

}  // namespace ivschat::cli
