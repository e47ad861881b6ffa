#pragma once
// Reads a small token file (container authorization token, web identity
// token) at each fetch, since the platform rotates it.

#include <string>

namespace ivschat::detail {

struct token_file_content {
    /// The content without surrounding whitespace.
    std::string token{};
    /// Why it could not be read, or "" on success.
    std::string error{};
};

/// Reads `path`: missing, unreadable, empty or larger than 64 KiB is an error naming the path.
token_file_content read_token_file(const std::string& path);

}  // namespace ivschat::detail
