#pragma once

#include <filesystem>
#include <optional>

namespace ivschat::test {

// The folder ../shared (the service model and the official test vectors),
// which exists on developer machines and in CI but not in a user's clone.
// IVSCHAT_SHARED_DIR in the environment overrides the default location.
// Returns nullopt when it is absent; callers then skip via skip_without_shared.
std::optional<std::filesystem::path> shared_dir();

// Reports "SKIPPED: <what> needs ../shared" through Catch2 (ctest marks the
// test skipped on that line) and returns true when ../shared is absent.
bool skip_without_shared(const char* what);

}  // namespace ivschat::test
