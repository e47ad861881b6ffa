// The committed generated files equal what tools/generate_model.py makes
// from data/model/service-2.json, so model and code never drift.
#include "support/test_data.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

const fs::path repository_root = ivschat::test::model_dir().parent_path().parent_path();

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("generated model files match the service model", "[model]") {
    const fs::path model = ivschat::test::model_dir() / "service-2.json";
    const fs::path output = fs::temp_directory_path() / ("ivschat-model-" + std::to_string(::getpid()));
    fs::create_directories(output);
    const std::string command = "python3 '" + (repository_root / "tools" / "generate_model.py").string() + "' '" +
                                model.string() + "' '" + output.string() + "'";
    REQUIRE(std::system(command.c_str()) == 0);
    for (const char* file : {"include/ivschat/model.hpp", "include/ivschat/operations.hpp",
                             "src/ivschat/model/shape_info.hpp"}) {
        INFO(file << " differs: run python3 tools/generate_model.py data/model/service-2.json");
        const std::string committed = read_file(repository_root / file);
        REQUIRE_FALSE(committed.empty());
        CHECK(read_file(output / file) == committed);
    }
    fs::remove_all(output);
}
