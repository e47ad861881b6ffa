#pragma once

// For tests that run build/bin programs through std::system: quoting words
// for /bin/sh and reading what a run wrote to a file.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace ivschat::test {

/// `word` in single quotes, safe as one /bin/sh word.
inline std::string shell_quote(const std::string& word) {
    std::string quoted = "'";
    for (char c : word) {
        if (c == '\'') quoted += "'\\''";
        else quoted.push_back(c);
    }
    return quoted + "'";
}

/// The whole content of a file, empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

}  // namespace ivschat::test
