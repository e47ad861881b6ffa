// The shared config and credentials files: profile_set::merge_file on both
// texts (sections, properties, sub-properties, continuations, comments), then
// resolve_config reading them as files, for the default profile and each
// profile the files define (region, endpoint URL from the profile or its
// services section, booleans, max_attempts, retry_mode, ca_bundle). Static
// credentials are given so that no credentials provider is built: the
// providers' own inputs have their own targets. config_error is the only
// failure allowed.
//
// Input: the config file's text, a NUL byte, the credentials file's text.
#include "fuzz_input.hpp"

#include <ivschat/config.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;

// One directory per process for the two files, removed at exit.
struct file_pair {
    fs::path directory;
    fs::path config;
    fs::path credentials;

    file_pair() {
        std::string pattern = (fs::temp_directory_path() / "ivschat-config-fuzz-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        directory = pattern;
        config = directory / "config";
        credentials = directory / "credentials";
    }
    ~file_pair() {
        std::error_code ignored;
        fs::remove_all(directory, ignored);
    }
};

void write_file(const fs::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) std::abort();
}

void resolve(const ivschat::environment& env, std::optional<std::string> profile) {
    ivschat::config_options options{.profile = std::move(profile),
                                    .static_credentials = ivschat::credentials{.access_key_id = "AKIDEXAMPLE",
                                                                               .secret_access_key = "secret",
                                                                               .session_token = {},
                                                                               .expiration = {}}};
    try {
        const ivschat::resolved_config config = ivschat::resolve_config(options, env);
        if (!ivschat::is_valid_region(config.region) || config.max_attempts < 1) std::abort();
    } catch (const ivschat::config_error&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const file_pair files;
    std::string_view input = ivschat::fuzz::as_text(data, size);
    const std::size_t separator = input.find('\0');
    const std::string_view config_text = input.substr(0, separator);
    const std::string_view credentials_text =
        separator == std::string_view::npos ? std::string_view{} : input.substr(separator + 1);

    ivschat::profile_set profiles;
    try {
        profiles.merge_file(config_text, ivschat::profile_file_kind::config, "config");
        profiles.merge_file(credentials_text, ivschat::profile_file_kind::credentials, "credentials");
    } catch (const ivschat::config_error&) {
        return 0;  // resolve_config would refuse the same text
    }

    write_file(files.config, config_text);
    write_file(files.credentials, credentials_text);
    const auto env = ivschat::environment::from_map({{"AWS_CONFIG_FILE", files.config.string()},
                                                     {"AWS_SHARED_CREDENTIALS_FILE", files.credentials.string()}});
    resolve(env, std::nullopt);
    int resolved = 0;
    for (const auto& [name, profile] : profiles.profiles()) {
        if (++resolved > 4) break;
        resolve(env, name);
    }
    return 0;
}
