// The committed generated files equal what tools/generate_model.py makes
// from data/model/service-2.json, so model and code never drift.
#include "ivschat/model/shape_info.hpp"
#include "support/test_data.hpp"

#include <ivschat/transport.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

// model_dir() is <repo>/data/model. (__FILE__ is relative to the build
// directory when ccache's base_dir rewrites paths, so it cannot say.)
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
    for (const char* file : {"include/ivschat/model.hpp", "include/ivschat/model/validation.hpp",
                             "include/ivschat/model_describe.hpp", "include/ivschat/operations.hpp",
                             "include/ivschat/client_operations.hpp", "src/ivschat/model/shape_info.hpp"}) {
        INFO(file << " differs: run python3 tools/generate_model.py data/model/service-2.json");
        const std::string committed = read_file(repository_root / file);
        REQUIRE_FALSE(committed.empty());
        CHECK(read_file(output / file) == committed);
    }
    fs::remove_all(output);
}

TEST_CASE("the default response size limit is the largest valid response, rounded up to a MiB", "[model]") {
    constexpr std::size_t mib = 1024 * 1024;
    constexpr std::size_t limit = ivschat::pool_options{}.max_response_body;
    STATIC_REQUIRE(limit >= ivschat::detail::largest_valid_response_body);
    STATIC_REQUIRE(limit % mib == 0);
    STATIC_REQUIRE(limit - ivschat::detail::largest_valid_response_body < mib);
}
