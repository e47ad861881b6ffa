#include "support/test_data.hpp"

namespace ivschat::test {

std::filesystem::path test_data_dir() { return std::filesystem::path(IVSCHAT_SOURCE_DIR) / "tests" / "data"; }

std::filesystem::path model_dir() { return std::filesystem::path(IVSCHAT_SOURCE_DIR) / "data" / "model"; }

}  // namespace ivschat::test
