#include "support/shared_data.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

namespace ivschat::test {

std::optional<std::filesystem::path> shared_dir() {
    const char* from_env = std::getenv("IVSCHAT_SHARED_DIR");
    std::filesystem::path dir = from_env ? from_env : IVSCHAT_DEFAULT_SHARED_DIR;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir / "testdata", ec)) return std::nullopt;
    return dir;
}

bool skip_without_shared(const char* what) {
    if (shared_dir()) return false;
    WARN("SKIPPED: " << what << " needs ../shared (the official test data), which is absent");
    return true;
}

}  // namespace ivschat::test
