#include "ivschat/credentials/token_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace ivschat::detail {

token_file_content read_token_file(const std::string& path) {
    constexpr std::size_t max_size = 64 * 1024;
    std::ifstream in(path, std::ios::binary);
    if (!in) return {.token = {}, .error = "cannot read " + path + " (" + std::strerror(errno) + ")"};
    std::string content;
    content.resize(max_size + 1);
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<std::size_t>(in.gcount()));
    if (content.size() > max_size) return {.token = {}, .error = path + " is larger than 64 KiB"};
    const auto first = content.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {.token = {}, .error = path + " is empty"};
    content.erase(content.find_last_not_of(" \t\r\n") + 1);
    content.erase(0, first);
    return {.token = std::move(content), .error = {}};
}

}  // namespace ivschat::detail
