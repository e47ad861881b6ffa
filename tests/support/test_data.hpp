#pragma once

#include <filesystem>

namespace ivschat::test {

// The repository's data folders, found from the source tree the tests were
// built from: tests/data (official test vectors) and data/model (the service
// model). Nothing is optional: a test whose data is missing fails.
std::filesystem::path test_data_dir();
std::filesystem::path model_dir();

}  // namespace ivschat::test
